// The local provider's hooks for flows: loopback ports for shoot control
// planes, allocated seed-wide so that no two shoots share one, and recorded in
// the seed so a re-run gets the same ports back.
import { managedLabels, SYSTEM_NAMESPACE } from '../api/types.ts';
import type { KubeClient, KubeObject } from '../kube/client.ts';
import { KubegardenError } from '../ui/errors.ts';
import { freePort } from './ports.ts';

const REGISTRY = 'local-port-allocations';

type ConfigMap = KubeObject & { data?: Record<string, string> };

export const CONTROL_PLANE_PORTS = ['etcdClient', 'etcdPeer', 'etcdMetrics', 'kubeApiserver', 'kubeControllerManager', 'kubeScheduler'] as const;
export type ControlPlanePort = (typeof CONTROL_PLANE_PORTS)[number];

/** Ports for a shoot namespace, allocated once and kept until released. */
export async function allocateLocalPorts<K extends string>(seed: KubeClient, namespace: string, names: readonly K[], signal?: AbortSignal): Promise<Record<K, number>> {
  for (let attempt = 0; attempt < 10; attempt++) {
    const cm = await seed.get<ConfigMap>({ apiVersion: 'v1', kind: 'ConfigMap', name: REGISTRY, namespace: SYSTEM_NAMESPACE }, signal);
    const data = { ...(cm?.data ?? {}) };
    const taken = new Set(Object.values(data).map(Number));
    const result: Partial<Record<K, number>> = {};
    let changed = false;
    for (const name of names) {
      const key = `${namespace}.${name}`;
      const existing = data[key];
      if (existing) {
        result[name] = Number(existing);
        continue;
      }
      let port = await freePort();
      while (taken.has(port)) port = await freePort();
      taken.add(port);
      data[key] = String(port);
      result[name] = port;
      changed = true;
    }
    if (!changed) return result as Record<K, number>;
    try {
      if (!cm) {
        await seed.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: REGISTRY, namespace: SYSTEM_NAMESPACE, labels: managedLabels() }, data }, signal);
      } else {
        // resourceVersion in a merge patch is a precondition: a concurrent allocation makes this a 409 and we retry.
        await seed.mergePatch({ apiVersion: 'v1', kind: 'ConfigMap', name: REGISTRY, namespace: SYSTEM_NAMESPACE }, { metadata: { resourceVersion: cm.metadata.resourceVersion }, data }, signal);
      }
      return result as Record<K, number>;
    } catch (err) {
      if (err instanceof KubegardenError && err.code === 'conflict') continue;
      throw err;
    }
  }
  throw new KubegardenError('conflict', `Could not allocate loopback ports for ${namespace} in the local seed: too many concurrent allocations; run the command again.`);
}

/** Frees a shoot namespace's ports (after its control plane is gone). */
export async function releaseLocalPorts(seed: KubeClient, namespace: string, signal?: AbortSignal): Promise<void> {
  for (let attempt = 0; attempt < 10; attempt++) {
    const cm = await seed.get<ConfigMap>({ apiVersion: 'v1', kind: 'ConfigMap', name: REGISTRY, namespace: SYSTEM_NAMESPACE }, signal);
    const keys = Object.keys(cm?.data ?? {}).filter((k) => k.startsWith(`${namespace}.`));
    if (!cm || keys.length === 0) return;
    try {
      await seed.mergePatch(
        { apiVersion: 'v1', kind: 'ConfigMap', name: REGISTRY, namespace: SYSTEM_NAMESPACE },
        { metadata: { resourceVersion: cm.metadata.resourceVersion }, data: Object.fromEntries(keys.map((k) => [k, null])) },
        signal,
      );
      return;
    } catch (err) {
      if (err instanceof KubegardenError && err.code === 'conflict') continue;
      throw err;
    }
  }
}
