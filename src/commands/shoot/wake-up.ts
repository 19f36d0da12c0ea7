import { Args, Flags } from '@oclif/core';
import { BaseCommand, commonFlags, gardenFlags, outputFlag, projectFlag } from '../../lib/ui/base-command.ts';

export default class ShootWakeUp extends BaseCommand {
  static override description = 'Wake up a hibernated shoot: the control plane comes back with its data, then the worker pools and nodes.';
  static override examples = ['<%= config.bin %> shoot wake-up demo --project local', '<%= config.bin %> shoot wake-up web -p dev -o json'];
  static override args = { name: Args.string({ description: 'Shoot name.', required: true }) };
  static override flags = {
    ...gardenFlags,
    ...commonFlags,
    project: projectFlag(),
    timeout: Flags.string({ description: 'How long to wait for the control plane and nodes.', default: '30m' }),
    'terraform-bin': Flags.string({ description: 'terraform or tofu binary (default: $KUBEGARDEN_TERRAFORM, then PATH).' }),
    quiet: Flags.boolean({ char: 'q', description: 'No progress output.', default: false }),
    output: outputFlag(['table', 'json', 'yaml']),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(ShootWakeUp);
    const { parseDuration } = await import('../../lib/kube/wait.ts');
    const timeoutMs = parseDuration(flags.timeout);
    if (timeoutMs === undefined) this.error(`--timeout "${flags.timeout}" is not a duration like 30m.`, { exit: 2 });
    const { withGarden } = await import('../../lib/garden/connect.ts');
    const { setHibernation } = await import('../../lib/shoots/hibernation.ts');
    const { withInterrupt } = await import('../../lib/ui/interrupt.ts');
    const result = await withGarden(flags, (garden) =>
      withInterrupt((signal) => setHibernation(garden, flags.project, args.name, false, { signal, quiet: flags.quiet, verbose: flags.verbose, timeoutMs: timeoutMs!, terraformBin: flags['terraform-bin'] })),
    );
    if (flags.output !== 'table') return this.printResult(flags.output, { data: result.shoot, rows: [], columns: [] });
    this.success(`Shoot "${flags.project}/${args.name}" is awake (${Math.round(result.durationMs / 1000)}s).`);
  }
}
