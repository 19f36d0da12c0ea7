import { BaseCommand, commonFlags, gardenFlags, jsonFlag, outputFlag } from '../../lib/ui/base-command.ts';

export default class ProjectList extends BaseCommand {
  static override description = 'List the projects in the garden.';
  static override examples = ['<%= config.bin %> project list', '<%= config.bin %> project list -o json', '<%= config.bin %> project list -o name'];
  static override flags = { ...gardenFlags, ...commonFlags, ...jsonFlag, output: outputFlag() };

  async run(): Promise<void> {
    const { flags } = await this.parse(ProjectList);
    const { withGarden } = await import('../../lib/garden/connect.ts');
    const { listProjects } = await import('../../lib/garden/projects.ts');
    const { projectColumns } = await import('../../lib/ui/views.ts');
    const projects = await withGarden(flags, listProjects);
    this.printResult(flags.output, {
      data: projects,
      rows: projects,
      columns: projectColumns,
      names: projects.map((p) => `project/${p.name}`),
      empty: 'No projects yet: create one with "kubegarden project create NAME".',
    });
  }
}
