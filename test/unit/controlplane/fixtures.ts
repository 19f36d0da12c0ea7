// Known-good control-plane values for a local and an AWS shoot, helpers to read
// rendered manifests, and the pki catalog's Secrets with their data keys.
import { controlPlaneValues } from '../../../src/lib/controlplane/values.ts';
import type { ControlPlaneInput, ControlPlaneValues } from '../../../src/lib/controlplane/values.ts';
import type { KubeObject } from '../../../src/lib/kube/client.ts';
import {
  BOOTSTRAP_TOKEN,
  CA_NAMES,
  DATA_KEYS,
  ENCRYPTION_CONFIG,
  LEAF_NAMES,
  SERVICE_ACCOUNT_KEY,
  VPN_TLS_AUTH,
  leafSpecs,
  resolveParams,
} from '../../../src/lib/pki/catalog.ts';

export const NETWORKS = { nodes: '10.250.0.0/16', pods: '100.96.0.0/11', services: '100.64.0.0/13' };

export const LOCAL_PORTS = {
  etcdClient: 32379,
  etcdPeer: 32380,
  etcdMetrics: 32381,
  kubeApiserver: 36443,
  kubeControllerManager: 30257,
  kubeScheduler: 30259,
};

export function localInput(patch: Partial<ControlPlaneInput> = {}): ControlPlaneInput {
  return {
    project: 'dev',
    shoot: 'local',
    provider: 'local',
    networking: { ...NETWORKS },
    endpoint: { host: '127.0.0.1', port: LOCAL_PORTS.kubeApiserver },
    hostNetwork: { ports: { ...LOCAL_PORTS } },
    checksums: { 'etcd-server': 'sum-etcd-server', 'kube-apiserver': 'sum-kube-apiserver', 'kube-scheduler': 'sum-kube-scheduler' },
    ...patch,
  };
}

export function awsInput(patch: Partial<ControlPlaneInput> = {}): ControlPlaneInput {
  return {
    project: 'dev',
    shoot: 'demo',
    provider: 'aws',
    purpose: 'production',
    networking: { ...NETWORKS },
    endpoint: { host: 'api.demo.dev.example.com', port: 443 },
    checksums: { 'etcd-server': 'sum-etcd-server', 'kube-apiserver': 'sum-kube-apiserver', 'vpn-server': 'sum-vpn-server' },
    ...patch,
  };
}

export const localValues = (patch: Partial<ControlPlaneInput> = {}): ControlPlaneValues => controlPlaneValues(localInput(patch));
export const awsValues = (patch: Partial<ControlPlaneInput> = {}): ControlPlaneValues => controlPlaneValues(awsInput(patch));

// ---- reading manifests ---------------------------------------------------------

export interface Container {
  name: string;
  image: string;
  command?: string[];
  args?: string[];
  ports?: Array<{ name?: string; containerPort: number }>;
  volumeMounts?: Array<{ name: string; mountPath: string }>;
  resources?: { requests?: Record<string, string> };
  readinessProbe?: { httpGet?: { path: string; port: string | number; scheme?: string }; tcpSocket?: unknown };
}

export interface PodSpec {
  hostNetwork?: boolean;
  priorityClassName?: string;
  containers: Container[];
  volumes?: Array<{ name: string; secret?: { secretName: string; items?: Array<{ key: string; path: string }> }; configMap?: { name: string }; [k: string]: unknown }>;
}

export interface Workload extends KubeObject {
  spec: {
    replicas: number;
    serviceName?: string;
    template: { metadata: { labels: Record<string, string>; annotations?: Record<string, string> }; spec: PodSpec };
    volumeClaimTemplates?: Array<{ metadata: { name: string }; spec: { resources: { requests: { storage: string } } } }>;
    persistentVolumeClaimRetentionPolicy?: { whenDeleted: string; whenScaled: string };
  };
}

export interface Service extends KubeObject {
  spec: { type: string; clusterIP?: string; ports: Array<{ port: number; targetPort: string | number }> };
}

export function find<T extends KubeObject = KubeObject>(objects: readonly KubeObject[], kind: string, name: string): T {
  const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
  if (found === undefined) throw new Error(`no ${kind} ${name} among ${objects.map((o) => `${o.kind}/${o.metadata.name}`).join(', ')}`);
  return found as T;
}

export function workloads(objects: readonly KubeObject[]): Workload[] {
  return objects.filter((o) => o.kind === 'Deployment' || o.kind === 'StatefulSet') as Workload[];
}

export function containerOf(objects: readonly KubeObject[], kind: string, name: string): Container {
  const c = find<Workload>(objects, kind, name).spec.template.spec.containers[0];
  if (c === undefined) throw new Error(`${kind} ${name} has no container`);
  return c;
}

/** The value of --name=value in an argument list (undefined when absent). */
export function flagValue(args: readonly string[] | undefined, name: string): string | undefined {
  const prefix = `--${name}=`;
  return args?.find((a) => a.startsWith(prefix))?.slice(prefix.length);
}

// ---- the pki catalog's Secrets ---------------------------------------------------

/** Every credential Secret the reconciler writes, with the data keys it holds. */
export function catalogSecretKeys(): Map<string, Set<string>> {
  const keys = new Map<string, Set<string>>();
  for (const ca of CA_NAMES) keys.set(ca, new Set([DATA_KEYS.caCert, DATA_KEYS.caKey, DATA_KEYS.caCurrent]));
  const withKubeconfig = new Set(
    leafSpecs(resolveParams({ shootName: 'x', namespace: 'shoot--x--x', servicesCIDR: '100.64.0.0/13', externalEndpoint: 'api.example.com' }))
      .filter((s) => s.kubeconfig?.server !== undefined)
      .map((s) => s.name),
  );
  for (const leaf of LEAF_NAMES) {
    keys.set(leaf, new Set([DATA_KEYS.tlsCert, DATA_KEYS.tlsKey, ...(withKubeconfig.has(leaf) ? [DATA_KEYS.kubeconfig] : [])]));
  }
  keys.set(SERVICE_ACCOUNT_KEY, new Set([DATA_KEYS.serviceAccountKey, DATA_KEYS.serviceAccountPublicKey, DATA_KEYS.serviceAccountBundle]));
  keys.set(ENCRYPTION_CONFIG, new Set([DATA_KEYS.encryptionConfig]));
  keys.set(VPN_TLS_AUTH, new Set([DATA_KEYS.vpnTLSAuth]));
  keys.set(BOOTSTRAP_TOKEN, new Set([DATA_KEYS.tokenId, DATA_KEYS.tokenSecret]));
  return keys;
}

/**
 * Every file a workload's arguments (or, for the VPN server, its ConfigMap)
 * name under a Secret mount, resolved to Secret and key: { file, secret, key }
 * or { file, problem } when no mounted Secret item provides it.
 */
export function secretFileReferences(objects: readonly KubeObject[]): Array<{ workload: string; file: string; secret?: string; key?: string; problem?: string }> {
  const out: Array<{ workload: string; file: string; secret?: string; key?: string; problem?: string }> = [];
  for (const w of workloads(objects)) {
    const spec = w.spec.template.spec;
    const texts: string[] = [];
    for (const c of spec.containers) texts.push(...(c.args ?? []));
    for (const v of spec.volumes ?? []) {
      if (!v.configMap) continue;
      const cm = objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === v.configMap?.name) as (KubeObject & { data?: Record<string, string> }) | undefined;
      texts.push(...Object.values(cm?.data ?? {}));
    }
    for (const text of texts) {
      for (const m of text.matchAll(/\/srv\/kubernetes\/[^\s=,]+/g)) {
        const file = m[0];
        const container = spec.containers.find((c) => c.volumeMounts?.some((vm) => file.startsWith(`${vm.mountPath}/`)));
        const mount = container?.volumeMounts?.find((vm) => file.startsWith(`${vm.mountPath}/`));
        const volume = spec.volumes?.find((v) => v.name === mount?.name);
        const rel = mount === undefined ? '' : file.slice(mount.mountPath.length + 1);
        const item = volume?.secret?.items?.find((i) => i.path === rel);
        const workload = `${w.kind}/${w.metadata.name}`;
        if (volume?.secret === undefined) out.push({ workload, file, problem: 'no Secret volume is mounted there' });
        else if (item === undefined) out.push({ workload, file, problem: `Secret ${volume.secret.secretName} is mounted without an item for ${rel}` });
        else out.push({ workload, file, secret: volume.secret.secretName, key: item.key });
      }
    }
  }
  return out;
}

/** Paths where two JSON values differ, e.g. "3.spec.template.metadata.annotations.checksum/secret-etcd-server". */
export function differences(a: unknown, b: unknown, path = ''): string[] {
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return Object.is(a, b) ? [] : [path];
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...keys].flatMap((k) => differences((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], path === '' ? k : `${path}.${k}`));
}
