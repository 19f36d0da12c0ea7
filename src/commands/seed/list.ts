import { BaseCommand, commonFlags, gardenFlags, jsonFlag, outputFlag } from '../../lib/ui/base-command.ts';

export default class SeedList extends BaseCommand {
  static override description = 'List the registered seeds with their readiness and capacity.';
  static override examples = ['<%= config.bin %> seed list', '<%= config.bin %> seed list -o wide', '<%= config.bin %> seed list -o json | jq ".[].metadata.name"'];
  static override flags = { ...gardenFlags, ...commonFlags, ...jsonFlag, output: outputFlag() };

  async run(): Promise<void> {
    const { flags } = await this.parse(SeedList);
    const { withGarden } = await import('../../lib/garden/connect.ts');
    const { listSeeds } = await import('../../lib/garden/seeds.ts');
    const { seedColumns } = await import('../../lib/ui/views.ts');
    const seeds = await withGarden(flags, listSeeds);
    this.printResult(flags.output, {
      data: seeds,
      rows: seeds,
      columns: seedColumns,
      names: seeds.map((s) => `seed/${s.metadata.name}`),
      empty: 'No seeds registered: register one with "kubegarden seed register NAME --seed-kubeconfig F --provider T --region R".',
    });
  }
}
