// Seed-wide objects the control planes share: applied once per seed by the
// flow, never deleted with a shoot.
import { LABEL_MANAGED_BY, MANAGED_BY } from '../api/types.ts';
import type { KubeObject } from '../kube/client.ts';
import { PRIORITY_CLASS_NAME } from './meta.ts';

export { PRIORITY_CLASS_NAME };
/** Above every ordinary seed workload, below the 1e9 ceiling of user-defined classes and the system-* classes. */
export const PRIORITY_CLASS_VALUE = 999_000_000;

export function priorityClasses(): KubeObject[] {
  return [
    {
      apiVersion: 'scheduling.k8s.io/v1',
      kind: 'PriorityClass',
      metadata: { name: PRIORITY_CLASS_NAME, labels: { [LABEL_MANAGED_BY]: MANAGED_BY } },
      value: PRIORITY_CLASS_VALUE,
      globalDefault: false,
      preemptionPolicy: 'PreemptLowerPriority',
      description: 'Shoot control planes (etcd, kube-apiserver, kube-controller-manager, kube-scheduler, VPN server) hosted by kubegarden.',
    },
  ];
}
