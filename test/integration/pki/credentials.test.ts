// A shoot's credentials, proven by use: generated into Secrets of a real seed,
// read back from there, and handed to a real etcd and kube-apiserver, which
// must start, authenticate each component as who it is, sign and check
// service-account tokens, encrypt Secrets at rest and answer to every name its
// serving certificate claims.
import assert from 'node:assert/strict';
import { verify } from 'node:crypto';
import { lookup } from 'node:dns/promises';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import https from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tls from 'node:tls';
import { parse } from 'yaml';
import { KubeClient, type KubeObject } from '../../../src/lib/kube/client.ts';
import { parseKubeconfig, type ResolvedKubeconfig } from '../../../src/lib/kube/kubeconfig.ts';
import { findAssets } from '../../../src/lib/local/assets.ts';
import { startProcess, stopProcess, waitHealthy, type LocalCluster, type ManagedProcess } from '../../../src/lib/local/cluster.ts';
import { freePorts } from '../../../src/lib/local/ports.ts';
import { BOOTSTRAP_TOKEN_GROUP, CREDENTIAL_NAMES, type ShootCredentialsParams } from '../../../src/lib/pki/catalog.ts';
import { inspectCertificate } from '../../../src/lib/pki/inspect.ts';
import { issueAdminKubeconfig } from '../../../src/lib/pki/kubeconfig.ts';
import { KubeSecretStore } from '../../../src/lib/pki/kube-store.ts';
import { readBootstrapToken } from '../../../src/lib/pki/material.ts';
import { reconcileCredentials } from '../../../src/lib/pki/reconcile.ts';
import { CREDENTIAL_LABEL, MANAGED_BY_LABEL, SHOOT_LABEL, type SecretData } from '../../../src/lib/pki/store.ts';
import type { ReconcileResult } from '../../../src/lib/pki/types.ts';
import { startTestCluster } from '../../helpers/testbed.ts';

const NS = 'shoot--dev--demo';
const LOOPBACK = '127.0.0.1';

interface Secret extends KubeObject {
  type?: string;
  data?: Record<string, string>;
}

interface Answer {
  status: number;
  body: unknown;
}

/** One HTTPS request with exactly the given TLS identity and headers. */
function call(url: string, options: { ca: string; cert?: string; key?: string; method?: string; headers?: Record<string, string>; body?: unknown }): Promise<Answer> {
  const body = options.body === undefined ? undefined : JSON.stringify(options.body);
  return new Promise((resolve, reject) => {
    const req = https.request(
      url,
      {
        method: options.method ?? (body === undefined ? 'GET' : 'POST'),
        ca: options.ca,
        cert: options.cert,
        key: options.key,
        agent: false,
        timeout: 10_000,
        headers: { Accept: 'application/json', ...(body === undefined ? {} : { 'Content-Type': 'application/json' }), ...options.headers },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed: unknown = text;
          try {
            parsed = JSON.parse(text);
          } catch {
            /* not JSON */
          }
          resolve({ status: res.statusCode ?? 0, body: parsed });
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', reject);
    req.end(body);
  });
}

/** Whether a TLS handshake (with server verification) succeeds; the error code when not. */
function handshake(options: tls.ConnectionOptions): Promise<{ ok: true } | { ok: false; error: string }> {
  return new Promise((resolve) => {
    const socket = tls.connect({ ...options, rejectUnauthorized: true }, () => {
      resolve({ ok: true });
      socket.end();
    });
    socket.setTimeout(10_000, () => socket.destroy(new Error('timed out')));
    socket.once('error', (err: NodeJS.ErrnoException) => resolve({ ok: false, error: err.code ?? err.message }));
  });
}

function b64url(part: string | undefined): Buffer {
  return Buffer.from(part ?? '', 'base64url');
}

describe('shoot credentials (real seed, real etcd and kube-apiserver)', function () {
  this.timeout(240_000);
  let seed: LocalCluster;
  let seedClient: KubeClient;
  let store: KubeSecretStore;
  let params: ShootCredentialsParams;
  let first: ReconcileResult;
  let ports: { etcd: number; etcdPeer: number; apiserver: number };
  let dir: string;
  const processes: ManagedProcess[] = [];
  const clients: KubeClient[] = [];

  /** A credential's data as the seed holds it. */
  const secret = async (name: string): Promise<SecretData> => {
    const stored = await store.get(name);
    assert.ok(stored, `Secret ${name} is in the seed`);
    return stored.data;
  };
  const value = async (name: string, key: string): Promise<string> => {
    const text = (await secret(name))[key];
    assert.ok(text !== undefined, `Secret ${name} has ${key}`);
    return text;
  };
  const resourceVersions = async (): Promise<Record<string, string>> => {
    const list = await seedClient.list<Secret>('v1', 'Secret', { namespace: NS, labelSelector: `${MANAGED_BY_LABEL}=kubegarden,${SHOOT_LABEL}=demo` });
    return Object.fromEntries(list.map((s) => [s.metadata.name, s.metadata.resourceVersion ?? '']));
  };

  before(async () => {
    seed = await startTestCluster('seed');
    seedClient = await KubeClient.connect({ kubeconfig: seed.kubeconfigPath }, 'the seed');
    await seedClient.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } });
    store = new KubeSecretStore(seedClient, NS);
    const [etcd, etcdPeer, apiserver] = await freePorts(3);
    ports = { etcd: etcd!, etcdPeer: etcdPeer!, apiserver: apiserver! };
    params = { shootName: 'demo', namespace: NS, servicesCIDR: '100.64.0.0/13', externalEndpoint: `${LOOPBACK}:${ports.apiserver}`, loopback: true };
    dir = await mkdtemp(join(tmpdir(), 'kubegarden-shoot-pki-'));
  });

  after(async () => {
    for (const client of clients) client.close();
    for (const proc of processes.reverse()) await stopProcess(proc);
    seedClient?.close();
    await seed?.stop();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  describe('in the seed', () => {
    it('stores one labelled Opaque Secret per credential', async () => {
      first = await reconcileCredentials(store, params);
      assert.deepEqual(
        first.report.filter((c) => c.action !== 'created'),
        [],
      );
      const secrets = await seedClient.list<Secret>('v1', 'Secret', { namespace: NS, labelSelector: `${MANAGED_BY_LABEL}=kubegarden,${SHOOT_LABEL}=demo` });
      assert.deepEqual(secrets.map((s) => s.metadata.name).sort(), [...CREDENTIAL_NAMES].sort());
      for (const s of secrets) {
        assert.equal(s.type, 'Opaque', s.metadata.name);
        assert.equal(s.metadata.labels?.[CREDENTIAL_LABEL], s.metadata.name);
        assert.ok(Object.keys(s.data ?? {}).length > 0, `${s.metadata.name} has data`);
      }
    });

    it('changes no Secret when reconciled again', async () => {
      const before = await resourceVersions();
      const again = await reconcileCredentials(store, params);
      assert.deepEqual(
        again.report.filter((c) => c.action !== 'kept'),
        [],
      );
      assert.deepEqual(await resourceVersions(), before);
    });

    it('drops a key another writer added to a certificate Secret, then settles', async () => {
      await seedClient.request('PATCH', `/api/v1/namespaces/${NS}/secrets/kube-scheduler`, {
        body: { data: { stray: Buffer.from('x').toString('base64') } },
        contentType: 'application/merge-patch+json',
        query: { fieldManager: 'kubectl-edit' },
        ctx: { verb: 'patch', resource: 'secrets', namespace: NS, name: 'kube-scheduler' },
      });
      const repair = await reconcileCredentials(store, params);
      assert.deepEqual(
        repair.report.filter((c) => c.action !== 'kept').map((c) => [c.name, c.action]),
        [['kube-scheduler', 'updated']],
      );
      assert.deepEqual(Object.keys(await secret('kube-scheduler')).sort(), ['kubeconfig', 'tls.crt', 'tls.key']);
      const before = await resourceVersions();
      const settled = await reconcileCredentials(store, params);
      assert.deepEqual(
        settled.report.filter((c) => c.action !== 'kept'),
        [],
      );
      assert.deepEqual(await resourceVersions(), before);
    });
  });

  describe('a control plane started from them', () => {
    const server = (): string => `https://${LOOPBACK}:${ports.apiserver}`;
    let files: Record<string, Record<string, string>>;
    let caBundle: string;
    let admin: KubeClient;
    const path = (name: string, key: string): string => {
      const file = files[name]?.[key];
      assert.ok(file !== undefined, `${name}/${key} was written`);
      return file;
    };
    const connect = async (kubeconfig: ResolvedKubeconfig, label: string): Promise<KubeClient> => {
      const client = await KubeClient.fromResolved(kubeconfig, label);
      clients.push(client);
      return client;
    };
    /** Who the API server says the bearer of these credentials is (SelfSubjectReview). */
    const whoAmI = async (auth: { cert?: string; key?: string; headers?: Record<string, string> }): Promise<{ username: string; groups: string[] }> => {
      const answer = await call(`${server()}/apis/authentication.k8s.io/v1/selfsubjectreviews`, {
        ca: caBundle,
        ...auth,
        body: { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' },
      });
      assert.equal(answer.status, 201, JSON.stringify(answer.body));
      const info = (answer.body as { status: { userInfo: { username: string; groups?: string[] } } }).status.userInfo;
      return { username: info.username, groups: info.groups ?? [] };
    };

    before(async () => {
      // Everything the processes read comes from the Secrets in the seed, not from memory.
      files = {};
      for (const name of CREDENTIAL_NAMES) {
        await mkdir(join(dir, name), { mode: 0o700 });
        files[name] = {};
        for (const [key, text] of Object.entries(await secret(name))) {
          const file = join(dir, name, key);
          await writeFile(file, text, { mode: 0o600 });
          files[name][key] = file;
        }
      }
      caBundle = await value('ca', 'ca.crt');
      const assets = await findAssets();
      assert.ok(assets, 'the Kubernetes test binaries are built');

      const etcdUrl = `https://${LOOPBACK}:${ports.etcd}`;
      const peerUrl = `https://${LOOPBACK}:${ports.etcdPeer}`;
      const etcd = startProcess(
        'shoot-etcd',
        assets.etcd,
        [
          '--name=etcd-main',
          `--data-dir=${join(dir, 'etcd-data')}`,
          `--listen-client-urls=${etcdUrl}`,
          `--advertise-client-urls=${etcdUrl}`,
          `--listen-peer-urls=${peerUrl}`,
          `--initial-advertise-peer-urls=${peerUrl}`,
          `--initial-cluster=etcd-main=${peerUrl}`,
          '--initial-cluster-state=new',
          `--cert-file=${path('etcd-server', 'tls.crt')}`,
          `--key-file=${path('etcd-server', 'tls.key')}`,
          `--trusted-ca-file=${path('ca-etcd', 'ca.crt')}`,
          '--client-cert-auth',
          `--peer-cert-file=${path('etcd-peer', 'tls.crt')}`,
          `--peer-key-file=${path('etcd-peer', 'tls.key')}`,
          `--peer-trusted-ca-file=${path('ca-etcd-peer', 'ca.crt')}`,
          '--peer-client-cert-auth',
          '--unsafe-no-fsync',
          '--log-level=warn',
        ],
        dir,
        false,
      );
      processes.push(etcd);
      const etcdAgent = new https.Agent({ ca: await value('ca-etcd', 'ca.crt'), cert: await value('etcd-client', 'tls.crt'), key: await value('etcd-client', 'tls.key') });
      await waitHealthy(etcd, `${etcdUrl}/health`, etcdAgent, 60_000);
      etcdAgent.destroy();

      const issuer = first.credentials.serviceAccount.issuer;
      assert.equal(issuer, server());
      const apiserver = startProcess(
        'shoot-kube-apiserver',
        assets['kube-apiserver'],
        [
          `--etcd-servers=${etcdUrl}`,
          `--etcd-cafile=${path('ca-etcd', 'ca.crt')}`,
          `--etcd-certfile=${path('etcd-client', 'tls.crt')}`,
          `--etcd-keyfile=${path('etcd-client', 'tls.key')}`,
          `--secure-port=${ports.apiserver}`,
          `--bind-address=${LOOPBACK}`,
          `--advertise-address=${LOOPBACK}`,
          '--endpoint-reconciler-type=none',
          `--service-cluster-ip-range=${params.servicesCIDR}`,
          `--tls-cert-file=${path('kube-apiserver', 'tls.crt')}`,
          `--tls-private-key-file=${path('kube-apiserver', 'tls.key')}`,
          `--client-ca-file=${path('ca-client', 'ca.crt')}`,
          `--requestheader-client-ca-file=${path('ca-front-proxy', 'ca.crt')}`,
          '--requestheader-allowed-names=system:kube-aggregator',
          '--requestheader-username-headers=X-Remote-User',
          '--requestheader-group-headers=X-Remote-Group',
          '--requestheader-extra-headers-prefix=X-Remote-Extra-',
          `--proxy-client-cert-file=${path('kube-aggregator', 'tls.crt')}`,
          `--proxy-client-key-file=${path('kube-aggregator', 'tls.key')}`,
          `--kubelet-client-certificate=${path('kube-apiserver-kubelet', 'tls.crt')}`,
          `--kubelet-client-key=${path('kube-apiserver-kubelet', 'tls.key')}`,
          `--kubelet-certificate-authority=${path('ca-kubelet', 'ca.crt')}`,
          `--service-account-issuer=${issuer}`,
          `--service-account-key-file=${path('service-account-key', 'bundle.pem')}`,
          `--service-account-signing-key-file=${path('service-account-key', 'sa.key')}`,
          `--encryption-provider-config=${path('encryption-config', 'encryption-configuration.yaml')}`,
          '--enable-bootstrap-token-auth',
          '--authorization-mode=Node,RBAC',
          `--cert-dir=${join(dir, 'apiserver-certs')}`,
        ],
        dir,
        false,
      );
      processes.push(apiserver);

      // The admin kubeconfig is signed with the client CA as the seed holds it.
      const { kubeconfig } = await issueAdminKubeconfig(
        { ca: { bundlePem: caBundle }, 'ca-client': { certPem: await value('ca-client', 'ca.crt'), keyPem: await value('ca-client', 'ca.key') } },
        { server: server(), user: 'test-admin', expirationSeconds: 3600, clusterName: NS },
      );
      const adminConfig = parseKubeconfig(kubeconfig, 'the shoot');
      const adminAgent = new https.Agent({
        ca: caBundle,
        cert: Buffer.from(adminConfig.user['client-certificate-data'] ?? '', 'base64'),
        key: Buffer.from(adminConfig.user['client-key-data'] ?? '', 'base64'),
      });
      await waitHealthy(apiserver, `${server()}/readyz`, adminAgent, 120_000);
      adminAgent.destroy();
      admin = await connect(adminConfig, 'the shoot');
    });

    describe('etcd', () => {
      it('answers clients with a certificate from ca-etcd, and no one else', async () => {
        const ca = await value('ca-etcd', 'ca.crt');
        const health = await call(`https://${LOOPBACK}:${ports.etcd}/health`, { ca, cert: await value('etcd-client', 'tls.crt'), key: await value('etcd-client', 'tls.key') });
        assert.equal(health.status, 200);
        await assert.rejects(call(`https://${LOOPBACK}:${ports.etcd}/health`, { ca }), { code: 'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED' });
        await assert.rejects(call(`https://${LOOPBACK}:${ports.etcd}/health`, { ca, cert: seed.pki.admin.certPem, key: seed.pki.admin.keyPem }), {
          code: 'ERR_SSL_TLSV1_ALERT_UNKNOWN_CA',
        });
      });

      it('answers peers with a certificate from ca-etcd-peer, and not etcd clients', async () => {
        const ca = await value('ca-etcd-peer', 'ca.crt');
        const peer = await call(`https://${LOOPBACK}:${ports.etcdPeer}/members`, { ca, cert: await value('etcd-peer', 'tls.crt'), key: await value('etcd-peer', 'tls.key') });
        assert.equal(peer.status, 200, JSON.stringify(peer.body));
        await assert.rejects(call(`https://${LOOPBACK}:${ports.etcdPeer}/members`, { ca, cert: await value('etcd-client', 'tls.crt'), key: await value('etcd-client', 'tls.key') }), {
          code: 'ERR_SSL_TLSV1_ALERT_UNKNOWN_CA',
        });
      });
    });

    describe('who each kubeconfig is', () => {
      it('the admin kubeconfig can do what only an admin can', async () => {
        assert.equal(await admin.can('*', { group: '*', resource: '*' }), true);
        await admin.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'made-by-admin' } });
        assert.ok(await admin.get({ apiVersion: 'v1', kind: 'Namespace', name: 'made-by-admin' }));
        assert.equal(await admin.can('create', { group: 'rbac.authorization.k8s.io', resource: 'clusterrolebindings' }), true);
      });

      it("the scheduler's kubeconfig reaches the API server by its in-seed name and has the built-in scheduler's rights", async () => {
        const kc = parseKubeconfig(await value('kube-scheduler', 'kubeconfig'), 'kube-scheduler');
        assert.equal(kc.cluster.server, 'https://kube-apiserver');
        // In the seed that name is the Service; here it is the loopback port, with the name kept for TLS.
        const scheduler = await connect({ ...kc, cluster: { ...kc.cluster, server: server(), 'tls-server-name': 'kube-apiserver' } }, 'kube-scheduler');
        // The name is what TLS checks (127.0.0.1 alone would verify too): a name the certificate lacks fails.
        const misnamed = await connect({ ...kc, cluster: { ...kc.cluster, server: server(), 'tls-server-name': 'not-a-san.example' } }, 'kube-scheduler');
        await assert.rejects(misnamed.version(), /does not name this host/);
        assert.match((await scheduler.version()).gitVersion, /^v1\./);
        assert.equal(await scheduler.can('create', { group: '', resource: 'bindings', namespace: 'default' }), true);
        assert.equal(await scheduler.can('create', { group: '', resource: 'pods/binding', namespace: 'default' }), true);
        assert.equal(await scheduler.can('get', { group: '', resource: 'pods', namespace: 'default' }), true);
        assert.equal(await scheduler.can('list', { group: '', resource: 'nodes' }), true);
        assert.equal(await scheduler.can('get', { group: '', resource: 'secrets', namespace: 'kube-system' }), false);
        assert.equal(await scheduler.can('create', { group: '', resource: 'pods', namespace: 'default' }), false);
        assert.equal(await scheduler.can('update', { group: '', resource: 'nodes' }), false);
      });

      it("the controller manager's kubeconfig has the built-in controller manager's rights", async () => {
        const kc = parseKubeconfig(await value('kube-controller-manager', 'kubeconfig'), 'kube-controller-manager');
        assert.equal(kc.cluster.server, 'https://kube-apiserver');
        const kcm = await connect({ ...kc, cluster: { ...kc.cluster, server: server(), 'tls-server-name': 'kube-apiserver' } }, 'kube-controller-manager');
        // system:kube-controller-manager: get secrets and service accounts, list and watch everything, mint tokens.
        assert.equal(await kcm.can('get', { group: '', resource: 'secrets', namespace: 'kube-system' }), true);
        assert.equal(await kcm.can('list', { group: 'apps', resource: 'deployments' }), true);
        assert.equal(await kcm.can('create', { group: '', resource: 'serviceaccounts/token', namespace: 'kube-system' }), true);
        assert.equal(await kcm.can('delete', { group: '', resource: 'pods', namespace: 'default' }), false);
        assert.equal(await kcm.can('create', { group: 'rbac.authorization.k8s.io', resource: 'clusterrolebindings' }), false);
      });

      it("kube-proxy's kubeconfig points at the external endpoint and may list endpoint slices", async () => {
        const kc = parseKubeconfig(await value('kube-proxy', 'kubeconfig'), 'kube-proxy');
        assert.equal(kc.cluster.server, server());
        const proxy = await connect(kc, 'kube-proxy');
        assert.equal(await proxy.can('list', { group: 'discovery.k8s.io', resource: 'endpointslices' }), true);
        assert.equal(await proxy.can('list', { group: '', resource: 'services' }), true);
        assert.equal(await proxy.can('get', { group: '', resource: 'secrets', namespace: 'kube-system' }), false);
      });

      it('the front proxy (kube-aggregator) may assert a user, and no other client may', async () => {
        const headers = { 'X-Remote-User': 'alice', 'X-Remote-Group': 'devs' };
        const proxied = await whoAmI({ cert: await value('kube-aggregator', 'tls.crt'), key: await value('kube-aggregator', 'tls.key'), headers });
        assert.equal(proxied.username, 'alice');
        assert.ok(proxied.groups.includes('devs'), proxied.groups.join(','));
        const direct = await whoAmI({ cert: await value('kube-scheduler', 'tls.crt'), key: await value('kube-scheduler', 'tls.key'), headers });
        assert.equal(direct.username, 'system:kube-scheduler');
      });

      it("the API server's kubelet client certificate is a system:masters identity under the client CA", async () => {
        const who = await whoAmI({ cert: await value('kube-apiserver-kubelet', 'tls.crt'), key: await value('kube-apiserver-kubelet', 'tls.key') });
        assert.equal(who.username, 'kube-apiserver-kubelet-client');
        assert.ok(who.groups.includes('system:masters'), who.groups.join(','));
      });

      it('the bootstrap token authenticates kubelets once its Secret is in kube-system', async () => {
        const token = readBootstrapToken(await secret('bootstrap-token'));
        assert.ok(token, 'the stored bootstrap token is readable');
        const { namespace, name, type, stringData } = token.shootSecret;
        await admin.create({ apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace }, type, stringData });
        const who = await whoAmI({ headers: { Authorization: `Bearer ${token.token}` } });
        assert.equal(who.username, `system:bootstrap:${token.id}`);
        assert.ok(who.groups.includes('system:bootstrappers') && who.groups.includes(BOOTSTRAP_TOKEN_GROUP), who.groups.join(','));
      });
    });

    describe('service-account tokens', () => {
      it('are signed (RS256) with the generated key, carry the issuer and authenticate', async () => {
        await admin.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'tokens' } });
        await admin.create({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'robot', namespace: 'tokens' } });
        const review = await admin.request<{ status: { token: string } }>('POST', '/api/v1/namespaces/tokens/serviceaccounts/robot/token', {
          body: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { expirationSeconds: 3600 } },
          contentType: 'application/json',
          ctx: { verb: 'create', resource: 'serviceaccounts/token', namespace: 'tokens', name: 'robot' },
        });
        const jwt = review.status.token;
        const [header, payload, signature] = jwt.split('.');
        assert.equal((JSON.parse(b64url(header).toString('utf8')) as { alg: string }).alg, 'RS256');
        const signed = Buffer.from(`${header}.${payload}`);
        assert.equal(verify('RSA-SHA256', signed, await value('service-account-key', 'sa.pub'), b64url(signature)), true);
        assert.equal(verify('RSA-SHA256', signed, seed.pki.sa.publicKeyPem, b64url(signature)), false, 'another key does not verify it');
        const claims = JSON.parse(b64url(payload).toString('utf8')) as { iss: string; sub: string };
        assert.equal(claims.iss, first.credentials.serviceAccount.issuer);
        assert.equal(claims.sub, 'system:serviceaccount:tokens:robot');
        const who = await whoAmI({ headers: { Authorization: `Bearer ${jwt}` } });
        assert.equal(who.username, 'system:serviceaccount:tokens:robot');
      });
    });

    describe('encryption at rest', () => {
      it('stores Secrets in etcd encrypted with the generated key, and ConfigMaps in the clear', async () => {
        const marker = `plaintext-${Date.now()}-marker`;
        await admin.create({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'top-secret', namespace: 'default' }, stringData: { password: marker } });
        await admin.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'not-secret', namespace: 'default' }, data: { value: marker } });
        const etcdValue = async (key: string): Promise<Buffer> => {
          const answer = await call(`https://${LOOPBACK}:${ports.etcd}/v3/kv/range`, {
            ca: await value('ca-etcd', 'ca.crt'),
            cert: await value('etcd-client', 'tls.crt'),
            key: await value('etcd-client', 'tls.key'),
            body: { key: Buffer.from(key).toString('base64') },
          });
          assert.equal(answer.status, 200, JSON.stringify(answer.body));
          const kv = (answer.body as { kvs?: { value: string }[] }).kvs?.[0];
          assert.ok(kv, `etcd holds ${key}`);
          return Buffer.from(kv.value, 'base64');
        };
        const config = parse(await value('encryption-config', 'encryption-configuration.yaml')) as {
          resources: { providers: { aescbc?: { keys: { name: string }[] } }[] }[];
        };
        const keyName = config.resources[0]?.providers[0]?.aescbc?.keys[0]?.name;
        assert.ok(keyName !== undefined);
        const stored = await etcdValue('/registry/secrets/default/top-secret');
        assert.equal(stored.subarray(0, 64).toString('latin1').startsWith(`k8s:enc:aescbc:v1:${keyName}:`), true, stored.subarray(0, 40).toString('latin1'));
        assert.equal(stored.includes(marker), false);
        assert.equal((await etcdValue('/registry/configmaps/default/not-secret')).includes(marker), true, 'the raw read sees plaintext where there is some');
        // And the API server decrypts it again.
        const back = await admin.get<Secret>({ apiVersion: 'v1', kind: 'Secret', name: 'top-secret', namespace: 'default' });
        assert.equal(Buffer.from(back?.data?.['password'] ?? '', 'base64').toString('utf8'), marker);
      });
    });

    describe('the serving certificate', () => {
      let dnsNames: string[];
      let ipAddresses: string[];
      before(async () => {
        ({ dnsNames, ipAddresses } = inspectCertificate(await value('kube-apiserver', 'tls.crt')));
      });

      it('claims the names clients use', () => {
        for (const name of ['localhost', 'kubernetes', 'kubernetes.default.svc.cluster.local', 'kube-apiserver', `kube-apiserver.${NS}.svc.cluster.local`]) {
          assert.ok(dnsNames.includes(name), `${name} in ${dnsNames.join(', ')}`);
        }
        assert.deepEqual([...ipAddresses].sort(), ['100.64.0.1', LOOPBACK]);
      });

      it('verifies for every DNS name it claims', async () => {
        for (const name of dnsNames) {
          const local = await lookup(name, { all: true }).then(
            (addresses) => addresses.length > 0 && addresses.every((a) => a.address === LOOPBACK || a.address === '::1'),
            () => false,
          );
          // Names that resolve here are dialled by name; the others reach the same port with the name sent as SNI.
          const result = local
            ? await handshake({ host: name, port: ports.apiserver, ca: caBundle })
            : await handshake({ host: LOOPBACK, port: ports.apiserver, servername: name, ca: caBundle });
          assert.deepEqual(result, { ok: true }, `${name}${local ? ' (resolved here)' : ''}`);
        }
      });

      it('verifies for every IP address it claims', async () => {
        for (const ip of ipAddresses) {
          const result =
            ip === LOOPBACK
              ? await handshake({ host: ip, port: ports.apiserver, ca: caBundle })
              : await handshake({ host: LOOPBACK, port: ports.apiserver, ca: caBundle, checkServerIdentity: (_host, cert) => tls.checkServerIdentity(ip, cert) });
          assert.deepEqual(result, { ok: true }, ip);
        }
      });

      it('fails for a name or address it does not claim, and for another CA', async () => {
        assert.deepEqual(await handshake({ host: LOOPBACK, port: ports.apiserver, servername: 'not-a-san.example', ca: caBundle }), {
          ok: false,
          error: 'ERR_TLS_CERT_ALTNAME_INVALID',
        });
        assert.deepEqual(
          await handshake({ host: LOOPBACK, port: ports.apiserver, ca: caBundle, checkServerIdentity: (_host, cert) => tls.checkServerIdentity('100.64.0.2', cert) }),
          { ok: false, error: 'ERR_TLS_CERT_ALTNAME_INVALID' },
        );
        assert.deepEqual(await handshake({ host: LOOPBACK, port: ports.apiserver, ca: seed.caPem }), { ok: false, error: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' });
      });
    });
  });
});
