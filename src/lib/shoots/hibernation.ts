// Hibernation is a switch on the Shoot; the create flow, run again, makes the
// shoot match it: workers to zero and the control plane scaled down (etcd
// keeps its data), or everything back.
import { API_VERSION, projectNamespace, type OperationType } from '../api/types.ts';
import { createFlow } from '../flows/create.ts';
import { getShoot } from '../garden/shoots.ts';
import type { KubeClient } from '../kube/client.ts';
import { runShootOperation, type OperationResult, type RunOptions } from './operate.ts';

export async function setHibernation(garden: KubeClient, project: string, name: string, hibernate: boolean, options: RunOptions): Promise<OperationResult> {
  await getShoot(garden, project, name, options.signal);
  await garden.mergePatch({ apiVersion: API_VERSION, kind: 'Shoot', name, namespace: projectNamespace(project) }, { spec: { hibernation: { enabled: hibernate } } }, options.signal);
  const operation: OperationType = hibernate ? 'Hibernate' : 'Wake';
  return runShootOperation(garden, project, name, operation, createFlow('Reconcile'), options);
}
