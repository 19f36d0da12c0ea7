import { Args, Flags } from '@oclif/core';
import { BaseCommand, commonFlags, forceUnlockFlag, gardenFlags, jsonFlag, outputFlag, projectFlag } from '../../lib/ui/base-command.ts';

export default class ShootRotateCredentials extends BaseCommand {
  static override description = `Rotate a shoot's certificate authorities and service-account key in two phases, without cutting off any client.

--phase prepare: new CAs sign from now on while old and new are trusted; every certificate is re-issued, the service-account key is replaced (tokens signed by the old one stay valid), the control plane rolls and the machines get the new CA bundle. Then hand out new kubeconfigs ("shoot kubeconfig").
--phase complete: the old CAs and the old service-account key are dropped and the control plane rolls again; kubeconfigs issued before the rotation stop working.`;

  static override examples = [
    '<%= config.bin %> shoot rotate-credentials demo --project local --phase prepare',
    '<%= config.bin %> shoot rotate-credentials demo --project local --phase complete',
  ];

  static override args = { name: Args.string({ description: 'Shoot name (default: the targeted shoot).' }) };
  static override flags = {
    ...gardenFlags,
    ...commonFlags,
    project: projectFlag(),
    phase: Flags.string({ description: 'prepare: new credentials, old ones still trusted; complete: old ones dropped.', options: ['prepare', 'complete'], required: true }),
    timeout: Flags.string({ description: 'How long to wait for the API server and nodes.', default: '30m' }),
    'terraform-bin': Flags.string({ description: 'terraform or tofu binary (default: $KUBEGARDEN_TERRAFORM, then PATH).' }),
    'dry-run': Flags.boolean({ description: 'Print the steps of the phase, and change nothing.', default: false }),
    quiet: Flags.boolean({ char: 'q', description: 'No progress output.', default: false }),
    'force-unlock': forceUnlockFlag(),
    ...jsonFlag, output: outputFlag(['table', 'json', 'yaml']),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.targeted(await this.parse(ShootRotateCredentials));
    const phase = flags.phase as 'prepare' | 'complete';
    const timeoutMs = await this.timeoutMs(flags.timeout);
    const { rotateFlow, rotateShootCredentials } = await import('../../lib/flows/rotate.ts');
    if (flags['dry-run']) return this.print(rotateFlow(phase).describe());
    const { withGarden } = await import('../../lib/garden/connect.ts');
    const { withInterrupt } = await import('../../lib/ui/interrupt.ts');
    const result = await withGarden(flags, (garden) =>
      withInterrupt((signal) => rotateShootCredentials(garden, flags.project, args.name, phase, { signal, quiet: flags.quiet, verbose: flags.verbose, forceUnlock: flags['force-unlock'], timeoutMs, terraformBin: flags['terraform-bin'] })),
    );
    const { shootResult } = await import('../../lib/ui/results.ts');
    if (this.printDocument(flags.output, shootResult('shoot rotate-credentials', 'rotated', flags.project, args.name, this.startedAt, result))) return;
    const took = `${Math.round(result.durationMs / 1000)}s`;
    if (phase === 'prepare') {
      this.success(`Credentials rotation of shoot "${flags.project}/${args.name}" prepared (${took}): issue new kubeconfigs, then run it with --phase complete.`);
    } else {
      this.success(`Credentials rotation of shoot "${flags.project}/${args.name}" completed (${took}): kubeconfigs issued before the rotation no longer work.`);
    }
  }
}
