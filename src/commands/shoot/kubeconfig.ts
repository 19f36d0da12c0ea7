import { Args, Flags } from '@oclif/core';
import { BaseCommand, commonFlags, gardenFlags, jsonFlag, projectFlag } from '../../lib/ui/base-command.ts';
import type { KubeconfigResult } from '../../lib/ui/results.ts';

export default class ShootKubeconfig extends BaseCommand {
  static override description = `Issue an admin kubeconfig for a shoot: its CA embedded and a client certificate valid for --expiration (default 1h, at most 24h).

The kubeconfig is written to --output-file with mode 0600; it is printed to stdout only with --print, since it is a credential.`;

  static override examples = [
    '<%= config.bin %> shoot kubeconfig demo --project dev --output-file demo.kubeconfig',
    '<%= config.bin %> shoot kubeconfig demo -p dev --expiration 8h --output-file ~/.kube/demo',
    'KUBECONFIG=<(<%= config.bin %> shoot kubeconfig demo -p dev --print) kubectl get nodes',
  ];

  static override args = { name: Args.string({ description: 'Shoot name (default: the targeted shoot).' }) };
  static override flags = {
    ...gardenFlags,
    ...commonFlags,
    project: projectFlag(),
    expiration: Flags.string({ description: 'How long the client certificate is valid, e.g. 30m, 8h (at most 24h).', default: '1h' }),
    'output-file': Flags.string({ description: 'Write the kubeconfig to this file (mode 0600).', exclusive: ['print'] }),
    print: Flags.boolean({ description: 'Print the kubeconfig to stdout instead of writing a file.', default: false }),
    user: Flags.string({ description: 'User name in the certificate (default kubegarden-admin-$USER).' }),
    ...jsonFlag,
  };

  async run(): Promise<void> {
    const { args, flags } = await this.targeted(await this.parse(ShootKubeconfig));
    const { parseDuration } = await import('../../lib/kube/wait.ts');
    const ms = parseDuration(flags.expiration);
    if (ms === undefined) this.error(`--expiration "${flags.expiration}" is not a duration like 30m or 8h.`, { exit: 2 });
    if (!flags['output-file'] && !flags.print) this.error('Say where the kubeconfig goes: --output-file FILE (mode 0600), or --print for stdout.', { exit: 2 });
    const { withGarden } = await import('../../lib/garden/connect.ts');
    const { shootAdminKubeconfig, writeKubeconfigFile } = await import('../../lib/shoots/access.ts');
    const result = await withGarden(flags, (garden) => shootAdminKubeconfig(garden, flags.project, args.name, { expirationSeconds: Math.round(ms / 1000), user: flags.user }));
    if (flags.print && !flags.json) return this.print(result.kubeconfig);
    if (flags['output-file']) await writeKubeconfigFile(flags['output-file'], result.kubeconfig);
    if (flags.json) {
      const doc: KubeconfigResult = {
        action: 'shoot kubeconfig', change: 'issued', objects: [`shoot/${flags.project}/${args.name}`], warnings: [], durationMs: Date.now() - this.startedAt,
        project: flags.project, shoot: args.name, server: result.server, expiresAt: result.expiresAt.toISOString(),
        ...(flags['output-file'] ? { file: flags['output-file'] } : {}), ...(flags.print ? { kubeconfig: result.kubeconfig } : {}),
      };
      return this.print(JSON.stringify(doc, null, 2) + '\n');
    }
    this.success(`Kubeconfig for shoot "${flags.project}/${args.name}" (${result.server}) written to ${flags['output-file']}, valid until ${result.expiresAt.toISOString()}.`);
  }
}
