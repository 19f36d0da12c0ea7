import { Args, Flags } from '@oclif/core';
import { BaseCommand, commonFlags, forceUnlockFlag, gardenFlags, jsonFlag, outputFlag, projectFlag } from '../../lib/ui/base-command.ts';

export default class ShootDelete extends BaseCommand {
  static override description = `Delete a shoot and everything it owns: objects in the shoot that own cloud resources (load balancers, volumes), webhooks and CRDs; the control plane; the infrastructure (terraform destroy); the seed namespace with the Terraform state; then the Shoot.

On a terminal it asks you to type the shoot's name; elsewhere it needs --yes. Interrupted, it resumes when run again. A shoot whose seed no longer answers, or whose Terraform state is gone, is still deleted, with a warning saying what may be left behind.`;

  static override examples = ['<%= config.bin %> shoot delete demo --project local', '<%= config.bin %> shoot delete web -p dev --yes --timeout 1h', '<%= config.bin %> shoot delete web -p dev --yes --no-wait'];
  static override args = { name: Args.string({ description: 'Shoot name (default: the targeted shoot).' }) };
  static override flags = {
    ...gardenFlags,
    ...commonFlags,
    project: projectFlag(),
    yes: Flags.boolean({ char: 'y', description: 'Do not ask for confirmation (required without a terminal).', default: false }),
    wait: Flags.boolean({ description: 'Wait until the shoot is gone (default); --no-wait runs the deletion in the background.', default: true, allowNo: true }),
    timeout: Flags.string({ description: 'How long to wait for cleanups.', default: '30m' }),
    'terraform-bin': Flags.string({ description: 'terraform or tofu binary (default: $KUBEGARDEN_TERRAFORM, then PATH).' }),
    quiet: Flags.boolean({ char: 'q', description: 'No progress output.', default: false }),
    'force-unlock': forceUnlockFlag(),
    ...jsonFlag, output: outputFlag(['table', 'json', 'yaml']),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.targeted(await this.parse(ShootDelete));
    const timeoutMs = await this.timeoutMs(flags.timeout);
    const { withGarden } = await import('../../lib/garden/connect.ts');
    const { getShoot } = await import('../../lib/garden/shoots.ts');
    const { confirmByName } = await import('../../lib/ui/confirm.ts');
    await withGarden(flags, async (garden) => {
      await getShoot(garden, flags.project, args.name);
      await confirmByName(`Delete shoot "${flags.project}/${args.name}"`, args.name, { yes: flags.yes, nonInteractive: flags['non-interactive'] });
      if (!flags.wait) {
        return this.continueInBackground(garden, { command: 'shoot delete', what: 'Deletion', project: flags.project, name: args.name, extraArgv: ['--yes'], output: flags.output });
      }
      const { runShootOperation } = await import('../../lib/shoots/operate.ts');
      const { deleteFlow } = await import('../../lib/flows/delete.ts');
      const { withInterrupt } = await import('../../lib/ui/interrupt.ts');
      const result = await withInterrupt((signal) =>
        runShootOperation(garden, flags.project, args.name, 'Delete', deleteFlow(), { signal, quiet: flags.quiet, verbose: flags.verbose, forceUnlock: flags['force-unlock'], timeoutMs, terraformBin: flags['terraform-bin'] }),
      );
      const { shootResult } = await import('../../lib/ui/results.ts');
      if (this.printDocument(flags.output, shootResult('shoot delete', 'deleted', flags.project, args.name, this.startedAt, result))) return;
      for (const w of result.warnings) this.warning(`${w}.`);
      this.success(`Shoot "${flags.project}/${args.name}" deleted (${Math.round(result.durationMs / 1000)}s).`);
    });
  }
}
