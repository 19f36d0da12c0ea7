import { Flags } from '@oclif/core';
import { BaseCommand, commonFlags, gardenFlags, projectFlag } from '../lib/ui/base-command.ts';

export default class Kubeconfig extends BaseCommand {
  static override description = `Issue an admin kubeconfig for the targeted shoot and merge it into the kubeconfig kubectl uses, so that kubectl talks to the shoot.

The file is --file, else the first file of $KUBECONFIG, else ~/.kube/config. The cluster, user and context named <project>--<shoot> are added or replaced, every other entry is left alone, and the context becomes the current one (--no-switch keeps the current context). The file is written with mode 0600. --print prints the issued kubeconfig instead and writes nothing.`;

  static override examples = [
    '<%= config.bin %> target shoot demo --project dev && <%= config.bin %> kubeconfig && kubectl get nodes',
    '<%= config.bin %> kubeconfig --shoot web -p dev --expiration 8h --no-switch',
    '<%= config.bin %> kubeconfig --file ~/.kube/shoots --print',
  ];

  static override flags = {
    ...gardenFlags,
    ...commonFlags,
    project: projectFlag(),
    shoot: Flags.string({ description: 'Shoot name (default: the targeted shoot).' }),
    file: Flags.string({ description: 'Kubeconfig file to merge into (default: first file of $KUBECONFIG, else ~/.kube/config).' }),
    print: Flags.boolean({ description: 'Print the issued kubeconfig to stdout instead of merging it.', default: false }),
    switch: Flags.boolean({ description: 'Make the shoot\'s context the current one (default); --no-switch keeps the current context.', default: true, allowNo: true }),
    expiration: Flags.string({ description: 'How long the client certificate is valid, e.g. 30m, 8h (at most 24h).', default: '1h' }),
  };

  async run(): Promise<void> {
    const { flags: parsed } = await this.parse(Kubeconfig);
    const project = await this.resolveProject(parsed);
    const shoot = await this.resolveShoot(parsed.shoot, project);
    const { parseDuration } = await import('../lib/kube/wait.ts');
    const ms = parseDuration(parsed.expiration);
    if (ms === undefined) this.error(`--expiration "${parsed.expiration}" is not a duration like 30m or 8h.`, { exit: 2 });
    const { withGarden } = await import('../lib/garden/connect.ts');
    const { shootAdminKubeconfig } = await import('../lib/shoots/access.ts');
    const result = await withGarden(parsed, (garden) => shootAdminKubeconfig(garden, project, shoot, { expirationSeconds: Math.round(ms / 1000) }));
    if (parsed.print) return this.print(result.kubeconfig);
    const { kubectlKubeconfigFile, mergeKubeconfigFile } = await import('../lib/config/merge-kubeconfig.ts');
    const file = kubectlKubeconfigFile(parsed.file);
    const context = `${project}--${shoot}`;
    await mergeKubeconfigFile(file, result.kubeconfig, context, { switchContext: parsed.switch });
    this.success(`Context "${context}" (${result.server}) merged into ${file}${parsed.switch ? ' and made current' : ''}; valid until ${result.expiresAt.toISOString()}.`);
  }
}
