// What every kubegarden command shares: the garden's kubeconfig flags, output
// format, verbosity and non-interactive mode, and the rule that results go to
// stdout while everything else goes to stderr.
import { Command, Flags, type Interfaces } from '@oclif/core';
import { render, OUTPUT_FORMATS, type OutputFormat, type Printable } from './output.ts';
import { printResult } from './print.ts';
import { styles } from './style.ts';
import { setUserAgent } from '../kube/user-agent.ts';
import type { KubeClient } from '../kube/client.ts';
import type { ProjectFlags } from '../config/resolve.ts';
import type { ShootAction } from './results.ts';

export const gardenFlags = {
  kubeconfig: Flags.string({ description: 'Kubeconfig of the garden cluster (default: $KUBECONFIG, then ~/.kube/config).', helpGroup: 'GARDEN' }),
  context: Flags.string({ description: 'Context in the kubeconfig (default: its current context).', helpGroup: 'GARDEN' }),
};

export const commonFlags = {
  verbose: Flags.boolean({ description: 'Show causes of errors, API calls and tool output.', default: false, helpGroup: 'GLOBAL' }),
  'non-interactive': Flags.boolean({ description: 'Never prompt; missing input is an error naming its flag (also with CI=true or without a terminal).', default: false, helpGroup: 'GLOBAL' }),
};

const PROJECT_HELP = 'Project of the shoot (the garden namespace garden-<project>).';
// Not required: the targeted project ("kubegarden target project") or, on a terminal, a choice stands in (resolveProject).
export const projectFlag = () => Flags.string({ char: 'p', description: `${PROJECT_HELP} Default: the targeted project.`, helpGroup: 'GARDEN' });
export const optionalProjectFlag = () => Flags.string({ char: 'p', description: PROJECT_HELP, helpGroup: 'GARDEN' });

export const outputFlag = (formats: readonly OutputFormat[] = OUTPUT_FORMATS) =>
  Flags.string({ char: 'o', description: 'Output format.', options: [...formats], default: 'table' });

/** --json: the uniform switch for one JSON document on stdout (the same as -o json where -o exists). */
export const jsonFlag = {
  json: Flags.boolean({ description: 'Print one JSON result document on stdout and nothing else (the same as -o json); progress stays on stderr.', default: false, helpGroup: 'GLOBAL' }),
};

/** --force-unlock, on every command that takes a shoot's lock. */
export const forceUnlockFlag = () =>
  Flags.boolean({ description: 'Remove the shoot\'s lock first, whoever holds it (a warning names the holder); only when that holder is dead.', default: false });

/** Flags of every command that runs a shoot operation. */
export const operationFlags = {
  'force-unlock': forceUnlockFlag(),
  timeout: Flags.string({ description: 'How long to wait for the control plane, cleanups and nodes.', default: '30m' }),
  'terraform-bin': Flags.string({ description: 'terraform or tofu binary (default: $KUBEGARDEN_TERRAFORM, then PATH).' }),
  quiet: Flags.boolean({ char: 'q', description: 'No progress output.', default: false }),
};

// oclif's own constraint on parsed flags and args (not exported by @oclif/core).
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type ParsedRecord = Record<string, any>;

export type { ProjectFlags } from '../config/resolve.ts';

export abstract class BaseCommand extends Command {
  override async init(): Promise<void> {
    await super.init();
    // API requests name the command that made them: audit logs show "kubegarden/0.1.0 (shoot create)".
    setUserAgent(`kubegarden/${this.config.version} (${(this.id ?? '').replaceAll(':', ' ')})`);
  }

  /** When the command started: results report their duration. */
  protected readonly startedAt = Date.now();

  /** Parses as oclif does, then lets --json stand for -o json. */
  protected override async parse<F extends ParsedRecord, B extends ParsedRecord, A extends ParsedRecord>(
    options?: Interfaces.Input<F, B, A>,
    argv?: string[],
  ): Promise<Interfaces.ParserOutput<F, B, A>> {
    const parsed = await super.parse(options, argv);
    const flags = parsed.flags as Record<string, unknown>;
    if (flags['json'] === true && 'output' in flags) flags['output'] = 'json';
    return parsed;
  }

  /** With -o json|yaml (or --json): prints the result document and says so; else false, and the command says it for people. */
  protected printDocument(format: string | undefined, doc: unknown): boolean {
    if (format !== 'json' && format !== 'yaml') return false;
    this.print(render(format, { data: doc, rows: [], columns: [] }));
    return true;
  }

  /**
   * --no-wait: the operation goes on in a detached kubegarden (argv without
   * --no-wait, plus extra) logging to a file; prints the result document or
   * says where to follow it, and returns.
   */
  protected async continueInBackground(garden: KubeClient, op: { command: ShootAction; what: string; project: string; name: string; extraArgv: string[]; output?: string | undefined }): Promise<void> {
    const { startInBackground } = await import('../shoots/background.ts');
    const argv = [...process.argv.slice(2).filter((a) => a !== '--no-wait'), ...op.extraArgv, '--quiet'];
    const bg = await startInBackground(garden, op.project, op.name, argv);
    const { shootResult } = await import('./results.ts');
    if (this.printDocument(op.output, { ...shootResult(op.command, 'started', op.project, op.name, this.startedAt), pid: bg.pid, logFile: bg.logFile })) return;
    this.success(`${op.what} of shoot "${op.project}/${op.name}" is recorded and runs in the background (pid ${bg.pid}, log ${bg.logFile}).`);
    const until = op.command === 'shoot delete' ? 'deleted' : 'ready';
    this.note(`Follow it with: kubegarden shoot wait ${op.name} --project ${op.project} --for ${until} (or "kubegarden shoot get" for its progress).`);
  }

  /** --timeout as milliseconds, or a usage error. */
  protected async timeoutMs(text: string): Promise<number> {
    const { parseDuration } = await import('../kube/wait.ts');
    const ms = parseDuration(text);
    if (ms === undefined) this.error(`--timeout "${text}" is not a duration like 30m.`, { exit: 2 });
    return ms;
  }

  /** The project a command means: --project, the target, a prompt on a terminal, or a usage error naming the flag. */
  protected async resolveProject(flags: ProjectFlags, garden?: KubeClient): Promise<string> {
    const { resolveProject } = await import('../config/resolve.ts');
    return resolveProject(flags, garden);
  }

  /** The shoot a command means: its NAME argument, else the targeted shoot of that project, else a usage error. */
  protected async resolveShoot(arg: string | undefined, project: string): Promise<string> {
    const { shootFromTarget } = await import('../config/resolve.ts');
    return shootFromTarget(arg, project);
  }

  /** parse() output with the project and shoot name filled from the target: `const { args, flags } = await this.targeted(await this.parse(C))`. */
  protected async targeted<A extends { name?: string | undefined }, F extends ProjectFlags>(parsed: { args: A; flags: F }): Promise<{ args: A & { name: string }; flags: F & { project: string } }> {
    const { resolveTargeted } = await import('../config/resolve.ts');
    return resolveTargeted(parsed);
  }

  /** Results, and only results, go to stdout. */
  protected print(text: string): void {
    process.stdout.write(text);
  }

  protected printResult<T>(format: string, p: Printable<T>): void {
    printResult(format, p);
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
