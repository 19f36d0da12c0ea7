import { Args, Flags } from '@oclif/core';
import { BaseCommand, commonFlags, gardenFlags, jsonFlag, outputFlag } from '../../lib/ui/base-command.ts';
import type { ProjectResult } from '../../lib/ui/results.ts';

export default class ProjectDelete extends BaseCommand {
  static override description = 'Delete a project and its namespace. Refused while the project has shoots.';
  static override examples = ['<%= config.bin %> project delete dev', '<%= config.bin %> project delete dev --no-wait'];
  static override args = { name: Args.string({ description: 'Project name.', required: true }) };
  static override flags = {
    ...gardenFlags,
    ...commonFlags,
    wait: Flags.boolean({ description: 'Wait until the namespace is gone.', default: true, allowNo: true }),
    ...jsonFlag, output: outputFlag(['table', 'json', 'yaml']),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(ProjectDelete);
    const { withGarden } = await import('../../lib/garden/connect.ts');
    const { deleteProject } = await import('../../lib/garden/projects.ts');
    const project = await withGarden(flags, (garden) => deleteProject(garden, args.name, { wait: flags.wait }));
    const doc: ProjectResult = { action: 'project delete', change: flags.wait ? 'deleted' : 'deleting', objects: [`project/${args.name}`], warnings: [], durationMs: Date.now() - this.startedAt, project: args.name, namespace: project.namespace };
    if (this.printDocument(flags.output, doc)) return;
    this.success(`Project "${args.name}" ${flags.wait ? 'deleted' : 'is being deleted'}.`);
  }
}
