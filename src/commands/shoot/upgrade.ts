import { Args, Flags } from '@oclif/core';
import { BaseCommand, commonFlags, forceUnlockFlag, gardenFlags, jsonFlag, outputFlag, projectFlag } from '../../lib/ui/base-command.ts';

export default class ShootUpgrade extends BaseCommand {
  static override description = `Upgrade a shoot's Kubernetes version, or one worker pool's.

Refused (exit 7, nothing written) when it breaks a rule: supported versions only; no downgrade; one minor version at a time for the control plane (a later minor is planned as one-minor steps through supported versions, printed first, confirmed on a terminal or with --yes); workers never newer than the control plane, nor more than three minors behind it. Each upgrade records the new version in the Shoot, then runs: etcd (if its version changes) → kube-apiserver → kube-controller-manager ‖ kube-scheduler → system components → worker pools, machines replaced within maxSurge/maxUnavailable. Interrupted, it resumes with the same command or "shoot reconcile".`;

  static override examples = [
    '<%= config.bin %> shoot upgrade demo --project local --kubernetes-version 1.37.2',
    '<%= config.bin %> shoot upgrade web -p dev --kubernetes-version 1.37.2 --yes   # 1.35 → 1.36 → 1.37 without a terminal',
    '<%= config.bin %> shoot upgrade web -p dev --worker-pool pool1 --kubernetes-version 1.36.4',
    '<%= config.bin %> shoot upgrade web -p dev --kubernetes-version 1.37.2 --dry-run',
  ];

  static override args = { name: Args.string({ description: 'Shoot name (default: the targeted shoot).' }) };
  static override flags = {
    ...gardenFlags,
    ...commonFlags,
    project: projectFlag(),
    'kubernetes-version': Flags.string({ description: 'The version to upgrade to (see "kubegarden version").', required: true }),
    'worker-pool': Flags.string({ description: 'Upgrade only this worker pool (never newer than the control plane).' }),
    yes: Flags.boolean({ char: 'y', description: 'Run a plan of several upgrades without asking (required for one without a terminal).', default: false }),
    timeout: Flags.string({ description: 'How long to wait for the API server and each batch of nodes.', default: '30m' }),
    'terraform-bin': Flags.string({ description: 'terraform or tofu binary (default: $KUBEGARDEN_TERRAFORM, then PATH).' }),
    'dry-run': Flags.boolean({ description: 'Print the plan and the steps of each upgrade, and change nothing.', default: false }),
    quiet: Flags.boolean({ char: 'q', description: 'No progress output.', default: false }),
    'force-unlock': forceUnlockFlag(),
    ...jsonFlag, output: outputFlag(['table', 'json', 'yaml']),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.targeted(await this.parse(ShootUpgrade));
    const timeoutMs = await this.timeoutMs(flags.timeout);
    const { withGarden } = await import('../../lib/garden/connect.ts');
    const { describePlan, planShootUpgrade, runShootUpgrade, upgradeFlow, upgradeRuns } = await import('../../lib/flows/upgrade.ts');
    const { confirmationFor } = await import('../../lib/api/upgrade.ts');
    const { withInterrupt } = await import('../../lib/ui/interrupt.ts');
    const { KubegardenError } = await import('../../lib/ui/errors.ts');
    const who = `Shoot "${flags.project}/${args.name}"`;
    await withGarden(flags, async (garden) => {
      const planned = await planShootUpgrade(garden, flags.project, args.name, { version: flags['kubernetes-version'], pool: flags['worker-pool'] });
      const runs = upgradeRuns(planned.plan);
      if (runs.length === 0) {
        const { shootResult } = await import('../../lib/ui/results.ts');
        if (this.printDocument(flags.output, shootResult('shoot upgrade', 'unchanged', flags.project, args.name, this.startedAt, planned))) return;
        return this.success(`${who} runs Kubernetes ${planned.plan.to} already: nothing to upgrade.`);
      }
      this.note(describePlan(planned));
      if (flags['dry-run']) {
        for (const run of runs) this.note(upgradeFlow(run).describe());
        return this.printResult(flags.output === 'table' ? 'yaml' : flags.output, { data: planned.plan, rows: [], columns: [] });
      }
      const { canPrompt } = await import('../../lib/ui/confirm.ts');
      if (confirmationFor(planned.subject, planned.plan, { yes: flags.yes, interactive: canPrompt(flags['non-interactive']) }) === 'ask') {
        const { confirm } = await import('@inquirer/prompts');
        const ok = await confirm({ message: `Run these ${runs.length} upgrades of shoot "${flags.project}/${args.name}"?`, default: false }, { output: process.stderr }).catch(() => false);
        if (!ok) throw new KubegardenError('aborted', `${who} was not upgraded: the plan was not confirmed, and nothing was changed.`);
      }
      const result = await withInterrupt((signal) =>
        runShootUpgrade(garden, planned, {
          signal, quiet: flags.quiet, verbose: flags.verbose, forceUnlock: flags['force-unlock'], timeoutMs, terraformBin: flags['terraform-bin'],
          onRun: (run, i, n) => n > 1 && this.note(`Upgrade ${i + 1} of ${n}: to ${run.version}`),
        }),
      );
      const { shootResult } = await import('../../lib/ui/results.ts');
      if (this.printDocument(flags.output, shootResult('shoot upgrade', 'upgraded', flags.project, args.name, this.startedAt, result))) return;
      const what = planned.plan.kind === 'worker-pool' ? `Worker pool "${planned.plan.pool}" of shoot "${flags.project}/${args.name}"` : who;
      this.success(`${what} runs Kubernetes ${planned.plan.to} (${Math.round(result.durationMs / 1000)}s).`);
    });
  }
}
