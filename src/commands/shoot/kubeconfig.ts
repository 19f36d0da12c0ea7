import { Args, Flags } from '@oclif/core';
import { BaseCommand, commonFlags, gardenFlags, projectFlag } from '../../lib/ui/base-command.ts';

export default class ShootKubeconfig extends BaseCommand {
  static override description = `Issue an admin kubeconfig for a shoot: its CA embedded and a client certificate valid for --expiration (default 1h, at most 24h).

The kubeconfig is written to --output-file with mode 0600; it is printed to stdout only with --print, since it is a credential.`;

  static override examples = [
    '<%= config.bin %> shoot kubeconfig demo --project dev --output-file demo.kubeconfig',
    '<%= config.bin %> shoot kubeconfig demo -p dev --expiration 8h --output-file ~/.kube/demo',
    'KUBECONFIG=<(<%= config.bin %> shoot kubeconfig demo -p dev --print) kubectl get nodes',
  ];

  static override args = { name: Args.string({ description: 'Shoot name.', required: true }) };
  static override flags = {
    ...gardenFlags,
    ...commonFlags,
    project: projectFlag(),
    expiration: Flags.string({ description: 'How long the client certificate is valid, e.g. 30m, 8h (at most 24h).', default: '1h' }),
    'output-file': Flags.string({ description: 'Write the kubeconfig to this file (mode 0600).', exclusive: ['print'] }),
    print: Flags.boolean({ description: 'Print the kubeconfig to stdout instead of writing a file.', default: false }),
    user: Flags.string({ description: 'User name in the certificate (default kubegarden-admin-$USER).' }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(ShootKubeconfig);
    const { parseDuration } = await import('../../lib/kube/wait.ts');
    const ms = parseDuration(flags.expiration);
    if (ms === undefined) this.error(`--expiration "${flags.expiration}" is not a duration like 30m or 8h.`, { exit: 2 });
    if (!flags['output-file'] && !flags.print) this.error('Say where the kubeconfig goes: --output-file FILE (mode 0600), or --print for stdout.', { exit: 2 });
    const { withGarden } = await import('../../lib/garden/connect.ts');
    const { shootAdminKubeconfig, writeKubeconfigFile } = await import('../../lib/shoots/access.ts');
    const result = await withGarden(flags, (garden) => shootAdminKubeconfig(garden, flags.project, args.name, { expirationSeconds: Math.round(ms / 1000), user: flags.user }));
    if (flags.print) return this.print(result.kubeconfig);
    await writeKubeconfigFile(flags['output-file']!, result.kubeconfig);
    this.success(`Kubeconfig for shoot "${flags.project}/${args.name}" (${result.server}) written to ${flags['output-file']}, valid until ${result.expiresAt.toISOString()}.`);
  }
}
