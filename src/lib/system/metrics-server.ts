// The metrics-server add-on (spec.addons.metricsServer): node and pod resource
// metrics served through the aggregated API v1beta1.metrics.k8s.io, which
// `kubectl top` and the HorizontalPodAutoscaler read.
//
// It scrapes kubelets over HTTPS. Kubelets request their serving certificates
// (serverTLSBootstrap); until something approves those CSRs (the
// controller manager does not approve kubelet-serving CSRs), metrics-server
// cannot verify kubelets, so it runs with --kubelet-insecure-tls for now.
import type { KubeObject } from '../kube/client.ts';
import { manifestComponent, type ComponentClient, type ComponentOptions, type SystemComponent } from './component.ts';
import { componentLabels, type SystemValues } from './values.ts';

export const NAME = 'metrics-server';
const NAMESPACE = 'kube-system';
const SELECTOR = { 'k8s-app': 'metrics-server' };

/** Every object, whether or not the add-on is enabled (destroy needs them all). */
export function manifests(values: SystemValues): KubeObject[] {
  const labels = componentLabels(values, NAME);
  const podLabels = { ...labels, ...SELECTOR };
  const rbac = 'rbac.authorization.k8s.io/v1';
  const roleRef = (kind: string, name: string) => ({ apiGroup: 'rbac.authorization.k8s.io', kind, name });
  const subjects = [{ kind: 'ServiceAccount', name: 'metrics-server', namespace: NAMESPACE }];
  return [
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'metrics-server', namespace: NAMESPACE, labels } },
    {
      apiVersion: rbac,
      kind: 'ClusterRole',
      // Aggregated into view/edit/admin: whoever may read pods may read their metrics.
      metadata: {
        name: 'system:aggregated-metrics-reader',
        labels: {
          ...labels,
          'rbac.authorization.k8s.io/aggregate-to-view': 'true',
          'rbac.authorization.k8s.io/aggregate-to-edit': 'true',
          'rbac.authorization.k8s.io/aggregate-to-admin': 'true',
        },
      },
      rules: [{ apiGroups: ['metrics.k8s.io'], resources: ['pods', 'nodes'], verbs: ['get', 'list', 'watch'] }],
    },
    {
      apiVersion: rbac,
      kind: 'ClusterRole',
      metadata: { name: 'system:metrics-server', labels },
      rules: [
        { apiGroups: [''], resources: ['nodes/metrics'], verbs: ['get'] },
        { apiGroups: [''], resources: ['pods', 'nodes'], verbs: ['get', 'list', 'watch'] },
      ],
    },
    { apiVersion: rbac, kind: 'ClusterRoleBinding', metadata: { name: 'system:metrics-server', labels }, roleRef: roleRef('ClusterRole', 'system:metrics-server'), subjects },
    // An aggregated API server delegates authentication and authorization to the kube-apiserver.
    {
      apiVersion: rbac,
      kind: 'ClusterRoleBinding',
      metadata: { name: 'metrics-server:system:auth-delegator', labels },
      roleRef: roleRef('ClusterRole', 'system:auth-delegator'),
      subjects,
    },
    {
      apiVersion: rbac,
      kind: 'RoleBinding',
      metadata: { name: 'metrics-server-auth-reader', namespace: NAMESPACE, labels },
      roleRef: roleRef('Role', 'extension-apiserver-authentication-reader'),
      subjects,
    },
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'metrics-server', namespace: NAMESPACE, labels: podLabels },
      spec: {
        replicas: 1,
        selector: { matchLabels: SELECTOR },
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0 } },
        template: {
          metadata: { labels: podLabels },
          spec: {
            serviceAccountName: 'metrics-server',
            priorityClassName: 'system-cluster-critical',
            nodeSelector: { 'kubernetes.io/os': 'linux' },
            containers: [
              {
                name: 'metrics-server',
                image: values.images.metricsServer,
                args: [
                  '--cert-dir=/tmp',
                  '--secure-port=10250',
                  '--kubelet-preferred-address-types=InternalIP,ExternalIP,Hostname',
                  '--kubelet-use-node-status-port',
                  '--kubelet-insecure-tls',
                  '--metric-resolution=15s',
                ],
                ports: [{ name: 'https', containerPort: 10250, protocol: 'TCP' }],
                readinessProbe: { httpGet: { path: '/readyz', port: 'https', scheme: 'HTTPS' }, initialDelaySeconds: 20, periodSeconds: 10 },
                livenessProbe: { httpGet: { path: '/livez', port: 'https', scheme: 'HTTPS' }, periodSeconds: 10, failureThreshold: 3 },
                resources: { requests: { cpu: '100m', memory: '200Mi' } },
                securityContext: {
                  allowPrivilegeEscalation: false,
                  readOnlyRootFilesystem: true,
                  runAsNonRoot: true,
                  runAsUser: 1000,
                  capabilities: { drop: ['ALL'] },
                  seccompProfile: { type: 'RuntimeDefault' },
                },
                volumeMounts: [{ name: 'tmp-dir', mountPath: '/tmp' }],
              },
            ],
            volumes: [{ name: 'tmp-dir', emptyDir: {} }],
          },
        },
      },
    },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'metrics-server', namespace: NAMESPACE, labels: podLabels },
      spec: { selector: SELECTOR, ports: [{ name: 'https', port: 443, targetPort: 'https', protocol: 'TCP' }] },
    },
    {
      apiVersion: 'apiregistration.k8s.io/v1',
      kind: 'APIService',
      metadata: { name: 'v1beta1.metrics.k8s.io', labels },
      spec: {
        group: 'metrics.k8s.io',
        version: 'v1beta1',
        service: { name: 'metrics-server', namespace: NAMESPACE, port: 443 },
        // metrics-server serves a self-signed certificate (--cert-dir).
        insecureSkipTLSVerify: true,
        groupPriorityMinimum: 100,
        versionPriority: 100,
      },
    },
  ];
}

/** The manifests to apply: none unless spec.addons.metricsServer is enabled. */
export function render(values: SystemValues): KubeObject[] {
  return values.addons.metricsServer ? manifests(values) : [];
}

export function metricsServerComponent(client: ComponentClient, values: SystemValues, options: ComponentOptions = {}): SystemComponent {
  return manifestComponent(client, { name: NAME, enabled: values.addons.metricsServer, objects: manifests(values) }, options);
}
