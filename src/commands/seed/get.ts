import { Args } from '@oclif/core';
import { BaseCommand, commonFlags, gardenFlags, jsonFlag, outputFlag } from '../../lib/ui/base-command.ts';

export default class SeedGet extends BaseCommand {
  static override description = 'Show one seed: provider, networks, capacity, version and readiness.';
  static override examples = ['<%= config.bin %> seed get local', '<%= config.bin %> seed get local -o yaml'];
  static override args = { name: Args.string({ description: 'Seed name.', required: true }) };
  static override flags = { ...gardenFlags, ...commonFlags, ...jsonFlag, output: outputFlag() };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(SeedGet);
    const { withGarden } = await import('../../lib/garden/connect.ts');
    const { getSeed } = await import('../../lib/garden/seeds.ts');
    const { describeSeed, seedColumns } = await import('../../lib/ui/views.ts');
    const seed = await withGarden(flags, (garden) => getSeed(garden, args.name));
    if (flags.output === 'table') return this.print(describeSeed(seed));
    this.printResult(flags.output, { data: seed, rows: [seed], columns: seedColumns, names: [`seed/${seed.metadata.name}`] });
  }
}
