// Deployments and StatefulSets as the runtime sees them: which pods they ask
// for, and what their status and annotations say about the pods it runs.
// Pure: no I/O.
import { createHash } from 'node:crypto';
import type { PodInfo } from './pod.ts';
import type { Condition, WorkloadObject } from './types.ts';

export const ANNOTATION_PREFIX = 'local.kubegarden.io/';
/** One sentence: running, starting, pending, not runnable, scaled to zero. */
export const ANNOTATION_STATUS = `${ANNOTATION_PREFIX}status`;
/** The loopback ports the workload serves, from its containerPorts. */
export const ANNOTATION_PORTS = `${ANNOTATION_PREFIX}ports`;
/** Restarts of its processes, summed over its pods. */
export const ANNOTATION_RESTARTS = `${ANNOTATION_PREFIX}restarts`;
/** JSON: each pod with its containers' pids, readiness, restarts and log files. */
export const ANNOTATION_PODS = `${ANNOTATION_PREFIX}pods`;

const MANAGED_ANNOTATIONS = [ANNOTATION_STATUS, ANNOTATION_PORTS, ANNOTATION_RESTARTS, ANNOTATION_PODS];

export const REASON_NOT_RUNNABLE = 'NotRunnable';

export type WorkloadKind = 'Deployment' | 'StatefulSet';

export interface Workload {
  kind: WorkloadKind;
  object: WorkloadObject;
  namespace: string;
  name: string;
  /** kind/namespace/name */
  key: string;
  replicas: number;
  /** 10 hex digits of the pod template's hash. */
  hash: string;
  deleting: boolean;
}

export interface DesiredPod {
  name: string;
  /** StatefulSet claim template → claim name. */
  claims: Map<string, string>;
}

/** JSON with sorted keys, so equal templates hash equally whatever order their fields came in. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const obj = value as Record<string, unknown>;
    return `{${Object.keys(obj)
      .filter((k) => obj[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

export function templateHash(template: unknown): string {
  return createHash('sha256').update(canonicalJson(template)).digest('hex').slice(0, 10);
}

export function toWorkload(kind: WorkloadKind, object: WorkloadObject): Workload {
  const namespace = object.metadata.namespace ?? 'default';
  const deleting = Boolean(object.metadata.deletionTimestamp);
  return {
    kind,
    object,
    namespace,
    name: object.metadata.name,
    key: `${kind}/${namespace}/${object.metadata.name}`,
    replicas: deleting ? 0 : Math.max(0, object.spec.replicas ?? 1),
    hash: templateHash(object.spec.template),
    deleting,
  };
}

/** Deployment pods are <name>-<hash>-<i>, so a new template means new pods; StatefulSet pods are <name>-<ordinal> with their claims. */
export function desiredPods(w: Workload): DesiredPod[] {
  const pods: DesiredPod[] = [];
  for (let i = 0; i < w.replicas; i++) {
    if (w.kind === 'Deployment') {
      pods.push({ name: `${w.name}-${w.hash}-${i}`, claims: new Map() });
    } else {
      const claims = new Map<string, string>();
      for (const t of w.object.spec.volumeClaimTemplates ?? []) claims.set(t.metadata.name, `${t.metadata.name}-${w.name}-${i}`);
      pods.push({ name: `${w.name}-${i}`, claims });
    }
  }
  return pods;
}

function maxUnavailable(w: Workload): number {
  const strategy = w.object.spec.strategy;
  if (w.kind !== 'Deployment' || (strategy?.type ?? 'RollingUpdate') !== 'RollingUpdate' || w.replicas === 0) return 0;
  const raw = strategy?.rollingUpdate?.maxUnavailable ?? '25%';
  if (typeof raw === 'number') return raw;
  const pct = /^(\d+)%$/.exec(raw);
  return pct ? Math.floor((w.replicas * Number(pct[1])) / 100) : Number(raw) || 0;
}

export function portsAnnotation(w: Workload): string {
  const entries: string[] = [];
  for (const c of w.object.spec.template.spec.containers) {
    for (const p of c.ports ?? []) entries.push(`${c.name}/${p.name ?? p.containerPort}=127.0.0.1:${p.containerPort}${p.protocol && p.protocol !== 'TCP' ? `/${p.protocol}` : ''}`);
  }
  return entries.join(', ');
}

export interface WorkloadReport {
  status: Record<string, unknown> & { conditions: Condition[] };
  annotations: Record<string, string>;
}

function condition(type: string, ok: boolean, reason: string, message: string): Condition {
  return { type, status: ok ? 'True' : 'False', reason, message };
}

/** What the workload's status and annotations should say, given the pods the runtime has for it. */
export function report(w: Workload, pods: readonly PodInfo[], now: number): WorkloadReport {
  const live = pods.filter((p) => p.phase !== 'Terminated');
  const current = live.filter((p) => p.hash === w.hash && p.phase !== 'Terminating');
  const ready = live.filter((p) => p.ready);
  const minReadyMs = (w.object.spec.minReadySeconds ?? 0) * 1000;
  const available = ready.filter((p) => p.readySince !== undefined && p.readySince + minReadyMs <= now);
  const notRunnable = live.find((p) => p.phase === 'NotRunnable');
  const pending = live.find((p) => p.phase === 'Pending' && p.message);
  const complete = current.length === w.replicas && live.length === w.replicas && available.length >= w.replicas;

  const revision = `${w.name}-${w.hash}`;
  const rs = w.kind === 'Deployment' ? `ReplicaSet "${revision}"` : `StatefulSet revision ${revision}`;
  const waiting = pending ? `: pod ${pending.name}: ${pending.message}` : '';
  const conditions = notRunnable
    ? [
        condition('Available', false, REASON_NOT_RUNNABLE, notRunnable.message ?? 'not runnable'),
        condition('Progressing', false, REASON_NOT_RUNNABLE, notRunnable.message ?? 'not runnable'),
      ]
    : [
        available.length >= w.replicas - maxUnavailable(w)
          ? condition('Available', true, 'MinimumReplicasAvailable', `${w.kind} has minimum availability.`)
          : condition('Available', false, 'MinimumReplicasUnavailable', `${w.kind} does not have minimum availability${waiting}.`),
        complete
          ? condition('Progressing', true, 'NewReplicaSetAvailable', `${rs} has successfully progressed.`)
          : condition('Progressing', true, 'ReplicaSetUpdated', `${rs} is progressing${waiting}.`),
      ];

  const common = {
    observedGeneration: w.object.metadata.generation ?? 0,
    replicas: live.length,
    readyReplicas: ready.length,
    availableReplicas: available.length,
    updatedReplicas: current.length,
  };
  const status =
    w.kind === 'Deployment'
      ? { ...common, unavailableReplicas: Math.max(0, w.replicas - available.length), conditions }
      : { ...common, currentReplicas: current.length, currentRevision: revision, updateRevision: revision, conditions };

  const restarts = live.reduce((n, p) => n + p.containers.reduce((m, c) => m + c.restarts, 0), 0);
  const annotations: Record<string, string> = {
    [ANNOTATION_STATUS]: statusLine(w, live, ready.length, notRunnable, pending, complete),
    [ANNOTATION_RESTARTS]: String(restarts),
    [ANNOTATION_PODS]: JSON.stringify(
      live.map((p) => ({
        name: p.name,
        phase: p.phase,
        ready: p.ready,
        ...(p.message ? { message: p.message } : {}),
        containers: p.containers.map((c) => ({
          name: c.name,
          state: c.state,
          ...(c.pid ? { pid: c.pid } : {}),
          ready: c.ready,
          restarts: c.restarts,
          log: c.logFile,
          ...(c.message ? { message: c.message } : {}),
          ...(c.lastExit ? { lastExit: c.lastExit } : {}),
          ...(c.notes.length ? { notes: c.notes } : {}),
        })),
      })),
    ),
  };
  const ports = portsAnnotation(w);
  if (ports) annotations[ANNOTATION_PORTS] = ports;
  return { status, annotations };
}

function statusLine(w: Workload, live: readonly PodInfo[], ready: number, notRunnable: PodInfo | undefined, pending: PodInfo | undefined, complete: boolean): string {
  if (notRunnable) return `Not runnable: ${notRunnable.message}`;
  if (w.replicas === 0 && live.length === 0) return 'Scaled to zero: no processes run.';
  if (pending) return `Pending: pod ${pending.name}: ${pending.message}`;
  if (complete) return `Running: ${ready}/${w.replicas} ready.`;
  const troubled = live.flatMap((p) => p.containers.filter((c) => c.message).map((c) => `${p.name}/${c.name} ${c.message}`));
  return `Starting: ${ready}/${w.replicas} ready${troubled.length ? `; ${troubled.join('; ')}` : ''}.`;
}

const sameCondition = (a: Condition | undefined, b: Condition) => a?.status === b.status && a.reason === b.reason && (a.message ?? '') === (b.message ?? '');

/** Whether the object's status already says what the report says (timestamps aside). */
export function statusUpToDate(w: Workload, desired: WorkloadReport['status']): boolean {
  const existing = (w.object.status ?? {}) as Record<string, unknown>;
  for (const [k, v] of Object.entries(desired)) {
    if (k === 'conditions') continue;
    // The API server drops zero counts (omitempty).
    if ((existing[k] ?? (typeof v === 'number' ? 0 : undefined)) !== v) return false;
  }
  const have = w.object.status?.conditions ?? [];
  return desired.conditions.every((c) => sameCondition(have.find((h) => h.type === c.type), c));
}

/** Carries over transition times of conditions whose status did not change. */
export function stampConditions(w: Workload, conditions: readonly Condition[], now: string): Condition[] {
  const have = w.object.status?.conditions ?? [];
  return conditions.map((c) => {
    const prev = have.find((h) => h.type === c.type);
    const lastTransitionTime = prev && prev.status === c.status && prev.lastTransitionTime ? prev.lastTransitionTime : now;
    if (w.kind !== 'Deployment') return { ...c, lastTransitionTime };
    const lastUpdateTime = prev && sameCondition(prev, c) && prev.lastUpdateTime ? prev.lastUpdateTime : now;
    return { ...c, lastTransitionTime, lastUpdateTime };
  });
}

export function annotationsUpToDate(w: Workload, desired: Record<string, string>): boolean {
  const have = w.object.metadata.annotations ?? {};
  return MANAGED_ANNOTATIONS.every((k) => have[k] === desired[k]);
}
