// The lifecycle every shoot-side system component shares: apply its manifests
// (server-side apply), wait, delete them, wait until they are gone.
//
// Waiting comes in two strengths, because a local shoot's nodes are simulated
// and run no containers: `waitApplied` (every object exists; what a local
// shoot can promise) and `waitReady` (workloads are rolled out and ready; what a
// real provider's shoot must reach). `wait` is one of the two, chosen by the
// `waitFor` option; the flows pick 'ready' only on real providers.
import { refOf, type KubeClient, type KubeObject, type ObjectRef } from '../kube/client.ts';
import { waitFor } from '../kube/wait.ts';

export type Readiness = 'applied' | 'ready';

export interface ComponentOptions {
  /** What `wait` waits for; default 'ready'. Local shoots use 'applied'. */
  waitFor?: Readiness;
  /** Per wait; tests shorten it. Default 5 minutes. */
  timeoutMs?: number;
  intervalMs?: number;
}

export interface SystemComponent {
  readonly name: string;
  /** False when the values turn it off: the reconcile destroys it instead. */
  readonly enabled: boolean;
  /** What deploy applies: the rendered manifests (none when disabled). */
  readonly manifests: readonly KubeObject[];
  deploy(signal?: AbortSignal): Promise<void>;
  /** waitApplied or waitReady, by options.waitFor. */
  wait(signal?: AbortSignal): Promise<void>;
  waitApplied(signal?: AbortSignal): Promise<void>;
  waitReady(signal?: AbortSignal): Promise<void>;
  /** Deletes everything the component may have created, enabled or not. */
  destroy(signal?: AbortSignal): Promise<void>;
  waitCleanup(signal?: AbortSignal): Promise<void>;
}

/** The client calls a component makes; a unit test passes a plain object. */
export type ComponentClient = Pick<KubeClient, 'apply' | 'get' | 'delete'>;

export interface ComponentSpec {
  name: string;
  enabled: boolean;
  /** Everything the component consists of when enabled, in apply order (destroy goes backwards). */
  objects: readonly KubeObject[];
}

export const DEFAULT_COMPONENT_TIMEOUT_MS = 5 * 60_000;

const WORKLOAD_KINDS = new Set(['apps/v1/Deployment', 'apps/v1/DaemonSet', 'apiregistration.k8s.io/v1/APIService']);

export function describeRef(ref: ObjectRef): string {
  return `${ref.kind} ${ref.namespace ? `${ref.namespace}/` : ''}${ref.name}`;
}

/** Why a workload is not ready yet, or undefined when it is. */
export function notReadyReason(obj: KubeObject): string | undefined {
  const what = describeRef(refOf(obj));
  const status = (obj['status'] ?? {}) as Record<string, unknown>;
  const num = (key: string) => (typeof status[key] === 'number' ? (status[key] as number) : 0);
  const generation = obj.metadata.generation ?? 0;
  if (obj.kind === 'APIService') {
    const conditions = (status['conditions'] ?? []) as Array<{ type: string; status: string; message?: string }>;
    const available = conditions.find((c) => c.type === 'Available');
    return available?.status === 'True' ? undefined : `${what} is not available${available?.message ? ` (${available.message})` : ''}`;
  }
  if (num('observedGeneration') < generation) return `${what} has not been observed by its controller yet`;
  if (obj.kind === 'DaemonSet') {
    const desired = num('desiredNumberScheduled');
    if (num('updatedNumberScheduled') < desired) return `${what} has ${num('updatedNumberScheduled')} of ${desired} pods updated`;
    if (num('numberReady') < desired) return `${what} has ${num('numberReady')} of ${desired} pods ready`;
    return undefined;
  }
  if (obj.kind === 'Deployment') {
    const spec = (obj['spec'] ?? {}) as { replicas?: number };
    const desired = spec.replicas ?? 1;
    if (num('updatedReplicas') < desired) return `${what} has ${num('updatedReplicas')} of ${desired} replicas updated`;
    if (num('availableReplicas') < desired) return `${what} has ${num('availableReplicas')} of ${desired} replicas available`;
    return undefined;
  }
  return undefined;
}

export function manifestComponent(client: ComponentClient, spec: ComponentSpec, options: ComponentOptions = {}): SystemComponent {
  const timeoutMs = options.timeoutMs ?? DEFAULT_COMPONENT_TIMEOUT_MS;
  const intervalMs = options.intervalMs ?? 2000;
  const manifests = spec.enabled ? spec.objects : [];
  const refs = spec.objects.map(refOf);

  const missing = async (wanted: readonly ObjectRef[], signal?: AbortSignal): Promise<ObjectRef[]> => {
    const found = await Promise.all(wanted.map((ref) => client.get(ref, signal)));
    return wanted.filter((_, i) => found[i] === undefined);
  };

  const waitApplied = async (signal?: AbortSignal) => {
    await waitFor(
      async () => {
        const gone = await missing(manifests.map(refOf), signal);
        return gone.length === 0 ? { ready: true, value: undefined } : { ready: false, reason: `${gone.map(describeRef).join(', ')} ${gone.length === 1 ? 'does' : 'do'} not exist` };
      },
      { what: `the ${spec.name} objects to exist`, timeoutMs, intervalMs, signal },
    );
  };

  const waitReady = async (signal?: AbortSignal) => {
    const workloads = manifests.filter((o) => WORKLOAD_KINDS.has(`${o.apiVersion}/${o.kind}`)).map(refOf);
    await waitApplied(signal);
    await waitFor(
      async () => {
        const reasons: string[] = [];
        for (const ref of workloads) {
          const live = await client.get(ref, signal);
          const reason = live ? notReadyReason(live) : `${describeRef(ref)} does not exist`;
          if (reason) reasons.push(reason);
        }
        return reasons.length === 0 ? { ready: true, value: undefined } : { ready: false, reason: reasons.join('; ') };
      },
      { what: `${spec.name} to be ready`, timeoutMs, intervalMs, signal },
    );
  };

  return {
    name: spec.name,
    enabled: spec.enabled,
    manifests,
    async deploy(signal) {
      // In order: namespaces and accounts before what uses them.
      for (const obj of manifests) await client.apply(obj, signal);
    },
    waitApplied,
    waitReady,
    wait: (signal) => ((options.waitFor ?? 'ready') === 'ready' ? waitReady(signal) : waitApplied(signal)),
    async destroy(signal) {
      for (const ref of [...refs].reverse()) await client.delete(ref, signal ? { signal } : {});
    },
    async waitCleanup(signal) {
      await waitFor(
        async () => {
          const left = await missing(refs, signal).then((gone) => refs.filter((r) => !gone.includes(r)));
          return left.length === 0 ? { ready: true, value: undefined } : { ready: false, reason: `${left.map(describeRef).join(', ')} still ${left.length === 1 ? 'exists' : 'exist'}` };
        },
        { what: `the ${spec.name} objects to be deleted`, timeoutMs, intervalMs, signal },
      );
    },
  };
}
