// Known-good Shoot and Seed inputs: each bad case in the tables changes one
// thing about these, so the error it gets is the error that change causes.
import { defaultShootSpec } from '../../../src/lib/api/defaults.ts';
import { API_VERSION, type Seed, type ShootSpec } from '../../../src/lib/api/types.ts';

/** What a user writes for a small AWS shoot: two zones, one pool, defaults for the rest. */
export function userShootSpec(): ShootSpec {
  return {
    provider: {
      type: 'aws',
      region: 'eu-west-1',
      zones: ['eu-west-1a', 'eu-west-1b'],
      workers: [{ name: 'worker', machineType: 'm5.large', minimum: 1, maximum: 3 }],
    },
    kubernetes: { version: '1.37.2' },
    networking: { nodes: '', pods: '', services: '' },
  };
}

/** The same spec after defaulting, as validateShoot expects it. */
export function goodShootSpec(): ShootSpec {
  return defaultShootSpec(userShootSpec());
}

export function goodSeed(networks: Partial<Seed['spec']['networks']> = {}): Seed {
  return {
    apiVersion: API_VERSION,
    kind: 'Seed',
    metadata: { name: 'aws-eu' },
    spec: {
      provider: { type: 'aws', region: 'eu-west-1' },
      secretRef: { name: 'seed-aws-eu-kubeconfig', namespace: 'kubegarden-system' },
      networks: { nodes: '172.18.0.0/16', pods: '10.1.0.0/16', services: '10.2.0.0/16', ...networks },
      capacity: { shoots: 250 },
    },
  };
}
