// A shoot-like control plane for node-bootstrap tests: etcd, a kube-apiserver
// that authorizes nodes the way a shoot's does (Node,RBAC, NodeRestriction,
// bootstrap-token authentication, client certificates from a client CA separate
// from the serving CA), and a kube-controller-manager running every default
// controller plus the bootstrap signer and token cleaner, signing CSRs with the
// client CA. Stopped by stop(), and killed if the test process exits first.
import http from 'node:http';
import https from 'node:https';
import { mkdir, rm, rmdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { ensureAssets } from '../../../src/lib/local/assets.ts';
import { etcdArgs, startProcess, stopProcess, waitHealthy, type ManagedProcess } from '../../../src/lib/local/cluster.ts';
import { freePorts } from '../../../src/lib/local/ports.ts';
import { KubeClient } from '../../../src/lib/kube/client.ts';
import { parseKubeconfig, renderKubeconfig } from '../../../src/lib/kube/kubeconfig.ts';
import { createCA, generateKeyPair, issueCertificate, type CertificateAndKey } from '../../../src/lib/pki/primitives.ts';

const YEAR = 365 * 24 * 3600;

export interface ShootControlPlane {
  server: string;
  /** The cluster CA: what clients trust for the API server. */
  ca: CertificateAndKey;
  /** The client CA: --client-ca-file, and what the controller manager signs CSRs with. */
  clientCa: CertificateAndKey;
  admin: KubeClient;
  /** Issues a kubeconfig (text) for a user with a certificate from the client CA. */
  userKubeconfig(user: string, groups?: string[]): string;
  dir: string;
  stop(): Promise<void>;
}

export interface ShootControlPlaneOptions {
  servicesCidr: string;
  /** --node-monitor-grace-period of the controller manager. */
  nodeMonitorGracePeriod?: string;
}

const running = new Set<ManagedProcess>();
process.once('exit', () => {
  for (const p of running) {
    try {
      process.kill(p.pid, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
});

export async function startShootControlPlane(name: string, options: ShootControlPlaneOptions): Promise<ShootControlPlane> {
  const assets = await ensureAssets(undefined, (line) => process.stderr.write(`  [assets] ${line}\n`));
  const dir = join(tmpdir(), 'kubegarden-test', `system-${process.pid}`, name);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const ca = createCA({ commonName: 'kubernetes', lifetimeSeconds: YEAR });
  const clientCa = createCA({ commonName: 'kubernetes-client', lifetimeSeconds: YEAR });
  const serving = issueCertificate(ca, { commonName: 'kube-apiserver', dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'], usages: ['server'], lifetimeSeconds: YEAR });
  const adminCert = issueCertificate(clientCa, { commonName: 'kubegarden-admin', organizations: ['system:masters'], usages: ['client'], lifetimeSeconds: YEAR });
  const sa = generateKeyPair();
  const f = (file: string) => join(dir, file);
  await Promise.all([
    writeFile(f('ca.crt'), ca.certPem),
    writeFile(f('client-ca.crt'), clientCa.certPem),
    writeFile(f('client-ca.key'), clientCa.keyPem, { mode: 0o600 }),
    writeFile(f('apiserver.crt'), serving.certPem),
    writeFile(f('apiserver.key'), serving.keyPem, { mode: 0o600 }),
    writeFile(f('sa.pub'), sa.publicKeyPem),
    writeFile(f('sa.key'), sa.privateKeyPem, { mode: 0o600 }),
  ]);
  const [etcdClient, etcdPeer, apiPort] = (await freePorts(3)) as [number, number, number];
  const server = `https://127.0.0.1:${apiPort}`;
  const adminKubeconfig = renderKubeconfig({ name, server, caPem: ca.certPem, user: adminCert });
  await writeFile(f('admin.kubeconfig'), adminKubeconfig, { mode: 0o600 });

  const procs: ManagedProcess[] = [];
  const start = (p: ManagedProcess) => {
    procs.push(p);
    running.add(p);
    return p;
  };
  const stop = async () => {
    for (const p of [...procs].reverse()) {
      await stopProcess(p);
      running.delete(p);
    }
  };
  try {
    const etcdHealth = `http://127.0.0.1:${etcdClient}/health`;
    const etcd = start(startProcess('etcd', assets.etcd, etcdArgs(f('etcd'), { client: etcdClient, peer: etcdPeer }), dir, false, etcdHealth));
    await waitHealthy(etcd, etcdHealth, new http.Agent(), 60_000);
    const apiserver = start(
      startProcess(
        'kube-apiserver',
        assets['kube-apiserver'],
        [
          `--etcd-servers=http://127.0.0.1:${etcdClient}`,
          `--secure-port=${apiPort}`,
          '--bind-address=127.0.0.1',
          '--advertise-address=127.0.0.1',
          '--endpoint-reconciler-type=none',
          `--service-cluster-ip-range=${options.servicesCidr}`,
          '--authorization-mode=Node,RBAC',
          '--enable-admission-plugins=NodeRestriction',
          '--enable-bootstrap-token-auth=true',
          '--allow-privileged=true',
          `--client-ca-file=${f('client-ca.crt')}`,
          `--tls-cert-file=${f('apiserver.crt')}`,
          `--tls-private-key-file=${f('apiserver.key')}`,
          `--service-account-issuer=${server}`,
          `--service-account-key-file=${f('sa.pub')}`,
          `--service-account-signing-key-file=${f('sa.key')}`,
          `--cert-dir=${f('apiserver-certs')}`,
        ],
        dir,
        false,
      ),
    );
    await waitHealthy(apiserver, `${server}/readyz`, new https.Agent({ ca: ca.certPem, cert: adminCert.certPem, key: adminCert.keyPem }), 60_000);
    start(
      startProcess(
        'kube-controller-manager',
        assets['kube-controller-manager'],
        [
          `--kubeconfig=${f('admin.kubeconfig')}`,
          '--leader-elect=false',
          '--secure-port=0',
          '--controllers=*,bootstrap-signer-controller,token-cleaner-controller',
          `--cluster-signing-cert-file=${f('client-ca.crt')}`,
          `--cluster-signing-key-file=${f('client-ca.key')}`,
          `--service-account-private-key-file=${f('sa.key')}`,
          `--root-ca-file=${f('ca.crt')}`,
          '--use-service-account-credentials=false',
          ...(options.nodeMonitorGracePeriod ? [`--node-monitor-grace-period=${options.nodeMonitorGracePeriod}`, '--node-monitor-period=2s'] : []),
        ],
        dir,
        false,
      ),
    );
  } catch (err) {
    await stop();
    throw err;
  }
  const admin = await KubeClient.fromResolved(parseKubeconfig(adminKubeconfig, `shoot ${name}`), `shoot "${name}"`);
  return {
    server,
    ca,
    clientCa,
    admin,
    dir,
    userKubeconfig(user, groups = []) {
      const cert = issueCertificate(clientCa, { commonName: user, organizations: groups, usages: ['client'], lifetimeSeconds: 3600 });
      return renderKubeconfig({ name, server, caPem: ca.certPem, user: cert, userName: user });
    },
    async stop() {
      admin.close();
      await stop();
      await rm(dir, { recursive: true, force: true });
      await rmdir(dirname(dir)).catch(() => {}); // the run's directory, once its last control plane is gone
    },
  };
}
