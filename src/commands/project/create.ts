import { Args, Flags } from '@oclif/core';
import { BaseCommand, commonFlags, gardenFlags, jsonFlag, outputFlag } from '../../lib/ui/base-command.ts';
import type { ProjectResult } from '../../lib/ui/results.ts';

export default class ProjectCreate extends BaseCommand {
  static override description = 'Create a project: the namespace garden-NAME in the garden, which holds its shoots and cloud credentials. Running it again changes nothing.';
  static override examples = ['<%= config.bin %> project create dev', '<%= config.bin %> project create dev --description "Team dev clusters" -o json'];
  static override args = { name: Args.string({ description: 'Project name: lower-case letters, digits and "-", at most 20 characters.', required: true }) };
  static override flags = {
    ...gardenFlags,
    ...commonFlags,
    description: Flags.string({ description: 'What the project is for.' }),
    ...jsonFlag, output: outputFlag(['table', 'json', 'yaml']),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(ProjectCreate);
    const { withGarden } = await import('../../lib/garden/connect.ts');
    const { createProject } = await import('../../lib/garden/projects.ts');
    const result = await withGarden(flags, (garden) => createProject(garden, args.name, { description: flags.description }));
    const doc: ProjectResult = { action: 'project create', change: result.change, objects: [`project/${args.name}`], warnings: [], durationMs: Date.now() - this.startedAt, project: args.name, namespace: result.project.namespace };
    if (this.printDocument(flags.output, doc)) return;
    this.success(`Project "${args.name}" (namespace ${result.project.namespace}) ${result.change === 'unchanged' ? 'already exists: nothing changed' : result.change}.`);
  }
}
