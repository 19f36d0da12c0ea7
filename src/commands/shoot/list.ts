import { Flags } from '@oclif/core';
import { BaseCommand, commonFlags, gardenFlags, jsonFlag, optionalProjectFlag, outputFlag } from '../../lib/ui/base-command.ts';

export default class ShootList extends BaseCommand {
  static override description = 'List shoots of a project, or of all projects with -A, with their last operation and progress.';
  static override examples = ['<%= config.bin %> shoot list --project dev', '<%= config.bin %> shoot list -A -o wide', '<%= config.bin %> shoot list -A -o json | jq ".[].status.lastOperation"'];
  static override flags = {
    ...gardenFlags,
    ...commonFlags,
    project: optionalProjectFlag(),
    'all-projects': Flags.boolean({ char: 'A', description: 'List the shoots of every project.', default: false }),
    ...jsonFlag, output: outputFlag(),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(ShootList);
    const { shootList } = await import('../../lib/ui/read-commands.ts');
    await shootList(flags);
  }
}
