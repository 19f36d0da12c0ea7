import { BaseCommand, commonFlags, gardenFlags, jsonFlag, outputFlag } from '../../lib/ui/base-command.ts';

export default class SeedList extends BaseCommand {
  static override description = 'List the registered seeds with their readiness and capacity.';
  static override examples = ['<%= config.bin %> seed list', '<%= config.bin %> seed list -o wide', '<%= config.bin %> seed list -o json | jq ".[].metadata.name"'];
  static override flags = { ...gardenFlags, ...commonFlags, ...jsonFlag, output: outputFlag() };

  async run(): Promise<void> {
    const { flags } = await this.parse(SeedList);
    const { seedList } = await import('../../lib/ui/read-commands.ts');
    await seedList(flags);
  }
}
