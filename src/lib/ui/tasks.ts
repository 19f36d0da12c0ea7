// A list of steps shown as a listr2 task tree on stderr: the interactive
// renderer on a terminal, one line per event in CI or a pipe, nothing with
// quiet. The steps know nothing about rendering; they report lines.
import { Listr, ListrLogger, ProcessOutput, type ListrTask } from 'listr2';
import { colorEnabled } from './style.ts';

export interface Step<C> {
  title: string;
  /** Returns a new title to show when done (e.g. what changed), or nothing. */
  run: (ctx: C, report: (line: string) => void, signal: AbortSignal) => Promise<string | void>;
  skip?: (ctx: C) => string | false;
}

export interface RunOptions {
  quiet?: boolean | undefined;
  signal?: AbortSignal | undefined;
}

export function interactiveTerminal(): boolean {
  return Boolean(process.stderr.isTTY) && !process.env['CI'] && process.env['TERM'] !== 'dumb';
}

export async function runSteps<C extends object>(steps: ReadonlyArray<Step<C>>, ctx: C, options: RunOptions = {}): Promise<C> {
  const controller = new AbortController();
  options.signal?.addEventListener('abort', () => controller.abort());
  if (!colorEnabled(process.stderr)) process.env['LISTR_FORCE_UNICODE'] ??= '1';
  const tasks: Array<ListrTask<C>> = steps.map((step) => ({
    title: step.title,
    skip: step.skip ? (c: C) => step.skip!(c) : undefined,
    task: async (c, task) => {
      const title = await step.run(c, (line) => (task.output = line), controller.signal);
      if (typeof title === 'string') task.title = title;
    },
  }));
  const logger = new ListrLogger({ useIcons: true, processOutput: new ProcessOutput(process.stderr, process.stderr) });
  const list = new Listr<C, 'default', 'simple'>(tasks, {
    ctx,
    concurrent: false,
    exitOnError: true,
    registerSignalListeners: false,
    renderer: options.quiet ? 'silent' : interactiveTerminal() ? 'default' : 'simple',
    fallbackRenderer: 'simple',
    // Progress belongs on stderr: stdout carries only results.
    rendererOptions: { logger, collapseErrors: false, showErrorMessage: false } as never,
    fallbackRendererOptions: { logger } as never,
  } as never);
  return list.run();
}
