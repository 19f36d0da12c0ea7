import { Flags } from '@oclif/core';
import { BaseCommand, commonFlags, gardenFlags, jsonFlag, operationFlags, outputFlag, projectFlag } from '../../lib/ui/base-command.ts';

export default class ShootApply extends BaseCommand {
  static override description = `Create or update a shoot from a manifest.

A shoot that does not exist is created as "shoot create -f" creates it. An existing one gets the fields that may change — worker pools, the Kubernetes version (by the upgrade rules), hibernation, add-ons, purpose — and then the reconcile flow runs (the upgrade flow when the version changes). Changing any other field (provider, region, zones, networks, seed, credentials) is refused with exit code 7 naming the field. Optional fields the file leaves out keep their values. Nothing changes when the spec is the same.`;

  static override examples = [
    '<%= config.bin %> shoot apply --project dev -f shoot.yaml',
    'cat shoot.yaml | <%= config.bin %> shoot apply -p dev -f -',
    '<%= config.bin %> shoot apply -p dev -f shoot.yaml --dry-run -o yaml',
  ];

  static override flags = {
    ...gardenFlags,
    ...commonFlags,
    ...jsonFlag,
    project: projectFlag(),
    file: Flags.string({ char: 'f', description: 'A Shoot manifest (kubegarden.io/v1alpha1), or - for stdin.', required: true }),
    'dry-run': Flags.boolean({ description: 'Print the Shoot that would be sent (defaults filled in), say what would change, and change nothing.', default: false }),
    yes: Flags.boolean({ char: 'y', description: 'Run an upgrade plan of several steps without asking (required for one without a terminal).', default: false }),
    ...operationFlags,
    output: outputFlag(['table', 'json', 'yaml']),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(ShootApply);
    const project = await this.resolveProject(flags);
    const timeoutMs = await this.timeoutMs(flags.timeout);
    const { withGarden } = await import('../../lib/garden/connect.ts');
    const { applyShoot, prepareApply } = await import('../../lib/shoots/apply.ts');
    const { withInterrupt } = await import('../../lib/ui/interrupt.ts');
    const { shootResult } = await import('../../lib/ui/results.ts');
    await withGarden(flags, async (garden) => {
      const plan = await prepareApply(garden, project, flags.file);
      const who = `Shoot "${project}/${plan.name}"`;
      const what = plan.change === 'created' ? 'would be created' : plan.change === 'unchanged' ? 'is unchanged' : `would change ${plan.changedFields.join(', ')}`;
      if (flags['dry-run']) {
        this.note(`${who} ${what} (seed ${plan.seedName}).`);
        return this.printResult(flags.output === 'table' ? 'yaml' : flags.output, { data: plan.shoot, rows: [], columns: [] });
      }
      const { canPrompt } = await import('../../lib/ui/confirm.ts');
      const confirmUpgrade = async (_text: string, runs: number): Promise<boolean> => {
        if (flags.yes) return true;
        if (!canPrompt(flags['non-interactive'])) this.error(`${who} needs ${runs} upgrades one minor at a time: pass --yes to run them without a terminal.`, { exit: 2 });
        const { confirm } = await import('@inquirer/prompts');
        return confirm({ message: `Run these ${runs} upgrades of shoot "${project}/${plan.name}"?`, default: false }, { output: process.stderr }).catch(() => false);
      };
      const outcome = await withInterrupt((signal) =>
        applyShoot(garden, plan, { signal, quiet: flags.quiet, verbose: flags.verbose, timeoutMs, terraformBin: flags['terraform-bin'], confirmUpgrade, note: (t) => this.note(t) }),
      );
      const result = { ...shootResult('shoot apply', outcome.change, project, plan.name, this.startedAt, outcome), changedFields: outcome.changedFields };
      if (this.printDocument(flags.output, result)) return;
      for (const w of outcome.warnings) this.warning(`${w}.`);
      if (outcome.change === 'unchanged') return this.success(`${who} is unchanged: nothing to do ("kubegarden shoot reconcile" repairs it).`);
      this.success(`${who} ${outcome.change}${outcome.changedFields.length ? ` (${outcome.changedFields.join(', ')})` : ''} in ${Math.round(result.durationMs / 1000)}s.`);
    });
  }
}
