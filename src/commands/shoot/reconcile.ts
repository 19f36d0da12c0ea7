import { Args } from '@oclif/core';
import { BaseCommand, commonFlags, gardenFlags, jsonFlag, operationFlags, outputFlag, projectFlag } from '../../lib/ui/base-command.ts';

export default class ShootReconcile extends BaseCommand {
  static override description = 'Run the create flow again on an existing shoot, as a repair: what is missing or drifted is restored, what is healthy is left alone.';
  static override examples = ['<%= config.bin %> shoot reconcile demo --project local', '<%= config.bin %> shoot reconcile web -p dev --timeout 1h -o json'];
  static override args = { name: Args.string({ description: 'Shoot name (default: the targeted shoot).' }) };
  static override flags = {
    ...gardenFlags,
    ...commonFlags,
    project: projectFlag(),
    ...operationFlags,
    ...jsonFlag, output: outputFlag(['table', 'json', 'yaml']),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.targeted(await this.parse(ShootReconcile));
    const timeoutMs = await this.timeoutMs(flags.timeout);
    const { withGarden } = await import('../../lib/garden/connect.ts');
    const { runShootOperation } = await import('../../lib/shoots/operate.ts');
    const { createFlow } = await import('../../lib/flows/create.ts');
    const { withInterrupt } = await import('../../lib/ui/interrupt.ts');
    const result = await withGarden(flags, (garden) =>
      withInterrupt((signal) => runShootOperation(garden, flags.project, args.name, 'Reconcile', createFlow('Reconcile'), { signal, quiet: flags.quiet, verbose: flags.verbose, forceUnlock: flags['force-unlock'], timeoutMs, terraformBin: flags['terraform-bin'] })),
    );
    const { shootResult } = await import('../../lib/ui/results.ts');
    if (this.printDocument(flags.output, shootResult('shoot reconcile', 'reconciled', flags.project, args.name, this.startedAt, result))) return;
    this.success(`Shoot "${flags.project}/${args.name}" reconciled (${Math.round(result.durationMs / 1000)}s).`);
  }
}
