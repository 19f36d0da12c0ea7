// What a shoot's credentials are: their Secret names and data keys, the
// certificate authorities, and for every leaf certificate the subject, SANs
// and usages it must carry given the shoot's parameters. Pure data.
import { firstServiceIP, parseEndpoint } from './addresses.ts';
import type { Endpoint } from './addresses.ts';
import type { Usage } from './primitives.ts';
import { invalid } from '../ui/errors.ts';

/** Certificate authorities, each its own self-signed root. */
export const CA_NAMES = ['ca', 'ca-client', 'ca-etcd', 'ca-etcd-peer', 'ca-front-proxy', 'ca-kubelet', 'ca-vpn'] as const;
export type CAName = (typeof CA_NAMES)[number];

/** Leaf certificates, each signed by one of the CAs. */
export const LEAF_NAMES = [
  'etcd-server',
  'etcd-peer',
  'etcd-client',
  'kube-apiserver',
  'kube-apiserver-kubelet',
  'kube-aggregator',
  'kube-controller-manager',
  'kube-scheduler',
  'kube-proxy',
  'vpn-server',
  'vpn-client',
] as const;
export type LeafName = (typeof LEAF_NAMES)[number];

export const SERVICE_ACCOUNT_KEY = 'service-account-key';
export const ENCRYPTION_CONFIG = 'encryption-config';
export const BOOTSTRAP_TOKEN = 'bootstrap-token';
export const VPN_TLS_AUTH = 'vpn-tlsauth';
export type SecretMaterialName = typeof SERVICE_ACCOUNT_KEY | typeof ENCRYPTION_CONFIG | typeof BOOTSTRAP_TOKEN | typeof VPN_TLS_AUTH;

export type CredentialName = CAName | LeafName | SecretMaterialName;

/** Every credential, in the order reports list them. Each is one Secret of the same name. */
export const CREDENTIAL_NAMES: readonly CredentialName[] = [
  ...CA_NAMES,
  ...LEAF_NAMES,
  SERVICE_ACCOUNT_KEY,
  ENCRYPTION_CONFIG,
  BOOTSTRAP_TOKEN,
  VPN_TLS_AUTH,
];

/** Data keys of the Secrets (values are UTF-8 text, PEM unless noted). */
export const DATA_KEYS = {
  /** CA Secrets: the bundle to trust (current CA first, then the previous one during a rotation). */
  caCert: 'ca.crt',
  /** CA Secrets: the current CA's private key. */
  caKey: 'ca.key',
  /** CA Secrets, only while a rotation is prepared: the previous CA certificate, still trusted. */
  caPrevious: 'ca-previous.crt',
  /** CA Secrets: the current CA certificate alone, for signers that take exactly one (kube-controller-manager). */
  caCurrent: 'ca-current.crt',
  tlsCert: 'tls.crt',
  tlsKey: 'tls.key',
  /** kube-controller-manager, kube-scheduler, kube-proxy: a kubeconfig with everything embedded. */
  kubeconfig: 'kubeconfig',
  /** service-account-key: the signing key (--service-account-signing-key-file). */
  serviceAccountKey: 'sa.key',
  /** service-account-key: the signing key's public half. */
  serviceAccountPublicKey: 'sa.pub',
  /** service-account-key: every public key tokens may be signed with (--service-account-key-file). */
  serviceAccountBundle: 'bundle.pem',
  /** encryption-config: YAML for --encryption-provider-config. */
  encryptionConfig: 'encryption-configuration.yaml',
  /** vpn-tlsauth: OpenVPN static key for tls-auth. */
  vpnTLSAuth: 'vpn.tlsauth',
  /** bootstrap-token: the keys of a bootstrap.kubernetes.io/token Secret, verbatim. */
  tokenId: 'token-id',
  tokenSecret: 'token-secret',
  expiration: 'expiration',
  usageAuthentication: 'usage-bootstrap-authentication',
  usageSigning: 'usage-bootstrap-signing',
  authExtraGroups: 'auth-extra-groups',
  description: 'description',
} as const;

/** CA subjects. Fixed, like kubeadm's: verifiers tell a rotated CA from its predecessor by key identifier. */
export const CA_COMMON_NAMES: Readonly<Record<CAName, string>> = {
  ca: 'kubernetes',
  'ca-client': 'kubernetes-client',
  'ca-etcd': 'etcd',
  'ca-etcd-peer': 'etcd-peer',
  'ca-front-proxy': 'front-proxy',
  'ca-kubelet': 'kubelet',
  'ca-vpn': 'vpn',
};

export const ETCD_NAME = 'etcd-main';
export const KUBE_APISERVER_SERVICE = 'kube-apiserver';
export const VPN_SERVER_SERVICE = 'vpn-seed-server';
/** Group a bootstrap token authenticates as, besides system:bootstrappers. */
export const BOOTSTRAP_TOKEN_GROUP = 'system:bootstrappers:kubegarden:default-node-token';
/** The front proxy's client CN, for --requestheader-allowed-names. */
export const FRONT_PROXY_CLIENT_NAME = 'system:kube-aggregator';

const DAY = 24 * 60 * 60;

export interface CredentialLifetimes {
  caSeconds: number;
  leafSeconds: number;
  bootstrapTokenSeconds: number;
  /** A leaf or token is renewed once this fraction of its lifetime has passed. */
  renewAfterFraction: number;
}

export const DEFAULT_LIFETIMES: Readonly<CredentialLifetimes> = {
  caSeconds: 10 * 365 * DAY,
  leafSeconds: 365 * DAY,
  bootstrapTokenSeconds: 7 * DAY,
  renewAfterFraction: 0.8,
};

export interface ShootCredentialsParams {
  /** The shoot's name, for the kubegarden.io/shoot label. */
  shootName: string;
  /** The shoot's namespace in its seed (shoot--<project>--<name>); in-seed Service names are qualified with it. */
  namespace: string;
  /** The shoot's services range; its first address is the `kubernetes` Service's IP. */
  servicesCIDR: string;
  /**
   * Where clients outside the seed reach the API server: host name or IP, optionally with a port.
   * Unknown until the load balancer exists; when it becomes known only the serving certificate changes.
   */
  externalEndpoint?: string | undefined;
  /** URL in-seed components (controller manager, scheduler) use for the API server. Default https://kube-apiserver. */
  internalServer?: string;
  /** Add localhost and 127.0.0.1 to the API server's certificate (local provider). */
  loopback?: boolean;
  /** The shoot's cluster domain. Default cluster.local. */
  clusterDomain?: string;
  /** The seed's cluster domain, for in-seed Service names. Default cluster.local. */
  seedClusterDomain?: string;
  /** --service-account-issuer. Default https://<external endpoint> (port only when not 443) once that is known. */
  serviceAccountIssuer?: string;
  lifetimes?: Partial<CredentialLifetimes>;
}

export interface ResolvedParams {
  shootName: string;
  namespace: string;
  clusterName: string;
  serviceIP: string;
  external: Endpoint | undefined;
  internalServer: string;
  loopback: boolean;
  clusterDomain: string;
  seedClusterDomain: string;
  serviceAccountIssuer: string | undefined;
  lifetimes: CredentialLifetimes;
}

const DNS_NAME = /^(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Defaults filled in and every value checked; throws KubegardenError('invalid') with one sentence. */
export function resolveParams(params: ShootCredentialsParams): ResolvedParams {
  for (const [what, value] of [
    ['shoot name', params.shootName],
    ['namespace', params.namespace],
    ['cluster domain', params.clusterDomain ?? 'cluster.local'],
    ['seed cluster domain', params.seedClusterDomain ?? 'cluster.local'],
  ] as const) {
    if (!DNS_NAME.test(value)) throw invalid(`The ${what} "${value}" is not a lowercase DNS name.`);
  }
  const lifetimes = { ...DEFAULT_LIFETIMES, ...params.lifetimes };
  for (const [key, value] of Object.entries(lifetimes)) {
    const ok = key === 'renewAfterFraction' ? value > 0 && value < 1 : Number.isInteger(value) && value > 0;
    if (!ok) throw invalid(`The credential lifetime setting ${key}=${value} is out of range.`);
  }
  const external = params.externalEndpoint === undefined ? undefined : parseEndpoint(params.externalEndpoint);
  const internalServer = params.internalServer ?? `https://${KUBE_APISERVER_SERVICE}`;
  parseEndpoint(internalServer); // validates
  return {
    shootName: params.shootName,
    namespace: params.namespace,
    clusterName: params.namespace,
    serviceIP: firstServiceIP(params.servicesCIDR),
    external,
    internalServer,
    loopback: params.loopback ?? false,
    clusterDomain: params.clusterDomain ?? 'cluster.local',
    seedClusterDomain: params.seedClusterDomain ?? 'cluster.local',
    serviceAccountIssuer: params.serviceAccountIssuer ?? external?.server,
    lifetimes,
  };
}

export interface LeafSpec {
  name: LeafName;
  issuer: CAName;
  commonName: string;
  organizations: string[];
  dnsNames: string[];
  ipAddresses: string[];
  usages: Usage[];
  /** For leaves shipped as a kubeconfig: the server it points at (undefined: not known yet, no kubeconfig). */
  kubeconfig?: { server: string | undefined };
  /**
   * Leaves of one group issued in the same run share a key pair (RSA key generation is
   * most of the cost of a shoot's credentials). Only certificates that always sit in the
   * same process share, so a stolen key gives nothing that process did not already hold;
   * a certificate renewed on its own gets a key of its own.
   */
  keyGroup?: string;
}

/** A Service's names as seen from its own namespace, from the namespace, and fully qualified. */
function serviceNames(service: string, namespace: string, domain: string): string[] {
  return [service, `${service}.${namespace}`, `${service}.${namespace}.svc`, `${service}.${namespace}.svc.${domain}`];
}

// kube-apiserver's client identities towards etcd, kubelets and extension API servers. Its
// serving certificate keeps a key of its own: that key faces the outside world, and
// nothing learned from the public port should let anyone act as the API server's clients.
const KUBE_APISERVER_CLIENTS = 'kube-apiserver-clients';

const LOOPBACK_DNS = 'localhost';
const LOOPBACK_IP = '127.0.0.1';

/** The certificates a shoot needs, given its parameters. */
export function leafSpecs(p: ResolvedParams): LeafSpec[] {
  const ns = p.namespace;
  const seedDomain = p.seedClusterDomain;
  const etcdClient = serviceNames(`${ETCD_NAME}-client`, ns, seedDomain);
  const etcdPeer = serviceNames(`${ETCD_NAME}-peer`, ns, seedDomain);
  // StatefulSet members are addressed through the headless peer Service: etcd-main-0.etcd-main-peer.<ns>.svc
  const etcdMembers = [`*.${ETCD_NAME}-peer.${ns}.svc`, `*.${ETCD_NAME}-peer.${ns}.svc.${seedDomain}`];
  const apiserverDNS = [
    'kubernetes',
    'kubernetes.default',
    'kubernetes.default.svc',
    `kubernetes.default.svc.${p.clusterDomain}`,
    ...serviceNames(KUBE_APISERVER_SERVICE, ns, seedDomain),
  ];
  const apiserverIPs = [p.serviceIP];
  if (p.external !== undefined) (p.external.isIP ? apiserverIPs : apiserverDNS).push(p.external.host);
  if (p.loopback) {
    apiserverDNS.push(LOOPBACK_DNS);
    apiserverIPs.push(LOOPBACK_IP);
  }
  const shootServer = p.external?.server;
  const specs: LeafSpec[] = [
    {
      name: 'etcd-server',
      issuer: 'ca-etcd',
      commonName: `${ETCD_NAME}-server`,
      organizations: [],
      dnsNames: [...etcdClient, ...etcdMembers, LOOPBACK_DNS],
      ipAddresses: [LOOPBACK_IP],
      // etcd's gRPC gateway dials the server with the server's own certificate, so it needs clientAuth too.
      usages: ['server', 'client'],
      keyGroup: ETCD_NAME,
    },
    {
      name: 'etcd-peer',
      issuer: 'ca-etcd-peer',
      commonName: `${ETCD_NAME}-peer`,
      organizations: [],
      dnsNames: [...etcdPeer, ...etcdMembers, LOOPBACK_DNS],
      ipAddresses: [LOOPBACK_IP],
      usages: ['server', 'client'],
      keyGroup: ETCD_NAME,
    },
    {
      name: 'etcd-client',
      issuer: 'ca-etcd',
      commonName: 'kube-apiserver-etcd-client',
      organizations: [],
      dnsNames: [],
      ipAddresses: [],
      usages: ['client'],
      keyGroup: KUBE_APISERVER_CLIENTS,
    },
    {
      name: 'kube-apiserver',
      issuer: 'ca',
      commonName: 'kube-apiserver',
      organizations: [],
      dnsNames: apiserverDNS,
      ipAddresses: apiserverIPs,
      usages: ['server'],
    },
    {
      // The kubelet authorizes the API server through the API server itself; system:masters passes.
      name: 'kube-apiserver-kubelet',
      issuer: 'ca-client',
      commonName: 'kube-apiserver-kubelet-client',
      organizations: ['system:masters'],
      dnsNames: [],
      ipAddresses: [],
      usages: ['client'],
      keyGroup: KUBE_APISERVER_CLIENTS,
    },
    {
      name: 'kube-aggregator',
      issuer: 'ca-front-proxy',
      commonName: FRONT_PROXY_CLIENT_NAME,
      organizations: [],
      dnsNames: [],
      ipAddresses: [],
      usages: ['client'],
      keyGroup: KUBE_APISERVER_CLIENTS,
    },
    // Built-in RBAC binds these user names (ClusterRoleBindings system:kube-controller-manager,
    // system:kube-scheduler, system:node-proxier).
    ...(
      [
        ['kube-controller-manager', 'system:kube-controller-manager', p.internalServer],
        ['kube-scheduler', 'system:kube-scheduler', p.internalServer],
        ['kube-proxy', 'system:kube-proxy', shootServer],
      ] as const
    ).map(([name, commonName, server]): LeafSpec => ({
      name,
      issuer: 'ca-client',
      commonName,
      organizations: [],
      dnsNames: [],
      ipAddresses: [],
      usages: ['client'],
      kubeconfig: { server },
    })),
    {
      name: 'vpn-server',
      issuer: 'ca-vpn',
      commonName: VPN_SERVER_SERVICE,
      organizations: [],
      dnsNames: serviceNames(VPN_SERVER_SERVICE, ns, seedDomain),
      ipAddresses: [],
      usages: ['server'],
    },
    { name: 'vpn-client', issuer: 'ca-vpn', commonName: 'vpn-shoot-client', organizations: [], dnsNames: [], ipAddresses: [], usages: ['client'] },
  ];
  return specs.map(normalizeSpec);
}

function normalizeSpec(spec: LeafSpec): LeafSpec {
  const unique = (values: string[]): string[] => [...new Set(values)].sort();
  return {
    ...spec,
    organizations: unique(spec.organizations),
    dnsNames: unique(spec.dnsNames),
    ipAddresses: unique(spec.ipAddresses),
    usages: unique(spec.usages) as Usage[],
  };
}

export function isCAName(name: string): name is CAName {
  return (CA_NAMES as readonly string[]).includes(name);
}

export function isLeafName(name: string): name is LeafName {
  return (LEAF_NAMES as readonly string[]).includes(name);
}

export function assertCredentialName(name: string): asserts name is CredentialName {
  if (!(CREDENTIAL_NAMES as readonly string[]).includes(name)) {
    throw invalid(`"${name}" is not a shoot credential; known ones are ${CREDENTIAL_NAMES.join(', ')}.`);
  }
}
