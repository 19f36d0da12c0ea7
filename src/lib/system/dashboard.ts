// The Kubernetes Dashboard add-on (spec.addons.dashboard), in its own namespace
// kubernetes-dashboard. It has no permissions of its own on workloads: users
// sign in with their token and see what their RBAC allows. Reach it with
// `kubectl -n kubernetes-dashboard port-forward svc/kubernetes-dashboard 8443:443`.
import type { KubeObject } from '../kube/client.ts';
import { manifestComponent, type ComponentClient, type ComponentOptions, type SystemComponent } from './component.ts';
import { componentLabels, type SystemValues } from './values.ts';

export const NAME = 'dashboard';
export const NAMESPACE = 'kubernetes-dashboard';
const SELECTOR = { 'k8s-app': 'kubernetes-dashboard' };
// The dashboard keeps its state in these; it writes their data itself, so we create them empty.
const SECRETS = ['kubernetes-dashboard-certs', 'kubernetes-dashboard-csrf', 'kubernetes-dashboard-key-holder'];
const SETTINGS = 'kubernetes-dashboard-settings';

/** Every object, whether or not the add-on is enabled (destroy needs them all). */
export function manifests(values: SystemValues): KubeObject[] {
  const labels = componentLabels(values, NAME);
  const podLabels = { ...labels, ...SELECTOR };
  const rbac = 'rbac.authorization.k8s.io/v1';
  const subjects = [{ kind: 'ServiceAccount', name: 'kubernetes-dashboard', namespace: NAMESPACE }];
  return [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NAMESPACE, labels } },
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'kubernetes-dashboard', namespace: NAMESPACE, labels } },
    ...SECRETS.map((name): KubeObject => ({ apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace: NAMESPACE, labels }, type: 'Opaque' })),
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: SETTINGS, namespace: NAMESPACE, labels } },
    {
      apiVersion: rbac,
      kind: 'Role',
      metadata: { name: 'kubernetes-dashboard', namespace: NAMESPACE, labels },
      rules: [
        { apiGroups: [''], resources: ['secrets'], resourceNames: SECRETS, verbs: ['get', 'update', 'delete'] },
        { apiGroups: [''], resources: ['configmaps'], resourceNames: [SETTINGS], verbs: ['get', 'update'] },
      ],
    },
    {
      apiVersion: rbac,
      kind: 'RoleBinding',
      metadata: { name: 'kubernetes-dashboard', namespace: NAMESPACE, labels },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'kubernetes-dashboard' },
      subjects,
    },
    {
      apiVersion: rbac,
      kind: 'ClusterRole',
      metadata: { name: 'kubegarden:kubernetes-dashboard', labels },
      rules: [{ apiGroups: ['metrics.k8s.io'], resources: ['pods', 'nodes'], verbs: ['get', 'list', 'watch'] }],
    },
    {
      apiVersion: rbac,
      kind: 'ClusterRoleBinding',
      metadata: { name: 'kubegarden:kubernetes-dashboard', labels },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'kubegarden:kubernetes-dashboard' },
      subjects,
    },
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'kubernetes-dashboard', namespace: NAMESPACE, labels: podLabels },
      spec: {
        replicas: 1,
        selector: { matchLabels: SELECTOR },
        template: {
          metadata: { labels: podLabels },
          spec: {
            serviceAccountName: 'kubernetes-dashboard',
            nodeSelector: { 'kubernetes.io/os': 'linux' },
            securityContext: { seccompProfile: { type: 'RuntimeDefault' } },
            containers: [
              {
                name: 'kubernetes-dashboard',
                image: values.images.dashboard,
                args: ['--auto-generate-certificates', `--namespace=${NAMESPACE}`],
                ports: [{ name: 'https', containerPort: 8443, protocol: 'TCP' }],
                livenessProbe: { httpGet: { path: '/', port: 8443, scheme: 'HTTPS' }, initialDelaySeconds: 30, timeoutSeconds: 30 },
                readinessProbe: { httpGet: { path: '/', port: 8443, scheme: 'HTTPS' }, periodSeconds: 10 },
                resources: { requests: { cpu: '50m', memory: '64Mi' }, limits: { memory: '256Mi' } },
                securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, runAsUser: 1001, runAsGroup: 2001, capabilities: { drop: ['ALL'] } },
                volumeMounts: [
                  { name: 'kubernetes-dashboard-certs', mountPath: '/certs' },
                  { name: 'tmp-volume', mountPath: '/tmp' },
                ],
              },
            ],
            volumes: [
              { name: 'kubernetes-dashboard-certs', secret: { secretName: 'kubernetes-dashboard-certs' } },
              { name: 'tmp-volume', emptyDir: {} },
            ],
          },
        },
      },
    },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'kubernetes-dashboard', namespace: NAMESPACE, labels: podLabels },
      spec: { selector: SELECTOR, ports: [{ name: 'https', port: 443, targetPort: 8443, protocol: 'TCP' }] },
    },
  ];
}

/** The manifests to apply: none unless spec.addons.dashboard is enabled. */
export function render(values: SystemValues): KubeObject[] {
  return values.addons.dashboard ? manifests(values) : [];
}

export function dashboardComponent(client: ComponentClient, values: SystemValues, options: ComponentOptions = {}): SystemComponent {
  return manifestComponent(client, { name: NAME, enabled: values.addons.dashboard, objects: manifests(values) }, options);
}
