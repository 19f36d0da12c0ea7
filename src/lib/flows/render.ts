// listr2 as one renderer of a flow: it draws, the executor runs. Each step is
// a listr2 task that waits for the executor's events (started, log line,
// done, skipped, failed) and mirrors them, so the tree shows the real
// concurrency of the flow. Output goes to stderr (stdout carries results):
// the interactive tree on a terminal, one line per event in CI or a pipe,
// every log line with --verbose, nothing when quiet.
import { Listr, ListrLogger, PRESET_TIMER, PRESET_TIMESTAMP, ProcessOutput, type ListrTask, type ListrTaskWrapper } from 'listr2';
import { interactiveTerminal } from '../ui/tasks.ts';
import { colorEnabled } from '../ui/style.ts';
import type { FlowEvent, FlowListener } from './executor.ts';
import type { Flow } from './graph.ts';

export type FlowRendererName = 'default' | 'simple' | 'verbose' | 'silent';

export interface RenderFlowOptions {
  quiet?: boolean | undefined;
  /** Every log line of every step, with timestamps, instead of the tree. */
  verbose?: boolean | undefined;
  /** Overrides the choice by terminal and CI (tests, or a --renderer flag). */
  renderer?: FlowRendererName | undefined;
  /** Where to draw; default process.stderr. */
  stream?: NodeJS.WriteStream | undefined;
}

export function chooseRenderer(options: RenderFlowOptions = {}, interactive = interactiveTerminal()): FlowRendererName {
  if (options.renderer) return options.renderer;
  if (options.quiet) return 'silent';
  if (options.verbose) return 'verbose';
  return interactive ? 'default' : 'simple';
}

type Outcome = { kind: 'done'; title?: string } | { kind: 'skipped'; reason: string } | { kind: 'failed'; message: string; cancelled: boolean } | { kind: 'not-run' };

interface Deferred<T> {
  promise: Promise<T>;
  resolve(value: T): void;
  settled: boolean;
  value?: T;
}

function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  const d: Deferred<T> = {
    promise: new Promise<T>((r) => (resolve = r)),
    resolve: (value) => {
      if (d.settled) return;
      d.settled = true;
      d.value = value;
      resolve(value);
    },
    settled: false,
  };
  return d;
}

interface Slot {
  /** Resolves with "start", or with the outcome of a step that never ran (skipped, or the flow stopped first). */
  begin: Deferred<'start' | Outcome>;
  end: Deferred<Outcome>;
  task?: ListrTaskWrapper<object, never, never> | undefined;
  lastLine?: string | undefined;
  enabledChecks: number;
}

/**
 * Runs `run` (which runs the flow with the listener it is given, next to any
 * other listener such as a StatusRecorder) while listr2 draws the flow.
 * Resolves or rejects as `run` does; the tree is complete by then.
 */
export async function renderFlow<C, T>(flow: Flow<C>, run: (onEvent: FlowListener) => Promise<T>, options: RenderFlowOptions = {}): Promise<T> {
  const renderer = chooseRenderer(options);
  // Quiet: nothing to draw, so no listr2 at all.
  if (renderer === 'silent') return run(() => {});

  const verbose = renderer === 'verbose';
  const showLogs = renderer !== 'simple';
  const slots = new Map<string, Slot>(flow.steps.map((s) => [s.id, { begin: deferred(), end: deferred(), enabledChecks: 0 }]));
  let list: Promise<unknown> | undefined;
  let flowStarted = false;

  const output = (slot: Slot, line: string) => {
    slot.lastLine = line;
    if (slot.task) slot.task.output = line;
  };

  const onEvent: FlowListener = (event: FlowEvent) => {
    if (event.type === 'flow-start') {
      if (event.flow !== flow.name || flowStarted) return;
      flowStarted = true;
      list = startList(flow, slots, renderer, options.stream ?? process.stderr).catch(() => undefined);
      return;
    }
    if (!('id' in event)) return;
    const slot = slots.get(event.id);
    if (!slot) return;
    switch (event.type) {
      case 'step-start':
        slot.begin.resolve('start');
        break;
      case 'step-log':
        if (showLogs) output(slot, verbose ? `[${event.id}] ${event.line}` : event.line);
        break;
      case 'step-retry':
        output(slot, `${verbose ? `[${event.id}] ` : ''}retrying (attempt ${event.attempt}) in ${Math.round(event.delayMs / 100) / 10}s: ${messageOf(event.error)}`);
        break;
      case 'step-done': {
        const outcome: Outcome = event.skipped !== undefined ? { kind: 'skipped', reason: event.skipped } : event.result !== undefined ? { kind: 'done', title: event.result } : { kind: 'done' };
        slot.begin.resolve(outcome.kind === 'skipped' ? outcome : 'start');
        slot.end.resolve(outcome);
        break;
      }
      case 'step-failed': {
        const outcome: Outcome = { kind: 'failed', message: messageOf(event.error), cancelled: event.cancelled };
        slot.begin.resolve('start');
        slot.end.resolve(outcome);
        break;
      }
    }
  };

  let result: T;
  try {
    result = await run(onEvent);
  } finally {
    for (const slot of slots.values()) {
      slot.begin.resolve({ kind: 'not-run' });
      slot.end.resolve({ kind: 'not-run' });
    }
    await list;
  }
  return result;
}

async function startList(flow: Flow<unknown>, slots: Map<string, Slot>, renderer: Exclude<FlowRendererName, 'silent'>, stream: NodeJS.WriteStream): Promise<void> {
  const verbose = renderer === 'verbose';
  const tasks: Array<ListrTask<object>> = flow.steps.map((step) => {
    const slot = slots.get(step.id)!;
    return {
      title: step.title,
      // Each finished step shows how long it took.
      rendererOptions: { timer: PRESET_TIMER },
      fallbackRendererOptions: { timer: PRESET_TIMER },
      // listr2 checks `enabled` once for all tasks up front and again just
      // before running each one. Answering the first at once and the second
      // when the executor starts the step keeps a task "waiting" (not
      // spinning) until its step really runs.
      enabled: async () => {
        if (++slot.enabledChecks === 1) return true;
        const begin = await slot.begin.promise;
        // A line renderer would print a step the flow never reached as started, then skipped: leave it out there.
        return !(renderer !== 'default' && begin !== 'start' && begin.kind === 'not-run');
      },
      skip: () => {
        const begin = slot.begin.value;
        if (begin === undefined || begin === 'start') return false;
        const reason = begin.kind === 'skipped' ? begin.reason : 'not started';
        // The tree shows a skip message instead of the title, the verbose log without it; the simple log adds it itself.
        if (renderer === 'default') return `${step.title} (${begin.kind === 'skipped' ? `skipped: ${reason}` : reason})`;
        return verbose ? `${step.title}: ${reason}` : reason;
      },
      task: async (_ctx, task) => {
        slot.task = task as never;
        if (slot.lastLine !== undefined) task.output = slot.lastLine;
        const outcome = await slot.end.promise;
        if (outcome.kind === 'done') {
          if (outcome.title) task.title = outcome.title;
          return;
        }
        if (outcome.kind === 'failed') {
          if (outcome.cancelled) task.title = `${step.title} (interrupted)`;
          throw new Error(verbose ? `${step.title}: ${outcome.message}` : outcome.message);
        }
        // Settled without a step event: the flow stopped around it.
        task.title = `${step.title} (interrupted)`;
        throw new Error('interrupted');
      },
    };
  });
  if (!colorEnabled(stream)) process.env['LISTR_FORCE_UNICODE'] ??= '1';
  const logger = new ListrLogger({ useIcons: !verbose, processOutput: new ProcessOutput(stream, stream) });
  const list = new Listr<object>(tasks, {
    concurrent: true,
    exitOnError: false,
    registerSignalListeners: false,
    renderer,
    fallbackRenderer: 'simple',
    rendererOptions: { logger, collapseErrors: false, showErrorMessage: false, ...(verbose ? { timestamp: PRESET_TIMESTAMP, logTitleChange: false } : {}) } as never,
    fallbackRendererOptions: { logger } as never,
  } as never);
  await list.run();
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
