// What lets kubelets join the shoot (TLS bootstrapping): the bootstrap token
// the cloud-config carries, the public cluster-info the bootstrap signer signs,
// and the RBAC that lets a token holder ask for a client certificate and has
// the controller manager approve kubelet client CSRs automatically.
//
// Flow on a new machine: kubelet authenticates with the token as
// system:bootstrap:<id> (groups system:bootstrappers, system:bootstrappers:kubegarden:…),
// creates a CSR for CN system:node:<name>, O system:nodes; the csrapproving
// controller approves it because system:bootstrappers may create
// certificatesigningrequests/nodeclient; the csrsigning controller signs it
// with the client CA; later renewals by the node itself are approved through
// selfnodeclient, bound to system:nodes.
import { stringify } from 'yaml';
import type { KubeObject } from '../kube/client.ts';
import { manifestComponent, type ComponentClient, type ComponentOptions, type SystemComponent } from './component.ts';
import { componentLabels, type SystemValues } from './values.ts';

export const NAME = 'bootstrap';

export const BOOTSTRAPPERS_GROUP = 'system:bootstrappers';
export const NODES_GROUP = 'system:nodes';
export const NODE_CLIENT_ROLE = 'system:certificates.k8s.io:certificatesigningrequests:nodeclient';
export const SELF_NODE_CLIENT_ROLE = 'system:certificates.k8s.io:certificatesigningrequests:selfnodeclient';

const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');

/** The kubeconfig in kube-public/cluster-info: server and CA only, no user; the bootstrap signer signs it. */
export function clusterInfoKubeconfig(values: Pick<SystemValues, 'apiServerUrl' | 'caPem'>): string {
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: '', cluster: { server: values.apiServerUrl, 'certificate-authority-data': b64(values.caPem) } }],
    contexts: [],
    users: [],
    'current-context': '',
    preferences: {},
  });
}

function clusterRoleBinding(values: SystemValues, name: string, role: string, group: string): KubeObject {
  return {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRoleBinding',
    metadata: { name, labels: componentLabels(values, NAME) },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: role },
    subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: group }],
  };
}

export function render(values: SystemValues): KubeObject[] {
  const labels = componentLabels(values, NAME);
  const token = values.bootstrapToken.shootSecret;
  // data, not stringData: server-side apply then owns exactly these keys, and a re-apply is a no-op.
  const data = Object.fromEntries(Object.entries(token.stringData).map(([k, v]) => [k, b64(v)]));
  return [
    { apiVersion: 'v1', kind: 'Secret', metadata: { name: token.name, namespace: token.namespace, labels }, type: token.type, data },
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'cluster-info', namespace: 'kube-public', labels },
      data: { kubeconfig: clusterInfoKubeconfig(values) },
    },
    // Joining machines may read cluster-info to check the signed kubeconfig against their token.
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata: { name: 'kubegarden:bootstrap-signer-clusterinfo', namespace: 'kube-public', labels },
      rules: [{ apiGroups: [''], resources: ['configmaps'], resourceNames: ['cluster-info'], verbs: ['get'] }],
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name: 'kubegarden:bootstrap-signer-clusterinfo', namespace: 'kube-public', labels },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'kubegarden:bootstrap-signer-clusterinfo' },
      subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: BOOTSTRAPPERS_GROUP }],
    },
    clusterRoleBinding(values, 'kubegarden:node-bootstrapper', 'system:node-bootstrapper', BOOTSTRAPPERS_GROUP),
    clusterRoleBinding(values, 'kubegarden:node-autoapprove-bootstrap', NODE_CLIENT_ROLE, BOOTSTRAPPERS_GROUP),
    clusterRoleBinding(values, 'kubegarden:node-autoapprove-certificate-rotation', SELF_NODE_CLIENT_ROLE, NODES_GROUP),
  ];
}

/** No workloads: ready as soon as the objects exist. */
export function bootstrapComponent(client: ComponentClient, values: SystemValues, options: ComponentOptions = {}): SystemComponent {
  return manifestComponent(client, { name: NAME, enabled: true, objects: render(values) }, options);
}
