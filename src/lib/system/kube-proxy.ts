// kube-proxy on every node: a DaemonSet on the host network that programs
// iptables for Services. It reaches the API server at its external address with
// the client certificate from the shoot's credentials (system:kube-proxy), since
// the in-cluster `kubernetes` Service only works once kube-proxy runs.
//
// The kubeconfig carries a private key, so it lives in a Secret; the
// KubeProxyConfiguration (no secrets) in a ConfigMap; a projected volume puts
// both in /var/lib/kube-proxy.
import { stringify } from 'yaml';
import type { KubeObject } from '../kube/client.ts';
import { manifestComponent, type ComponentClient, type ComponentOptions, type SystemComponent } from './component.ts';
import { componentLabels, type SystemValues } from './values.ts';

export const NAME = 'kube-proxy';
const NAMESPACE = 'kube-system';
const CONFIG_DIR = '/var/lib/kube-proxy';
const SELECTOR = { 'k8s-app': 'kube-proxy' };

export function kubeProxyConfiguration(values: Pick<SystemValues, 'networking'>): Record<string, unknown> {
  return {
    apiVersion: 'kubeproxy.config.k8s.io/v1alpha1',
    kind: 'KubeProxyConfiguration',
    clientConnection: { kubeconfig: `${CONFIG_DIR}/kubeconfig` },
    mode: 'iptables',
    // Traffic from outside this range to a Service IP is masqueraded.
    clusterCIDR: values.networking.pods,
    bindAddress: '0.0.0.0',
    healthzBindAddress: '0.0.0.0:10256',
    metricsBindAddress: '0.0.0.0:10249',
  };
}

export function render(values: SystemValues): KubeObject[] {
  const labels = componentLabels(values, NAME);
  const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');
  return [
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'kube-proxy', namespace: NAMESPACE, labels } },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name: 'kubegarden:node-proxier', labels },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'system:node-proxier' },
      subjects: [{ kind: 'ServiceAccount', name: 'kube-proxy', namespace: NAMESPACE }],
    },
    {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'kube-proxy-kubeconfig', namespace: NAMESPACE, labels },
      type: 'Opaque',
      data: { kubeconfig: b64(values.kubeProxyKubeconfig) },
    },
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'kube-proxy-config', namespace: NAMESPACE, labels },
      data: { 'config.conf': stringify(kubeProxyConfiguration(values)) },
    },
    {
      apiVersion: 'apps/v1',
      kind: 'DaemonSet',
      metadata: { name: 'kube-proxy', namespace: NAMESPACE, labels: { ...labels, ...SELECTOR } },
      spec: {
        selector: { matchLabels: SELECTOR },
        updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1 } },
        template: {
          metadata: { labels: { ...labels, ...SELECTOR } },
          spec: {
            serviceAccountName: 'kube-proxy',
            hostNetwork: true,
            // The node's resolvers: cluster DNS is only reachable once kube-proxy has programmed its Service IP.
            dnsPolicy: 'Default',
            priorityClassName: 'system-node-critical',
            nodeSelector: { 'kubernetes.io/os': 'linux' },
            // Every node needs it, whatever taints a pool carries.
            tolerations: [{ operator: 'Exists' }],
            containers: [
              {
                name: 'kube-proxy',
                image: values.images.kubeProxy,
                command: ['/usr/local/bin/kube-proxy', `--config=${CONFIG_DIR}/config.conf`, '--hostname-override=$(NODE_NAME)'],
                env: [{ name: 'NODE_NAME', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } }],
                securityContext: { privileged: true },
                resources: { requests: { cpu: '20m', memory: '64Mi' } },
                livenessProbe: { httpGet: { host: '127.0.0.1', path: '/healthz', port: 10256 }, initialDelaySeconds: 15, periodSeconds: 20 },
                volumeMounts: [
                  { name: 'kube-proxy', mountPath: CONFIG_DIR, readOnly: true },
                  { name: 'xtables-lock', mountPath: '/run/xtables.lock' },
                  { name: 'lib-modules', mountPath: '/lib/modules', readOnly: true },
                ],
              },
            ],
            volumes: [
              {
                name: 'kube-proxy',
                projected: {
                  sources: [
                    { configMap: { name: 'kube-proxy-config', items: [{ key: 'config.conf', path: 'config.conf' }] } },
                    { secret: { name: 'kube-proxy-kubeconfig', items: [{ key: 'kubeconfig', path: 'kubeconfig' }] } },
                  ],
                },
              },
              { name: 'xtables-lock', hostPath: { path: '/run/xtables.lock', type: 'FileOrCreate' } },
              { name: 'lib-modules', hostPath: { path: '/lib/modules' } },
            ],
          },
        },
      },
    },
  ];
}

export function kubeProxyComponent(client: ComponentClient, values: SystemValues, options: ComponentOptions = {}): SystemComponent {
  return manifestComponent(client, { name: NAME, enabled: true, objects: render(values) }, options);
}
