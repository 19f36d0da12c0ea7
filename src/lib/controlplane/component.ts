// A control-plane component is a module with a small lifecycle built from a
// pure render(values): deploy applies the manifests, wait watches the
// workloads' status until every replica is ready, destroy deletes the
// manifests, waitCleanup waits until they are gone. Each step takes an
// AbortSignal; the timeouts are the component's, and tests shorten them through
// the named constructors (etcdComponent({ waitTimeoutMs: 2000 }), ...).
import type { KubeClient, KubeObject, ObjectRef } from '../kube/client.ts';
import { refOf } from '../kube/client.ts';
import { waitFor } from '../kube/wait.ts';
import type { ControlPlaneValues } from './values.ts';

/** The part of KubeClient a component uses; unit tests pass a plain object. */
export type ComponentClient = Pick<KubeClient, 'get' | 'apply' | 'delete' | 'list'>;

export interface WaitOptions {
  signal?: AbortSignal | undefined;
  /** Default: the component's own timeout. */
  timeoutMs?: number | undefined;
}

export interface Component {
  /** kube-apiserver, etcd-main, ...: how messages and task titles name it. */
  readonly name: string;
  render(values: ControlPlaneValues): KubeObject[];
  deploy(client: ComponentClient, values: ControlPlaneValues, signal?: AbortSignal): Promise<void>;
  /** Resolves once every workload has all its replicas updated and ready; throws a one-sentence timeout error otherwise. */
  wait(client: ComponentClient, values: ControlPlaneValues, options?: WaitOptions): Promise<void>;
  destroy(client: ComponentClient, values: ControlPlaneValues, signal?: AbortSignal): Promise<void>;
  /** Resolves once every object destroy deleted is gone. */
  waitCleanup(client: ComponentClient, values: ControlPlaneValues, options?: WaitOptions): Promise<void>;
}

export interface ComponentOptions {
  /** How long wait waits by default. */
  waitTimeoutMs?: number;
  /** How long waitCleanup waits by default. */
  cleanupTimeoutMs?: number;
  /** How often status is read while waiting. */
  intervalMs?: number;
}

export const DEFAULT_COMPONENT_OPTIONS: Readonly<Required<ComponentOptions>> = {
  waitTimeoutMs: 5 * 60_000,
  cleanupTimeoutMs: 5 * 60_000,
  intervalMs: 1000,
};

export interface ComponentDefinition {
  name: string;
  render(values: ControlPlaneValues): KubeObject[];
  /**
   * Objects that outlive the rendered ones and go with destroy, e.g. the
   * PersistentVolumeClaims a StatefulSet created from its claim templates.
   */
  extraCleanup?(values: ControlPlaneValues): ObjectRef[];
}

/** A Component from its render function, with the shared lifecycle. */
export function defineComponent(definition: ComponentDefinition, options: ComponentOptions = {}): Component {
  const opts = { ...DEFAULT_COMPONENT_OPTIONS, ...options };
  const what = (values: ControlPlaneValues, verb: string) => `${definition.name} of shoot ${values.project}/${values.shoot} ${verb}`;
  return {
    name: definition.name,
    render: definition.render,
    deploy: (client, values, signal) => applyAll(client, definition.render(values), signal),
    wait: (client, values, options = {}) =>
      waitForWorkloads(client, workloadRefs(definition.render(values)), {
        what: what(values, 'to be ready'),
        timeoutMs: options.timeoutMs ?? opts.waitTimeoutMs,
        intervalMs: opts.intervalMs,
        signal: options.signal,
      }),
    destroy: async (client, values, signal) => {
      await deleteAll(client, definition.render(values).map(refOf), signal);
      await deleteAll(client, definition.extraCleanup?.(values) ?? [], signal);
    },
    waitCleanup: (client, values, options = {}) =>
      waitGone(client, [...definition.render(values).map(refOf), ...(definition.extraCleanup?.(values) ?? [])], {
        what: what(values, 'to be deleted'),
        timeoutMs: options.timeoutMs ?? opts.cleanupTimeoutMs,
        intervalMs: opts.intervalMs,
        signal: options.signal,
      }),
  };
}

// ---- shared helpers ----------------------------------------------------------

/** Server-side applies the objects in order (configuration before the workloads that mount it). */
export async function applyAll(client: Pick<KubeClient, 'apply'>, objects: readonly KubeObject[], signal?: AbortSignal): Promise<void> {
  for (const obj of objects) {
    signal?.throwIfAborted();
    await client.apply(obj, signal);
  }
}

/** Deletes in reverse order (workloads before what they mount); what is already gone is fine. */
export async function deleteAll(client: Pick<KubeClient, 'delete'>, refs: readonly ObjectRef[], signal?: AbortSignal): Promise<void> {
  for (const ref of [...refs].reverse()) {
    signal?.throwIfAborted();
    await client.delete(ref, signal === undefined ? {} : { signal });
  }
}

const WORKLOAD_KINDS = new Set(['Deployment', 'StatefulSet']);

export function workloadRefs(objects: readonly KubeObject[]): ObjectRef[] {
  return objects.filter((o) => o.apiVersion === 'apps/v1' && WORKLOAD_KINDS.has(o.kind)).map(refOf);
}

interface WorkloadStatus {
  observedGeneration?: number;
  replicas?: number;
  readyReplicas?: number;
  updatedReplicas?: number;
  availableReplicas?: number;
  conditions?: Array<{ type: string; status: string; reason?: string; message?: string }>;
}

interface Workload extends KubeObject {
  spec?: { replicas?: number };
  status?: WorkloadStatus;
}

/**
 * Why a Deployment or StatefulSet is not ready yet, or undefined when it is:
 * its controller has seen the current generation, all desired replicas run the
 * current template and are ready, and no surplus replica is left.
 */
export function workloadNotReady(w: Workload): string | undefined {
  const name = `${w.kind} ${w.metadata.name}`;
  const desired = w.spec?.replicas ?? 1;
  const s = w.status ?? {};
  const ready = s.readyReplicas ?? 0;
  const updated = s.updatedReplicas ?? 0;
  const current = s.replicas ?? 0;
  if (s.observedGeneration === undefined) {
    return desired === 0 ? undefined : `${name} has 0/${desired} replicas ready and no status yet (nothing in the seed runs its pods: no kubelet or local runtime)`;
  }
  const failing = (s.conditions ?? []).find((c) => c.status === 'False' && c.message);
  const why = failing?.message ? ` (${failing.message.replace(/\.$/, '')})` : '';
  if (s.observedGeneration < (w.metadata.generation ?? 0)) return `${name} has not picked up its latest change yet${why}`;
  if (ready < desired) return `${name} has ${ready}/${desired} replicas ready${why}`;
  if (updated < desired) return `${name} has ${updated}/${desired} replicas updated to its latest template${why}`;
  if (current > desired) return `${name} still has ${current} replicas, scaling down to ${desired}`;
  return undefined;
}

export async function waitForWorkloads(
  client: Pick<KubeClient, 'get'>,
  refs: readonly ObjectRef[],
  options: { what: string; timeoutMs: number; intervalMs?: number; signal?: AbortSignal | undefined },
): Promise<void> {
  await waitFor(
    async () => {
      const reasons: string[] = [];
      for (const ref of refs) {
        const w = await client.get<Workload>(ref, options.signal);
        const reason = w === undefined ? `${ref.kind} ${ref.name} does not exist (deploy it first)` : workloadNotReady(w);
        if (reason !== undefined) reasons.push(reason);
      }
      return reasons.length === 0 ? { ready: true, value: undefined } : { ready: false, reason: reasons.join('; ') };
    },
    options,
  );
}

/** Waits until none of the objects exists; the message names those left and what holds them. */
export async function waitGone(
  client: Pick<KubeClient, 'get'>,
  refs: readonly ObjectRef[],
  options: { what: string; timeoutMs: number; intervalMs?: number; signal?: AbortSignal | undefined },
): Promise<void> {
  await waitFor(
    async () => {
      const left: string[] = [];
      for (const ref of refs) {
        const obj = await client.get(ref, options.signal);
        if (obj === undefined) continue;
        const finalizers = obj.metadata.finalizers ?? [];
        left.push(finalizers.length > 0 ? `${ref.kind} ${ref.name} (held by finalizers ${finalizers.join(', ')})` : `${ref.kind} ${ref.name}`);
      }
      return left.length === 0 ? { ready: true, value: undefined } : { ready: false, reason: `${left.join(', ')} still ${left.length === 1 ? 'exists' : 'exist'}` };
    },
    options,
  );
}
