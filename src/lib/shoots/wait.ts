// `shoot wait`: polls a Shoot until it is ready or gone, saying on stderr what
// it waits for. kubegarden has no controller: an operation that ended in
// Error, Failed or Aborted only moves again when a kubegarden process runs it
// again, and such a process holds the shoot's lock. So a failed operation with
// no live lock holder is final, and waiting fails at once (exit 8) with the
// shoot's lastErrors; while a holder runs it again, we keep waiting.
import type { ShootObject } from '../garden/shoots.ts';
import { getShoot } from '../garden/shoots.ts';
import type { KubeClient } from '../kube/client.ts';
import { formatDuration, waitFor } from '../kube/wait.ts';
import { KubegardenError } from '../ui/errors.ts';

export type WaitTarget = 'ready' | 'deleted';

export interface WaitShootOptions {
  for: WaitTarget;
  timeoutMs: number;
  intervalMs?: number;
  signal?: AbortSignal | undefined;
  /** Progress lines (stderr). */
  onProgress?: (line: string) => void;
}

type Verdict = { kind: 'done'; shoot: ShootObject | undefined } | { kind: 'failed'; shoot: ShootObject } | { kind: 'missing' } | { kind: 'waiting'; reason: string };

const FAILED_STATES = new Set(['Error', 'Failed', 'Aborted']);

/** What the Shoot's status says about the wait, without the lock (pure). */
export function judgeShoot(shoot: ShootObject | undefined, target: WaitTarget): Verdict {
  if (!shoot) return target === 'deleted' ? { kind: 'done', shoot: undefined } : { kind: 'missing' };
  const op = shoot.status?.lastOperation;
  if (op && FAILED_STATES.has(op.state)) return { kind: 'failed', shoot };
  if (target === 'deleted') return { kind: 'waiting', reason: shoot.metadata.deletionTimestamp ? 'the Shoot is being deleted' : 'the Shoot still exists and is not being deleted' };
  if (!op) return { kind: 'waiting', reason: 'no operation recorded yet' };
  if (op.type === 'Delete') return { kind: 'waiting', reason: 'the shoot is being deleted' };
  if (op.state !== 'Succeeded') return { kind: 'waiting', reason: `${op.type} ${op.state} ${op.progress}%` };
  const gen = shoot.metadata.generation;
  if (gen !== undefined && shoot.status?.observedGeneration !== undefined && shoot.status.observedGeneration < gen) {
    return { kind: 'waiting', reason: `the spec (generation ${gen}) is not reconciled yet (observed ${shoot.status.observedGeneration})` };
  }
  // A hibernated shoot has no API server to be healthy: its operation is what counts.
  const notTrue = shoot.spec.hibernation?.enabled ? [] : (shoot.status?.conditions ?? []).filter((c) => c.status !== 'True');
  if (notTrue.length) return { kind: 'waiting', reason: `conditions not True: ${notTrue.map((c) => `${c.type}=${c.status}`).join(', ')}` };
  return { kind: 'done', shoot };
}

/** One line about where the shoot is: operation type/state/progress/description. */
export function describeProgress(shoot: ShootObject | undefined): string {
  if (!shoot) return 'the Shoot is gone';
  const op = shoot.status?.lastOperation;
  if (!op) return 'no operation recorded yet';
  return `${op.type} ${op.state} ${op.progress}%${op.description ? ` — ${op.description}` : ''}`;
}

export async function waitForShoot(garden: KubeClient, project: string, name: string, options: WaitShootOptions): Promise<ShootObject | undefined> {
  const { readShootLock } = await import('../flows/lock.ts');
  const started = Date.now();
  const what = options.for === 'ready' ? `shoot "${project}/${name}" to be ready` : `shoot "${project}/${name}" to be deleted`;
  let lastLine = '';
  let lastPrinted = 0;
  const verdict = await waitFor<Exclude<Verdict, { kind: 'waiting' }>>(
    async () => {
      const shoot = await getShoot(garden, project, name, options.signal).catch((err: unknown) => {
        if (err instanceof KubegardenError && err.code === 'notFound') return undefined;
        throw err;
      });
      let v = judgeShoot(shoot, options.for);
      if (v.kind === 'failed') {
        const holder = await readShootLock(garden, project, name);
        if (holder && !holder.expired) v = { kind: 'waiting', reason: `the last operation failed and ${holder.identity} runs it again` };
      }
      const line = `${describeProgress(shoot)}${v.kind === 'waiting' ? ` (waiting: ${v.reason})` : ''}`;
      const now = Date.now();
      if (line !== lastLine || now - lastPrinted >= 30_000) {
        options.onProgress?.(`[${formatDuration(Math.round((now - started) / 1000) * 1000)}] waiting for ${what}: ${line}`);
        lastLine = line;
        lastPrinted = now;
      }
      return v.kind === 'waiting' ? { ready: false, reason: v.reason } : { ready: true, value: v };
    },
    { what, timeoutMs: options.timeoutMs, intervalMs: options.intervalMs ?? 2000, signal: options.signal },
  );
  if (verdict.kind === 'missing') throw new KubegardenError('notFound', `Shoot "${project}/${name}" does not exist: list shoots with "kubegarden shoot list --project ${project}".`);
  if (verdict.kind === 'failed') {
    const op = verdict.shoot.status?.lastOperation;
    const errors = (verdict.shoot.status?.lastErrors ?? []).map((e) => `${e.description}${e.step ? ` (step ${e.step})` : ''}`);
    const why = errors.length ? errors.join('; ') : op?.description ?? 'no error recorded';
    throw new KubegardenError('partial', `The ${op?.type ?? 'last'} operation of shoot "${project}/${name}" ended in state ${op?.state ?? 'Error'} and nobody is running it again: ${why.replace(/\.$/, '')}.`, {
      hint: `Run it again to resume (e.g. "kubegarden shoot reconcile ${name} --project ${project}"), then wait again.`,
    });
  }
  return verdict.shoot;
}
