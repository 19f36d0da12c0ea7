import { Args } from '@oclif/core';
import { BaseCommand, commonFlags, gardenFlags, optionalProjectFlag, outputFlag } from '../../lib/ui/base-command.ts';

export default class TargetShoot extends BaseCommand {
  static override description = 'Target a shoot of the targeted project (or of --project, which is then targeted too): shoot commands use it when their NAME argument is left out. It must exist (exit 4 otherwise).';
  static override examples = ['<%= config.bin %> target shoot demo', '<%= config.bin %> target shoot web --project dev'];
  static override args = { name: Args.string({ description: 'Shoot name.', required: true }) };
  static override flags = { ...gardenFlags, ...commonFlags, project: optionalProjectFlag(), output: outputFlag(['table', 'json', 'yaml']) };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(TargetShoot);
    const { withGarden } = await import('../../lib/garden/connect.ts');
    const { targetShoot, describeTarget } = await import('../../lib/config/target.ts');
    const result = await withGarden(flags, (garden) => targetShoot(garden, args.name, flags.project));
    if (flags.output !== 'table') return this.printResult(flags.output, { data: result.target, rows: [], columns: [] });
    this.success(`Targeted ${describeTarget(result.target)}.`);
  }
}
