// The cloud-config a worker machine boots with: it installs containerd and the
// kubelet of the shoot's version, writes the kubelet's bootstrap kubeconfig
// (bootstrap token + cluster CA), its KubeletConfiguration and a systemd unit,
// and starts both. The kubelet then joins by TLS bootstrapping (see
// system/bootstrap.ts). The local provider's machine simulator reads the same
// document back with parseCloudConfig, as a real machine would.
//
// Values, not strings: the document is built as data and serialised with the
// `yaml` package; files are YAML/JSON documents of their own; commands are
// argument lists (cloud-init runs a list without a shell); the kubelet's
// command line is quoted for systemd (machines/systemd.ts). Taints go into the
// KubeletConfiguration (registerWithTaints, the config-file form of
// --register-with-taints), labels into --node-labels, the one kubelet input
// that only exists as a flag. That flag is a comma-separated list of key=value
// no quoting can protect, so labels with "," (or keys with "=") are refused.
//
// The result carries the bootstrap token: treat it as a secret (Terraform gets
// it as a sensitive variable).
import { parse, stringify } from 'yaml';
import type { TaintEffect } from '../api/types.ts';
import { parseKubeconfig, renderKubeconfig } from '../kube/kubeconfig.ts';
import { invalid } from '../ui/errors.ts';
import { commandLine, parseCommandLine, renderUnit, unitValue } from './systemd.ts';

export const CLOUD_CONFIG_HEADER = '#cloud-config';
export const POOL_LABEL = 'worker.kubegarden.io/pool';

/** Where things live on the machine. */
export const PATHS = {
  caCert: '/etc/kubernetes/pki/ca.crt',
  clientCaCert: '/etc/kubernetes/pki/client-ca.crt',
  bootstrapKubeconfig: '/var/lib/kubelet/bootstrap-kubeconfig',
  kubeconfig: '/var/lib/kubelet/kubeconfig',
  kubeletConfig: '/var/lib/kubelet/config.yaml',
  kubeletUnit: '/etc/systemd/system/kubelet.service',
  kubeletBinary: '/usr/local/bin/kubelet',
  containerdUnit: '/etc/systemd/system/containerd.service',
  containerdConfig: '/etc/containerd/config.toml',
  modules: '/etc/modules-load.d/kubegarden.conf',
  sysctl: '/etc/sysctl.d/99-kubegarden.conf',
  machine: '/etc/kubegarden/machine.yaml',
  checksums: '/opt/kubegarden/downloads/SHA256SUMS',
  downloads: '/opt/kubegarden/downloads',
} as const;

export interface CloudConfigTaint {
  key: string;
  value?: string | undefined;
  effect: TaintEffect;
}

export interface Download {
  url: string;
  /** Hex sha256 of the file; checked before anything is installed when every download has one. */
  sha256?: string | undefined;
}

export interface Downloads {
  kubelet: Download;
  /** containerd release tarball (bin/ goes to /usr/local/bin). */
  containerd: Download;
  /** runc binary. */
  runc: Download;
}

export const CONTAINERD_VERSION = '2.1.4';
export const RUNC_VERSION = '1.3.0';

export function defaultDownloads(kubernetesVersion: string, arch: 'amd64' | 'arm64' = 'amd64'): Downloads {
  return {
    kubelet: { url: `https://dl.k8s.io/release/v${kubernetesVersion}/bin/linux/${arch}/kubelet` },
    containerd: { url: `https://github.com/containerd/containerd/releases/download/v${CONTAINERD_VERSION}/containerd-${CONTAINERD_VERSION}-linux-${arch}.tar.gz` },
    runc: { url: `https://github.com/opencontainers/runc/releases/download/v${RUNC_VERSION}/runc.${arch}` },
  };
}

export interface CloudConfigInput {
  /** The kubelet's version, e.g. "1.37.2". */
  kubernetesVersion: string;
  /** The shoot API server as nodes reach it. */
  apiServerUrl: string;
  /** The cluster CA (PEM) the kubelet trusts for the API server. */
  caPem: string;
  /**
   * The CA (PEM) the kubelet trusts for client certificates (x509 clientCAFile): the
   * shoot's ca-client, which signs the API server's kubelet client certificate. Defaults to caPem.
   */
  clientCaPem?: string | undefined;
  /** The bootstrap token (`<id>.<secret>`), or the pki's BootstrapTokenValue. */
  bootstrapToken: string | { token: string };
  pool: { name: string; labels?: Record<string, string> | undefined; taints?: readonly CloudConfigTaint[] | undefined };
  /** The kube-dns Service IP: the tenth address of the services range. */
  clusterDns: string;
  clusterDomain: string;
  podCidr?: string | undefined;
  arch?: 'amd64' | 'arm64';
  /** Override where the binaries come from. */
  downloads?: Partial<Downloads> | undefined;
}

export interface ParsedCloudConfig {
  kubernetesVersion: string;
  pool: string;
  /** The bootstrap kubeconfig, verbatim. */
  bootstrapKubeconfig: string;
  bootstrap: { server: string; caPem: string; token: string };
  /** Every label the kubelet registers with (--node-labels), including worker.kubegarden.io/pool. */
  labels: Record<string, string>;
  taints: CloudConfigTaint[];
  clusterDns: string[];
  clusterDomain: string;
  podCidr: string | undefined;
}

interface WriteFile {
  path: string;
  permissions: string;
  owner?: string;
  content: string;
}

function labelFlag(labels: Record<string, string>, pool: string): string {
  const entries = Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  for (const [key, value] of entries) {
    if (key === '' || key.includes(',') || key.includes('=')) {
      throw invalid(`Label key "${key}" of worker pool "${pool}" cannot be passed to the kubelet (--node-labels takes key=value pairs separated by commas): use a valid label key.`);
    }
    if (value.includes(',')) {
      throw invalid(`The value of label "${key}" of worker pool "${pool}" contains a comma, which the kubelet's --node-labels cannot carry: use a valid label value.`);
    }
  }
  return entries.map(([k, v]) => `${k}=${v}`).join(',');
}

function checkedUrl(name: string, url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw invalid(`The ${name} download URL "${url}" is not a URL.`);
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') throw invalid(`The ${name} download URL "${url}" must be http(s).`);
  return url;
}

function checkedSha256(name: string, sum: string | undefined): string | undefined {
  if (sum !== undefined && !/^[0-9a-f]{64}$/i.test(sum)) throw invalid(`The ${name} sha256 "${sum}" is not 64 hex digits.`);
  return sum?.toLowerCase();
}

const KUBELET_UNIT_DESCRIPTION = 'kubelet: the Kubernetes node agent, started by kubegarden';

export function kubeletArgs(labelsFlag: string): string[] {
  return [
    PATHS.kubeletBinary,
    `--config=${PATHS.kubeletConfig}`,
    `--bootstrap-kubeconfig=${PATHS.bootstrapKubeconfig}`,
    `--kubeconfig=${PATHS.kubeconfig}`,
    `--node-labels=${labelsFlag}`,
  ];
}

function kubeletConfiguration(input: CloudConfigInput, taints: readonly CloudConfigTaint[]): Record<string, unknown> {
  return {
    apiVersion: 'kubelet.config.k8s.io/v1beta1',
    kind: 'KubeletConfiguration',
    authentication: {
      anonymous: { enabled: false },
      webhook: { enabled: true, cacheTTL: '2m0s' },
      x509: { clientCAFile: PATHS.clientCaCert },
    },
    authorization: { mode: 'Webhook' },
    clusterDNS: [input.clusterDns],
    clusterDomain: input.clusterDomain,
    // Client certificate renewed by CSR before it expires; serving certificate from a CSR too.
    rotateCertificates: true,
    serverTLSBootstrap: true,
    cgroupDriver: 'systemd',
    containerRuntimeEndpoint: 'unix:///run/containerd/containerd.sock',
    // systemd-resolved's real upstreams, not its 127.0.0.53 stub (which pods cannot reach).
    resolvConf: '/run/systemd/resolve/resolv.conf',
    ...(input.podCidr ? { podCIDR: input.podCidr } : {}),
    registerWithTaints: taints.map((t) => ({ key: t.key, ...(t.value !== undefined ? { value: t.value } : {}), effect: t.effect })),
  };
}

function containerdUnit(): string {
  return renderUnit([
    { name: 'Unit', entries: [['Description', 'containerd container runtime'], ['After', 'network.target local-fs.target']] },
    {
      name: 'Service',
      entries: [
        ['ExecStartPre', '-/sbin/modprobe overlay'],
        ['ExecStart', commandLine(['/usr/local/bin/containerd'])],
        ['Type', 'notify'],
        ['Delegate', 'yes'],
        ['KillMode', 'process'],
        ['Restart', 'always'],
        ['RestartSec', '5'],
        ['LimitNPROC', 'infinity'],
        ['LimitCORE', 'infinity'],
        ['TasksMax', 'infinity'],
        ['OOMScoreAdjust', '-999'],
      ],
    },
    { name: 'Install', entries: [['WantedBy', 'multi-user.target']] },
  ]);
}

function kubeletUnit(labelsFlag: string): string {
  return renderUnit([
    {
      name: 'Unit',
      entries: [
        ['Description', KUBELET_UNIT_DESCRIPTION],
        ['Wants', 'network-online.target containerd.service'],
        ['After', 'network-online.target containerd.service'],
        ['StartLimitIntervalSec', '0'],
      ],
    },
    { name: 'Service', entries: [['ExecStart', commandLine(kubeletArgs(labelsFlag))], ['Restart', 'always'], ['RestartSec', '5']] },
    { name: 'Install', entries: [['WantedBy', 'multi-user.target']] },
  ]);
}

// containerd 2.x configuration (version 3): runc with the systemd cgroup driver, as the kubelet's cgroupDriver.
const CONTAINERD_CONFIG = [
  'version = 3',
  '',
  "[plugins.'io.containerd.cri.v1.runtime'.containerd.runtimes.runc.options]",
  '  SystemdCgroup = true',
  '',
].join('\n');

export function renderCloudConfig(input: CloudConfigInput): string {
  const token = typeof input.bootstrapToken === 'string' ? input.bootstrapToken : input.bootstrapToken.token;
  const pool = input.pool.name;
  // The pool label is ours: a pool cannot claim another pool's name.
  const labels = { ...(input.pool.labels ?? {}), [POOL_LABEL]: pool };
  const labelsFlag = labelFlag(labels, pool);
  const taints = [...(input.pool.taints ?? [])];
  const arch = input.arch ?? 'amd64';
  const downloads: Downloads = { ...defaultDownloads(input.kubernetesVersion, arch), ...input.downloads };
  const dl = {
    kubelet: { url: checkedUrl('kubelet', downloads.kubelet.url), sha256: checkedSha256('kubelet', downloads.kubelet.sha256), file: `${PATHS.downloads}/kubelet` },
    containerd: {
      url: checkedUrl('containerd', downloads.containerd.url),
      sha256: checkedSha256('containerd', downloads.containerd.sha256),
      file: `${PATHS.downloads}/containerd.tar.gz`,
    },
    runc: { url: checkedUrl('runc', downloads.runc.url), sha256: checkedSha256('runc', downloads.runc.sha256), file: `${PATHS.downloads}/runc` },
  };
  const verify = Object.values(dl).every((d) => d.sha256 !== undefined);

  const bootstrapKubeconfig = renderKubeconfig({
    name: 'shoot',
    server: input.apiServerUrl,
    caPem: input.caPem,
    user: { token },
    userName: 'kubelet-bootstrap',
  });

  const files: WriteFile[] = [
    { path: PATHS.caCert, permissions: '0644', content: input.caPem },
    { path: PATHS.clientCaCert, permissions: '0644', content: input.clientCaPem ?? input.caPem },
    { path: PATHS.bootstrapKubeconfig, permissions: '0600', content: bootstrapKubeconfig },
    { path: PATHS.kubeletConfig, permissions: '0644', content: stringify(kubeletConfiguration(input, taints)) },
    { path: PATHS.kubeletUnit, permissions: '0644', content: kubeletUnit(labelsFlag) },
    { path: PATHS.containerdUnit, permissions: '0644', content: containerdUnit() },
    { path: PATHS.containerdConfig, permissions: '0644', content: CONTAINERD_CONFIG },
    { path: PATHS.modules, permissions: '0644', content: 'overlay\nbr_netfilter\n' },
    {
      path: PATHS.sysctl,
      permissions: '0644',
      content: 'net.ipv4.ip_forward = 1\nnet.bridge.bridge-nf-call-iptables = 1\nnet.bridge.bridge-nf-call-ip6tables = 1\n',
    },
    // What kubegarden asked this machine to be, for people debugging on it (and the local simulator).
    { path: PATHS.machine, permissions: '0644', content: stringify({ pool, kubernetesVersion: input.kubernetesVersion, arch }) },
  ];
  if (verify) {
    files.push({ path: PATHS.checksums, permissions: '0644', content: Object.values(dl).map((d) => `${d.sha256}  ${d.file}\n`).join('') });
  }

  const curl = (d: { url: string; file: string }) => ['curl', '-fsSL', '--retry', '5', '--retry-connrefused', '-o', d.file, d.url];
  const runcmd: string[][] = [
    ['swapoff', '-a'],
    ['modprobe', 'overlay'],
    ['modprobe', 'br_netfilter'],
    ['sysctl', '--system'],
    ['mkdir', '-p', PATHS.downloads],
    curl(dl.containerd),
    curl(dl.runc),
    curl(dl.kubelet),
    ...(verify ? [['sha256sum', '--check', '--strict', PATHS.checksums]] : []),
    ['tar', '-C', '/usr/local', '-xzf', dl.containerd.file],
    ['install', '-m', '0755', dl.runc.file, '/usr/local/sbin/runc'],
    ['install', '-m', '0755', dl.kubelet.file, PATHS.kubeletBinary],
    ['systemctl', 'daemon-reload'],
    ['systemctl', 'enable', '--now', 'containerd.service'],
    ['systemctl', 'enable', '--now', 'kubelet.service'],
  ];

  const doc = {
    package_update: true,
    packages: ['conntrack', 'socat', 'iptables', 'curl', 'ca-certificates'],
    write_files: files,
    runcmd,
  };
  return `${CLOUD_CONFIG_HEADER}\n${stringify(doc, { lineWidth: 0 })}`;
}

// ---- reading it back -------------------------------------------------------

function problem(message: string): never {
  throw invalid(`The cloud-config is not one kubegarden renders: ${message}.`);
}

function fileContent(files: unknown[], path: string): string {
  const file = files.find((f): f is { path: string; content?: unknown; encoding?: unknown } => typeof f === 'object' && f !== null && (f as { path?: unknown }).path === path);
  if (!file) problem(`it writes no ${path}`);
  if (typeof file.content !== 'string') problem(`${path} has no text content`);
  if (file.encoding === 'b64' || file.encoding === 'base64') return Buffer.from(file.content, 'base64').toString('utf8');
  return file.content;
}

function asRecord(value: unknown, what: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) problem(`${what} is not a mapping`);
  return value as Record<string, unknown>;
}

/** Reads what a machine needs to join from a cloud-config (rendered by renderCloudConfig). */
export function parseCloudConfig(text: string): ParsedCloudConfig {
  if (!text.startsWith(`${CLOUD_CONFIG_HEADER}\n`)) problem(`it does not start with "${CLOUD_CONFIG_HEADER}"`);
  let doc: Record<string, unknown>;
  try {
    doc = asRecord(parse(text), 'the document');
  } catch (err) {
    if (err instanceof Error && err.name === 'KubegardenError') throw err;
    throw invalid(`The cloud-config is not valid YAML (${(err as Error).message.split('\n')[0]}).`, { cause: err });
  }
  const files = doc['write_files'];
  if (!Array.isArray(files)) problem('it has no write_files');

  const bootstrapKubeconfig = fileContent(files, PATHS.bootstrapKubeconfig);
  const kc = parseKubeconfig(bootstrapKubeconfig, 'the machine (bootstrap kubeconfig in its cloud-config)');
  const caData = kc.cluster['certificate-authority-data'];
  const token = kc.user.token;
  if (!caData) problem('its bootstrap kubeconfig has no certificate-authority-data');
  if (!token) problem('its bootstrap kubeconfig has no token');

  const kubelet = asRecord(parse(fileContent(files, PATHS.kubeletConfig)), 'the KubeletConfiguration');
  const rawTaints = kubelet['registerWithTaints'] ?? [];
  if (!Array.isArray(rawTaints)) problem('registerWithTaints is not a list');
  const taints = rawTaints.map((t): CloudConfigTaint => {
    const r = asRecord(t, 'a taint');
    return { key: String(r['key']), ...(r['value'] !== undefined ? { value: String(r['value']) } : {}), effect: String(r['effect']) as TaintEffect };
  });

  const execStart = unitValue(fileContent(files, PATHS.kubeletUnit), 'Service', 'ExecStart');
  if (!execStart) problem('the kubelet unit has no ExecStart');
  const labelsArg = parseCommandLine(execStart).find((a) => a.startsWith('--node-labels='));
  const labels: Record<string, string> = {};
  for (const pair of (labelsArg ?? '--node-labels=').slice('--node-labels='.length).split(',')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    if (eq < 0) labels[pair] = '';
    else labels[pair.slice(0, eq)] = pair.slice(eq + 1);
  }

  const machine = asRecord(parse(fileContent(files, PATHS.machine)), 'the machine description');
  const clusterDns = kubelet['clusterDNS'];
  return {
    kubernetesVersion: String(machine['kubernetesVersion']),
    pool: String(machine['pool']),
    bootstrapKubeconfig,
    bootstrap: { server: kc.cluster.server, caPem: Buffer.from(caData, 'base64').toString('utf8'), token },
    labels,
    taints,
    clusterDns: Array.isArray(clusterDns) ? clusterDns.map(String) : [],
    clusterDomain: String(kubelet['clusterDomain'] ?? ''),
    podCidr: typeof kubelet['podCIDR'] === 'string' ? kubelet['podCIDR'] : undefined,
  };
}
