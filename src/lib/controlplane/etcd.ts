// The shoot's etcd: a one-member StatefulSet etcd-main with its data on a
// claim of its own, TLS for clients and peers, and the client certificate
// required on both. Its data directory sits one level below the claim's mount
// (/var/etcd/data/new.etcd) so a backup-restore sidecar can later restore into
// a sibling directory and swap.
import { DATA_KEYS, ETCD_NAME } from '../pki/catalog.ts';
import type { CAName } from '../pki/catalog.ts';
import type { KubeObject, ObjectRef } from '../kube/client.ts';
import { defineComponent } from './component.ts';
import type { Component, ComponentOptions } from './component.ts';
import {
  checksumAnnotations,
  flag,
  isLocal,
  localPorts,
  objectMeta,
  podDisruptionBudget,
  podTemplate,
  secretFile,
  secretVolumes,
  selectorLabels,
  componentLabels,
} from './meta.ts';
import type { Resources, SecretFiles } from './meta.ts';
import type { ControlPlaneValues } from './values.ts';

export const ETCD_ROLE = ETCD_NAME;
export const ETCD_STATEFULSET = ETCD_NAME;
export const ETCD_CLIENT_SERVICE = `${ETCD_NAME}-client`;
export const ETCD_PEER_SERVICE = `${ETCD_NAME}-peer`;
export const ETCD_PDB = ETCD_NAME;
/** The claim template; the StatefulSet's claims are etcd-data-etcd-main-<ordinal>. */
export const ETCD_DATA_VOLUME = 'etcd-data';
export const ETCD_DATA_MOUNT = '/var/etcd/data';
export const ETCD_DATA_DIR = `${ETCD_DATA_MOUNT}/new.etcd`;
export const ETCD_STORAGE = '10Gi';
/** --quota-backend-bytes: 8 GiB, well inside the 10Gi claim so compaction and defragmentation have room. */
export const ETCD_QUOTA_BACKEND_BYTES = 8 * 1024 ** 3;
/** Cloud seeds: pod ports. */
export const ETCD_PORTS = { client: 2379, peer: 2380, metrics: 2381 } as const;

const CA_ETCD: CAName = 'ca-etcd';
const CA_ETCD_PEER: CAName = 'ca-etcd-peer';

/** What etcd mounts: its serving and peer certificates and the two CAs it verifies clients and peers with. */
export const ETCD_SECRETS: readonly SecretFiles[] = [
  { secret: 'etcd-server', keys: [DATA_KEYS.tlsCert, DATA_KEYS.tlsKey] },
  { secret: 'etcd-peer', keys: [DATA_KEYS.tlsCert, DATA_KEYS.tlsKey] },
  { secret: CA_ETCD, keys: [DATA_KEYS.caCert] },
  { secret: CA_ETCD_PEER, keys: [DATA_KEYS.caCert] },
];

/** Where kube-apiserver reaches etcd: its loopback port on a local seed, the client Service elsewhere (the server certificate names both). */
export function etcdClientURL(values: ControlPlaneValues): string {
  return isLocal(values) ? `https://127.0.0.1:${localPorts(values).etcdClient}` : `https://${ETCD_CLIENT_SERVICE}.${values.namespace}.svc:${ETCD_PORTS.client}`;
}

function ports(values: ControlPlaneValues): { client: number; peer: number; metrics: number } {
  if (!isLocal(values)) return { ...ETCD_PORTS };
  const p = localPorts(values);
  return { client: p.etcdClient, peer: p.etcdPeer, metrics: p.etcdMetrics };
}

function resources(values: ControlPlaneValues): Resources {
  return values.purpose === 'production'
    ? { requests: { cpu: '500m', memory: '1Gi' }, limits: { memory: '4Gi' } }
    : { requests: { cpu: '200m', memory: '512Mi' }, limits: { memory: '2Gi' } };
}

export function etcdArgs(values: ControlPlaneValues): string[] {
  const p = ports(values);
  const local = isLocal(values);
  const listen = local ? '127.0.0.1' : '0.0.0.0';
  // $(POD_NAME) is etcd-main-0: the member's name, and its DNS name under the headless peer Service.
  const peerURL = local ? `https://127.0.0.1:${p.peer}` : `https://$(POD_NAME).${ETCD_PEER_SERVICE}.${values.namespace}.svc:${p.peer}`;
  return [
    flag('name', '$(POD_NAME)'),
    flag('data-dir', ETCD_DATA_DIR),
    flag('listen-client-urls', `https://${listen}:${p.client}`),
    flag('advertise-client-urls', etcdClientURL(values)),
    flag('listen-peer-urls', `https://${listen}:${p.peer}`),
    flag('initial-advertise-peer-urls', peerURL),
    flag('initial-cluster', `$(POD_NAME)=${peerURL}`),
    flag('initial-cluster-state', 'new'),
    flag('initial-cluster-token', values.namespace),
    // The client port demands a client certificate; probes and metrics scrapers use this plain listener.
    flag('listen-metrics-urls', `http://${listen}:${p.metrics}`),
    flag('cert-file', secretFile('etcd-server', DATA_KEYS.tlsCert)),
    flag('key-file', secretFile('etcd-server', DATA_KEYS.tlsKey)),
    flag('trusted-ca-file', secretFile(CA_ETCD, DATA_KEYS.caCert)),
    flag('client-cert-auth', true),
    flag('peer-cert-file', secretFile('etcd-peer', DATA_KEYS.tlsCert)),
    flag('peer-key-file', secretFile('etcd-peer', DATA_KEYS.tlsKey)),
    flag('peer-trusted-ca-file', secretFile(CA_ETCD_PEER, DATA_KEYS.caCert)),
    flag('peer-client-cert-auth', true),
    flag('quota-backend-bytes', ETCD_QUOTA_BACKEND_BYTES),
    flag('auto-compaction-mode', 'periodic'),
    flag('auto-compaction-retention', '30m'),
    flag('snapshot-count', 10000),
  ];
}

function statefulSet(values: ControlPlaneValues): KubeObject {
  const p = ports(values);
  const { volumes, mounts } = secretVolumes(ETCD_SECRETS);
  const probe = (path: string, periodSeconds: number, failureThreshold: number) => ({
    httpGet: { path, port: 'metrics', scheme: 'HTTP' },
    periodSeconds,
    timeoutSeconds: 5,
    failureThreshold,
  });
  const container = {
    name: 'etcd',
    image: values.images.etcd,
    command: ['etcd'],
    args: etcdArgs(values),
    env: [{ name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }],
    ports: [
      { name: 'client', containerPort: p.client, protocol: 'TCP' },
      { name: 'peer', containerPort: p.peer, protocol: 'TCP' },
      { name: 'metrics', containerPort: p.metrics, protocol: 'TCP' },
    ],
    readinessProbe: probe('/health', 5, 3),
    livenessProbe: { ...probe('/livez', 10, 6), initialDelaySeconds: 15 },
    resources: resources(values),
    volumeMounts: [{ name: ETCD_DATA_VOLUME, mountPath: ETCD_DATA_MOUNT }, ...mounts],
  };
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: objectMeta(values, ETCD_ROLE, ETCD_STATEFULSET),
    spec: {
      // One member: a second would need the first's consent (member add), which a backup-restore sidecar will do.
      replicas: Math.min(values.replicas, 1),
      serviceName: ETCD_PEER_SERVICE,
      selector: { matchLabels: selectorLabels(ETCD_ROLE) },
      updateStrategy: { type: 'RollingUpdate' },
      // Hibernation scales to zero: the data must stay.
      persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain', whenScaled: 'Retain' },
      template: podTemplate(values, {
        role: ETCD_ROLE,
        containers: [container],
        volumes,
        annotations: checksumAnnotations(values, ETCD_SECRETS.map((s) => s.secret)),
        terminationGracePeriodSeconds: 30,
      }),
      volumeClaimTemplates: [
        {
          // Written out as the API server stores it (kind, volumeMode, status): otherwise every
          // server-side apply of the StatefulSet counts as a change and rewrites the object.
          apiVersion: 'v1',
          kind: 'PersistentVolumeClaim',
          metadata: { name: ETCD_DATA_VOLUME, labels: componentLabels(values, ETCD_ROLE) },
          spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: ETCD_STORAGE } }, volumeMode: 'Filesystem' },
          status: { phase: 'Pending' },
        },
      ],
    },
  };
}

function services(values: ControlPlaneValues): KubeObject[] {
  const selector = selectorLabels(ETCD_ROLE);
  return [
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: objectMeta(values, ETCD_ROLE, ETCD_CLIENT_SERVICE),
      spec: {
        type: 'ClusterIP',
        selector,
        ports: [
          { name: 'client', port: ETCD_PORTS.client, targetPort: 'client', protocol: 'TCP' },
          { name: 'metrics', port: ETCD_PORTS.metrics, targetPort: 'metrics', protocol: 'TCP' },
        ],
      },
    },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: objectMeta(values, ETCD_ROLE, ETCD_PEER_SERVICE),
      spec: {
        type: 'ClusterIP',
        clusterIP: 'None',
        // Members must find each other before they are ready: readiness needs a quorum.
        publishNotReadyAddresses: true,
        selector,
        ports: [
          { name: 'peer', port: ETCD_PORTS.peer, targetPort: 'peer', protocol: 'TCP' },
          { name: 'client', port: ETCD_PORTS.client, targetPort: 'client', protocol: 'TCP' },
        ],
      },
    },
  ];
}

/**
 * The Services (cloud seeds only: on a local seed everything talks to loopback
 * ports, and a Service would advertise ports nothing listens on), the
 * PodDisruptionBudget and the StatefulSet.
 */
export function render(values: ControlPlaneValues): KubeObject[] {
  return [...(isLocal(values) ? [] : services(values)), podDisruptionBudget(values, ETCD_ROLE, ETCD_PDB), statefulSet(values)];
}

/** The claims the StatefulSet created: destroy deletes them, and with them the shoot's data. */
function claims(values: ControlPlaneValues): ObjectRef[] {
  return [{ apiVersion: 'v1', kind: 'PersistentVolumeClaim', name: `${ETCD_DATA_VOLUME}-${ETCD_STATEFULSET}-0`, namespace: values.namespace }];
}

export function etcdComponent(options: ComponentOptions = {}): Component {
  return defineComponent({ name: ETCD_NAME, render, extraCleanup: claims }, options);
}

export const etcd: Component = etcdComponent();
