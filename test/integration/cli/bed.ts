// A garden with the kubegarden API, the project "dev" and a registered seed
// "local" (a second real API server), shared by the CLI contract tests. Shoots
// are written straight into the garden where a test needs one in a given state.
import { KubeClient, type KubeObject } from '../../../src/lib/kube/client.ts';
import type { LocalCluster } from '../../../src/lib/local/cluster.ts';
import { kubegardenOk } from '../../helpers/cli.ts';
import { startTestCluster } from '../../helpers/testbed.ts';

export interface Bed {
  garden: LocalCluster;
  seed: LocalCluster;
  client: KubeClient;
  /** --kubeconfig of the garden. */
  g: string[];
}

export async function startBed(): Promise<Bed> {
  const [garden, seed] = await Promise.all([startTestCluster('garden'), startTestCluster('seed')]);
  const client = await KubeClient.connect({ kubeconfig: garden.kubeconfigPath });
  const g = ['--kubeconfig', garden.kubeconfigPath];
  await kubegardenOk(['garden', 'init', ...g]);
  await kubegardenOk(['project', 'create', 'dev', ...g]);
  await kubegardenOk(['seed', 'register', 'local', ...g, '--seed-kubeconfig', seed.kubeconfigPath, '--provider', 'local', '--region', 'local']);
  return { garden, seed, client, g };
}

type Status = Record<string, unknown>;

/** A Shoot as "shoot create" records it, optionally with a status. */
export async function putShoot(client: KubeClient, name: string, status?: Status, project = 'dev'): Promise<KubeObject> {
  const obj: KubeObject = {
    apiVersion: 'kubegarden.io/v1alpha1',
    kind: 'Shoot',
    metadata: { name, namespace: `garden-${project}`, labels: { 'kubegarden.io/project': project } },
    spec: {
      provider: { type: 'local', region: 'local', zones: ['local'], workers: [{ name: 'worker', machineType: 'local', minimum: 1, maximum: 2, maxSurge: 1, maxUnavailable: 0, zones: ['local'], volume: { size: '50Gi' } }] },
      kubernetes: { version: '1.37.2' },
      networking: { nodes: '10.250.0.0/16', pods: '100.96.0.0/11', services: '100.64.0.0/13' },
      seedName: 'local',
    },
  } as KubeObject;
  const created = await client.apply(obj);
  if (status) await client.applyStatus({ apiVersion: obj.apiVersion, kind: 'Shoot', metadata: { name, namespace: `garden-${project}` }, status } as KubeObject);
  return created;
}

export const operation = (type: string, state: string, progress: number, description: string) => ({
  type,
  state,
  progress,
  description,
  lastUpdateTime: new Date().toISOString(),
});

/** A shoot lock as a live operation on another machine holds it: renewed just now, for an hour. */
export async function holdLock(client: KubeClient, project: string, shoot: string, holder: string): Promise<void> {
  const { microTime } = await import('../../../src/lib/flows/lock.ts');
  await client.create({
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: { name: `shoot-${shoot}-lock`, namespace: `garden-${project}` },
    spec: { holderIdentity: holder, leaseDurationSeconds: 3600, acquireTime: microTime(), renewTime: microTime() },
  } as KubeObject);
}
