import { Args } from '@oclif/core';
import { BaseCommand, commonFlags, gardenFlags, jsonFlag, outputFlag } from '../../lib/ui/base-command.ts';

export default class SeedGet extends BaseCommand {
  static override description = 'Show one seed: provider, networks, capacity, version and readiness.';
  static override examples = ['<%= config.bin %> seed get local', '<%= config.bin %> seed get local -o yaml'];
  static override args = { name: Args.string({ description: 'Seed name.', required: true }) };
  static override flags = { ...gardenFlags, ...commonFlags, ...jsonFlag, output: outputFlag() };

  async run(): Promise<void> {
    const parsed = await this.parse(SeedGet);
    const { seedGet } = await import('../../lib/ui/read-commands.ts');
    await seedGet(parsed);
  }
}
