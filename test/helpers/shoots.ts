// A Shoot as a test needs it in the garden: recorded, with the smallest valid
// local spec, and no control plane behind it. Enough for every check a
// command makes before it changes anything.
import type { KubeObject } from '../../src/lib/kube/client.ts';

export interface MinimalShootOptions {
  version?: string;
  /** spec.seedName; none when absent (the shoot is not scheduled). */
  seed?: string;
}

export function minimalShoot(name: string, project: string, options: MinimalShootOptions = {}): KubeObject {
  return {
    apiVersion: 'kubegarden.io/v1alpha1',
    kind: 'Shoot',
    metadata: { name, namespace: `garden-${project}` },
    spec: {
      provider: { type: 'local', region: 'local', workers: [{ name: 'worker', machineType: 'local', minimum: 1, maximum: 2 }] },
      kubernetes: { version: options.version ?? '1.37.2' },
      networking: { nodes: '10.250.0.0/16', pods: '100.96.0.0/11', services: '100.64.0.0/13' },
      ...(options.seed ? { seedName: options.seed } : {}),
    },
  } as KubeObject;
}
