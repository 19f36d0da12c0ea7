import { Args, Flags } from '@oclif/core';
import { BaseCommand, commonFlags, outputFlag } from '../../lib/ui/base-command.ts';

export default class TargetGarden extends BaseCommand {
  static override description = `Target a garden: later commands use its kubeconfig and context when --kubeconfig and --context are not given.

With --kubeconfig the garden is registered in the kubegarden config (or its entry updated); a garden not registered yet needs it. Targeting a garden clears the targeted project, seed and shoot.`;

  static override examples = [
    '<%= config.bin %> target garden local --kubeconfig "$(<%= config.bin %> local up --quiet)"',
    '<%= config.bin %> target garden prod --kubeconfig ~/.kube/config --context prod-garden',
    '<%= config.bin %> target garden local',
  ];

  static override args = { name: Args.string({ description: 'A name for the garden in the kubegarden config.', required: true }) };
  static override flags = {
    ...commonFlags,
    kubeconfig: Flags.string({ description: 'Kubeconfig of the garden: registers the garden under NAME, or updates its entry.' }),
    context: Flags.string({ description: 'Context in that kubeconfig (default: its current context).' }),
    output: outputFlag(['table', 'json', 'yaml']),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(TargetGarden);
    const { targetGarden } = await import('../../lib/config/target.ts');
    const result = await targetGarden(args.name, { kubeconfig: flags.kubeconfig, context: flags.context });
    if (flags.output !== 'table') return this.printResult(flags.output, { data: result.target, rows: [], columns: [] });
    this.success(`Targeted garden "${args.name}"${result.registered ? ` (registered in ${result.configFile})` : ''}.`);
  }
}
