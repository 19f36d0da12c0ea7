// What the shoot-side system components are rendered from. Pure: no I/O.
//
// The shoot's kube-system daemons (kube-proxy, CoreDNS, the VPN client), the
// objects that let kubelets join (bootstrap token, cluster-info, RBAC) and the
// add-ons a Shoot asks for are applied through the shoot's own API server once
// it answers; each is a component module built from these values.
import { LABEL_PROJECT, LABEL_SHOOT, managedLabels } from '../api/types.ts';
import { minorOf, parseVersion } from '../api/versions.ts';
import type { BootstrapTokenValue } from '../pki/types.ts';
import { invalid } from '../ui/errors.ts';

export interface SystemImages {
  kubeProxy: string;
  coredns: string;
  metricsServer: string;
  dashboard: string;
  vpnClient: string;
}

/** Where the VPN client in the shoot reaches the VPN server in the seed, and its credentials. */
export interface VpnClientValues {
  /** The VPN server's public address (host name or IPv4) and port. */
  endpoint: { host: string; port: number };
  /** ca-vpn: what the client trusts for the server. */
  caPem: string;
  /** vpn-client leaf: the client's certificate and key. */
  certPem: string;
  keyPem: string;
  /** vpn-tlsauth: OpenVPN's static tls-auth key. */
  tlsAuthKey: string;
}

export interface SystemValues {
  shoot: string;
  project: string;
  /** The shoot's Kubernetes version, e.g. "1.37.2" (no "v"). */
  kubernetesVersion: string;
  networking: { pods: string; services: string; nodes: string };
  /** e.g. "cluster.local". */
  clusterDomain: string;
  /** The shoot API server as nodes reach it (external), e.g. "https://api.demo.example.com". */
  apiServerUrl: string;
  /** The cluster CA bundle (PEM): what clients trust for the API server. */
  caPem: string;
  /** From the shoot's credentials (pki): its Secret is copied into kube-system. */
  bootstrapToken: BootstrapTokenValue;
  /** kube-proxy's kubeconfig (the pki's kube-proxy Secret): a client certificate for system:kube-proxy. */
  kubeProxyKubeconfig: string;
  addons: { metricsServer: boolean; dashboard: boolean };
  /** Whether the VPN client runs in the shoot (real providers; never for local). */
  vpn: boolean;
  /** Required when vpn is true. */
  vpnClient?: VpnClientValues | undefined;
  images: SystemImages;
}

/** SystemValues with the fields that have defaults left optional. */
export type SystemValuesInput = Omit<SystemValues, 'images' | 'clusterDomain' | 'addons' | 'vpn'> & {
  images?: Partial<SystemImages>;
  clusterDomain?: string;
  addons?: Partial<SystemValues['addons']>;
  vpn?: boolean;
};

export const DEFAULT_CLUSTER_DOMAIN = 'cluster.local';

// CoreDNS releases paired with a Kubernetes minor, like the kubeadm defaults of the same era.
const COREDNS_BY_MINOR: Record<string, string> = {
  '1.35': 'v1.12.1',
  '1.36': 'v1.12.1',
  '1.37': 'v1.12.1',
};
const DEFAULT_COREDNS = 'v1.12.1';

/**
 * The default image of every system component for a Kubernetes version. The VPN
 * client image runs `openvpn --config <file>`; kubegarden publishes none yet, so
 * real providers with a VPN should set images.vpnClient.
 */
export function defaultSystemImages(kubernetesVersion: string): SystemImages {
  if (!parseVersion(kubernetesVersion)) throw invalid(`"${kubernetesVersion}" is not a Kubernetes version of the form 1.37.2.`);
  const minor = minorOf(kubernetesVersion) ?? '';
  return {
    kubeProxy: `registry.k8s.io/kube-proxy:v${kubernetesVersion}`,
    coredns: `registry.k8s.io/coredns/coredns:${COREDNS_BY_MINOR[minor] ?? DEFAULT_COREDNS}`,
    metricsServer: 'registry.k8s.io/metrics-server/metrics-server:v0.8.0',
    dashboard: 'docker.io/kubernetesui/dashboard:v2.7.0',
    vpnClient: 'ghcr.io/kubegarden/vpn-client:0.1.0',
  };
}

/** Fills the defaults: images for the version, cluster.local, no add-ons, no VPN. */
export function systemValues(input: SystemValuesInput): SystemValues {
  return {
    ...input,
    clusterDomain: input.clusterDomain ?? DEFAULT_CLUSTER_DOMAIN,
    addons: { metricsServer: input.addons?.metricsServer ?? false, dashboard: input.addons?.dashboard ?? false },
    vpn: input.vpn ?? false,
    images: { ...defaultSystemImages(input.kubernetesVersion), ...input.images },
  };
}

export const LABEL_COMPONENT = 'kubegarden.io/system-component';

/** Labels on every object a system component renders. */
export function componentLabels(values: Pick<SystemValues, 'shoot' | 'project'>, component: string, extra: Record<string, string> = {}): Record<string, string> {
  return managedLabels({ [LABEL_SHOOT]: values.shoot, [LABEL_PROJECT]: values.project, [LABEL_COMPONENT]: component, ...extra });
}

const DNS_NAME_RE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** The cluster domain goes into a Corefile: refuse anything but a DNS name. */
export function checkedClusterDomain(domain: string): string {
  if (domain.length > 253 || !DNS_NAME_RE.test(domain)) {
    throw invalid(`The cluster domain "${domain}" is not a DNS name (lower-case letters, digits, "-" and "."), e.g. cluster.local.`);
  }
  return domain;
}
