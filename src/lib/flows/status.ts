// Records a running flow in the Shoot's status in the garden, so that `shoot
// get`, `shoot wait` and other people see the operation: lastOperation
// (Processing with a percentage and the steps running, then Succeeded, Error or
// Aborted), lastErrors on failure, and the conditions the flow sets.
//
// Writes are server-side applies of the status subresource, throttled (at
// most one per throttleMs, plus always the final one) and never awaited by the
// flow: a slow or failing garden must not slow down or fail the operation, so
// a failed write is logged and the next one carries the whole state again.
//
// Server-side apply removes fields its field manager owned and left out, so
// every write carries all of the status kubegarden owns: what the Shoot had
// when the recorder first wrote, and what was set through setCondition() and
// update() since. During an operation, write other status fields through
// update(), not through a separate applyStatus.
import { API_VERSION, projectNamespace, type Condition, type LastError, type LastOperation, type OperationType, type ShootStatus } from '../api/types.ts';
import type { KubeClient, KubeObject } from '../kube/client.ts';
import { KubegardenError } from '../ui/errors.ts';
import type { FlowError, FlowEvent, FlowListener } from './executor.ts';

/** What the recorder needs of a KubeClient. */
export type StatusClient = Pick<KubeClient, 'get' | 'applyStatus'>;

export interface ShootRef {
  project: string;
  name: string;
}

export interface StatusRecorderOptions {
  operation: OperationType;
  /** At most one write per this many ms while the flow runs. Default 500. */
  throttleMs?: number | undefined;
  /** Where failed writes are reported (once per distinct message). Default: a warning on stderr. */
  log?: ((line: string) => void) | undefined;
  /**
   * Stop writing when this aborts: pass the lock's signal, so that after the
   * lock is lost the status is left to whoever holds it now.
   */
  until?: AbortSignal | undefined;
  /** Description recorded on success. Default e.g. "Shoot cluster created." */
  successDescription?: string | undefined;
}

/** Fields other than lastOperation, lastErrors and conditions that a flow records. */
export type StatusFields = Omit<ShootStatus, 'lastOperation' | 'lastErrors' | 'conditions'>;

const DONE: Record<OperationType, string> = {
  Create: 'Shoot cluster created.',
  Reconcile: 'Shoot cluster reconciled.',
  Delete: 'Shoot cluster deleted.',
  Upgrade: 'Shoot cluster upgraded.',
  Hibernate: 'Shoot cluster hibernated.',
  Wake: 'Shoot cluster woken up.',
  Rotate: 'Shoot cluster credentials rotated.',
};

/** Kubernetes-style timestamp: RFC 3339, whole seconds. */
export function timestamp(date: Date = new Date()): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/**
 * Merges one condition into a list: lastTransitionTime moves only when the
 * status changes; reason, message and lastUpdateTime are always current.
 */
export function mergeCondition(conditions: readonly Condition[] | undefined, next: Omit<Condition, 'lastTransitionTime' | 'lastUpdateTime'>, now: string = timestamp()): Condition[] {
  const list = [...(conditions ?? [])];
  const i = list.findIndex((c) => c.type === next.type);
  const before = i >= 0 ? list[i] : undefined;
  const merged: Condition = {
    type: next.type,
    status: next.status,
    ...(next.reason !== undefined ? { reason: next.reason } : {}),
    ...(next.message !== undefined ? { message: next.message } : {}),
    lastTransitionTime: before && before.status === next.status && before.lastTransitionTime ? before.lastTransitionTime : now,
    lastUpdateTime: now,
  };
  if (i >= 0) list[i] = merged;
  else list.push(merged);
  return list;
}

export class StatusRecorder {
  /** Subscribe this to the executor (runFlow's onEvent). */
  readonly onEvent: FlowListener = (event) => this.handle(event);

  private readonly client: StatusClient;
  private readonly shoot: ShootRef;
  private readonly namespace: string;
  private readonly options: StatusRecorderOptions;
  private readonly throttleMs: number;
  private readonly log: (line: string) => void;

  private lastOperation: LastOperation | undefined;
  private lastErrors: LastError[] | undefined;
  private conditions: Condition[] | undefined;
  private fields: StatusFields = {};
  /** Fields set since start, which win over what the Shoot had. */
  private readonly touched = new Set<keyof ShootStatus>();
  private loaded = false;

  private readonly running = new Map<string, string>();
  private percent = 0;
  private finished = false;
  private stopped = false;

  private dirty = false;
  private urgent = false;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  private lastWriteAt = 0;
  private readonly reported = new Set<string>();
  /** The last write's outcome: undefined until one was tried. */
  lastWriteError: unknown;
  writes = 0;

  constructor(client: StatusClient, shoot: ShootRef, options: StatusRecorderOptions) {
    this.client = client;
    this.shoot = shoot;
    this.namespace = projectNamespace(shoot.project);
    this.options = options;
    this.throttleMs = options.throttleMs ?? 500;
    this.log = options.log ?? ((line) => process.stderr.write(`Warning: ${line}\n`));
    options.until?.addEventListener('abort', () => this.stop(), { once: true });
    if (options.until?.aborted) this.stop();
  }

  /** The status as the recorder will next write it (before merging what the Shoot had). */
  get status(): ShootStatus {
    return this.snapshot();
  }

  /** Records the operation as started (the executor's flow-start does this too). */
  begin(): void {
    if (this.finished) return;
    this.percent = 0;
    this.setOperation('Processing', `${this.options.operation} started.`);
    this.schedule(true);
  }

  /** Records the end of the operation: success without an error, else Error (or Aborted). Written at once. */
  finish(error?: unknown): void {
    if (this.finished) return;
    this.finished = true;
    this.running.clear();
    const now = timestamp();
    if (error === undefined) {
      this.percent = 100;
      this.setOperation('Succeeded', this.options.successDescription ?? DONE[this.options.operation]);
      this.lastErrors = undefined;
      this.touched.add('lastErrors');
    } else {
      const message = error instanceof Error ? error.message : String(error);
      const step = (error as Partial<FlowError>).step;
      const aborted = error instanceof KubegardenError && error.code === 'aborted';
      this.setOperation(aborted ? 'Aborted' : 'Error', message, step);
      if (!aborted) {
        this.lastErrors = [{ description: message, ...(step ? { step } : {}), lastUpdateTime: now }];
        this.touched.add('lastErrors');
      }
    }
    this.schedule(true);
  }

  /** Sets a condition (e.g. APIServerAvailable) and schedules a write. */
  setCondition(type: string, status: Condition['status'], reason: string, message: string): void {
    this.conditions = mergeCondition(this.conditions, { type, status, reason, message });
    this.touched.add('conditions');
    this.schedule();
  }

  /** Sets other status fields (endpoint, seedName, observedGeneration, ...) and schedules a write. */
  update(fields: StatusFields): void {
    for (const [k, v] of Object.entries(fields) as Array<[keyof StatusFields, unknown]>) {
      (this.fields as Record<string, unknown>)[k] = v;
      this.touched.add(k);
    }
    this.schedule();
  }

  /** No more writes: the status is someone else's now. */
  stop(): void {
    this.stopped = true;
    this.dirty = false;
    this.wake?.();
  }

  /**
   * Waits until what was recorded is written (or failed to be), for at most
   * timeoutMs. True when everything was written.
   */
  async flush(timeoutMs = 10_000): Promise<boolean> {
    if (this.dirty) this.schedule(true);
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), timeoutMs)));
    try {
      for (;;) {
        const loop = this.loop;
        if (!loop) return !this.dirty && this.lastWriteError === undefined;
        if ((await Promise.race([loop, timedOut])) === 'timeout') return false;
      }
    } finally {
      clearTimeout(timer);
    }
  }

  // ---- events --------------------------------------------------------------

  private handle(event: FlowEvent): void {
    if (this.finished) return;
    switch (event.type) {
      case 'flow-start':
        this.running.clear();
        this.begin();
        return;
      case 'step-start':
        this.running.set(event.id, event.title);
        break;
      case 'step-done':
      case 'step-failed':
        if (!this.running.delete(event.id) && event.type === 'step-done') return; // a skip: nothing visible changed
        if (this.running.size === 0) return; // the next step-start or progress says what is next
        break;
      case 'progress':
        if (event.percent <= this.percent && event.running.length === 0) return;
        this.percent = Math.max(this.percent, event.percent);
        break;
      case 'flow-done':
        this.finish(event.ok ? undefined : event.error);
        return;
      default:
        return;
    }
    const titles = [...this.running.values()];
    if (titles.length === 0 && this.lastOperation?.state === 'Processing') {
      this.setOperation('Processing', this.lastOperation.description, this.lastOperation.step);
    } else {
      this.setOperation('Processing', titles.join(', ') || `${this.options.operation} started.`, [...this.running.keys()].join(', ') || undefined);
    }
    this.schedule();
  }

  private setOperation(state: LastOperation['state'], description: string, step?: string): void {
    this.lastOperation = {
      type: this.options.operation,
      state,
      progress: this.percent,
      description,
      lastUpdateTime: timestamp(),
      ...(step ? { step } : {}),
    };
    this.touched.add('lastOperation');
  }

  // ---- writing -------------------------------------------------------------

  private snapshot(): ShootStatus {
    const status: ShootStatus = { ...this.fields };
    if (this.lastOperation) status.lastOperation = this.lastOperation;
    if (this.lastErrors) status.lastErrors = this.lastErrors;
    if (this.conditions) status.conditions = this.conditions;
    return status;
  }

  private schedule(urgent = false): void {
    if (this.stopped) return;
    this.dirty = true;
    if (urgent) {
      this.urgent = true;
      this.wake?.();
    }
    if (this.loop) return;
    this.loop = this.drain().finally(() => {
      this.loop = undefined;
      // A change that arrived while the last write was finishing.
      if (this.dirty && !this.stopped) this.schedule(this.urgent);
    });
  }

  private async drain(): Promise<void> {
    while (this.dirty && !this.stopped) {
      const wait = this.urgent ? 0 : this.lastWriteAt + this.throttleMs - Date.now();
      if (wait > 0) await this.pause(wait);
      if (this.stopped) return;
      this.dirty = false;
      this.urgent = false;
      await this.write();
      this.lastWriteAt = Date.now();
    }
  }

  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(done, ms);
      t.unref();
      function done() {
        clearTimeout(t);
        resolve();
      }
      this.wake = () => {
        this.wake = undefined;
        done();
      };
    });
  }

  private async write(): Promise<void> {
    const ref = { apiVersion: API_VERSION, kind: 'Shoot', name: this.shoot.name, namespace: this.namespace };
    try {
      if (!this.loaded) await this.load(ref);
      const obj: KubeObject = { apiVersion: API_VERSION, kind: 'Shoot', metadata: { name: this.shoot.name, namespace: this.namespace }, status: this.snapshot() };
      this.writes++;
      await this.client.applyStatus(obj);
      this.lastWriteError = undefined;
    } catch (err) {
      this.lastWriteError = err;
      // A deleted shoot has no status left to record.
      if (this.options.operation === 'Delete' && err instanceof KubegardenError && err.code === 'notFound') return;
      const message = `could not record the progress of shoot "${this.shoot.project}/${this.shoot.name}" in the garden: ${err instanceof Error ? err.message : String(err)}`;
      if (!this.reported.has(message)) {
        this.reported.add(message);
        this.log(message);
      }
    }
  }

  /** Takes over what the Shoot's status has, so that applying our part does not remove the rest. */
  private async load(ref: { apiVersion: string; kind: string; name: string; namespace: string }): Promise<void> {
    const current = await this.client.get<KubeObject & { status?: ShootStatus }>(ref);
    this.loaded = true;
    const existing = current?.status ?? {};
    for (const [k, v] of Object.entries(existing) as Array<[keyof ShootStatus, unknown]>) {
      if (this.touched.has(k) || v === undefined) continue;
      if (k === 'lastErrors') this.lastErrors = v as LastError[];
      else if (k === 'conditions') this.conditions = v as Condition[];
      else if (k !== 'lastOperation') (this.fields as Record<string, unknown>)[k] = v;
    }
    // Conditions set before the load merge into those the Shoot had.
    if (this.touched.has('conditions') && existing.conditions) {
      let merged: Condition[] = existing.conditions;
      for (const c of this.conditions ?? []) merged = [...merged.filter((m) => m.type !== c.type), preserveTransition(c, existing.conditions)];
      this.conditions = merged;
    }
  }
}

function preserveTransition(c: Condition, before: readonly Condition[]): Condition {
  const old = before.find((b) => b.type === c.type);
  return old && old.status === c.status && old.lastTransitionTime ? { ...c, lastTransitionTime: old.lastTransitionTime } : c;
}
