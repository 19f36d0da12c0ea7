// Runs one terraform (or tofu) process: an argument array, no shell, every
// output line redacted before anyone sees it (the callback, the buffered
// output kept as an error's cause), and cancellation that gives Terraform the
// chance to release its state lock.
import { execa } from 'execa';

export interface ProcessOptions {
  cwd: string;
  /** The complete environment (nothing is inherited implicitly). */
  env: Record<string, string>;
  /** Applied to every line before it is streamed or kept. */
  redact: (line: string) => string;
  onLine?: (line: string) => void;
  /** Called once the process exists, with its PID. */
  onSpawn?: (pid: number) => void;
  signal?: AbortSignal;
  /** How long Terraform may take to shut down after SIGINT before it gets SIGKILL. */
  graceMs: number;
  /** Whether stdout lines are streamed (off for `output -json`, whose stdout is data). */
  streamStdout?: boolean;
}

export interface ProcessResult {
  /** undefined when the process died of a signal. */
  exitCode: number | undefined;
  signal: string | undefined;
  stdout: string;
  stderr: string;
  /** stdout and stderr interleaved, as a person would have seen them. */
  output: string;
  /** The AbortSignal fired while the process ran. */
  canceled: boolean;
}

export async function runProcess(bin: string, args: readonly string[], options: ProcessOptions): Promise<ProcessResult> {
  const streamStdout = options.streamStdout ?? true;
  const lineTransform = (stream: boolean) =>
    function* (line: string) {
      const clean = options.redact(line);
      if (stream) options.onLine?.(clean);
      yield clean;
    };

  const subprocess = execa(bin, args, {
    cwd: options.cwd,
    env: options.env,
    extendEnv: false,
    stdin: 'ignore',
    stdout: lineTransform(streamStdout),
    stderr: lineTransform(true),
    all: true,
    reject: false,
    stripFinalNewline: true,
    maxBuffer: 256 * 1024 * 1024,
    cancelSignal: options.signal,
    // One SIGINT is Terraform's graceful stop: it finishes the calls in
    // flight, writes the state and releases the lock; a second one makes it
    // exit at once. So Terraform gets its own process group (a Ctrl-C in the
    // terminal reaches kubegarden only, which forwards exactly one), and the
    // signal goes to the whole group, as a terminal's would: provider plugins
    // ignore it, local-exec children stop, and after the grace period SIGKILL
    // leaves no orphan holding the output pipes open.
    killSignal: 'SIGINT',
    forceKillAfterDelay: options.graceMs,
    killDescendants: true,
  });
  if (subprocess.pid !== undefined) options.onSpawn?.(subprocess.pid);
  const result = await subprocess;
  return {
    exitCode: result.exitCode,
    signal: result.signal,
    stdout: asText(result.stdout),
    stderr: asText(result.stderr),
    output: asText(result.all),
    canceled: result.isCanceled,
  };
}

function asText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return value.join('\n');
  return '';
}
