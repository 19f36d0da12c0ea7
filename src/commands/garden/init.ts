import { BaseCommand, commonFlags, gardenFlags, jsonFlag, outputFlag } from '../../lib/ui/base-command.ts';
import type { GardenInitResult } from '../../lib/ui/results.ts';

export default class GardenInit extends BaseCommand {
  static override description = `Install or upgrade the kubegarden API in a garden cluster.

Applies the Seed and Shoot CRDs, the kubegarden-system namespace and the ClusterRoles kubegarden-admin, kubegarden-viewer and kubegarden-project-member. Safe to run again: it says what changed, and changes nothing when the garden is current. Needs cluster-admin in the garden.`;

  static override examples = [
    '<%= config.bin %> garden init',
    '<%= config.bin %> garden init --kubeconfig ~/.kube/garden.yaml --context garden-admin',
    '<%= config.bin %> garden init -o json',
  ];

  static override flags = { ...gardenFlags, ...commonFlags, ...jsonFlag, output: outputFlag(['table', 'json', 'yaml']) };

  async run(): Promise<void> {
    const { flags } = await this.parse(GardenInit);
    const { withGarden } = await import('../../lib/garden/connect.ts');
    const { initGarden } = await import('../../lib/garden/init.ts');
    const result = await withGarden(flags, (garden) => initGarden(garden));
    if (flags.output !== 'table') {
      const doc: GardenInitResult = { action: 'garden init', change: result.changed ? 'updated' : 'unchanged', objects: result.changes.map((c) => `${c.kind}/${c.name}`), warnings: [], durationMs: Date.now() - this.startedAt, ...result };
      return this.printResult(flags.output, { data: doc, rows: [], columns: [] });
    }
    for (const c of result.changes) this.note(`${c.kind} ${c.name}: ${c.change}`);
    this.success(result.changed ? `Garden at ${result.server} is initialised.` : `Garden at ${result.server} is up to date: nothing changed.`);
  }
}
