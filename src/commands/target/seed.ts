import { Args } from '@oclif/core';
import { BaseCommand, commonFlags, gardenFlags, outputFlag } from '../../lib/ui/base-command.ts';

export default class TargetSeed extends BaseCommand {
  static override description = 'Target a registered seed. It must exist (exit 4 otherwise). Clears the targeted shoot.';
  static override examples = ['<%= config.bin %> target seed local', '<%= config.bin %> target seed aws-eu1 -o json'];
  static override args = { name: Args.string({ description: 'Seed name.', required: true }) };
  static override flags = { ...gardenFlags, ...commonFlags, output: outputFlag(['table', 'json', 'yaml']) };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(TargetSeed);
    const { withGarden } = await import('../../lib/garden/connect.ts');
    const { targetSeed, describeTarget } = await import('../../lib/config/target.ts');
    const result = await withGarden(flags, (garden) => targetSeed(garden, args.name));
    if (flags.output !== 'table') return this.printResult(flags.output, { data: result.target, rows: [], columns: [] });
    this.success(`Targeted ${describeTarget(result.target)}.`);
  }
}
