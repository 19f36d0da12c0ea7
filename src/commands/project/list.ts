import { BaseCommand, commonFlags, gardenFlags, jsonFlag, outputFlag } from '../../lib/ui/base-command.ts';

export default class ProjectList extends BaseCommand {
  static override description = 'List the projects in the garden.';
  static override examples = ['<%= config.bin %> project list', '<%= config.bin %> project list -o json', '<%= config.bin %> project list -o name'];
  static override flags = { ...gardenFlags, ...commonFlags, ...jsonFlag, output: outputFlag() };

  async run(): Promise<void> {
    const { flags } = await this.parse(ProjectList);
    const { projectList } = await import('../../lib/ui/read-commands.ts');
    await projectList(flags);
  }
}
