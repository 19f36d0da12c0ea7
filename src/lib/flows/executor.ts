// Runs a flow: every step whose dependencies are done starts at once (up to a
// concurrency cap), each wrapped in its deadline and retries; the first
// failure stops the flow, aborts the steps still running and waits for them to
// settle, so nothing keeps changing clusters after the command has reported.
// Everything a renderer or a status recorder needs is an event; the executor
// itself prints nothing.
import { KubegardenError, type ErrorCode } from '../ui/errors.ts';
import { formatDuration, waitReporter } from '../kube/wait.ts';
import { retryPolicy, type Flow, type FlowStep, type StepIO } from './graph.ts';

export interface StepRef {
  id: string;
  title: string;
}

export type FlowEvent =
  | { type: 'flow-start'; flow: string; steps: Array<StepRef & { weight: number }>; at: number }
  | { type: 'step-start'; id: string; title: string; at: number }
  | { type: 'step-log'; id: string; title: string; line: string; at: number }
  | { type: 'step-retry'; id: string; title: string; attempt: number; delayMs: number; error: unknown; at: number }
  /** `result` is what run() returned (the done-title); `skipped` the reason when the step did not run. */
  | { type: 'step-done'; id: string; title: string; result?: string; skipped?: string; durationMs: number; at: number }
  /** `cancelled`: the step was stopped because the flow stopped (another step failed, or an abort), not by its own failure. */
  | { type: 'step-failed'; id: string; title: string; error: unknown; cancelled: boolean; durationMs: number; at: number }
  | { type: 'progress'; percent: number; running: StepRef[]; at: number }
  | { type: 'flow-done'; flow: string; ok: boolean; error?: FlowError; completed: string[]; durationMs: number; at: number };

export type FlowListener = (event: FlowEvent) => void;

export interface RunFlowOptions {
  /** Ctrl-C, or a lost lock: aborting it stops the flow (code "aborted", or the reason's code when it is a KubegardenError). */
  signal?: AbortSignal | undefined;
  /** At most this many steps at once. Default: no cap. */
  concurrency?: number | undefined;
  onEvent?: FlowListener | ReadonlyArray<FlowListener | undefined> | undefined;
  /**
   * After a failure, how long to wait for aborted steps to settle before
   * giving up on them (a step that ignores its signal must not hang the CLI). Default 30 s.
   */
  settleTimeoutMs?: number | undefined;
}

export interface FlowResult {
  flow: string;
  /** Ids of steps done or skipped, in the order they finished. */
  completed: string[];
  /** Skipped step ids and why. */
  skipped: Record<string, string>;
  /** Done-titles returned by steps. */
  results: Record<string, string>;
  durationMs: number;
}

export interface FlowErrorDetails {
  flow: string;
  /** The step that failed; undefined when the flow was aborted from outside. */
  step: string | undefined;
  stepTitle: string | undefined;
  completed: string[];
  /** Steps that were running and were interrupted. */
  interrupted: string[];
  /** Steps that never started. */
  notStarted: string[];
}

/** A flow stopped: one sentence naming the step, the code of the cause, and what was done. */
export class FlowError extends KubegardenError {
  readonly flow: string;
  readonly step: string | undefined;
  readonly stepTitle: string | undefined;
  readonly completed: string[];
  readonly interrupted: string[];
  readonly notStarted: string[];

  constructor(code: ErrorCode, message: string, details: FlowErrorDetails, options: { cause?: unknown; hint?: string } = {}) {
    super(code, message, options);
    this.name = 'FlowError';
    this.flow = details.flow;
    this.step = details.step;
    this.stepTitle = details.stepTitle;
    this.completed = details.completed;
    this.interrupted = details.interrupted;
    this.notStarted = details.notStarted;
  }
}

/** Errors worth another attempt: the cluster or network was briefly away, or a wait ran out. Never a user error. */
export function isRetryable(error: unknown): boolean {
  return error instanceof KubegardenError && (error.code === 'unreachable' || error.code === 'timeout');
}

const RESUME_HINT = 'Run the command again: it resumes where it stopped.';

export async function runFlow<C>(flow: Flow<C>, ctx: C, options: RunFlowOptions = {}): Promise<FlowResult> {
  const started = Date.now();
  const listeners = (Array.isArray(options.onEvent) ? options.onEvent : [options.onEvent]).filter((l): l is FlowListener => typeof l === 'function');
  const emit = (event: FlowEvent) => {
    // A renderer or a status recorder must not be able to break a flow.
    for (const l of listeners) {
      try {
        l(event);
      } catch {
        /* ignored on purpose */
      }
    }
  };

  const steps = flow.steps;
  const concurrency = options.concurrency && options.concurrency > 0 ? options.concurrency : Infinity;
  const weights = new Map(steps.map((s) => [s.id, s.weight ?? 1]));
  let totalWeight = [...weights.values()].reduce((a, b) => a + b, 0);
  if (totalWeight === 0) {
    for (const s of steps) weights.set(s.id, 1);
    totalWeight = steps.length;
  }

  const pending = new Set(steps.map((s) => s.id));
  const done = new Set<string>();
  const completed: string[] = [];
  const skipped: Record<string, string> = {};
  const results: Record<string, string> = {};
  interface Running {
    step: FlowStep<C>;
    started: number;
    fraction: number;
    settled: Promise<void>;
  }
  const running = new Map<string, Running>();
  const inflight = new Set<Promise<unknown>>();

  const controller = new AbortController();
  let stop: { error: unknown; step?: FlowStep<C> | undefined; external: boolean } | undefined;
  const halt = (error: unknown, step: FlowStep<C> | undefined, external: boolean) => {
    if (stop) return;
    stop = { error, step, external };
    // What the other steps see as their signal's reason: not the failing step's error.
    controller.abort(
      step
        ? new KubegardenError('aborted', `Stopped because step "${step.title}" failed.`)
        : error instanceof Error
          ? error
          : new KubegardenError('aborted', 'Aborted.', { cause: error }),
    );
  };
  const onExternalAbort = () => halt(options.signal?.reason, undefined, true);
  if (options.signal?.aborted) onExternalAbort();
  else options.signal?.addEventListener('abort', onExternalAbort, { once: true });

  let percent = 0;
  const runningRefs = (): StepRef[] => [...running.values()].map((r) => ({ id: r.step.id, title: r.step.title }));
  const report = (force = false) => {
    let sum = 0;
    for (const id of done) sum += weights.get(id)!;
    for (const r of running.values()) sum += weights.get(r.step.id)! * r.fraction;
    // 100 only once everything is done: a step at 100 % of its work is not done yet.
    const next = done.size === steps.length ? 100 : Math.min(99, Math.floor((100 * sum) / totalWeight));
    if (next > percent || force) {
      percent = Math.max(percent, next);
      emit({ type: 'progress', percent, running: runningRefs(), at: Date.now() });
    }
  };

  const finish = (step: FlowStep<C>, extra: { result?: string; skipped?: string }, durationMs: number) => {
    pending.delete(step.id);
    done.add(step.id);
    completed.push(step.id);
    if (extra.skipped !== undefined) skipped[step.id] = extra.skipped;
    if (extra.result !== undefined) results[step.id] = extra.result;
    emit({ type: 'step-done', id: step.id, title: step.title, ...extra, durationMs, at: Date.now() });
  };

  const start = (step: FlowStep<C>) => {
    pending.delete(step.id);
    const entry: Running = { step, started: Date.now(), fraction: 0, settled: Promise.resolve() };
    running.set(step.id, entry);
    emit({ type: 'step-start', id: step.id, title: step.title, at: entry.started });
    const io: StepIO = {
      signal: controller.signal,
      log: (line) => {
        if (running.has(step.id)) emit({ type: 'step-log', id: step.id, title: step.title, line, at: Date.now() });
      },
      progress: (fraction) => {
        if (!running.has(step.id) || !Number.isFinite(fraction)) return;
        entry.fraction = Math.max(entry.fraction, Math.min(1, Math.max(0, fraction)));
        report();
      },
    };
    entry.settled = execute(step, ctx, io, controller.signal, emit, inflight).then(
      (result) => {
        running.delete(step.id);
        finish(step, typeof result === 'string' && result !== '' ? { result } : {}, Date.now() - entry.started);
        report(true);
      },
      (error: unknown) => {
        running.delete(step.id);
        const cancelled = stop !== undefined;
        emit({ type: 'step-failed', id: step.id, title: step.title, error, cancelled, durationMs: Date.now() - entry.started, at: Date.now() });
        halt(error, step, false);
      },
    );
  };

  emit({ type: 'flow-start', flow: flow.name, steps: steps.map((s) => ({ id: s.id, title: s.title, weight: weights.get(s.id)! })), at: started });
  emit({ type: 'progress', percent: 0, running: [], at: started });

  const startReady = () => {
    // Skips can make more steps ready at once: loop until nothing changes.
    for (let changed = true; changed && !stop; ) {
      changed = false;
      for (const step of steps) {
        if (stop || running.size >= concurrency) return;
        if (!pending.has(step.id) || !(step.dependsOn ?? []).every((d) => done.has(d))) continue;
        let reason: string | false;
        try {
          reason = step.skip ? step.skip(ctx) : false;
        } catch (error) {
          pending.delete(step.id);
          emit({ type: 'step-failed', id: step.id, title: step.title, error, cancelled: false, durationMs: 0, at: Date.now() });
          halt(error, step, false);
          return;
        }
        if (reason !== false) {
          finish(step, { skipped: reason || 'nothing to do' }, 0);
          report(true);
          changed = true;
        } else {
          start(step);
        }
      }
    }
  };

  try {
    for (;;) {
      startReady();
      if (running.size === 0) break;
      await Promise.race([...running.values()].map((r) => r.settled));
    }
    if (!stop && pending.size > 0) {
      // Unreachable with graphs built by Flow.add; kept so a bug cannot report success.
      halt(new KubegardenError('unexpected', `Flow "${flow.name}" could not start steps ${[...pending].join(', ')}.`), undefined, false);
    }
    if (stop && done.size < steps.length) {
      await settle(inflight, options.settleTimeoutMs ?? 30_000);
      const error = flowError(flow, stop, completed, pending, steps);
      emit({ type: 'flow-done', flow: flow.name, ok: false, error, completed: [...completed], durationMs: Date.now() - started, at: Date.now() });
      throw error;
    }
    emit({ type: 'flow-done', flow: flow.name, ok: true, completed: [...completed], durationMs: Date.now() - started, at: Date.now() });
    return { flow: flow.name, completed, skipped, results, durationMs: Date.now() - started };
  } finally {
    options.signal?.removeEventListener('abort', onExternalAbort);
  }
}

/** One step: its attempts, with back-off between them, all within its deadline. */
async function execute<C>(
  step: FlowStep<C>,
  ctx: C,
  flowIO: StepIO,
  flowSignal: AbortSignal,
  emit: (e: FlowEvent) => void,
  inflight: Set<Promise<unknown>>,
): Promise<void | string> {
  const policy = retryPolicy(step);
  const attempts = 1 + (policy?.retries ?? 0);
  const retryable = step.retryable ?? isRetryable;
  const deadline = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  if (step.timeoutMs !== undefined) {
    const ms = step.timeoutMs;
    timer = setTimeout(
      () =>
        deadline.abort(
          new KubegardenError('timeout', `Timed out after ${formatDuration(ms)}.`, {
            hint: 'Run the command again to keep going; it resumes where it stopped.',
          }),
        ),
      ms,
    );
  }
  const signal = AbortSignal.any([flowSignal, deadline.signal]);
  const io: StepIO = { signal, log: flowIO.log, progress: flowIO.progress };
  let delay = policy?.initialDelayMs ?? 1000;
  try {
    for (let attempt = 1; ; attempt++) {
      throwIfAborted(signal);
      try {
        let work: Promise<void | string>;
        try {
          // Waits inside the step say on its line what they wait for (kube/wait.ts).
          work = Promise.resolve(waitReporter.run(io.log, () => step.run(ctx, io)));
        } catch (error) {
          work = Promise.reject(error);
        }
        const tracked = work.catch(() => undefined);
        inflight.add(tracked);
        void tracked.finally(() => inflight.delete(tracked));
        return await untilAborted(work, signal);
      } catch (error) {
        if (signal.aborted) throw abortReason(signal);
        if (attempt >= attempts || !retryable(error)) throw error;
        emit({ type: 'step-retry', id: step.id, title: step.title, attempt: attempt + 1, delayMs: delay, error, at: Date.now() });
        await sleep(delay, signal);
        delay = Math.min(delay * 2, policy?.maxDelayMs ?? 30_000);
      }
    }
  } finally {
    if (timer) clearTimeout(timer);
  }
}

function abortReason(signal: AbortSignal): unknown {
  const reason: unknown = signal.reason;
  return reason instanceof Error ? reason : new KubegardenError('aborted', 'Aborted.', { cause: reason });
}

function throwIfAborted(signal: AbortSignal): void {
  if (signal.aborted) throw abortReason(signal);
}

/** Settles with the work, or rejects as soon as the signal aborts (the work is still tracked, see settle()). */
function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(abortReason(signal));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(abortReason(signal));
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(t);
      reject(abortReason(signal));
    };
    const t = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

async function settle(inflight: Set<Promise<unknown>>, timeoutMs: number): Promise<void> {
  if (inflight.size === 0) return;
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([Promise.allSettled([...inflight]), new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)))]);
  clearTimeout(timer);
}

function flowError<C>(
  flow: Flow<C>,
  stop: { error: unknown; step?: FlowStep<C> | undefined; external: boolean },
  completed: string[],
  pending: Set<string>,
  steps: ReadonlyArray<FlowStep<C>>,
): FlowError {
  const interrupted = steps.filter((s) => !completed.includes(s.id) && !pending.has(s.id) && s.id !== stop.step?.id).map((s) => s.id);
  const details: FlowErrorDetails = {
    flow: flow.name,
    step: stop.step?.id,
    stepTitle: stop.step?.title,
    completed: [...completed],
    interrupted,
    notStarted: [...pending],
  };
  const cause = stop.error;
  if (stop.external || !stop.step) {
    // Ctrl-C, or a reason given by whoever aborted (e.g. a lost lock).
    if (cause instanceof KubegardenError && cause.code !== 'aborted') {
      return new FlowError(cause.code, cause.message, details, { cause, hint: cause.hint ?? RESUME_HINT });
    }
    const titles = interrupted.map((id) => `"${flow.step(id)!.title}"`);
    const during = titles.length === 0 ? '' : ` while ${joinWords(titles)} ${titles.length === 1 ? 'was' : 'were'} running`;
    return new FlowError('aborted', `Aborted${during}.`, details, { cause, hint: RESUME_HINT });
  }
  const code: ErrorCode = cause instanceof KubegardenError ? cause.code : 'unexpected';
  const message = cause instanceof Error ? cause.message : String(cause);
  const hint = cause instanceof KubegardenError && cause.hint ? cause.hint : code === 'unexpected' ? undefined : RESUME_HINT;
  return new FlowError(code, `Step "${stop.step.title}" failed: ${continueSentence(message)}`, details, hint === undefined ? { cause } : { cause, hint });
}

/** "Cannot reach the garden ..." continues a sentence as "cannot reach the garden ...". */
function continueSentence(message: string): string {
  const text = message.trim() || 'no reason given.';
  const first = /^([A-Z][a-z]+)\b/.exec(text)?.[1];
  const keep = new Set(['Terraform', 'Kubernetes', 'Etcd', 'OpenTofu', 'Gardener', 'Docker', 'Lease', 'Shoot', 'Seed']);
  const out = first && !keep.has(first) ? text.charAt(0).toLowerCase() + text.slice(1) : text;
  return /[.!?]$/.test(out) ? out : `${out}.`;
}

function joinWords(words: string[]): string {
  if (words.length <= 1) return words.join('');
  return `${words.slice(0, -1).join(', ')} and ${words[words.length - 1]}`;
}
