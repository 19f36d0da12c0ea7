// The local provider's runtime against a real seed (kube-apiserver + etcd from
// the test bed, no controller manager, no kubelet): Deployments in shoot
// namespaces become real etcd and kube-apiserver processes on loopback ports,
// and the Deployments say so in their status.
//
// One seed and one runtime serve the whole file; the describes build on each
// other in order (the kube-apiserver uses the first etcd), as a shoot's control
// plane would.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import https from 'node:https';
import http from 'node:http';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeClient, type KubeObject } from '../../../src/lib/kube/client.ts';
import { startProcess, stopProcess, type LocalCluster } from '../../../src/lib/local/cluster.ts';
import { freePorts } from '../../../src/lib/local/ports.ts';
import {
  ANNOTATION_PODS,
  ANNOTATION_PORTS,
  ANNOTATION_RESTARTS,
  ANNOTATION_STATUS,
  startRuntime,
  type Runtime,
} from '../../../src/lib/local/runtime/index.ts';
import { createCA, generateKeyPair, issueCertificate, type CertificateAndKey } from '../../../src/lib/pki/primitives.ts';
import { startTestCluster } from '../../helpers/testbed.ts';

const DEMO = 'shoot--dev--demo';
const OTHER = 'shoot--dev--other';
const DAY = 24 * 3600;

interface Deployment extends KubeObject {
  metadata: KubeObject['metadata'] & { generation?: number };
  status?: {
    replicas?: number;
    readyReplicas?: number;
    availableReplicas?: number;
    updatedReplicas?: number;
    observedGeneration?: number;
    conditions?: Array<{ type: string; status: string; reason?: string; message?: string }>;
  };
}

interface PodsAnnotation {
  name: string;
  ready: boolean;
  containers: Array<{ name: string; pid?: number; restarts: number; ready: boolean }>;
}

// ---- small helpers ---------------------------------------------------------

interface Tls {
  ca?: string;
  cert?: string;
  key?: string;
}

function request(url: string, tls: Tls = {}, body?: unknown): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const options: https.RequestOptions = { method: payload ? 'POST' : 'GET', timeout: 5000, agent: false, ...tls };
    if (payload) options.headers = { 'Content-Type': 'application/json' };
    const req = (url.startsWith('https:') ? https : http).request(url, options, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end(payload);
  });
}

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host: '127.0.0.1', port });
    s.once('connect', () => (s.destroy(), resolve(true)));
    s.once('error', () => resolve(false));
  });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

const b64 = (s: string) => Buffer.from(s).toString('base64');

const secret = (namespace: string, name: string, data: Record<string, string>): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Secret',
  metadata: { name, namespace },
  type: 'Opaque',
  data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, b64(v)])),
});

const tlsSecret = (namespace: string, name: string, ca: CertificateAndKey, pair: CertificateAndKey) =>
  secret(namespace, name, { 'ca.crt': ca.certPem, 'tls.crt': pair.certPem, 'tls.key': pair.keyPem });

interface EtcdPorts {
  client: number;
  peer: number;
  metrics: number;
}

interface EtcdOptions {
  namespace: string;
  name: string;
  ports: EtcdPorts;
  tlsSecret?: string;
  claim?: string;
}

interface PodTemplate {
  metadata: { labels: Record<string, string> };
  spec: { containers: Array<Record<string, unknown>>; volumes?: unknown[]; [field: string]: unknown };
}

/** An etcd Deployment as a shoot's control plane would have it. */
function etcdDeployment(o: EtcdOptions): KubeObject {
  const template = etcdTemplate(o);
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: o.name, namespace: o.namespace },
    spec: { replicas: 1, selector: { matchLabels: template.metadata.labels }, strategy: { type: 'Recreate' }, template },
  };
}

function etcdTemplate(o: EtcdOptions): PodTemplate {
  const scheme = o.tlsSecret ? 'https' : 'http';
  const client = `${scheme}://127.0.0.1:${o.ports.client}`;
  const peer = `http://127.0.0.1:${o.ports.peer}`;
  const labels = { app: 'etcd', instance: o.name };
  return {
    metadata: { labels },
    spec: {
      hostNetwork: true,
      terminationGracePeriodSeconds: 5,
      containers: [
        {
          name: 'etcd',
          image: 'registry.k8s.io/etcd:3.6.16-0',
          command: ['/usr/local/bin/etcd'],
          env: [{ name: 'DATA_DIR', value: '/var/etcd/data' }],
          args: [
            `--name=${o.name}`,
            '--data-dir=$(DATA_DIR)/new.etcd',
            `--listen-client-urls=${client}`,
            `--advertise-client-urls=${client}`,
            `--listen-peer-urls=${peer}`,
            `--initial-advertise-peer-urls=${peer}`,
            `--initial-cluster=${o.name}=${peer}`,
            `--listen-metrics-urls=http://127.0.0.1:${o.ports.metrics}`,
            ...(o.tlsSecret
              ? ['--client-cert-auth', '--trusted-ca-file=/etc/etcd/tls/ca.crt', '--cert-file=/etc/etcd/tls/tls.crt', '--key-file=/etc/etcd/tls/tls.key']
              : []),
            '--unsafe-no-fsync',
            '--log-level=warn',
          ],
          ports: [
            { name: 'client', containerPort: o.ports.client },
            { name: 'peer', containerPort: o.ports.peer },
            { name: 'metrics', containerPort: o.ports.metrics },
          ],
          readinessProbe: { httpGet: { path: '/health', port: 'metrics', scheme: 'HTTP' }, periodSeconds: 1, failureThreshold: 3 },
          volumeMounts: [...(o.tlsSecret ? [{ name: 'tls', mountPath: '/etc/etcd/tls', readOnly: true }] : []), { name: 'data', mountPath: '/var/etcd/data' }],
        },
      ],
      volumes: [
        ...(o.tlsSecret ? [{ name: 'tls', secret: { secretName: o.tlsSecret } }] : []),
        o.claim ? { name: 'data', persistentVolumeClaim: { claimName: o.claim } } : { name: 'data', emptyDir: {} },
      ],
    },
  };
}

// ---- the suite ---------------------------------------------------------------

describe('the local runtime (real kube-apiserver as seed)', function () {
  this.timeout(180_000);
  let seed: LocalCluster;
  let client: KubeClient;
  let runtime: Runtime;
  let stateDir: string;
  const logs: string[] = [];

  // One PKI for the demo shoot: etcd's CA (server and client certs) and the cluster CA (API server, admin).
  const etcdCA = createCA({ commonName: 'etcd-ca', lifetimeSeconds: DAY });
  const etcdServer = issueCertificate(etcdCA, { commonName: 'etcd-server', dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'], usages: ['server', 'client'], lifetimeSeconds: DAY });
  const etcdClient = issueCertificate(etcdCA, { commonName: 'etcd-client', usages: ['client'], lifetimeSeconds: DAY });
  const clusterCA = createCA({ commonName: 'kubernetes', lifetimeSeconds: DAY });
  const apiserverServing = issueCertificate(clusterCA, { commonName: 'kube-apiserver', dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'], usages: ['server'], lifetimeSeconds: DAY });
  const admin = issueCertificate(clusterCA, { commonName: 'admin', organizations: ['system:masters'], usages: ['client'], lifetimeSeconds: DAY });
  const serviceAccountKey = generateKeyPair();
  const etcdTls: Tls = { ca: etcdCA.certPem, cert: etcdClient.certPem, key: etcdClient.keyPem };
  let demoEtcd: EtcdPorts;
  let otherEtcd: EtcdPorts;
  let apiserverPort: number;

  const getDeployment = (namespace: string, name: string) => client.get<Deployment>({ apiVersion: 'apps/v1', kind: 'Deployment', namespace, name });

  /** Polls until check returns a value (not undefined/false); fails with the last observation and the runtime's log. */
  async function eventually<T>(what: string, check: () => Promise<T | undefined | false>, timeoutMs = 60_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    let last: unknown;
    while (Date.now() < deadline) {
      try {
        const value = await check();
        if (value !== undefined && value !== false) return value;
        last = value;
      } catch (err) {
        last = err;
      }
      await new Promise((r) => setTimeout(r, 250));
    }
    throw new Error(`timed out waiting until ${what}; last: ${last instanceof Error ? last.message : JSON.stringify(last)}\nruntime log:\n${logs.slice(-30).join('\n')}`);
  }

  const pods = (d: Deployment | undefined): PodsAnnotation[] => JSON.parse(d?.metadata.annotations?.[ANNOTATION_PODS] ?? '[]') as PodsAnnotation[];
  const pidOf = (d: Deployment | undefined): number | undefined => pods(d)[0]?.containers[0]?.pid;
  const condition = (d: Deployment | undefined, type: string) => d?.status?.conditions?.find((c) => c.type === type);

  async function readyDeployment(namespace: string, name: string, timeoutMs?: number): Promise<Deployment> {
    return eventually(
      `${namespace}/${name} reports one ready replica`,
      async () => {
        const d = await getDeployment(namespace, name);
        return d?.status?.readyReplicas === 1 && d.status.observedGeneration === d.metadata.generation && pidOf(d) ? d : undefined;
      },
      timeoutMs,
    );
  }

  before(async () => {
    seed = await startTestCluster('runtime-seed');
    client = await KubeClient.connect({ kubeconfig: seed.kubeconfigPath }, 'the seed');
    stateDir = await mkdtemp(join(tmpdir(), 'kubegarden-runtime-'));
    const [c1, p1, m1, c2, p2, m2, api] = await freePorts(7);
    demoEtcd = { client: c1!, peer: p1!, metrics: m1! };
    otherEtcd = { client: c2!, peer: p2!, metrics: m2! };
    apiserverPort = api!;
    for (const ns of [DEMO, OTHER]) await client.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
    runtime = await startRuntime({ client, stateDir, pollIntervalMs: 500, log: (line) => logs.push(line) });
  });

  after(async () => {
    await runtime?.stop();
    client?.close();
    if (stateDir) await rm(stateDir, { recursive: true, force: true });
  });

  describe('an etcd Deployment with TLS from a Secret and its data on a claim', () => {
    before(async () => {
      await client.apply(tlsSecret(DEMO, 'etcd-main-tls', etcdCA, etcdServer));
      await client.apply(etcdDeployment({ namespace: DEMO, name: 'etcd-main', ports: demoEtcd, tlsSecret: 'etcd-main-tls', claim: 'etcd-main-data' }));
    });

    it('runs a real etcd that answers on its TLS health endpoint, and the Deployment reports one ready replica', async () => {
      const d = await readyDeployment(DEMO, 'etcd-main');
      assert.equal(d.status?.replicas, 1);
      assert.equal(d.status?.availableReplicas, 1);
      assert.equal(d.status?.updatedReplicas, 1);
      assert.equal(condition(d, 'Available')?.status, 'True');
      assert.equal(condition(d, 'Progressing')?.reason, 'NewReplicaSetAvailable');
      assert.match(d.metadata.annotations?.[ANNOTATION_STATUS] ?? '', /^Running: 1\/1 ready/);

      const secretCA = await client.get<KubeObject & { data: Record<string, string> }>({ apiVersion: 'v1', kind: 'Secret', namespace: DEMO, name: 'etcd-main-tls' });
      const ca = Buffer.from(secretCA?.data['ca.crt'] ?? '', 'base64').toString();
      const health = await request(`https://127.0.0.1:${demoEtcd.client}/health`, { ...etcdTls, ca });
      assert.equal(health.status, 200);
      assert.equal((JSON.parse(health.body) as { health: string }).health, 'true');
      // It verifies client certificates: without one, etcd refuses.
      await assert.rejects(request(`https://127.0.0.1:${demoEtcd.client}/health`, { ca }));

      const pid = pidOf(d)!;
      assert.ok(alive(pid), 'the pid on the Deployment is a live process');
      assert.deepEqual(
        runtime.processes().filter((p) => p.namespace === DEMO && p.workload === 'Deployment/etcd-main').map((p) => [p.pid, p.binary, p.ready]),
        [[pid, 'etcd', true]],
      );
    });

    it('tells kubectl users which loopback ports it serves', async () => {
      const d = await getDeployment(DEMO, 'etcd-main');
      const ports = d?.metadata.annotations?.[ANNOTATION_PORTS] ?? '';
      assert.match(ports, new RegExp(`etcd/client=127\\.0\\.0\\.1:${demoEtcd.client}\\b`));
      assert.match(ports, new RegExp(`etcd/peer=127\\.0\\.0\\.1:${demoEtcd.peer}\\b`));
    });

    it('brings etcd back under a new pid when its process is killed, and records the restart', async () => {
      const before = pidOf(await getDeployment(DEMO, 'etcd-main'))!;
      process.kill(before, 'SIGKILL');
      const d = await eventually('etcd is ready again under a new pid', async () => {
        const now = await getDeployment(DEMO, 'etcd-main');
        const pid = pidOf(now);
        return pid && pid !== before && now?.status?.readyReplicas === 1 ? now : undefined;
      });
      assert.ok(!alive(before));
      assert.equal(d.metadata.annotations?.[ANNOTATION_RESTARTS], '1');
      assert.equal(pods(d)[0]?.containers[0]?.restarts, 1);
      assert.equal((await request(`https://127.0.0.1:${demoEtcd.client}/health`, etcdTls)).status, 200);
    });
  });

  describe('a second etcd in another shoot namespace', () => {
    before(async () => {
      await client.apply(etcdDeployment({ namespace: OTHER, name: 'etcd-main', ports: otherEtcd }));
    });

    it('runs alongside the first one, on its own port', async () => {
      const other = await readyDeployment(OTHER, 'etcd-main');
      const demo = await getDeployment(DEMO, 'etcd-main');
      assert.notEqual(pidOf(other), pidOf(demo));
      assert.equal((await request(`http://127.0.0.1:${otherEtcd.client}/health`)).status, 200);
      assert.equal((await request(`https://127.0.0.1:${demoEtcd.client}/health`, etcdTls)).status, 200);
      assert.match(other.metadata.annotations?.[ANNOTATION_PORTS] ?? '', new RegExp(`:${otherEtcd.client}\\b`));
    });

    it('rolls its process when the pod template changes', async () => {
      const before = await getDeployment(OTHER, 'etcd-main');
      const oldPid = pidOf(before)!;
      const oldPod = pods(before)[0]?.name;
      await client.mergePatch(
        { apiVersion: 'apps/v1', kind: 'Deployment', namespace: OTHER, name: 'etcd-main' },
        { spec: { template: { metadata: { annotations: { 'kubegarden.io/restarted-at': 'now' } } } } },
      );
      const after = await eventually('a new pod of the new template is ready', async () => {
        const d = await getDeployment(OTHER, 'etcd-main');
        const p = pods(d);
        return p.length === 1 && p[0]?.name !== oldPod && p[0]?.ready && d?.status?.observedGeneration === d?.metadata.generation ? d : undefined;
      });
      assert.ok(!alive(oldPid), 'the old process is gone');
      assert.notEqual(pidOf(after), oldPid);
      assert.equal(after.status?.updatedReplicas, 1);
      assert.equal((await request(`http://127.0.0.1:${otherEtcd.client}/health`)).status, 200);
    });
  });

  describe('a kube-apiserver Deployment wired to the first etcd', () => {
    const name = 'kube-apiserver';

    before(async () => {
      await client.apply(tlsSecret(DEMO, 'kube-apiserver-tls', clusterCA, apiserverServing));
      await client.apply(secret(DEMO, 'ca', { 'ca.crt': clusterCA.certPem }));
      await client.apply(tlsSecret(DEMO, 'etcd-client-tls', etcdCA, etcdClient));
      await client.apply(secret(DEMO, 'service-account-key', { private: serviceAccountKey.privateKeyPem, public: serviceAccountKey.publicKeyPem }));
      const labels = { app: 'kubernetes', role: 'apiserver' };
      await client.apply({
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name, namespace: DEMO },
        spec: {
          replicas: 1,
          selector: { matchLabels: labels },
          template: {
            metadata: { labels },
            spec: {
              hostNetwork: true,
              terminationGracePeriodSeconds: 10,
              containers: [
                {
                  name: 'kube-apiserver',
                  image: 'registry.k8s.io/kube-apiserver:v1.37.2',
                  command: ['/usr/local/bin/kube-apiserver'],
                  env: [{ name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } }],
                  args: [
                    `--etcd-servers=https://127.0.0.1:${demoEtcd.client}`,
                    '--etcd-cafile=/srv/kubernetes/etcd/ca.crt',
                    '--etcd-certfile=/srv/kubernetes/etcd/tls.crt',
                    '--etcd-keyfile=/srv/kubernetes/etcd/tls.key',
                    `--secure-port=${apiserverPort}`,
                    '--bind-address=127.0.0.1',
                    '--advertise-address=$(POD_IP)',
                    '--endpoint-reconciler-type=none',
                    '--service-cluster-ip-range=10.0.0.0/24',
                    '--authorization-mode=RBAC',
                    '--allow-privileged=true',
                    '--client-ca-file=/srv/kubernetes/ca/ca.crt',
                    '--tls-cert-file=/srv/kubernetes/tls/tls.crt',
                    '--tls-private-key-file=/srv/kubernetes/tls/tls.key',
                    `--service-account-issuer=https://127.0.0.1:${apiserverPort}`,
                    '--service-account-key-file=/srv/kubernetes/service-account-key/sa.pub',
                    '--service-account-signing-key-file=/srv/kubernetes/service-account-key/sa.key',
                    '--disable-admission-plugins=ServiceAccount',
                  ],
                  ports: [{ name: 'https', containerPort: apiserverPort }],
                  readinessProbe: { httpGet: { path: '/readyz', port: 'https', scheme: 'HTTPS' }, periodSeconds: 1, failureThreshold: 3 },
                  volumeMounts: [
                    { name: 'ca', mountPath: '/srv/kubernetes/ca' },
                    { name: 'tls', mountPath: '/srv/kubernetes/tls' },
                    { name: 'etcd-client', mountPath: '/srv/kubernetes/etcd' },
                    { name: 'service-account-key', mountPath: '/srv/kubernetes/service-account-key' },
                  ],
                },
              ],
              volumes: [
                { name: 'ca', secret: { secretName: 'ca' } },
                { name: 'tls', secret: { secretName: 'kube-apiserver-tls' } },
                { name: 'etcd-client', secret: { secretName: 'etcd-client-tls' } },
                {
                  name: 'service-account-key',
                  secret: { secretName: 'service-account-key', items: [{ key: 'private', path: 'sa.key' }, { key: 'public', path: 'sa.pub' }] },
                },
              ],
            },
          },
        },
      });
    });

    it('starts a kube-apiserver that answers /readyz to an admin, and its HTTPS readiness probe makes the Deployment ready', async () => {
      const d = await readyDeployment(DEMO, name, 150_000);
      assert.equal(condition(d, 'Available')?.status, 'True');
      const adminTls: Tls = { ca: clusterCA.certPem, cert: admin.certPem, key: admin.keyPem };
      const readyz = await request(`https://127.0.0.1:${apiserverPort}/readyz`, adminTls);
      assert.equal(readyz.status, 200);
      assert.equal(readyz.body, 'ok');
      // The admin is system:masters: it may list namespaces, which the API server reads from the etcd above.
      const namespaces = await request(`https://127.0.0.1:${apiserverPort}/api/v1/namespaces`, adminTls);
      assert.equal(namespaces.status, 200);
      assert.ok((JSON.parse(namespaces.body) as { items: Array<{ metadata: { name: string } }> }).items.some((n) => n.metadata.name === 'default'));
    });

    it('stops the process when the Deployment is deleted: the pid is gone and the port closed', async () => {
      const pid = pidOf(await getDeployment(DEMO, name))!;
      assert.ok(alive(pid));
      await client.delete({ apiVersion: 'apps/v1', kind: 'Deployment', namespace: DEMO, name });
      await eventually('the kube-apiserver process is gone', async () => !alive(pid), 30_000);
      assert.equal(await portOpen(apiserverPort), false);
      assert.ok(!runtime.processes().some((p) => p.pid === pid));
    });
  });

  describe('a container whose image has no local binary', () => {
    before(async () => {
      const labels = { app: 'vpn-seed-server' };
      await client.apply({
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'vpn-seed-server', namespace: DEMO },
        spec: {
          replicas: 1,
          selector: { matchLabels: labels },
          template: { metadata: { labels }, spec: { containers: [{ name: 'vpn-seed-server', image: 'example.com/vpn-seed-server:1.0' }] } },
        },
      });
    });

    it('is reported as not runnable on the Deployment, and never counted ready', async () => {
      const d = await eventually('the Deployment says it is not runnable', async () => {
        const now = await getDeployment(DEMO, 'vpn-seed-server');
        return condition(now, 'Available')?.reason === 'NotRunnable' ? now : undefined;
      });
      assert.equal(condition(d, 'Available')?.status, 'False');
      assert.match(condition(d, 'Available')?.message ?? '', /example\.com\/vpn-seed-server:1\.0/);
      assert.match(d.metadata.annotations?.[ANNOTATION_STATUS] ?? '', /^Not runnable: .*vpn-seed-server.*has no local binary/);
      assert.equal(d.status?.readyReplicas ?? 0, 0);
      assert.equal(d.status?.availableReplicas ?? 0, 0);
      assert.equal(pidOf(d), undefined);
      assert.ok(!runtime.processes().some((p) => p.workload === 'Deployment/vpn-seed-server'));
    });
  });

  describe('scaling the first etcd to zero and back', () => {
    const key = 'shoot-greeting';
    const gateway = (path: string, body: unknown) => request(`https://127.0.0.1:${demoEtcd.client}/v3/kv/${path}`, etcdTls, body);
    const scale = (replicas: number) =>
      client.mergePatch({ apiVersion: 'apps/v1', kind: 'Deployment', namespace: DEMO, name: 'etcd-main' }, { spec: { replicas } });

    it('stops etcd at zero replicas and starts it again at one, with the data on its claim kept', async () => {
      assert.equal((await gateway('put', { key: b64(key), value: b64('hello from before') })).status, 200);
      const pid = pidOf(await getDeployment(DEMO, 'etcd-main'))!;

      await scale(0);
      const zero = await eventually('etcd is scaled to zero', async () => {
        const d = await getDeployment(DEMO, 'etcd-main');
        return !alive(pid) && (d?.status?.replicas ?? 0) === 0 && d?.status?.observedGeneration === d?.metadata.generation ? d : undefined;
      });
      assert.equal(zero.status?.readyReplicas ?? 0, 0);
      assert.equal(await portOpen(demoEtcd.client), false);
      assert.match(zero.metadata.annotations?.[ANNOTATION_STATUS] ?? '', /^Scaled to zero/);
      assert.ok(existsSync(join(stateDir, 'pvc', DEMO, 'etcd-main-data', 'new.etcd')), "the claim's directory stays");

      await scale(1);
      await readyDeployment(DEMO, 'etcd-main');
      const range = await gateway('range', { key: b64(key) });
      assert.equal(range.status, 200);
      const kvs = (JSON.parse(range.body) as { kvs?: Array<{ value: string }> }).kvs ?? [];
      assert.equal(Buffer.from(kvs[0]?.value ?? '', 'base64').toString(), 'hello from before');
    });
  });

  describe('an etcd StatefulSet with a claim template', () => {
    const name = 'etcd-events';
    let ports: EtcdPorts;
    let closedPort: number;
    const getSts = () => client.get<Deployment & { status?: { currentReplicas?: number; currentRevision?: string; updateRevision?: string } }>({
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      namespace: DEMO,
      name,
    });
    const statefulSet = (liveness?: unknown): KubeObject => {
      const template = etcdTemplate({ namespace: DEMO, name, ports });
      delete template.spec.volumes; // "data" comes from the claim template
      if (liveness) template.spec.containers[0]!['livenessProbe'] = liveness;
      return {
        apiVersion: 'apps/v1',
        kind: 'StatefulSet',
        metadata: { name, namespace: DEMO },
        spec: {
          replicas: 1,
          serviceName: name,
          selector: { matchLabels: { app: 'etcd', instance: name } },
          template,
          volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }],
        },
      };
    };

    before(async () => {
      const [c, p, m, closed] = await freePorts(4);
      ports = { client: c!, peer: p!, metrics: m! };
      closedPort = closed!;
      await client.apply(statefulSet());
    });

    it('runs ordinal 0 on its own claim, and reports ready, current and updated replicas', async () => {
      const sts = await eventually('the StatefulSet reports one ready replica', async () => {
        const now = await getSts();
        return now?.status?.readyReplicas === 1 && now.status.observedGeneration === now.metadata.generation ? now : undefined;
      });
      assert.equal(sts.status?.currentReplicas, 1);
      assert.equal(sts.status?.updatedReplicas, 1);
      assert.equal(sts.status?.currentRevision, sts.status?.updateRevision);
      assert.deepEqual(pods(sts).map((p) => p.name), ['etcd-events-0']);
      assert.ok(existsSync(join(stateDir, 'pvc', DEMO, 'data-etcd-events-0', 'new.etcd')), 'etcd keeps its data in the claim data-etcd-events-0');
      assert.equal((await request(`http://127.0.0.1:${ports.client}/health`)).status, 200);
    });

    it('restarts a process whose liveness probe keeps failing, and says why', async () => {
      const revision = (await getSts())?.status?.updateRevision;
      await client.apply(statefulSet({ tcpSocket: { port: closedPort }, periodSeconds: 1, failureThreshold: 2 }));
      const sts = await eventually('the new revision restarted after failing its liveness probe', async () => {
        const now = await getSts();
        const c = pods(now)[0]?.containers[0] as { restarts: number; lastExit?: { reason?: string } } | undefined;
        return now?.status?.updateRevision !== revision && (c?.restarts ?? 0) >= 1 && /liveness probe failed/.test(c?.lastExit?.reason ?? '') ? now : undefined;
      });
      assert.deepEqual(pods(sts).map((p) => p.name), ['etcd-events-0'], 'a StatefulSet keeps its pod name across revisions');
      assert.ok(Number(sts.metadata.annotations?.[ANNOTATION_RESTARTS]) >= 1);
    });

    it("stops on deletion and keeps its claim's directory", async () => {
      await client.delete({ apiVersion: 'apps/v1', kind: 'StatefulSet', namespace: DEMO, name });
      await eventually('no process runs for the StatefulSet', async () => !runtime.processes().some((p) => p.workload === `StatefulSet/${name}`), 30_000);
      assert.equal(await portOpen(ports.client), false);
      assert.ok(existsSync(join(stateDir, 'pvc', DEMO, 'data-etcd-events-0', 'new.etcd')));
    });
  });

  describe('when nothing changes', () => {
    it('writes nothing to the seed: status and annotations are only written when they change', async () => {
      const writes: string[] = [];
      client.observer = (e) => {
        if (e.method !== 'GET') writes.push(`${e.method} ${e.path}`);
      };
      try {
        await new Promise((r) => setTimeout(r, 3000));
      } finally {
        client.observer = undefined;
      }
      assert.deepEqual(writes, []);
    });
  });

  describe("while the seed's API server restarts", () => {
    it('keeps the processes running, and acts on changes once the API server is back', async () => {
      const demoPid = pidOf(await getDeployment(DEMO, 'etcd-main'))!;
      const otherPid = pidOf(await getDeployment(OTHER, 'etcd-main'))!;
      const apiserver = seed.processes.find((p) => p.name === 'kube-apiserver')!;
      await stopProcess(apiserver);
      await eventually('the runtime notices the seed is gone', async () => logs.some((l) => /listing workloads failed/.test(l)), 30_000);
      assert.ok(alive(demoPid) && alive(otherPid));
      assert.equal((await request(`http://127.0.0.1:${otherEtcd.client}/health`)).status, 200);

      const restarted = startProcess(apiserver.name, apiserver.bin, apiserver.args, seed.dir, false, apiserver.healthUrl);
      seed.processes.splice(seed.processes.indexOf(apiserver), 1, restarted);
      await eventually('the seed answers again', async () => (await client.version()).gitVersion, 60_000);

      await client.delete({ apiVersion: 'apps/v1', kind: 'Deployment', namespace: OTHER, name: 'etcd-main' });
      await eventually('the deleted etcd stops', async () => !alive(otherPid), 30_000);
      assert.equal(await portOpen(otherEtcd.client), false);
      assert.ok(alive(demoPid), 'the other etcd was left alone');
      assert.ok(logs.some((l) => /answers again/.test(l)));
    });
  });

  describe('stopping the runtime', () => {
    it('stops every process it started', async () => {
      const pids = runtime.processes().map((p) => p.pid);
      assert.ok(pids.length >= 1, 'etcd runs');
      await runtime.stop();
      assert.deepEqual(pids.filter(alive), []);
      assert.deepEqual(runtime.processes(), []);
    });
  });
});
