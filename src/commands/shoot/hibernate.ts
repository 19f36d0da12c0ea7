import { Args, Flags } from '@oclif/core';
import { BaseCommand, commonFlags, gardenFlags, outputFlag, projectFlag } from '../../lib/ui/base-command.ts';

export default class ShootHibernate extends BaseCommand {
  static override description = 'Hibernate a shoot: its worker pools go to zero machines and its control plane is scaled down; etcd keeps its data, so waking it up brings every object back. The Shoot keeps its endpoint and credentials.';
  static override examples = ['<%= config.bin %> shoot hibernate demo --project local', '<%= config.bin %> shoot hibernate web -p dev -o json'];
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
    const { args, flags } = await this.parse(ShootHibernate);
    const { parseDuration } = await import('../../lib/kube/wait.ts');
    const timeoutMs = parseDuration(flags.timeout);
    if (timeoutMs === undefined) this.error(`--timeout "${flags.timeout}" is not a duration like 30m.`, { exit: 2 });
    const { withGarden } = await import('../../lib/garden/connect.ts');
    const { setHibernation } = await import('../../lib/shoots/hibernation.ts');
    const { withInterrupt } = await import('../../lib/ui/interrupt.ts');
    const result = await withGarden(flags, (garden) =>
      withInterrupt((signal) => setHibernation(garden, flags.project, args.name, true, { signal, quiet: flags.quiet, verbose: flags.verbose, timeoutMs: timeoutMs!, terraformBin: flags['terraform-bin'] })),
    );
    if (flags.output !== 'table') return this.printResult(flags.output, { data: result.shoot, rows: [], columns: [] });
    this.success(`Shoot "${flags.project}/${args.name}" hibernated (${Math.round(result.durationMs / 1000)}s).`);
  }
}
