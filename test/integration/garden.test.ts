// The garden API, projects and seeds, against real API servers: a garden
// (with a controller manager, so namespaces really go away) and a separate seed.
import assert from 'node:assert/strict';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeClient, type KubeObject } from '../../src/lib/kube/client.ts';
import { renderKubeconfig } from '../../src/lib/kube/kubeconfig.ts';
import { createCA } from '../../src/lib/pki/primitives.ts';
import { freePort } from '../../src/lib/local/ports.ts';
import type { LocalCluster } from '../../src/lib/local/cluster.ts';
import { kubegarden, kubegardenOk } from '../helpers/cli.ts';
import { startTestCluster } from '../helpers/testbed.ts';

interface TestSpec {
  provider: { type: string; region: string; workers: Array<{ name: string; machineType: string; minimum: number; maximum: number }> };
  kubernetes: { version: string };
  networking: { nodes: string; pods: string; services: string };
  seedName?: string;
}

const shootObject = (name: string, patch: (s: TestSpec) => void = () => {}): KubeObject => {
  const spec: TestSpec = {
    provider: { type: 'local', region: 'local', workers: [{ name: 'worker', machineType: 'local', minimum: 1, maximum: 2 }] },
    kubernetes: { version: '1.37.2' },
    networking: { nodes: '10.250.0.0/16', pods: '100.96.0.0/11', services: '100.64.0.0/13' },
  };
  patch(spec);
  return { apiVersion: 'kubegarden.io/v1alpha1', kind: 'Shoot', metadata: { name, namespace: 'garden-dev' }, spec };
};

describe('garden, projects and seeds (real kube-apiserver)', function () {
  this.timeout(180_000);
  let garden: LocalCluster;
  let seed: LocalCluster;
  let client: KubeClient;
  let g: string[];

  before(async () => {
    [garden, seed] = await Promise.all([startTestCluster('garden', { controllerManager: true }), startTestCluster('seed')]);
    client = await KubeClient.connect({ kubeconfig: garden.kubeconfigPath });
    g = ['--kubeconfig', garden.kubeconfigPath];
  });
  after(() => client?.close());

  describe('garden init', () => {
    it('installs the API the first time and reports no change the second time', async () => {
      const first = await kubegardenOk(['garden', 'init', ...g]);
      assert.match(first.stderr, /CustomResourceDefinition seeds\.kubegarden\.io: created/);
      assert.match(first.stderr, /CustomResourceDefinition shoots\.kubegarden\.io: created/);
      assert.match(first.stderr, /ClusterRole kubegarden-admin: created/);
      assert.match(first.stderr, /is initialised/);
      const second = await kubegardenOk(['garden', 'init', ...g, '-o', 'json']);
      const result = JSON.parse(second.stdout) as { changed: boolean; changes: Array<{ change: string }> };
      assert.equal(result.changed, false);
      assert.ok(result.changes.length >= 6);
      assert.ok(result.changes.every((c) => c.change === 'unchanged'));
      const crd = await client.get<KubeObject & { spec: { names: { shortNames: string[] } } }>({
        apiVersion: 'apiextensions.k8s.io/v1',
        kind: 'CustomResourceDefinition',
        name: 'shoots.kubegarden.io',
      });
      assert.deepEqual(crd?.spec.names.shortNames, ['sh']);
    });
  });

  describe('projects', () => {
    it('creates a labelled namespace, lists it, and is idempotent', async () => {
      await kubegardenOk(['project', 'create', 'dev', ...g, '--description', 'Team dev']);
      const again = await kubegardenOk(['project', 'create', 'dev', ...g]);
      assert.match(again.stderr, /already exists: nothing changed/);
      const ns = await client.get({ apiVersion: 'v1', kind: 'Namespace', name: 'garden-dev' });
      assert.equal(ns?.metadata.labels?.['kubegarden.io/project'], 'dev');
      const list = JSON.parse((await kubegardenOk(['project', 'list', ...g, '-o', 'json'])).stdout) as Array<{ name: string; namespace: string }>;
      assert.deepEqual(list.map((p) => p.name), ['dev']);
      const table = (await kubegardenOk(['project', 'list', ...g])).stdout;
      assert.match(table, /^NAME\s+NAMESPACE\s+STATUS\s+AGE\ndev\s+garden-dev\s+Active/);
    });

    it('deletes a project without shoots, and the namespace is gone', async () => {
      await kubegardenOk(['project', 'create', 'scratch', ...g]);
      await kubegardenOk(['project', 'delete', 'scratch', ...g]);
      assert.equal(await client.get({ apiVersion: 'v1', kind: 'Namespace', name: 'garden-scratch' }), undefined);
      const missing = await kubegarden(['project', 'delete', 'scratch', ...g]);
      assert.equal(missing.exitCode, 4);
      assert.match(missing.stderr, /Project "scratch" does not exist/);
    });
  });

  describe('the API server enforces the Shoot schema', () => {
    const cases: Array<[string, KubeObject, RegExp]> = [
      ['a name that is not a DNS label', shootObject('Bad_Name'), /metadata.name must consist of lower-case letters/],
      ['a name with "--"', shootObject('a--b'), /must not contain "--"/],
      ['a malformed CIDR', shootObject('c1', (s) => (s.networking.pods = '100.96.0.0/33')), /must be an IPv4 CIDR/],
      ['overlapping pods and services', shootObject('c2', (s) => (s.networking.services = '100.96.0.0/13')), /pods and services ranges must not overlap/],
      ['a bad version', shootObject('c3', (s) => (s.kubernetes.version = '1.37')), /spec.kubernetes.version/],
      ['an unknown provider', shootObject('c4', (s) => (s.provider.type = 'vsphere')), /Unsupported value: "vsphere"/],
      ['minimum above maximum', shootObject('c5', (s) => (s.provider.workers[0]!.minimum = 3)), /minimum must not be greater than maximum/],
      ['a pool with maximum 0', shootObject('c6', (s) => (s.provider.workers[0]!.maximum = 0)), /maximum/],
      [
        'duplicate pools',
        shootObject('c7', (s) => s.provider.workers.push({ name: 'worker', machineType: 'x', minimum: 1, maximum: 1 })),
        /duplicate entries for key \[name="worker"\]/,
      ],
    ];
    for (const [what, obj, message] of cases) {
      it(`rejects ${what}`, async () => {
        await assert.rejects(client.apply(obj), (err: Error & { code?: string }) => {
          assert.equal(err.code, 'invalid');
          assert.match(err.message, message);
          return true;
        });
      });
    }

    it('keeps the provider type and the pods range immutable', async () => {
      await client.apply(shootObject('immutable'));
      await assert.rejects(client.apply(shootObject('immutable', (s) => (s.provider.type = 'aws'))), /provider type is immutable/);
      await assert.rejects(client.apply(shootObject('immutable', (s) => (s.networking.pods = '100.128.0.0/11'))), /pods range is immutable/);
      await client.delete({ apiVersion: 'kubegarden.io/v1alpha1', kind: 'Shoot', name: 'immutable', namespace: 'garden-dev' });
    });
  });

  describe('seeds', () => {
    it('registers a second API server as a seed, with its status', async () => {
      const r = await kubegardenOk(['seed', 'register', 'seed-one', ...g, '--seed-kubeconfig', seed.kubeconfigPath, '--provider', 'local', '--region', 'local', '--zones', 'a,b', '--max-shoots', '10']);
      assert.match(r.stderr, /Seed "seed-one" registered \(Kubernetes v1\.37\.2, 0\/10 shoots\)/);
      const secret = await client.get<KubeObject & { data: Record<string, string> }>({ apiVersion: 'v1', kind: 'Secret', name: 'seed-seed-one-kubeconfig', namespace: 'kubegarden-system' });
      assert.match(Buffer.from(secret!.data['kubeconfig']!, 'base64').toString(), new RegExp(`server: ${seed.server}`));
      const seedClient = await KubeClient.connect({ kubeconfig: seed.kubeconfigPath }, 'seed');
      const prepared = await seedClient.get({ apiVersion: 'v1', kind: 'Namespace', name: 'kubegarden-system' });
      seedClient.close();
      assert.equal(prepared?.metadata.labels?.['kubegarden.io/seed'], 'seed-one');
      const again = await kubegardenOk(['seed', 'register', 'seed-one', ...g, '--seed-kubeconfig', seed.kubeconfigPath, '--provider', 'local', '--region', 'local', '--zones', 'a,b', '--max-shoots', '10']);
      assert.match(again.stderr, /already registered: nothing changed/);
    });

    it('lists and gets seeds as JSON and as tables', async () => {
      const list = JSON.parse((await kubegardenOk(['seed', 'list', ...g, '-o', 'json'])).stdout) as Array<{ metadata: { name: string }; status: { kubernetesVersion: string; conditions: Array<{ type: string; status: string }> } }>;
      assert.equal(list.length, 1);
      assert.equal(list[0]!.status.kubernetesVersion, 'v1.37.2');
      assert.deepEqual(list[0]!.status.conditions.map((c) => [c.type, c.status]), [['Ready', 'True']]);
      const table = (await kubegardenOk(['seed', 'list', ...g])).stdout;
      assert.match(table, /^NAME\s+PROVIDER\s+REGION\s+READY\s+SHOOTS\s+VERSION\s+AGE\nseed-one\s+local\s+local\s+True\s+0\/10\s+v1\.37\.2\s+\d+s\n$/);
      const got = JSON.parse((await kubegardenOk(['seed', 'get', 'seed-one', ...g, '-o', 'json'])).stdout) as { spec: { provider: { zones: string[] }; capacity: { shoots: number } } };
      assert.deepEqual(got.spec.provider.zones, ['a', 'b']);
      const described = (await kubegardenOk(['seed', 'get', 'seed-one', ...g])).stdout;
      assert.match(described, /Shoots:\s+0 of 10/);
      assert.equal((await kubegardenOk(['seed', 'list', ...g, '-o', 'name'])).stdout, 'seed/seed-one\n');
      const missing = await kubegarden(['seed', 'get', 'nope', ...g]);
      assert.equal(missing.exitCode, 4);
      assert.equal(missing.stdout, '');
    });

    it('refuses to deregister a seed a Shoot references, and refuses to delete its project', async () => {
      await client.apply(shootObject('pinned', (s) => (s.seedName = 'seed-one')));
      const refused = await kubegarden(['seed', 'deregister', 'seed-one', ...g]);
      assert.equal(refused.exitCode, 5);
      assert.match(refused.stderr, /Seed "seed-one" still hosts shoot garden-dev\/pinned: delete it first, or pass --force/);
      assert.ok(await client.get({ apiVersion: 'kubegarden.io/v1alpha1', kind: 'Seed', name: 'seed-one' }));
      const projectRefused = await kubegarden(['project', 'delete', 'dev', ...g]);
      assert.equal(projectRefused.exitCode, 5);
      assert.match(projectRefused.stderr, /Project "dev" still has shoot pinned/);
      await client.delete({ apiVersion: 'kubegarden.io/v1alpha1', kind: 'Shoot', name: 'pinned', namespace: 'garden-dev' });
    });

    it('deregisters a seed, removing the Seed, its kubeconfig Secret and the seed-side namespace', async () => {
      await kubegardenOk(['seed', 'deregister', 'seed-one', ...g]);
      assert.equal(await client.get({ apiVersion: 'kubegarden.io/v1alpha1', kind: 'Seed', name: 'seed-one' }), undefined);
      assert.equal(await client.get({ apiVersion: 'v1', kind: 'Secret', name: 'seed-seed-one-kubeconfig', namespace: 'kubegarden-system' }), undefined);
    });

    it('deregisters with --force while a shoot references the seed, and says what is left behind', async () => {
      await kubegardenOk(['seed', 'register', 'seed-two', ...g, '--seed-kubeconfig', seed.kubeconfigPath, '--provider', 'local', '--region', 'local']);
      await client.apply(shootObject('orphan', (s) => (s.seedName = 'seed-two')));
      const r = await kubegardenOk(['seed', 'deregister', 'seed-two', '--force', ...g]);
      assert.match(r.stderr, /left behind: shoots garden-dev\/orphan still name seed "seed-two"/);
      assert.equal(await client.get({ apiVersion: 'kubegarden.io/v1alpha1', kind: 'Seed', name: 'seed-two' }), undefined);
      await client.delete({ apiVersion: 'kubegarden.io/v1alpha1', kind: 'Shoot', name: 'orphan', namespace: 'garden-dev' });
    });
  });

  describe('bad input: one sentence, a documented exit code, nothing created', () => {
    const scratch = join(tmpdir(), `kubegarden-badinput-${process.pid}`);
    before(() => mkdir(scratch, { recursive: true }));

    async function assertNoSeeds(): Promise<void> {
      assert.deepEqual(await client.list('kubegarden.io/v1alpha1', 'Seed'), []);
      const secrets = await client.list('v1', 'Secret', { namespace: 'kubegarden-system' });
      assert.deepEqual(secrets.map((s) => s.metadata.name), []);
    }

    const register = (extra: string[]) => ['seed', 'register', 'bad', ...g, '--provider', 'local', '--region', 'local', ...extra];

    it('a missing kubeconfig file', async () => {
      const r = await kubegarden(['seed', 'list', '--kubeconfig', join(scratch, 'missing.yaml')]);
      assert.equal(r.exitCode, 3);
      assert.match(r.stderr, /^Error: The kubeconfig file .*missing\.yaml does not exist: check the --kubeconfig path\.\n/);
      const s = await kubegarden(register(['--seed-kubeconfig', join(scratch, 'missing.yaml')]));
      assert.equal(s.exitCode, 3);
      await assertNoSeeds();
    });

    it('an unreadable kubeconfig (no permission, and not YAML)', async () => {
      const locked = join(scratch, 'locked.yaml');
      await writeFile(locked, 'apiVersion: v1\n');
      await chmod(locked, 0o000);
      const asNobody = process.getuid?.() === 0 ? { uid: 65534, gid: 65534, env: { HOME: scratch } } : {};
      await chmod(scratch, 0o755);
      const r = await kubegarden(['seed', 'list', '--kubeconfig', locked], asNobody);
      assert.equal(r.exitCode, 3, r.stderr);
      assert.match(r.stderr, /cannot be read \(permission denied\)/);
      const garbage = join(scratch, 'garbage.yaml');
      await writeFile(garbage, 'clusters: [\n  {name: x\n');
      const g2 = await kubegarden(['seed', 'list', '--kubeconfig', garbage]);
      assert.equal(g2.exitCode, 3);
      assert.match(g2.stderr, /is not valid YAML/);
      const s = await kubegarden(register(['--seed-kubeconfig', garbage]));
      assert.equal(s.exitCode, 3);
      await assertNoSeeds();
    });

    it('an unreachable server', async () => {
      const port = await freePort();
      const dead = join(scratch, 'dead.yaml');
      const ca = createCA({ commonName: 'x', lifetimeSeconds: 3600 });
      await writeFile(dead, renderKubeconfig({ name: 'dead', server: `https://127.0.0.1:${port}`, caPem: ca.certPem, user: { token: 'x' } }));
      const r = await kubegarden(['seed', 'list', '--kubeconfig', dead]);
      assert.equal(r.exitCode, 9);
      assert.match(r.stderr, new RegExp(`^Error: Cannot reach the garden at https://127.0.0.1:${port} \\(connection refused\\)`));
      const s = await kubegarden(register(['--seed-kubeconfig', dead]));
      assert.equal(s.exitCode, 9);
      assert.match(s.stderr, /Cannot reach seed "bad"/);
      await assertNoSeeds();
    });

    it('a server whose certificate the kubeconfig does not trust', async () => {
      const foreign = join(scratch, 'foreign.yaml');
      const ca = createCA({ commonName: 'someone-else', lifetimeSeconds: 3600 });
      await writeFile(foreign, renderKubeconfig({ name: 'foreign', server: garden.server, caPem: ca.certPem, user: { token: 'x' } }));
      const r = await kubegarden(['seed', 'list', '--kubeconfig', foreign]);
      assert.equal(r.exitCode, 9);
      assert.match(r.stderr, /Cannot trust the garden at .*: its certificate/);
    });

    it('an unknown context', async () => {
      const r = await kubegarden(['seed', 'list', ...g, '--context', 'nope']);
      assert.equal(r.exitCode, 3);
      assert.match(r.stderr, /Context "nope" is not in the kubeconfig .*: use one of garden\./);
      const s = await kubegarden(register(['--seed-kubeconfig', seed.kubeconfigPath, '--seed-context', 'nope']));
      assert.equal(s.exitCode, 3);
      await assertNoSeeds();
    });

    it('a user without rights', async () => {
      const nobody = await garden.userKubeconfig('nobody');
      const r = await kubegarden(['seed', 'list', '--kubeconfig', nobody]);
      assert.equal(r.exitCode, 10);
      assert.match(r.stderr, /User "nobody" may not list seeds\.kubegarden\.io in the garden \(403 Forbidden\): ask a garden administrator/);
      const s = await kubegarden(['seed', 'register', 'bad', '--kubeconfig', nobody, '--seed-kubeconfig', seed.kubeconfigPath, '--provider', 'local', '--region', 'local']);
      assert.equal(s.exitCode, 10);
      const seedNobody = await seed.userKubeconfig('nobody');
      const t = await kubegarden(register(['--seed-kubeconfig', seedNobody]));
      assert.equal(t.exitCode, 10);
      assert.match(t.stderr, /User "nobody" may not create namespaces in seed "bad"/);
      await assertNoSeeds();
    });

    it('an invalid name', async () => {
      const r = await kubegarden(['seed', 'register', 'Bad_Seed', ...g, '--seed-kubeconfig', seed.kubeconfigPath, '--provider', 'local', '--region', 'local']);
      assert.equal(r.exitCode, 7);
      assert.match(r.stderr, /Seed "Bad_Seed" is invalid: seed name "Bad_Seed" must consist of lower-case letters/);
      const p = await kubegarden(['project', 'create', 'this-project-name-is-too-long', ...g]);
      assert.equal(p.exitCode, 7);
      assert.match(p.stderr, /must be at most 20 characters/);
      await assertNoSeeds();
    });

    it('a seed whose provider type is unknown', async () => {
      const r = await kubegarden(['seed', 'register', 'bad', ...g, '--seed-kubeconfig', seed.kubeconfigPath, '--provider', 'vsphere', '--region', 'x']);
      assert.equal(r.exitCode, 7);
      assert.match(r.stderr, /--provider "vsphere" is not a known provider type \(known: local, aws, gcp, azure, openstack\)/);
      await assertNoSeeds();
    });

    it('overlapping seed ranges', async () => {
      const r = await kubegarden(register(['--seed-kubeconfig', seed.kubeconfigPath, '--pods-cidr', '172.18.0.0/20']));
      assert.equal(r.exitCode, 7);
      assert.match(r.stderr, /spec\.networks\.nodes 172\.18\.0\.0\/16 overlaps spec\.networks\.pods 172\.18\.0\.0\/20/);
      await assertNoSeeds();
    });

    it('a missing required flag is a usage error', async () => {
      const r = await kubegarden(['seed', 'register', 'x', ...g]);
      assert.equal(r.exitCode, 2);
      assert.match(r.stderr, /Missing required flag/);
    });
  });
});
