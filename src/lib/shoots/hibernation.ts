// Hibernation is a switch on the Shoot; the create flow, run again, makes the
// shoot match it: workers to zero and the control plane scaled down (etcd
// keeps its data), or everything back.
import { API_VERSION, projectNamespace, type OperationType, type Shoot } from '../api/types.ts';
import { createFlow } from '../flows/create.ts';
import { getShoot } from '../garden/shoots.ts';
import type { KubeClient } from '../kube/client.ts';
import { runShootOperation, type OperationResult, type RunOptions } from './operate.ts';

export async function setHibernation(garden: KubeClient, project: string, name: string, hibernate: boolean, options: RunOptions): Promise<OperationResult> {
  const shoot = await getShoot(garden, project, name, options.signal);
  const operation: OperationType = hibernate ? 'Hibernate' : 'Wake';
  // The switch is recorded once the lock is held: an operation refused by the lock changes nothing.
  const record: Shoot = {
    apiVersion: API_VERSION,
    kind: 'Shoot',
    metadata: { name, namespace: projectNamespace(project), ...(shoot.metadata.labels ? { labels: shoot.metadata.labels } : {}) },
    spec: { ...shoot.spec, hibernation: { ...shoot.spec.hibernation, enabled: hibernate } },
  };
  return runShootOperation(garden, project, name, operation, createFlow('Reconcile'), { ...options, record });
}
