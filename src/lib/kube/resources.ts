// Where each kind lives in the REST API. Kinds kubegarden uses are listed so
// that no request pays for discovery; others are found by discovery once.

export interface ResourceInfo {
  group: string;
  version: string;
  plural: string;
  namespaced: boolean;
}

const core = (plural: string, namespaced = true): ResourceInfo => ({ group: '', version: 'v1', plural, namespaced });
const grp = (group: string, version: string, plural: string, namespaced = true): ResourceInfo => ({ group, version, plural, namespaced });

const KNOWN: Record<string, ResourceInfo> = {
  'v1/Namespace': core('namespaces', false),
  'v1/Secret': core('secrets'),
  'v1/ConfigMap': core('configmaps'),
  'v1/Service': core('services'),
  'v1/ServiceAccount': core('serviceaccounts'),
  'v1/Pod': core('pods'),
  'v1/Node': core('nodes', false),
  'v1/Endpoints': core('endpoints'),
  'v1/PersistentVolumeClaim': core('persistentvolumeclaims'),
  'v1/PersistentVolume': core('persistentvolumes', false),
  'v1/Event': core('events'),
  'apps/v1/Deployment': grp('apps', 'v1', 'deployments'),
  'apps/v1/StatefulSet': grp('apps', 'v1', 'statefulsets'),
  'apps/v1/DaemonSet': grp('apps', 'v1', 'daemonsets'),
  'apps/v1/ReplicaSet': grp('apps', 'v1', 'replicasets'),
  'policy/v1/PodDisruptionBudget': grp('policy', 'v1', 'poddisruptionbudgets'),
  'scheduling.k8s.io/v1/PriorityClass': grp('scheduling.k8s.io', 'v1', 'priorityclasses', false),
  'rbac.authorization.k8s.io/v1/ClusterRole': grp('rbac.authorization.k8s.io', 'v1', 'clusterroles', false),
  'rbac.authorization.k8s.io/v1/ClusterRoleBinding': grp('rbac.authorization.k8s.io', 'v1', 'clusterrolebindings', false),
  'rbac.authorization.k8s.io/v1/Role': grp('rbac.authorization.k8s.io', 'v1', 'roles'),
  'rbac.authorization.k8s.io/v1/RoleBinding': grp('rbac.authorization.k8s.io', 'v1', 'rolebindings'),
  'apiextensions.k8s.io/v1/CustomResourceDefinition': grp('apiextensions.k8s.io', 'v1', 'customresourcedefinitions', false),
  'coordination.k8s.io/v1/Lease': grp('coordination.k8s.io', 'v1', 'leases'),
  'certificates.k8s.io/v1/CertificateSigningRequest': grp('certificates.k8s.io', 'v1', 'certificatesigningrequests', false),
  'apiregistration.k8s.io/v1/APIService': grp('apiregistration.k8s.io', 'v1', 'apiservices', false),
  'admissionregistration.k8s.io/v1/ValidatingWebhookConfiguration': grp('admissionregistration.k8s.io', 'v1', 'validatingwebhookconfigurations', false),
  'admissionregistration.k8s.io/v1/MutatingWebhookConfiguration': grp('admissionregistration.k8s.io', 'v1', 'mutatingwebhookconfigurations', false),
  'kubegarden.io/v1alpha1/Seed': grp('kubegarden.io', 'v1alpha1', 'seeds', false),
  'kubegarden.io/v1alpha1/Shoot': grp('kubegarden.io', 'v1alpha1', 'shoots'),
};

export function knownResource(apiVersion: string, kind: string): ResourceInfo | undefined {
  return KNOWN[`${apiVersion}/${kind}`];
}

export function collectionPath(info: ResourceInfo, namespace?: string): string {
  const base = info.group === '' ? `/api/${info.version}` : `/apis/${info.group}/${info.version}`;
  const ns = info.namespaced && namespace ? `/namespaces/${encodeURIComponent(namespace)}` : '';
  return `${base}${ns}/${info.plural}`;
}

export function objectPath(info: ResourceInfo, name: string, namespace?: string): string {
  return `${collectionPath(info, namespace)}/${encodeURIComponent(name)}`;
}

/** "seeds.kubegarden.io" or "secrets": how the API server names a resource in messages. */
export function resourceName(info: ResourceInfo): string {
  return info.group === '' ? info.plural : `${info.plural}.${info.group}`;
}
