// Targets against a real garden: after "target garden" and "target project",
// commands find the garden and project without --kubeconfig and --project;
// "kubegarden kubeconfig" issues the targeted shoot's kubeconfig from its CAs
// in a real seed and merges it into kubectl's file.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import forge from 'node-forge';
import { parse, stringify } from 'yaml';
import { KubeClient } from '../../../src/lib/kube/client.ts';
import { KubeSecretStore } from '../../../src/lib/pki/kube-store.ts';
import { createCA } from '../../../src/lib/pki/primitives.ts';
import type { LocalCluster } from '../../../src/lib/local/cluster.ts';
import { kubegarden, kubegardenOk } from '../../helpers/cli.ts';
import { startTestCluster } from '../../helpers/testbed.ts';

const spec = (seedName?: string) => ({
  provider: { type: 'local', region: 'local', workers: [{ name: 'worker', machineType: 'local', minimum: 1, maximum: 2 }] },
  kubernetes: { version: '1.37.2' },
  networking: { nodes: '10.250.0.0/16', pods: '100.96.0.0/11', services: '100.64.0.0/13' },
  ...(seedName ? { seedName } : {}),
});

describe('targets and kubegarden kubeconfig (real kube-apiserver)', function () {
  this.timeout(180_000);
  let garden: LocalCluster;
  let seed: LocalCluster;
  let client: KubeClient;
  let dir: string;
  let env: Record<string, string>;
  const cli = (args: string[], extra: Record<string, string> = {}) => kubegarden(args, { env: { ...env, ...extra } });
  const cliOk = (args: string[], extra: Record<string, string> = {}) => kubegardenOk(args, { env: { ...env, ...extra } });
  const config = async () => parse(await readFile(env['KUBEGARDEN_CONFIG']!, 'utf8')) as { gardens: Array<{ name: string; kubeconfig: string }>; target: Record<string, string> };

  before(async () => {
    [garden, seed] = await Promise.all([startTestCluster('garden'), startTestCluster('seed')]);
    client = await KubeClient.connect({ kubeconfig: garden.kubeconfigPath });
    dir = await mkdtemp(join(tmpdir(), 'kg-target-'));
    env = { KUBEGARDEN_CONFIG: join(dir, 'kubegarden', 'config.yaml') };
    const g = ['--kubeconfig', garden.kubeconfigPath];
    await kubegardenOk(['garden', 'init', ...g]);
    await kubegardenOk(['project', 'create', 'dev', ...g]);
    await kubegardenOk(['project', 'create', 'ops', ...g]);
    await kubegardenOk(['seed', 'register', 'seed-one', ...g, '--seed-kubeconfig', seed.kubeconfigPath, '--provider', 'local', '--region', 'local']);
    await client.apply({ apiVersion: 'kubegarden.io/v1alpha1', kind: 'Shoot', metadata: { name: 'demo', namespace: 'garden-dev' }, spec: spec('seed-one') });
    await client.apply({ apiVersion: 'kubegarden.io/v1alpha1', kind: 'Shoot', metadata: { name: 'other', namespace: 'garden-ops' }, spec: spec() });
  });
  after(async () => {
    client?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('without a target, a command that needs a project fails fast with exit 2 naming --project', async () => {
    const r = await cli(['shoot', 'get', 'demo', '--kubeconfig', garden.kubeconfigPath]);
    assert.equal(r.exitCode, 2, r.stderr);
    assert.match(r.stderr, /pass --project NAME \(or run kubegarden target project NAME\)/);
    const list = await cli(['shoot', 'list', '--kubeconfig', garden.kubeconfigPath]);
    assert.equal(list.exitCode, 2, list.stderr);
    assert.match(list.stderr, /--project/);
  });

  it('refuses an unknown garden without --kubeconfig (exit 4), and registers one with it', async () => {
    const unknown = await cli(['target', 'garden', 'test']);
    assert.equal(unknown.exitCode, 4, unknown.stderr);
    assert.match(unknown.stderr, /Garden "test" is not registered: register it with "kubegarden target garden test --kubeconfig FILE"/);
    const r = await cliOk(['target', 'garden', 'test', '--kubeconfig', garden.kubeconfigPath]);
    assert.match(r.stderr, /Targeted garden "test" \(registered in /);
    assert.deepEqual((await config()).gardens, [{ name: 'test', kubeconfig: garden.kubeconfigPath }]);
    assert.deepEqual((await config()).target, { garden: 'test' });
    assert.equal((await stat(env['KUBEGARDEN_CONFIG']!)).mode & 0o777, 0o600);
  });

  it('lists seeds of the targeted garden without --kubeconfig', async () => {
    const seeds = JSON.parse((await cliOk(['seed', 'list', '-o', 'json'])).stdout) as Array<{ metadata: { name: string } }>;
    assert.deepEqual(seeds.map((s) => s.metadata.name), ['seed-one']);
  });

  it('refuses a project that does not exist (exit 4) and targets one that does', async () => {
    const missing = await cli(['target', 'project', 'nope']);
    assert.equal(missing.exitCode, 4, missing.stderr);
    assert.match(missing.stderr, /Project "nope" does not exist/);
    assert.deepEqual((await config()).target, { garden: 'test' });
    await cliOk(['target', 'project', 'dev']);
    assert.deepEqual((await config()).target, { garden: 'test', project: 'dev' });
  });

  it('lists and gets shoots of the targeted project without --kubeconfig or --project; --project still wins', async () => {
    const shoots = JSON.parse((await cliOk(['shoot', 'list', '-o', 'json'])).stdout) as Array<{ metadata: { name: string } }>;
    assert.deepEqual(shoots.map((s) => s.metadata.name), ['demo']);
    const ops = JSON.parse((await cliOk(['shoot', 'list', '-p', 'ops', '-o', 'json'])).stdout) as Array<{ metadata: { name: string } }>;
    assert.deepEqual(ops.map((s) => s.metadata.name), ['other']);
    const got = JSON.parse((await cliOk(['shoot', 'get', 'demo', '-o', 'json'])).stdout) as { metadata: { name: string; namespace: string } };
    assert.equal(got.metadata.namespace, 'garden-dev');
    const noName = await cli(['shoot', 'get']);
    assert.equal(noName.exitCode, 2, noName.stderr);
    assert.match(noName.stderr, /No shoot given and none targeted: pass the shoot NAME argument/);
  });

  it('targets a shoot, which shoot commands then use when NAME is left out; a missing one is exit 4', async () => {
    const missing = await cli(['target', 'shoot', 'ghost']);
    assert.equal(missing.exitCode, 4, missing.stderr);
    await cliOk(['target', 'shoot', 'demo']);
    const got = JSON.parse((await cliOk(['shoot', 'get', '-o', 'json'])).stdout) as { metadata: { name: string } };
    assert.equal(got.metadata.name, 'demo');
    const view = JSON.parse((await cliOk(['target', 'view', '-o', 'json'])).stdout) as Record<string, string>;
    assert.deepEqual(view, { garden: 'test', project: 'dev', shoot: 'demo' });
    assert.match((await cliOk(['target', 'view'])).stdout, /^LEVEL\s+NAME\ngarden\s+test\nproject\s+dev\nshoot\s+demo\n$/);
    assert.deepEqual(parse((await cliOk(['target', 'view', '-o', 'yaml'])).stdout), view);
  });

  it('target shoot -p targets that project too, and the targeted shoot of one project is not taken for another', async () => {
    await cliOk(['target', 'shoot', 'other', '-p', 'ops']);
    assert.deepEqual((await config()).target, { garden: 'test', project: 'ops', shoot: 'other' });
    const r = await cli(['shoot', 'get', '-p', 'dev']);
    assert.equal(r.exitCode, 2, r.stderr);
    assert.match(r.stderr, /the targeted shoot "other" is in project "ops", not "dev"/);
  });

  it('merges the targeted shoot\'s admin kubeconfig into kubectl\'s file, leaving other entries alone', async () => {
    await cliOk(['target', 'shoot', 'demo', '-p', 'dev']);
    // What the create flow leaves in the seed: the shoot's namespace with its CAs; and the endpoint in its status.
    const seedClient = await KubeClient.connect({ kubeconfig: seed.kubeconfigPath });
    try {
      await seedClient.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shoot--dev--demo' } });
      const store = new KubeSecretStore(seedClient, 'shoot--dev--demo');
      const ca = createCA({ commonName: 'kubernetes', lifetimeSeconds: 3600 });
      const clientCa = createCA({ commonName: 'kubernetes-client', lifetimeSeconds: 3600 });
      await store.put('ca', { 'ca.crt': ca.certPem, 'ca.key': ca.keyPem }, {});
      await store.put('ca-client', { 'ca.crt': clientCa.certPem, 'ca.key': clientCa.keyPem }, {});
      await client.applyStatus({ apiVersion: 'kubegarden.io/v1alpha1', kind: 'Shoot', metadata: { name: 'demo', namespace: 'garden-dev' }, status: { seedName: 'seed-one', endpoint: 'https://127.0.0.1:16443' } });

      const kubeFile = join(dir, 'kube', 'config');
      const other = {
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [{ name: 'prod', cluster: { server: 'https://prod:6443' } }],
        users: [{ name: 'me', user: { token: 'secret' } }],
        contexts: [{ name: 'prod', context: { cluster: 'prod', user: 'me' } }],
        'current-context': 'prod',
      };
      await rm(join(dir, 'kube'), { recursive: true, force: true });
      const { mkdir } = await import('node:fs/promises');
      await mkdir(join(dir, 'kube'));
      await writeFile(kubeFile, stringify(other), { mode: 0o644 });
      // The first file of KUBECONFIG is the one kubectl (and kubegarden) write to.
      const r = await cliOk(['kubeconfig'], { KUBECONFIG: `${kubeFile}:${join(dir, 'second')}` });
      assert.match(r.stderr, /Context "dev--demo" \(https:\/\/127\.0\.0\.1:16443\) merged into .*kube\/config and made current/);
      assert.equal(r.stdout, '');
      assert.equal((await stat(kubeFile)).mode & 0o777, 0o600);
      type Named = { name: string; cluster?: { server: string }; user?: Record<string, string>; context?: { cluster: string; user: string } };
      const merged = parse(await readFile(kubeFile, 'utf8')) as { clusters: Named[]; users: Named[]; contexts: Named[]; 'current-context': string };
      assert.equal(merged['current-context'], 'dev--demo');
      assert.deepEqual(merged.clusters[0], other.clusters[0]);
      assert.deepEqual(merged.users[0], other.users[0]);
      assert.deepEqual(merged.contexts[0], other.contexts[0]);
      assert.equal(merged.clusters[1]?.cluster?.server, 'https://127.0.0.1:16443');
      assert.deepEqual(merged.contexts[1], { name: 'dev--demo', context: { cluster: 'dev--demo', user: 'dev--demo' } });
      // The client certificate is really signed by the shoot's client CA from the seed.
      const cert = forge.pki.certificateFromPem(Buffer.from(merged.users[1]!.user!['client-certificate-data']!, 'base64').toString('utf8'));
      assert.ok(forge.pki.certificateFromPem(clientCa.certPem).verify(cert));

      // Again with --no-switch: the entry is replaced, not duplicated, and prod stays current.
      await writeFile(kubeFile, stringify({ ...parse(await readFile(kubeFile, 'utf8')), 'current-context': 'prod' }));
      await cliOk(['kubeconfig', '--no-switch', '--file', kubeFile]);
      const again = parse(await readFile(kubeFile, 'utf8')) as typeof merged;
      assert.equal(again['current-context'], 'prod');
      assert.deepEqual(again.contexts.map((c) => c.name), ['prod', 'dev--demo']);
      assert.notEqual(again.users[1]!.user!['client-certificate-data'], merged.users[1]!.user!['client-certificate-data']);
    } finally {
      seedClient.close();
    }
  });

  it('unsets a level with the levels below it, and everything without a level', async () => {
    await cliOk(['target', 'unset', 'project']);
    assert.deepEqual((await config()).target, { garden: 'test' });
    assert.equal((await cli(['shoot', 'list'])).exitCode, 2);
    await cliOk(['target', 'unset']);
    assert.deepEqual((await config()).target, {});
    assert.deepEqual((await config()).gardens.map((g) => g.name), ['test'], 'gardens stay registered');
    const view = await cliOk(['target', 'view']);
    assert.equal(view.stdout, '');
    assert.match(view.stderr, /Nothing is targeted/);
    // Without a targeted garden, the garden comes from KUBECONFIG again (here: none).
    assert.equal((await cli(['seed', 'list'])).exitCode, 3);
  });
});
