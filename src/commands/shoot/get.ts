import { Args } from '@oclif/core';
import { BaseCommand, commonFlags, gardenFlags, jsonFlag, outputFlag, projectFlag } from '../../lib/ui/base-command.ts';

export default class ShootGet extends BaseCommand {
  static override description = 'Show one shoot: its spec, where it runs, and the progress and errors of its last operation.';
  static override examples = ['<%= config.bin %> shoot get demo --project dev', '<%= config.bin %> shoot get demo -p dev -o json | jq .status'];
  static override args = { name: Args.string({ description: 'Shoot name (default: the targeted shoot).' }) };
  static override flags = { ...gardenFlags, ...commonFlags, project: projectFlag(), ...jsonFlag, output: outputFlag() };

  async run(): Promise<void> {
    const parsed = await this.parse(ShootGet);
    const { shootGet } = await import('../../lib/ui/read-commands.ts');
    await shootGet(parsed);
  }
}
