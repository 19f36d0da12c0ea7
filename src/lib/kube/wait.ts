// Waiting for a condition with a timeout, an abort signal, and a message that
// names what was not ready when time ran out.
import { AsyncLocalStorage } from 'node:async_hooks';
import { KubegardenError } from '../ui/errors.ts';

/**
 * Where a wait says what it is waiting for while it waits: the flow executor
 * runs each step with its log line here, so a step's progress line reads
 * "waiting 12s for …: kube-apiserver has 0/1 replicas ready" without every
 * component passing a reporter down.
 */
export const waitReporter = new AsyncLocalStorage<(line: string) => void>();

/** Repeat an unchanged reason this often, so the elapsed time keeps moving. */
const REPEAT_MS = 10_000;

export interface WaitOptions {
  /** What we wait for, as a noun phrase: "the kube-apiserver of shoot demo to answer". */
  what: string;
  timeoutMs: number;
  intervalMs?: number;
  signal?: AbortSignal | undefined;
}

/** A probe returns the value when ready, or a string saying what is still missing. */
export type Probe<T> = () => Promise<{ ready: true; value: T } | { ready: false; reason: string }>;

export async function waitFor<T>(probe: Probe<T>, options: WaitOptions): Promise<T> {
  const started = Date.now();
  const deadline = started + options.timeoutMs;
  const interval = options.intervalMs ?? 1000;
  const report = waitReporter.getStore();
  let last = 'nothing answered yet';
  let reported: { reason: string; at: number } | undefined;
  for (;;) {
    if (options.signal?.aborted) throw new KubegardenError('aborted', `Aborted while waiting for ${options.what}.`);
    try {
      const r = await probe();
      if (r.ready) return r.value;
      last = r.reason;
    } catch (err) {
      if (err instanceof KubegardenError && (err.code === 'forbidden' || err.code === 'config' || err.code === 'aborted')) throw err;
      last = err instanceof Error ? err.message : String(err);
    }
    if (report && (reported?.reason !== last || Date.now() - reported.at >= REPEAT_MS)) {
      const elapsed = Date.now() - started;
      report(`waiting${elapsed < 1000 ? '' : ` ${formatDuration(elapsed)}`} for ${options.what}: ${last.replace(/\.$/, '')}`);
      reported = { reason: last, at: Date.now() };
    }
    const left = deadline - Date.now();
    if (left <= 0) {
      throw new KubegardenError('timeout', `Timed out after ${formatDuration(options.timeoutMs)} waiting for ${options.what}: ${last.replace(/\.$/, '')}.`, {
        hint: 'Run the command again to keep waiting; it resumes where it stopped.',
      });
    }
    await new Promise<void>((resolve) => {
      const onAbort = () => {
        clearTimeout(t);
        resolve();
      };
      const t = setTimeout(() => {
        options.signal?.removeEventListener('abort', onAbort);
        resolve();
      }, Math.min(interval, left));
      options.signal?.addEventListener('abort', onAbort, { once: true });
    });
  }
}

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${ms}ms`;
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  const rest = s % 60;
  if (m < 60) return rest ? `${m}m${rest}s` : `${m}m`;
  const h = Math.floor(m / 60);
  return m % 60 ? `${h}h${m % 60}m` : `${h}h`;
}

/** Parses "30s", "5m", "1h30m", "8h" into milliseconds. */
export function parseDuration(text: string): number | undefined {
  const re = /(\d+)(ms|s|m|h|d)/g;
  let total = 0;
  let consumed = 0;
  for (const m of text.matchAll(re)) {
    if (m.index !== consumed) return undefined;
    consumed += m[0].length;
    const n = Number(m[1]);
    const unit = m[2];
    total += n * (unit === 'ms' ? 1 : unit === 's' ? 1000 : unit === 'm' ? 60_000 : unit === 'h' ? 3_600_000 : 86_400_000);
  }
  return consumed === text.length && consumed > 0 ? total : undefined;
}
