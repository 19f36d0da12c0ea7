import { BaseCommand, commonFlags, outputFlag } from '../../lib/ui/base-command.ts';

export default class TargetView extends BaseCommand {
  static override description = 'Show what is targeted (garden, project, seed, shoot) and the config file it is kept in.';
  static override examples = ['<%= config.bin %> target view', '<%= config.bin %> target view -o json'];
  static override flags = { ...commonFlags, output: outputFlag(['table', 'yaml', 'json']) };

  async run(): Promise<void> {
    const { flags } = await this.parse(TargetView);
    const { configPath, loadConfig, TARGET_LEVELS } = await import('../../lib/config/config.ts');
    const config = await loadConfig();
    const rows = TARGET_LEVELS.filter((l) => config.target[l]).map((level) => ({ level, name: config.target[level]! }));
    this.printResult(flags.output, {
      data: config.target,
      rows,
      columns: [{ header: 'LEVEL', get: (r) => r.level }, { header: 'NAME', get: (r) => r.name }],
      empty: `Nothing is targeted (${configPath()}): start with "kubegarden target garden NAME --kubeconfig FILE".`,
    });
  }
}
