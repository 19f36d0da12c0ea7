// The shoot's API server: a Deployment behind a LoadBalancer Service on cloud
// seeds (on a local seed it listens on its loopback port and has no Service),
// with etcd over mutual TLS, the front proxy for aggregated APIs, service
// account tokens signed with the shoot's key, Secrets encrypted at rest and an
// audit log.
import { stringify } from 'yaml';
import { DATA_KEYS, FRONT_PROXY_CLIENT_NAME, KUBE_APISERVER_SERVICE } from '../pki/catalog.ts';
import type { KubeObject } from '../kube/client.ts';
import { defineComponent } from './component.ts';
import type { Component, ComponentOptions } from './component.ts';
import { etcdClientURL } from './etcd.ts';
import {
  checksumAnnotations,
  deployment,
  flag,
  httpsProbe,
  isLocal,
  localPorts,
  objectMeta,
  podDisruptionBudget,
  secretFile,
  secretVolumes,
  selectorLabels,
} from './meta.ts';
import type { Resources, SecretFiles } from './meta.ts';
import { isIPAddress } from './values.ts';
import type { AuditPolicy, ControlPlaneValues } from './values.ts';

export const KUBE_APISERVER_ROLE = 'kube-apiserver';
export const KUBE_APISERVER_DEPLOYMENT = 'kube-apiserver';
export { KUBE_APISERVER_SERVICE };
export const KUBE_APISERVER_PDB = 'kube-apiserver';
export const AUDIT_POLICY_CONFIGMAP = 'kube-apiserver-audit-policy';
export const AUDIT_POLICY_KEY = 'audit-policy.yaml';
const AUDIT_POLICY_DIR = '/etc/kubernetes/audit';
const AUDIT_LOG_DIR = '/var/log/kube-apiserver';
/** Cloud seeds: the pod's secure port, and the Service's (clients see https://<endpoint> on 443). */
export const KUBE_APISERVER_PORT = 443;

/**
 * Admission plugins turned on explicitly: NodeRestriction (off by default),
 * plus the defaults a production cluster relies on, named so that they stay
 * on whatever a release's default set becomes.
 */
export const ADMISSION_PLUGINS = [
  'NamespaceLifecycle',
  'LimitRanger',
  'ServiceAccount',
  'NodeRestriction',
  'Priority',
  'DefaultTolerationSeconds',
  'DefaultStorageClass',
  'StorageObjectInUseProtection',
  'PodSecurity',
  'MutatingAdmissionWebhook',
  'ValidatingAdmissionPolicy',
  'ValidatingAdmissionWebhook',
  'ResourceQuota',
] as const;

/** What kube-apiserver mounts. Only CA certificates: the CA keys stay with the signers. */
export const KUBE_APISERVER_SECRETS: readonly SecretFiles[] = [
  { secret: 'ca-client', keys: [DATA_KEYS.caCert] },
  { secret: 'ca-etcd', keys: [DATA_KEYS.caCert] },
  { secret: 'ca-front-proxy', keys: [DATA_KEYS.caCert] },
  { secret: 'ca-kubelet', keys: [DATA_KEYS.caCert] },
  { secret: 'etcd-client', keys: [DATA_KEYS.tlsCert, DATA_KEYS.tlsKey] },
  { secret: 'kube-apiserver', keys: [DATA_KEYS.tlsCert, DATA_KEYS.tlsKey] },
  { secret: 'kube-apiserver-kubelet', keys: [DATA_KEYS.tlsCert, DATA_KEYS.tlsKey] },
  { secret: 'kube-aggregator', keys: [DATA_KEYS.tlsCert, DATA_KEYS.tlsKey] },
  { secret: 'service-account-key', keys: [DATA_KEYS.serviceAccountKey, DATA_KEYS.serviceAccountBundle] },
  { secret: 'encryption-config', keys: [DATA_KEYS.encryptionConfig] },
];

/**
 * The default audit policy: metadata for everything, request bodies for
 * writes, never bodies of objects that hold credentials, and nothing for the
 * high-volume reads and health checks that would drown the rest.
 */
export function defaultAuditPolicy(): AuditPolicy {
  const core = (...resources: string[]) => ({ group: '', resources });
  return {
    apiVersion: 'audit.k8s.io/v1',
    kind: 'Policy',
    omitStages: ['RequestReceived'],
    rules: [
      { level: 'None', nonResourceURLs: ['/healthz*', '/livez*', '/readyz*', '/version'] },
      { level: 'None', resources: [core('events'), { group: 'events.k8s.io', resources: ['events'] }] },
      {
        level: 'None',
        users: ['system:kube-proxy'],
        verbs: ['watch'],
        resources: [core('endpoints', 'services'), { group: 'discovery.k8s.io', resources: ['endpointslices'] }],
      },
      { level: 'None', userGroups: ['system:nodes'], verbs: ['get'], resources: [core('nodes', 'nodes/status')] },
      {
        level: 'None',
        users: ['system:kube-controller-manager', 'system:kube-scheduler'],
        verbs: ['get', 'update'],
        namespaces: ['kube-system'],
        resources: [{ group: 'coordination.k8s.io', resources: ['leases'] }],
      },
      {
        level: 'Metadata',
        resources: [core('secrets', 'configmaps', 'serviceaccounts/token'), { group: 'authentication.k8s.io', resources: ['tokenreviews'] }],
      },
      { level: 'Request', verbs: ['create', 'update', 'patch', 'delete', 'deletecollection'] },
      { level: 'Metadata' },
    ],
  };
}

function auditConfigMapData(values: ControlPlaneValues): Record<string, string> {
  return { [AUDIT_POLICY_KEY]: stringify(values.auditPolicy ?? defaultAuditPolicy()) };
}

function securePort(values: ControlPlaneValues): number {
  return isLocal(values) ? localPorts(values).kubeApiserver : KUBE_APISERVER_PORT;
}

/**
 * How the shoot's `kubernetes` Service gets its endpoint. On a local seed the
 * address is loopback, which Kubernetes >= 1.37 refuses there: no reconciler.
 * On a cloud seed the API server advertises the load balancer when that is an
 * IP and the clients' port is the pod's; a host name (AWS) cannot be
 * advertised, so the reconciler is off and the shoot-side system components
 * keep the endpoint.
 */
function addressFlags(values: ControlPlaneValues): string[] {
  if (isLocal(values)) return [flag('bind-address', '127.0.0.1'), flag('advertise-address', '127.0.0.1'), flag('endpoint-reconciler-type', 'none')];
  const bind = flag('bind-address', '0.0.0.0');
  if (isIPAddress(values.endpoint.host) && values.endpoint.port === KUBE_APISERVER_PORT) return [bind, flag('advertise-address', values.endpoint.host)];
  return [bind, flag('endpoint-reconciler-type', 'none')];
}

export function kubeApiserverArgs(values: ControlPlaneValues): string[] {
  const file = secretFile;
  return [
    ...addressFlags(values),
    flag('secure-port', securePort(values)),
    flag('tls-cert-file', file('kube-apiserver', DATA_KEYS.tlsCert)),
    flag('tls-private-key-file', file('kube-apiserver', DATA_KEYS.tlsKey)),
    flag('tls-min-version', 'VersionTLS12'),
    flag('client-ca-file', file('ca-client', DATA_KEYS.caCert)),
    flag('etcd-servers', etcdClientURL(values)),
    flag('etcd-cafile', file('ca-etcd', DATA_KEYS.caCert)),
    flag('etcd-certfile', file('etcd-client', DATA_KEYS.tlsCert)),
    flag('etcd-keyfile', file('etcd-client', DATA_KEYS.tlsKey)),
    flag('encryption-provider-config', file('encryption-config', DATA_KEYS.encryptionConfig)),
    flag('service-account-issuer', values.serviceAccountIssuer),
    flag('service-account-key-file', file('service-account-key', DATA_KEYS.serviceAccountBundle)),
    flag('service-account-signing-key-file', file('service-account-key', DATA_KEYS.serviceAccountKey)),
    flag('api-audiences', [values.serviceAccountIssuer, 'kubernetes'].join(',')),
    flag('service-cluster-ip-range', values.networking.services),
    flag('authorization-mode', 'Node,RBAC'),
    // Kubelets join with the bootstrap token from their cloud-config (TLS bootstrapping).
    flag('enable-bootstrap-token-auth', 'true'),
    flag('enable-admission-plugins', ADMISSION_PLUGINS.join(',')),
    flag('allow-privileged', true),
    flag('profiling', false),
    flag('kubelet-client-certificate', file('kube-apiserver-kubelet', DATA_KEYS.tlsCert)),
    flag('kubelet-client-key', file('kube-apiserver-kubelet', DATA_KEYS.tlsKey)),
    flag('kubelet-certificate-authority', file('ca-kubelet', DATA_KEYS.caCert)),
    flag('kubelet-preferred-address-types', 'InternalIP,Hostname,ExternalIP'),
    flag('requestheader-client-ca-file', file('ca-front-proxy', DATA_KEYS.caCert)),
    flag('requestheader-allowed-names', FRONT_PROXY_CLIENT_NAME),
    flag('requestheader-username-headers', 'X-Remote-User'),
    flag('requestheader-group-headers', 'X-Remote-Group'),
    flag('requestheader-extra-headers-prefix', 'X-Remote-Extra-'),
    flag('proxy-client-cert-file', file('kube-aggregator', DATA_KEYS.tlsCert)),
    flag('proxy-client-key-file', file('kube-aggregator', DATA_KEYS.tlsKey)),
    flag('audit-policy-file', `${AUDIT_POLICY_DIR}/${AUDIT_POLICY_KEY}`),
    flag('audit-log-path', `${AUDIT_LOG_DIR}/audit.log`),
    flag('audit-log-maxage', 7),
    flag('audit-log-maxbackup', 5),
    flag('audit-log-maxsize', 100),
  ];
}

function resources(values: ControlPlaneValues): Resources {
  return values.purpose === 'production'
    ? { requests: { cpu: '500m', memory: '1Gi' }, limits: { memory: '4Gi' } }
    : { requests: { cpu: '250m', memory: '512Mi' }, limits: { memory: '2Gi' } };
}

function kubeApiserverDeployment(values: ControlPlaneValues): KubeObject {
  const { volumes, mounts } = secretVolumes(KUBE_APISERVER_SECRETS);
  const container = {
    name: 'kube-apiserver',
    image: values.images.kubeApiserver,
    command: ['kube-apiserver'],
    args: kubeApiserverArgs(values),
    ports: [{ name: 'https', containerPort: securePort(values), protocol: 'TCP' }],
    readinessProbe: httpsProbe('/readyz', 'https', { periodSeconds: 5, failureThreshold: 3 }),
    livenessProbe: httpsProbe('/livez', 'https', { initialDelaySeconds: 15, periodSeconds: 10, failureThreshold: 6 }),
    resources: resources(values),
    volumeMounts: [
      ...mounts,
      { name: 'audit-policy', mountPath: AUDIT_POLICY_DIR, readOnly: true },
      { name: 'audit-log', mountPath: AUDIT_LOG_DIR },
    ],
  };
  return deployment(values, {
    name: KUBE_APISERVER_DEPLOYMENT,
    role: KUBE_APISERVER_ROLE,
    replicas: values.replicas,
    // On a local seed a second pod could not bind the same loopback port: replace, don't surge.
    recreate: isLocal(values),
    containers: [container],
    volumes: [
      ...volumes,
      { name: 'audit-policy', configMap: { name: AUDIT_POLICY_CONFIGMAP } },
      // 5 rotated files of 100 MB and the current one fit.
      { name: 'audit-log', emptyDir: { sizeLimit: '1Gi' } },
    ],
    annotations: checksumAnnotations(
      values,
      KUBE_APISERVER_SECRETS.map((s) => s.secret),
      { [AUDIT_POLICY_CONFIGMAP]: auditConfigMapData(values) },
    ),
    terminationGracePeriodSeconds: 30,
  });
}

export function render(values: ControlPlaneValues): KubeObject[] {
  const objects: KubeObject[] = [
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: objectMeta(values, KUBE_APISERVER_ROLE, AUDIT_POLICY_CONFIGMAP),
      data: auditConfigMapData(values),
    },
  ];
  if (!isLocal(values)) {
    // Shoot clients reach the API server through the load balancer; in-seed
    // components (controller manager, scheduler) through https://kube-apiserver.
    objects.push({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: objectMeta(values, KUBE_APISERVER_ROLE, KUBE_APISERVER_SERVICE),
      spec: {
        type: 'LoadBalancer',
        selector: selectorLabels(KUBE_APISERVER_ROLE),
        ports: [{ name: 'https', port: KUBE_APISERVER_PORT, targetPort: 'https', protocol: 'TCP' }],
      },
    });
  }
  objects.push(podDisruptionBudget(values, KUBE_APISERVER_ROLE, KUBE_APISERVER_PDB), kubeApiserverDeployment(values));
  return objects;
}

export function kubeApiserverComponent(options: ComponentOptions = {}): Component {
  return defineComponent({ name: 'kube-apiserver', render }, options);
}

export const kubeApiserver: Component = kubeApiserverComponent();
