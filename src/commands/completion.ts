import { Args } from '@oclif/core';
import { BaseCommand } from '../lib/ui/base-command.ts';

export default class Completion extends BaseCommand {
  static override description = `Print a shell completion script for bash, zsh or fish.

It completes commands, topics, flags and flag values; project names after --project, seed names after --seed and shoot names as the shoot argument come from the garden (a quick, silent look-up: nothing is offered when the garden does not answer).`;

  static override examples = [
    'source <(<%= config.bin %> completion bash)                     # this bash session',
    '<%= config.bin %> completion bash > ~/.local/share/bash-completion/completions/<%= config.bin %>',
    'echo \'source <(<%= config.bin %> completion zsh)\' >> ~/.zshrc',
    '<%= config.bin %> completion fish > ~/.config/fish/completions/<%= config.bin %>.fish',
  ];

  static override args = { shell: Args.string({ description: 'The shell.', options: ['bash', 'zsh', 'fish'], required: true }) };

  async run(): Promise<void> {
    const { args } = await this.parse(Completion);
    const { completionScript } = await import('../lib/ui/completion.ts');
    this.print(completionScript(args.shell as 'bash' | 'zsh' | 'fish', this.config.bin, this.config.commands));
  }
}
