import { Flags } from '@oclif/core';
import { BaseCommand, commonFlags, jsonFlag } from '../../lib/ui/base-command.ts';
import type { UpContext } from '../../lib/local/up.ts';
import type { LocalResult } from '../../lib/ui/results.ts';

export default class LocalUp extends BaseCommand {
  static override description = `Start a local garden that is also a seed, on this machine.

Runs etcd, kube-apiserver and kube-controller-manager (built from the Kubernetes Go modules on first use) under a supervisor that keeps running after the terminal closes, installs the kubegarden API, creates the project "local" and registers the seed "local" with provider local. Running it again changes nothing.`;

  static override examples = ['<%= config.bin %> local up', '<%= config.bin %> local up --dir /tmp/my-garden', 'export KUBECONFIG=$(<%= config.bin %> local up --quiet)'];
  static override flags = {
    ...commonFlags,
    dir: Flags.string({ description: 'State directory (default: $XDG_STATE_HOME/kubegarden/local, or $KUBEGARDEN_LOCAL_DIR).' }),
    quiet: Flags.boolean({ char: 'q', description: 'No progress; print only the kubeconfig path.', default: false }),
    ...jsonFlag,
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(LocalUp);
    const { defaultLocalDir, paths } = await import('../../lib/local/state.ts');
    const { upSteps } = await import('../../lib/local/up.ts');
    const { runSteps } = await import('../../lib/ui/tasks.ts');
    const dir = flags.dir ?? defaultLocalDir();
    const ctx = await runSteps<UpContext>(upSteps(), { dir, entry: process.argv[1] ?? '' }, { quiet: flags.quiet });
    const kubeconfig = paths(dir).kubeconfig;
    if (flags.json) {
      const doc: LocalResult = { action: 'local up', change: ctx.started ? 'started' : ctx.changed?.length ? 'updated' : 'unchanged', objects: ['seed/local', 'project/local'], warnings: [], durationMs: Date.now() - this.startedAt, kubeconfig };
      return this.print(JSON.stringify(doc, null, 2) + '\n');
    }
    this.print(`${kubeconfig}\n`);
    if (flags.quiet) return;
    this.success(ctx.started || ctx.changed?.length ? 'Local garden is ready.' : 'Local garden is already up: nothing changed.');
    this.note(`\nNext:\n  export KUBECONFIG=${kubeconfig}\n  kubectl get seeds,crds\n  kubegarden seed list\n  kubegarden local status\n  kubegarden local down            # stop it (add --purge to delete its data)`);
  }
}
