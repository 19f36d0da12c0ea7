import { Args } from '@oclif/core';
import { BaseCommand, commonFlags, gardenFlags, jsonFlag, operationFlags, outputFlag, projectFlag } from '../../lib/ui/base-command.ts';

export default class ShootHibernate extends BaseCommand {
  static override description =
    'Hibernate a shoot: its worker pools go to zero machines and its control plane is scaled down; etcd keeps its data, so waking it up brings every object back. The Shoot keeps its endpoint and credentials.';

  static override examples = ['<%= config.bin %> shoot hibernate demo --project local', '<%= config.bin %> shoot hibernate web -p dev -o json'];
  static override args = { name: Args.string({ description: 'Shoot name (default: the targeted shoot).' }) };
  static override flags = { ...gardenFlags, ...commonFlags, project: projectFlag(), ...operationFlags, ...jsonFlag, output: outputFlag(['table', 'json', 'yaml']) };

  /** What this command sets spec.hibernation.enabled to; wake-up sets false. */
  protected hibernate = true;

  async run(): Promise<void> {
    const { args, flags } = await this.targeted(await this.parse(this.constructor as typeof ShootHibernate));
    const timeoutMs = await this.timeoutMs(flags.timeout);
    const { withGarden } = await import('../../lib/garden/connect.ts');
    const { setHibernation } = await import('../../lib/shoots/hibernation.ts');
    const { withInterrupt } = await import('../../lib/ui/interrupt.ts');
    const result = await withGarden(flags, (garden) =>
      withInterrupt((signal) => setHibernation(garden, flags.project, args.name, this.hibernate, { signal, quiet: flags.quiet, verbose: flags.verbose, forceUnlock: flags['force-unlock'], timeoutMs, terraformBin: flags['terraform-bin'] })),
    );
    const { shootResult } = await import('../../lib/ui/results.ts');
    if (this.printDocument(flags.output, shootResult(this.hibernate ? 'shoot hibernate' : 'shoot wake-up', this.hibernate ? 'hibernated' : 'woken-up', flags.project, args.name, this.startedAt, result))) return;
    this.success(`Shoot "${flags.project}/${args.name}" ${this.hibernate ? 'hibernated' : 'is awake'} (${Math.round(result.durationMs / 1000)}s).`);
  }
}
