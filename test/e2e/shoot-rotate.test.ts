// `kubegarden shoot rotate-credentials` on the local provider, with real
// processes: a real garden and seed, a shoot control plane that really rolls,
// simulated machines that join again through TLS bootstrapping, and kubectl
// as the client whose old kubeconfig must keep working until the rotation
// completes, and stop working after.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { parse } from 'yaml';
import { KubeClient, type KubeObject } from '../../src/lib/kube/client.ts';
import { kubegarden, kubegardenOk } from '../helpers/cli.ts';

interface ShootJson {
  metadata: { annotations?: Record<string, string> };
  status: { lastOperation: { type: string; state: string; progress: number }; lastErrors?: unknown[] };
}

const NS = 'shoot--local--rot';

describe('shoot rotate-credentials on the local provider (real processes end to end)', function () {
  this.timeout(600_000);
  const dir = join(tmpdir(), `kubegarden-rotate-e2e-${process.pid}`);
  const kubeconfig = join(dir, 'kubeconfig');
  const env = { KUBEGARDEN_LOCAL_DIR: dir, KUBECONFIG: kubeconfig };
  const cli = (args: string[]) => kubegarden(args, { env });
  const cliOk = (args: string[]) => kubegardenOk(args, { env });
  const shootJson = async () => JSON.parse((await cliOk(['shoot', 'get', 'rot', '-p', 'local', '-o', 'json'])).stdout) as ShootJson;
  const rotate = (phase: string) => ['shoot', 'rotate-credentials', 'rot', '-p', 'local', '--phase', phase, '--timeout', '5m'];
  const adminKubeconfig = async (name: string) => {
    const file = join(dir, `${name}.kubeconfig`);
    await cliOk(['shoot', 'kubeconfig', 'rot', '-p', 'local', '--output-file', file]);
    return file;
  };
  const kubectl = (file: string, args: string[]) => execa('kubectl', ['--kubeconfig', file, '--request-timeout', '20s', ...args], { reject: false });
  let seed: KubeClient;
  let old: string;
  let prepared: string;

  before(async () => {
    await cliOk(['local', 'up']);
    seed = await KubeClient.connect({ kubeconfig }, 'the local seed');
    await cliOk(['shoot', 'create', 'rot', '--project', 'local', '--provider', 'local', '--timeout', '5m']);
    old = await adminKubeconfig('old');
    const cm = await kubectl(old, ['create', 'configmap', 'keep-me', '--from-literal=rotated=not-lost']);
    assert.equal(cm.exitCode, 0, cm.stderr);
  });
  after(async () => {
    seed?.close();
    await kubegarden(['local', 'down', '--purge'], { env });
    await rm(dir, { recursive: true, force: true });
  });

  /** The shoot's Secrets in the seed, and its rotation state: a refused phase must change neither. */
  async function secretsAndState(): Promise<string> {
    const secrets = await seed.list<KubeObject & { data?: unknown }>('v1', 'Secret', { namespace: NS, labelSelector: 'kubegarden.io/shoot=rot' });
    const shoot = await shootJson();
    return createHash('sha256')
      .update(JSON.stringify([secrets.map((s) => [s.metadata.name, s.data]).sort(), shoot.metadata.annotations, shoot.status.lastOperation.type, shoot.status.lastOperation.state]))
      .digest('hex');
  }

  async function assertRefused(phase: string, message: RegExp): Promise<void> {
    const before = await secretsAndState();
    const r = await cli(rotate(phase));
    assert.equal(r.exitCode, 5, r.stderr);
    assert.match(r.stderr, message);
    assert.equal(await secretsAndState(), before, 'a refused phase changes nothing');
  }

  async function assertNodesReady(file: string): Promise<void> {
    const nodes = JSON.parse((await execa('kubectl', ['--kubeconfig', file, 'get', 'nodes', '-o', 'json'])).stdout) as { items: Array<{ status: { conditions: Array<{ type: string; status: string }> } }> };
    assert.equal(nodes.items.length, 1);
    for (const n of nodes.items) assert.equal(n.status.conditions.find((c) => c.type === 'Ready')?.status, 'True');
  }

  it('refuses complete before anything was prepared', async () => {
    await assertRefused('complete', /No credentials rotation of shoot "local\/rot" is prepared/);
  });

  it('prepare: new CAs and key, the control plane rolls, old and new kubeconfigs both work, nodes stay Ready', async () => {
    const r = await cliOk(rotate('prepare'));
    assert.match(r.stderr, /Credentials: rotation prepared for ca, ca-client, ca-etcd, ca-etcd-peer, ca-front-proxy, ca-kubelet, ca-vpn, service-account-key/);
    assert.match(r.stderr, /✔ Deployed kube-apiserver: ready/);
    assert.match(r.stderr, /✔ 1 kubelet renewed its Lease after the rotation/);
    assert.match(r.stderr, /Credentials rotation of shoot "local\/rot" prepared/);

    const trust = await seed.get<KubeObject & { data: Record<string, string> }>({ apiVersion: 'v1', kind: 'Secret', name: 'ca-client', namespace: NS });
    assert.ok(trust?.data['ca-previous.crt'], 'the client CA trusts its predecessor');

    const stillWorks = await kubectl(old, ['get', 'configmap', 'keep-me', '-o', 'jsonpath={.data.rotated}']);
    assert.equal(stillWorks.exitCode, 0, `the kubeconfig issued before the rotation still works: ${stillWorks.stderr}`);
    assert.equal(stillWorks.stdout, 'not-lost');
    prepared = await adminKubeconfig('prepared');
    await assertNodesReady(prepared);

    const shoot = await shootJson();
    assert.equal(shoot.metadata.annotations?.['kubegarden.io/credentials-rotation'], 'Prepared');
    assert.match(shoot.metadata.annotations?.['kubegarden.io/credentials-rotation-time'] ?? '', /^\d{4}-\d\d-\d\dT/);
    assert.deepEqual([shoot.status.lastOperation.type, shoot.status.lastOperation.state, shoot.status.lastOperation.progress], ['Rotate', 'Succeeded', 100]);
  });

  it('refuses a second prepare while one is prepared', async () => {
    await assertRefused('prepare', /already prepared \(since .*\): complete it with "kubegarden shoot rotate-credentials rot --project local --phase complete"/);
  });

  it('complete: kubeconfigs from before the rotation are rejected, new ones work, the data is kept', async () => {
    const r = await cliOk(rotate('complete'));
    assert.match(r.stderr, /Credentials: rotation completed for ca, ca-client/);
    assert.match(r.stderr, /Credentials rotation of shoot "local\/rot" completed/);

    const rejected = await kubectl(old, ['get', 'configmap', 'keep-me']);
    assert.notEqual(rejected.exitCode, 0, 'the old admin kubeconfig no longer works');
    // It trusts only the old cluster CA, so TLS fails first; given the current CA, its client certificate gets 401.
    assert.match(rejected.stderr, /certificate signed by unknown authority|Unauthorized/);
    const fresh = await adminKubeconfig('new');
    const caFile = join(dir, 'current-ca.crt');
    const cluster = (parse(await readFile(fresh, 'utf8')) as { clusters: Array<{ cluster: { 'certificate-authority-data': string } }> }).clusters[0]!;
    await writeFile(caFile, Buffer.from(cluster.cluster['certificate-authority-data'], 'base64'));
    const unauthorized = await kubectl(old, ['--certificate-authority', caFile, 'get', 'configmap', 'keep-me']);
    assert.notEqual(unauthorized.exitCode, 0);
    assert.match(unauthorized.stderr, /Unauthorized/);

    for (const file of [fresh, prepared]) {
      const works = await kubectl(file, ['get', 'configmap', 'keep-me', '-o', 'jsonpath={.data.rotated}']);
      assert.equal(works.exitCode, 0, works.stderr);
      assert.equal(works.stdout, 'not-lost');
    }
    await assertNodesReady(fresh);

    const shoot = await shootJson();
    assert.equal(shoot.metadata.annotations?.['kubegarden.io/credentials-rotation'], 'Completed');
    assert.deepEqual([shoot.status.lastOperation.type, shoot.status.lastOperation.state], ['Rotate', 'Succeeded']);
    const trust = await seed.get<KubeObject & { data: Record<string, string> }>({ apiVersion: 'v1', kind: 'Secret', name: 'ca-client', namespace: NS });
    assert.equal(trust?.data['ca-previous.crt'], undefined);
  });

  it('refuses complete again', async () => {
    await assertRefused('complete', /No credentials rotation of shoot "local\/rot" is prepared/);
  });
});
