// What a shoot's control plane is rendered from: one plain object, built once
// by the flow from the Shoot, its seed and its credentials, and read by every
// component's pure render(values). Pure: no I/O.
import { isIPv4, isIPv6 } from 'node:net';
import { shootSeedNamespace } from '../api/types.ts';
import type { Networks, ProviderType, Purpose } from '../api/types.ts';
import { DEFAULT_KUBERNETES_VERSION, ETCD_VERSION, parseVersion } from '../api/versions.ts';
import { invalid } from '../ui/errors.ts';

/**
 * Loopback ports of a local seed, chosen by the local provider. Every
 * component runs on the host network there, so each listener has a port of its
 * own and the arguments carry them verbatim.
 */
export interface HostNetworkPorts {
  etcdClient: number;
  etcdPeer: number;
  /** etcd's plain-HTTP listener for /health, /livez, /readyz and /metrics (the client port needs a client certificate). */
  etcdMetrics: number;
  kubeApiserver: number;
  kubeControllerManager: number;
  kubeScheduler: number;
}

export interface ControlPlaneImages {
  etcd: string;
  kubeApiserver: string;
  kubeControllerManager: string;
  kubeScheduler: string;
  vpnSeedServer: string;
}

/** An audit.k8s.io/v1 Policy, as an object (it is serialised to YAML by the renderer). */
export type AuditPolicy = Record<string, unknown>;

export interface ControlPlaneValues {
  project: string;
  shoot: string;
  /** shoot--<project>--<shoot> */
  namespace: string;
  kubernetesVersion: string;
  networking: Networks;
  purpose: Purpose;
  provider: ProviderType;
  /** The shoot API server's external address: for local 127.0.0.1 and hostNetwork.ports.kubeApiserver. */
  endpoint: { host: string; port: number; url: string };
  /** Local provider only: every pod on the host network, listening on these loopback ports. Absent for cloud seeds. */
  hostNetwork?: { ports: HostNetworkPorts } | undefined;
  images: ControlPlaneImages;
  /** Secret name → checksum of its data; a pod template carries the checksums of the Secrets it mounts. */
  checksums: Record<string, string>;
  /** Replicas of every workload; 0 while the shoot is hibernated. */
  replicas: number;
  /** Whether the seed-side VPN server is deployed (cloud seeds; never for local). */
  vpn: boolean;
  /** Replaces the default audit policy. */
  auditPolicy?: AuditPolicy | undefined;
  serviceAccountIssuer: string;
  /** The shoot's cluster domain. */
  clusterDomain: string;
}

/** What the flow knows; everything else has a default. */
export interface ControlPlaneInput {
  project: string;
  shoot: string;
  provider: ProviderType;
  networking: Networks;
  /** Host (name or IP) and port; the URL is derived. */
  endpoint: { host: string; port: number };
  kubernetesVersion?: string;
  purpose?: Purpose;
  hostNetwork?: { ports: HostNetworkPorts } | undefined;
  images?: Partial<ControlPlaneImages>;
  checksums?: Record<string, string>;
  hibernated?: boolean;
  /** Replicas while awake; default 1. */
  replicas?: number;
  vpn?: boolean;
  auditPolicy?: AuditPolicy;
  /** Default: the endpoint's URL. */
  serviceAccountIssuer?: string;
  clusterDomain?: string;
}

/**
 * The image of the seed-side VPN server: an OpenVPN build that runs
 * `openvpn --config <file>`. kubegarden publishes it; the local provider never uses it.
 */
export const DEFAULT_VPN_IMAGE = 'ghcr.io/kubegarden/vpn-seed-server:0.1.0';

/** The upstream images of a Kubernetes version (the local runtime picks its binary by the last path segment and the tag). */
export function defaultImages(kubernetesVersion: string): ControlPlaneImages {
  return {
    etcd: `registry.k8s.io/etcd:${ETCD_VERSION}-0`,
    kubeApiserver: `registry.k8s.io/kube-apiserver:v${kubernetesVersion}`,
    kubeControllerManager: `registry.k8s.io/kube-controller-manager:v${kubernetesVersion}`,
    kubeScheduler: `registry.k8s.io/kube-scheduler:v${kubernetesVersion}`,
    vpnSeedServer: DEFAULT_VPN_IMAGE,
  };
}

/** https://host[:port], the port left out when it is 443; IPv6 hosts in brackets. */
export function endpointURL(host: string, port: number): string {
  const h = isIPv6(host) ? `[${host}]` : host;
  return port === 443 ? `https://${h}` : `https://${h}:${port}`;
}

export function isIPAddress(host: string): boolean {
  return isIPv4(host) || isIPv6(host);
}

const LOOPBACK = '127.0.0.1';

/** Values with every default filled in, checked for the combinations render relies on. */
export function controlPlaneValues(input: ControlPlaneInput): ControlPlaneValues {
  const kubernetesVersion = input.kubernetesVersion ?? DEFAULT_KUBERNETES_VERSION;
  const url = endpointURL(input.endpoint.host, input.endpoint.port);
  const values: ControlPlaneValues = {
    project: input.project,
    shoot: input.shoot,
    namespace: shootSeedNamespace(input.project, input.shoot),
    kubernetesVersion,
    networking: { ...input.networking },
    purpose: input.purpose ?? 'evaluation',
    provider: input.provider,
    endpoint: { host: input.endpoint.host, port: input.endpoint.port, url },
    hostNetwork: input.hostNetwork === undefined ? undefined : { ports: { ...input.hostNetwork.ports } },
    images: { ...defaultImages(kubernetesVersion), ...input.images },
    checksums: { ...input.checksums },
    replicas: input.hibernated ? 0 : (input.replicas ?? 1),
    vpn: input.vpn ?? input.provider !== 'local',
    auditPolicy: input.auditPolicy,
    serviceAccountIssuer: input.serviceAccountIssuer ?? url,
    clusterDomain: input.clusterDomain ?? 'cluster.local',
  };
  if (values.hostNetwork === undefined) delete values.hostNetwork;
  if (values.auditPolicy === undefined) delete values.auditPolicy;
  checkValues(values);
  return values;
}

/** Throws KubegardenError('invalid') with one sentence when the values cannot be rendered. */
export function checkValues(v: ControlPlaneValues): void {
  const who = `The control plane of shoot ${v.project}/${v.shoot}`;
  if (parseVersion(v.kubernetesVersion) === undefined) throw invalid(`${who} has the Kubernetes version "${v.kubernetesVersion}", which is not of the form 1.37.2.`);
  if (!Number.isInteger(v.replicas) || v.replicas < 0) throw invalid(`${who} asks for ${v.replicas} replicas; give a whole number, 0 or more.`);
  if (v.provider === 'local') {
    if (v.hostNetwork === undefined) throw invalid(`${who} runs on a local seed but has no loopback ports: the local provider must allocate them.`);
    if (v.vpn) throw invalid(`${who} runs on a local seed, which has no VPN: the shoot's networks are this machine's.`);
    if (v.endpoint.host !== LOOPBACK || v.endpoint.port !== v.hostNetwork.ports.kubeApiserver) {
      throw invalid(`${who} runs on a local seed, so its endpoint must be ${LOOPBACK}:${v.hostNetwork.ports.kubeApiserver} (the API server's loopback port), not ${v.endpoint.host}:${v.endpoint.port}.`);
    }
    const ports = Object.values(v.hostNetwork.ports);
    if (ports.some((p) => !Number.isInteger(p) || p < 1 || p > 65535) || new Set(ports).size !== ports.length) {
      throw invalid(`${who} has loopback ports ${ports.join(', ')}; each must be a distinct port between 1 and 65535.`);
    }
    if (v.replicas > 1) throw invalid(`${who} asks for ${v.replicas} replicas, but on a local seed each component listens on one loopback port, so at most 1 can run.`);
  } else if (v.hostNetwork !== undefined) {
    throw invalid(`${who} runs on a ${v.provider} seed, where components use pod networking: loopback ports are for the local provider only.`);
  }
}
