// A real Kubernetes control plane on this machine: etcd and kube-apiserver
// (and optionally kube-controller-manager, so namespaces finish deleting and
// garbage is collected) as local processes on loopback ports. The test bed
// and `kubegarden local up` both start clusters through this module.
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import https from 'node:https';
import http from 'node:http';
import { join } from 'node:path';
import { createCA, generateKeyPair, issueCertificate, type CertificateAndKey } from '../pki/primitives.ts';
import { renderKubeconfig } from '../kube/kubeconfig.ts';
import { KubegardenError } from '../ui/errors.ts';
import type { Assets } from './assets.ts';
import { freePorts } from './ports.ts';

const YEAR = 365 * 24 * 3600;

export interface LocalClusterOptions {
  /** Directory for data, certificates, logs and kubeconfigs; reused on restart. */
  dir: string;
  name: string;
  assets: Assets;
  controllerManager?: boolean;
  serviceClusterIpRange?: string;
  /** Start processes in their own session so they outlive this one (local up). */
  detached?: boolean;
  /** Ports to reuse on restart; allocated when absent. */
  ports?: ClusterPorts | undefined;
  startTimeoutMs?: number;
  /** Write the API server's audit log (metadata of every request) to this file: for benchmarks and troubleshooting. */
  auditLog?: string | undefined;
}

export interface ClusterPorts {
  etcdClient: number;
  etcdPeer: number;
  apiserver: number;
}

export interface ManagedProcess {
  name: string;
  pid: number;
  logFile: string;
  child: ChildProcess;
  bin: string;
  args: string[];
  /** How to tell it is healthy: an http(s) URL answering 200, or none (alive is healthy). */
  healthUrl?: string | undefined;
}

export interface LocalCluster {
  name: string;
  pki: ClusterPki;
  dir: string;
  server: string;
  ports: ClusterPorts;
  caPem: string;
  /** Admin (system:masters) kubeconfig. */
  kubeconfigPath: string;
  processes: ManagedProcess[];
  /** Writes a kubeconfig for a user authenticated by a client certificate from the cluster's CA. */
  userKubeconfig(user: string, groups?: string[], lifetimeSeconds?: number): Promise<string>;
  stop(): Promise<void>;
}

export interface ClusterPki {
  ca: CertificateAndKey;
  serving: CertificateAndKey;
  admin: CertificateAndKey;
  sa: { privateKeyPem: string; publicKeyPem: string };
}

export async function loadOrCreatePki(dir: string): Promise<ClusterPki> {
  const file = join(dir, 'pki.json');
  if (existsSync(file)) return JSON.parse(await readFile(file, 'utf8')) as ClusterPki;
  const ca = createCA({ commonName: 'kubegarden-local-ca', lifetimeSeconds: 10 * YEAR });
  const serving = issueCertificate(ca, {
    commonName: 'kube-apiserver',
    dnsNames: ['localhost', 'kubernetes', 'kubernetes.default', 'kubernetes.default.svc', 'kubernetes.default.svc.cluster.local'],
    ipAddresses: ['127.0.0.1'],
    usages: ['server'],
    lifetimeSeconds: 10 * YEAR,
  });
  const admin = issueCertificate(ca, { commonName: 'kubegarden-admin', organizations: ['system:masters'], usages: ['client'], lifetimeSeconds: 10 * YEAR });
  const sa = generateKeyPair();
  const pki = { ca, serving, admin, sa };
  await writeFile(file, JSON.stringify(pki), { mode: 0o600 });
  return pki;
}

export function startProcess(name: string, bin: string, args: string[], dir: string, detached: boolean, healthUrl?: string): ManagedProcess {
  const logFile = join(dir, `${name}.log`);
  const out = createWriteStream(logFile, { flags: 'a' });
  const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'], detached });
  child.stdout?.pipe(out);
  child.stderr?.pipe(out);
  if (detached) child.unref();
  if (child.pid === undefined) throw new KubegardenError('config', `Could not start ${bin}.`);
  return { name, pid: child.pid, logFile, child, bin, args, healthUrl };
}

export function probe(url: string, agent: http.Agent | https.Agent): Promise<number> {
  return new Promise((resolve) => {
    const mod = url.startsWith('https:') ? https : http;
    const req = mod.get(url, { agent, timeout: 2000 }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', () => resolve(0));
    req.on('timeout', () => req.destroy());
  });
}

async function tailOf(file: string, lines = 25): Promise<string> {
  try {
    return (await readFile(file, 'utf8')).trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

export function adminAgent(pki: Pick<ClusterPki, 'ca' | 'admin'>): https.Agent {
  return new https.Agent({ ca: pki.ca.certPem, cert: pki.admin.certPem, key: pki.admin.keyPem });
}

export async function waitHealthy(proc: ManagedProcess, url: string, agent: http.Agent | https.Agent, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exited: number | null | undefined;
  proc.child.once('exit', (code) => (exited = code));
  while (Date.now() < deadline) {
    if (exited !== undefined) {
      throw new KubegardenError('unexpected', `${proc.name} exited (code ${exited}) before becoming healthy; its log ${proc.logFile} ends:\n${await tailOf(proc.logFile)}`);
    }
    if ((await probe(url, agent)) === 200) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new KubegardenError('timeout', `${proc.name} did not become healthy at ${url} within ${timeoutMs / 1000}s; its log ${proc.logFile} ends:\n${await tailOf(proc.logFile)}`);
}

export async function stopProcess(proc: Pick<ManagedProcess, 'pid'> & { child?: ChildProcess }, graceMs = 5000): Promise<void> {
  const alive = () => {
    try {
      process.kill(proc.pid, 0);
      return true;
    } catch {
      return false;
    }
  };
  if (!alive()) return;
  const exited = proc.child && proc.child.exitCode === null ? new Promise<void>((r) => proc.child!.once('exit', () => r())) : undefined;
  try {
    process.kill(proc.pid, 'SIGTERM');
  } catch {
    return;
  }
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    if (exited ? proc.child!.exitCode !== null || proc.child!.signalCode !== null : !alive()) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  if (alive()) {
    try {
      process.kill(proc.pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
  }
  if (exited) await Promise.race([exited, new Promise((r) => setTimeout(r, 1000))]);
}

/** Metadata of every request, one JSON line each, without the RequestReceived stage. */
async function auditArgs(dir: string, logPath: string): Promise<string[]> {
  const policy = join(dir, 'audit-policy.yaml');
  await writeFile(policy, 'apiVersion: audit.k8s.io/v1\nkind: Policy\nomitStages: [RequestReceived]\nrules:\n  - level: Metadata\n', { mode: 0o600 });
  return [`--audit-policy-file=${policy}`, `--audit-log-path=${logPath}`, '--audit-log-format=json', '--audit-log-mode=batch'];
}

export function etcdArgs(dataDir: string, ports: { client: number; peer: number }, name = 'default'): string[] {
  const client = `http://127.0.0.1:${ports.client}`;
  const peer = `http://127.0.0.1:${ports.peer}`;
  return [
    `--name=${name}`,
    `--data-dir=${dataDir}`,
    `--listen-client-urls=${client}`,
    `--advertise-client-urls=${client}`,
    `--listen-peer-urls=${peer}`,
    `--initial-advertise-peer-urls=${peer}`,
    `--initial-cluster=${name}=${peer}`,
    '--unsafe-no-fsync',
    '--log-level=warn',
  ];
}

export async function startLocalCluster(options: LocalClusterOptions): Promise<LocalCluster> {
  const { dir, assets } = options;
  const detached = options.detached ?? false;
  const timeout = options.startTimeoutMs ?? 60_000;
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const pkiDir = join(dir, 'pki');
  await mkdir(pkiDir, { recursive: true, mode: 0o700 });
  const pki = await loadOrCreatePki(dir);
  const files = {
    ca: join(pkiDir, 'ca.crt'),
    servingCert: join(pkiDir, 'apiserver.crt'),
    servingKey: join(pkiDir, 'apiserver.key'),
    saPub: join(pkiDir, 'sa.pub'),
    saKey: join(pkiDir, 'sa.key'),
  };
  await writeFile(files.ca, pki.ca.certPem, { mode: 0o600 });
  await writeFile(files.servingCert, pki.serving.certPem, { mode: 0o600 });
  await writeFile(files.servingKey, pki.serving.keyPem, { mode: 0o600 });
  await writeFile(files.saPub, pki.sa.publicKeyPem, { mode: 0o600 });
  await writeFile(files.saKey, pki.sa.privateKeyPem, { mode: 0o600 });

  const ports: ClusterPorts =
    options.ports ??
    (await freePorts(3).then(([etcdClient, etcdPeer, apiserver]) => ({ etcdClient: etcdClient!, etcdPeer: etcdPeer!, apiserver: apiserver! })));
  const server = `https://127.0.0.1:${ports.apiserver}`;
  const processes: ManagedProcess[] = [];
  const stop = async () => {
    for (const p of [...processes].reverse()) await stopProcess(p);
  };

  const kubeconfigPath = join(dir, 'admin.kubeconfig');
  await writeFile(kubeconfigPath, renderKubeconfig({ name: options.name, server, caPem: pki.ca.certPem, user: pki.admin }), { mode: 0o600 });

  try {
    const etcdHealth = `http://127.0.0.1:${ports.etcdClient}/health`;
    const etcd = startProcess('etcd', assets.etcd, etcdArgs(join(dir, 'etcd'), { client: ports.etcdClient, peer: ports.etcdPeer }), dir, detached, etcdHealth);
    processes.push(etcd);
    await waitHealthy(etcd, etcdHealth, new http.Agent(), timeout);

    const apiserver = startProcess(
      'kube-apiserver',
      assets['kube-apiserver'],
      [
        `--etcd-servers=http://127.0.0.1:${ports.etcdClient}`,
        `--secure-port=${ports.apiserver}`,
        '--bind-address=127.0.0.1',
        '--advertise-address=127.0.0.1',
        // Kubernetes >= 1.37 refuses a loopback address in the kubernetes Service's endpoints.
        '--endpoint-reconciler-type=none',
        `--service-cluster-ip-range=${options.serviceClusterIpRange ?? '10.0.0.0/24'}`,
        '--authorization-mode=RBAC',
        '--allow-privileged=true',
        `--client-ca-file=${files.ca}`,
        `--tls-cert-file=${files.servingCert}`,
        `--tls-private-key-file=${files.servingKey}`,
        `--service-account-issuer=${server}`,
        `--service-account-key-file=${files.saPub}`,
        `--service-account-signing-key-file=${files.saKey}`,
        // No controller manager creates default service accounts unless asked for one.
        ...(options.controllerManager ? [] : ['--disable-admission-plugins=ServiceAccount']),
        `--cert-dir=${join(dir, 'apiserver-certs')}`,
        ...(options.auditLog ? await auditArgs(dir, options.auditLog) : []),
        '--v=0',
      ],
      dir,
      detached,
      `${server}/readyz`,
    );
    processes.push(apiserver);
    await waitHealthy(apiserver, `${server}/readyz`, adminAgent(pki), timeout);

    if (options.controllerManager) {
      const kcm = startProcess(
        'kube-controller-manager',
        assets['kube-controller-manager'],
        [
          `--kubeconfig=${kubeconfigPath}`,
          '--leader-elect=false',
          '--secure-port=0',
          '--controllers=namespace,garbagecollector,serviceaccount,serviceaccount-token',
          `--service-account-private-key-file=${files.saKey}`,
          `--root-ca-file=${files.ca}`,
          '--use-service-account-credentials=false',
        ],
        dir,
        detached,
      );
      processes.push(kcm);
    }
  } catch (err) {
    await stop();
    throw err;
  }

  return {
    name: options.name,
    pki,
    dir,
    server,
    ports,
    caPem: pki.ca.certPem,
    kubeconfigPath,
    processes,
    async userKubeconfig(user, groups = [], lifetimeSeconds = 3600) {
      const cert = issueCertificate(pki.ca, { commonName: user, organizations: groups, usages: ['client'], lifetimeSeconds });
      const path = join(dir, `user-${user.replace(/[^a-z0-9-]/gi, '_')}.kubeconfig`);
      await writeFile(path, renderKubeconfig({ name: options.name, server, caPem: pki.ca.certPem, user: cert, userName: user }), { mode: 0o600 });
      return path;
    },
    stop,
  };
}
