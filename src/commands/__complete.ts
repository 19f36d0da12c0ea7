import { Args, Flags } from '@oclif/core';
import { BaseCommand, gardenFlags } from '../lib/ui/base-command.ts';

export default class Complete extends BaseCommand {
  static override hidden = true;
  static override description = 'Print project, seed or shoot names for shell completion, one a line; nothing when the garden does not answer quickly.';
  static override args = { kind: Args.string({ description: 'What to list.', options: ['projects', 'seeds', 'shoots'], required: true }) };
  static override flags = {
    ...gardenFlags,
    project: Flags.string({ char: 'p', description: 'Project of the shoots (default: the targeted project).' }),
    timeout: Flags.string({ description: 'How long to wait for the garden.', default: '3s' }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Complete);
    const { completionNames } = await import('../lib/ui/completion-names.ts');
    const names = await completionNames(args.kind as 'projects' | 'seeds' | 'shoots', flags).catch(() => []);
    if (names.length) this.print(names.map((n) => `${n}\n`).join(''));
  }
}
