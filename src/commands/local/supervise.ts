import { Flags } from '@oclif/core';
import { BaseCommand } from '../../lib/ui/base-command.ts';

export default class LocalSupervise extends BaseCommand {
  static override hidden = true;
  static override description = 'Run the local garden supervisor in the foreground (started by "local up").';
  static override flags = { dir: Flags.string({ required: true, description: 'State directory.' }) };

  async run(): Promise<void> {
    const { flags } = await this.parse(LocalSupervise);
    const { runSupervisor } = await import('../../lib/local/supervisor.ts');
    await runSupervisor(flags.dir);
    await new Promise(() => {}); // runs until signalled
  }
}
