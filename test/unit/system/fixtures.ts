// Values and a fake client for rendering and lifecycle tests of the system components.
import type { KubeObject, ObjectRef } from '../../../src/lib/kube/client.ts';
import { generateBootstrapToken } from '../../../src/lib/pki/material.ts';
import type { ComponentClient } from '../../../src/lib/system/component.ts';
import { systemValues, type SystemValues, type SystemValuesInput } from '../../../src/lib/system/values.ts';

export const CA = '-----BEGIN CERTIFICATE-----\nQ0E=\n-----END CERTIFICATE-----\n';

export function values(patch: Partial<SystemValuesInput> = {}): SystemValues {
  return systemValues({
    shoot: 'demo',
    project: 'dev',
    kubernetesVersion: '1.37.2',
    networking: { pods: '100.96.0.0/11', services: '100.64.0.0/13', nodes: '10.250.0.0/16' },
    apiServerUrl: 'https://api.demo.example.com',
    caPem: CA,
    bootstrapToken: generateBootstrapToken(new Date('2030-01-01T00:00:00Z'), 7 * 24 * 3600),
    kubeProxyKubeconfig: 'apiVersion: v1\nkind: Config\nusers:\n- name: kube-proxy\n  user:\n    client-key-data: S0VZ\n',
    ...patch,
  });
}

export const key = (r: ObjectRef) => `${r.apiVersion}/${r.kind}/${r.namespace ?? ''}/${r.name}`;

/** A cluster in a Map: apply stores, get reads, delete removes; every call is recorded. */
export function fakeClient(): ComponentClient & { objects: Map<string, KubeObject>; calls: string[] } {
  const objects = new Map<string, KubeObject>();
  const calls: string[] = [];
  const refOf = (o: KubeObject): ObjectRef => ({ apiVersion: o.apiVersion, kind: o.kind, name: o.metadata.name, namespace: o.metadata.namespace });
  return {
    objects,
    calls,
    async apply<T extends KubeObject>(obj: KubeObject): Promise<T> {
      calls.push(`apply ${obj.kind} ${obj.metadata.name}`);
      objects.set(key(refOf(obj)), structuredClone(obj));
      return obj as T;
    },
    async get<T extends KubeObject>(ref: ObjectRef): Promise<T | undefined> {
      return objects.get(key(ref)) as T | undefined;
    },
    async delete(ref: ObjectRef): Promise<boolean> {
      calls.push(`delete ${ref.kind} ${ref.name}`);
      return objects.delete(key(ref));
    },
  };
}
