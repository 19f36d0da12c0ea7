import { Args } from '@oclif/core';
import { BaseCommand, commonFlags, gardenFlags, jsonFlag, outputFlag, projectFlag } from '../../lib/ui/base-command.ts';

export default class ShootGet extends BaseCommand {
  static override description = 'Show one shoot: its spec, where it runs, and the progress and errors of its last operation.';
  static override examples = ['<%= config.bin %> shoot get demo --project dev', '<%= config.bin %> shoot get demo -p dev -o json | jq .status'];
  static override args = { name: Args.string({ description: 'Shoot name (default: the targeted shoot).' }) };
  static override flags = { ...gardenFlags, ...commonFlags, project: projectFlag(), ...jsonFlag, output: outputFlag() };

  async run(): Promise<void> {
    const { args, flags } = await this.targeted(await this.parse(ShootGet));
    const { withGarden } = await import('../../lib/garden/connect.ts');
    const { getShoot } = await import('../../lib/garden/shoots.ts');
    const { describeShoot, shootColumns } = await import('../../lib/ui/views.ts');
    const shoot = await withGarden(flags, (garden) => getShoot(garden, flags.project, args.name));
    if (flags.output === 'table') return this.print(describeShoot(shoot));
    this.printResult(flags.output, { data: shoot, rows: [shoot], columns: shootColumns, names: [`shoot/${flags.project}/${shoot.metadata.name}`] });
  }
}
