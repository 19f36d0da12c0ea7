// What `garden init` installs besides the CRDs: the system namespace and the
// ClusterRoles kubegarden users are bound to. Pure data.
import { GROUP, managedLabels, SYSTEM_NAMESPACE } from '../api/types.ts';
import type { KubeObject } from '../kube/client.ts';

export const ADMIN_ROLE = 'kubegarden-admin';
export const VIEWER_ROLE = 'kubegarden-viewer';
export const PROJECT_MEMBER_ROLE = 'kubegarden-project-member';
export const SEED_VIEWER_ROLE = 'kubegarden-seed-viewer';

export function systemNamespace(): KubeObject {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name: SYSTEM_NAMESPACE, labels: managedLabels({ 'kubegarden.io/role': 'system' }) } };
}

function clusterRole(name: string, rules: unknown[], description: string): KubeObject {
  return {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRole',
    metadata: { name, labels: managedLabels(), annotations: { 'kubegarden.io/description': description } },
    rules,
  };
}

const READ = ['get', 'list', 'watch'];
const WRITE = ['create', 'update', 'patch', 'delete'];

/** Everything a kubegarden operator does in the garden, without being cluster-admin. */
export function adminRole(): KubeObject {
  return clusterRole(
    ADMIN_ROLE,
    [
      { apiGroups: [GROUP], resources: ['seeds', 'seeds/status', 'shoots', 'shoots/status'], verbs: [...READ, ...WRITE] },
      { apiGroups: [''], resources: ['namespaces'], verbs: [...READ, ...WRITE] },
      { apiGroups: [''], resources: ['secrets', 'configmaps', 'events'], verbs: [...READ, ...WRITE] },
      { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: [...READ, ...WRITE] },
      { apiGroups: ['apiextensions.k8s.io'], resources: ['customresourcedefinitions'], verbs: READ },
      { apiGroups: ['rbac.authorization.k8s.io'], resources: ['rolebindings'], verbs: [...READ, ...WRITE] },
    ],
    'Manage seeds, projects and shoots in this garden.',
  );
}

export function viewerRole(): KubeObject {
  return clusterRole(
    VIEWER_ROLE,
    [
      { apiGroups: [GROUP], resources: ['seeds', 'seeds/status', 'shoots', 'shoots/status'], verbs: READ },
      { apiGroups: [''], resources: ['namespaces'], verbs: READ },
    ],
    'Read seeds, projects and shoots; no secrets.',
  );
}

/** Bound with a RoleBinding in garden-<project>: shoots and credentials of that project only. */
export function projectMemberRole(): KubeObject {
  return clusterRole(
    PROJECT_MEMBER_ROLE,
    [
      { apiGroups: [GROUP], resources: ['shoots', 'shoots/status'], verbs: [...READ, ...WRITE] },
      // Bound in garden-<project>, this reaches that one Namespace object only: the project lookup every shoot command makes.
      { apiGroups: [''], resources: ['namespaces'], verbs: ['get'] },
      { apiGroups: [''], resources: ['secrets', 'events'], verbs: [...READ, ...WRITE] },
      { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: [...READ, ...WRITE] },
    ],
    'Work with the shoots and credentials of one project (bind it in the project namespace).',
  );
}

/**
 * Bound with a ClusterRoleBinding next to project-member: reading Seeds (never
 * their kubeconfig Secrets), which choosing a seed for a new shoot needs.
 */
export function seedViewerRole(): KubeObject {
  return clusterRole(
    SEED_VIEWER_ROLE,
    [{ apiGroups: [GROUP], resources: ['seeds', 'seeds/status'], verbs: READ }],
    'Read seeds (not their kubeconfigs): needed to schedule shoots; bind it cluster-wide to project members.',
  );
}
