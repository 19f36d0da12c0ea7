// What every kubegarden command shares: the garden's kubeconfig flags, output
// format, verbosity and non-interactive mode, and the rule that results go to
// stdout while everything else goes to stderr.
import { Command, Flags } from '@oclif/core';
import { render, OUTPUT_FORMATS, type OutputFormat, type Printable } from './output.ts';
import { styles } from './style.ts';

export const gardenFlags = {
  kubeconfig: Flags.string({ description: 'Kubeconfig of the garden cluster (default: $KUBECONFIG, then ~/.kube/config).', helpGroup: 'GARDEN' }),
  context: Flags.string({ description: 'Context in the kubeconfig (default: its current context).', helpGroup: 'GARDEN' }),
};

export const commonFlags = {
  verbose: Flags.boolean({ description: 'Show causes of errors, API calls and tool output.', default: false, helpGroup: 'GLOBAL' }),
  'non-interactive': Flags.boolean({ description: 'Never prompt; missing input is an error naming its flag (also with CI=true or without a terminal).', default: false, helpGroup: 'GLOBAL' }),
};

const PROJECT_HELP = 'Project of the shoot (the garden namespace garden-<project>).';
export const projectFlag = () => Flags.string({ char: 'p', description: PROJECT_HELP, required: true, helpGroup: 'GARDEN' });
export const optionalProjectFlag = () => Flags.string({ char: 'p', description: PROJECT_HELP, helpGroup: 'GARDEN' });

export const outputFlag = (formats: readonly OutputFormat[] = OUTPUT_FORMATS) =>
  Flags.string({ char: 'o', description: 'Output format.', options: [...formats], default: 'table' });

/** Flags of every command that runs a shoot operation. */
export const operationFlags = {
  timeout: Flags.string({ description: 'How long to wait for the control plane, cleanups and nodes.', default: '30m' }),
  'terraform-bin': Flags.string({ description: 'terraform or tofu binary (default: $KUBEGARDEN_TERRAFORM, then PATH).' }),
  quiet: Flags.boolean({ char: 'q', description: 'No progress output.', default: false }),
};

export abstract class BaseCommand extends Command {
  /** --timeout as milliseconds, or a usage error. */
  protected async timeoutMs(text: string): Promise<number> {
    const { parseDuration } = await import('../kube/wait.ts');
    const ms = parseDuration(text);
    if (ms === undefined) this.error(`--timeout "${text}" is not a duration like 30m.`, { exit: 2 });
    return ms;
  }

  /** Results, and only results, go to stdout. */
  protected print(text: string): void {
    process.stdout.write(text);
  }

  protected printResult<T>(format: string, p: Printable<T>): void {
    const out = render(format as OutputFormat, p);
    if (out === '' && p.empty && (format === 'table' || format === 'wide')) this.note(p.empty);
    else this.print(out);
  }

  /** Progress, notes and warnings go to stderr. */
  protected note(text: string): void {
    process.stderr.write(`${text}\n`);
  }

  protected success(text: string): void {
    process.stderr.write(`${styles(process.stderr).green('✔')} ${text}\n`);
  }

  protected warning(text: string): void {
    process.stderr.write(`${styles(process.stderr).yellow('Warning:')} ${text}\n`);
  }
}
