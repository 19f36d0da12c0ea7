import { Args } from '@oclif/core';
import { BaseCommand, commonFlags, gardenFlags, outputFlag } from '../../lib/ui/base-command.ts';

export default class TargetProject extends BaseCommand {
  static override description = 'Target a project of the garden: later commands use it when --project is not given. It must exist (exit 4 otherwise). Clears the targeted seed and shoot.';
  static override examples = ['<%= config.bin %> target project dev', '<%= config.bin %> target project dev --kubeconfig garden.kubeconfig'];
  static override args = { name: Args.string({ description: 'Project name.', required: true }) };
  static override flags = { ...gardenFlags, ...commonFlags, output: outputFlag(['table', 'json', 'yaml']) };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(TargetProject);
    const { withGarden } = await import('../../lib/garden/connect.ts');
    const { targetProject, describeTarget } = await import('../../lib/config/target.ts');
    const result = await withGarden(flags, (garden) => targetProject(garden, args.name));
    if (flags.output !== 'table') return this.printResult(flags.output, { data: result.target, rows: [], columns: [] });
    this.success(`Targeted ${describeTarget(result.target)}.`);
  }
}
