// Least privilege, with real users (client certificates from the garden's CA)
// and the ClusterRoles `garden init` installs, against a real garden and seed:
// a project member works in its project and nowhere else, and no role but
// kubegarden-admin reaches the seeds' kubeconfigs.
import assert from 'node:assert/strict';
import { KubeClient, type KubeObject } from '../../../src/lib/kube/client.ts';
import type { LocalCluster } from '../../../src/lib/local/cluster.ts';
import { kubegarden, kubegardenOk } from '../../helpers/cli.ts';
import { startTestCluster } from '../../helpers/testbed.ts';
import { minimalShoot } from '../../helpers/shoots.ts';

const shoot = (name: string, project: string): KubeObject => minimalShoot(name, project, { seed: 'seed-one' });

const binding = (kind: 'RoleBinding' | 'ClusterRoleBinding', name: string, role: string, user: string, namespace?: string): KubeObject =>
  ({
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind,
    metadata: { name, ...(namespace ? { namespace } : {}) },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: role },
    subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: user }],
  }) as KubeObject;

describe('least privilege: the kubegarden ClusterRoles with real users (real kube-apiserver)', function () {
  this.timeout(180_000);
  let garden: LocalCluster;
  let seed: LocalCluster;
  let admin: KubeClient;
  let g: string[];
  let alice: string[];
  let aliceClient: KubeClient;
  let victor: string[];

  before(async () => {
    [garden, seed] = await Promise.all([startTestCluster('garden'), startTestCluster('seed')]);
    admin = await KubeClient.connect({ kubeconfig: garden.kubeconfigPath });
    g = ['--kubeconfig', garden.kubeconfigPath];
    await kubegardenOk(['garden', 'init', ...g]);
    await kubegardenOk(['project', 'create', 'a', ...g]);
    await kubegardenOk(['project', 'create', 'b', ...g]);
    await kubegardenOk(['seed', 'register', 'seed-one', ...g, '--seed-kubeconfig', seed.kubeconfigPath, '--provider', 'local', '--region', 'local']);
    for (const p of ['a', 'b']) {
      await admin.apply(shoot('x', p));
      await admin.apply({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'cloud', namespace: `garden-${p}` }, stringData: { token: `secret-of-${p}` } } as KubeObject);
    }
    // alice: a member of project a, who may also read Seeds (to schedule shoots).
    await admin.apply(binding('RoleBinding', 'alice-member', 'kubegarden-project-member', 'alice', 'garden-a'));
    await admin.apply(binding('ClusterRoleBinding', 'alice-seeds', 'kubegarden-seed-viewer', 'alice'));
    const aliceKubeconfig = await garden.userKubeconfig('alice');
    alice = ['--kubeconfig', aliceKubeconfig];
    aliceClient = await KubeClient.connect({ kubeconfig: aliceKubeconfig });
    // victor: a garden-wide viewer.
    await admin.apply(binding('ClusterRoleBinding', 'victor-viewer', 'kubegarden-viewer', 'victor'));
    victor = ['--kubeconfig', await garden.userKubeconfig('victor')];
  });
  after(() => {
    admin?.close();
    aliceClient?.close();
  });

  describe('a project member (kubegarden-project-member bound in garden-a, kubegarden-seed-viewer cluster-wide)', () => {
    it('lists, gets and dry-runs creates of shoots in its project', async () => {
      const list = await kubegardenOk(['shoot', 'list', '-p', 'a', '-o', 'name', ...alice]);
      assert.equal(list.stdout, 'shoot/a/x\n');
      const got = JSON.parse((await kubegardenOk(['shoot', 'get', 'x', '-p', 'a', '-o', 'json', ...alice])).stdout) as KubeObject;
      assert.equal(got.metadata.namespace, 'garden-a');
      const dry = await kubegardenOk(['shoot', 'create', 'y', '-p', 'a', '--provider', 'local', '--credentials', 'cloud', '--dry-run', ...alice]);
      assert.match(dry.stderr, /Seed: seed-one/);
      assert.equal(await admin.get({ apiVersion: 'kubegarden.io/v1alpha1', kind: 'Shoot', name: 'y', namespace: 'garden-a' }), undefined);
    });

    const refused: Array<[string, string[], RegExp]> = [
      ['shoot list -p b', ['shoot', 'list', '-p', 'b'], /^Error: User "alice" may not list shoots\.kubegarden\.io in namespace garden-b .*\(403 Forbidden\)/],
      ['shoot get x -p b', ['shoot', 'get', 'x', '-p', 'b'], /^Error: User "alice" may not get namespaces "garden-b" .*\(403 Forbidden\)|^Error: User "alice" may not get shoots\.kubegarden\.io "x" .*\(403 Forbidden\)/],
      ['shoot kubeconfig x -p b', ['shoot', 'kubeconfig', 'x', '-p', 'b', '--print'], /^Error: User "alice" may not get .*\(403 Forbidden\)/],
      ['shoot delete x -p b', ['shoot', 'delete', 'x', '-p', 'b', '--yes'], /^Error: User "alice" may not get .*\(403 Forbidden\)/],
      ['shoot list -A', ['shoot', 'list', '-A'], /^Error: User "alice" may not list shoots\.kubegarden\.io in the garden \(403 Forbidden\)/],
      ['seed deregister', ['seed', 'deregister', 'seed-one'], /^Error: User "alice" may not .*\(403 Forbidden\)/],
      ['project create', ['project', 'create', 'c'], /^Error: User "alice" may not .*namespaces.*\(403 Forbidden\)/],
      // Operations read the seed's kubeconfig from kubegarden-system: only kubegarden-admin may.
      ['shoot reconcile x -p a (needs the seed kubeconfig)', ['shoot', 'reconcile', 'x', '-p', 'a'], /^Error: User "alice" may not get secrets "seed-seed-one-kubeconfig" in namespace kubegarden-system .*\(403 Forbidden\)/],
    ];
    for (const [what, args, message] of refused) {
      it(`is refused ${what} with exit 10 naming the verb and resource`, async () => {
        const r = await kubegarden([...args, ...alice]);
        assert.equal(r.exitCode, 10, `${r.stdout}\n${r.stderr}`);
        assert.match(r.stderr, message);
        assert.equal(r.stdout, '');
      });
    }

    it('reads its own project\'s credentials, but not project b\'s, nor any seed\'s kubeconfig', async () => {
      assert.ok(await aliceClient.get({ apiVersion: 'v1', kind: 'Secret', name: 'cloud', namespace: 'garden-a' }));
      const forbidden = (err: Error & { code?: string }) => err.code === 'forbidden';
      await assert.rejects(aliceClient.get({ apiVersion: 'v1', kind: 'Secret', name: 'cloud', namespace: 'garden-b' }), forbidden);
      await assert.rejects(aliceClient.get({ apiVersion: 'v1', kind: 'Secret', name: 'seed-seed-one-kubeconfig', namespace: 'kubegarden-system' }), forbidden);
      await assert.rejects(aliceClient.list('v1', 'Secret', { namespace: 'kubegarden-system' }), forbidden);
      await assert.rejects(aliceClient.list('v1', 'Secret'), forbidden);
    });

    it('left nothing behind: no Shoot y, project b\'s shoot untouched, no lease held', async () => {
      assert.ok(await admin.get({ apiVersion: 'kubegarden.io/v1alpha1', kind: 'Shoot', name: 'x', namespace: 'garden-b' }));
      assert.equal(await admin.get({ apiVersion: 'v1', kind: 'Namespace', name: 'garden-c' }), undefined);
      for (const p of ['a', 'b']) assert.deepEqual(await admin.list('coordination.k8s.io/v1', 'Lease', { namespace: `garden-${p}` }), []);
    });
  });

  describe('a garden viewer (kubegarden-viewer cluster-wide)', () => {
    it('lists shoots of every project and seeds', async () => {
      const list = await kubegardenOk(['shoot', 'list', '-A', '-o', 'name', ...victor]);
      assert.equal(list.stdout, 'shoot/a/x\nshoot/b/x\n');
      await kubegardenOk(['seed', 'list', ...victor]);
    });

    it('runs no operation and reads no secret: neither the credentials of a project nor the kubeconfig of a seed', async () => {
      const r = await kubegarden(['shoot', 'reconcile', 'x', '-p', 'a', ...victor]);
      assert.equal(r.exitCode, 10, r.stderr);
      assert.match(r.stderr, /^Error: User "victor" may not get leases\.coordination\.k8s\.io "shoot-x-lock" in namespace garden-a .*\(403 Forbidden\)/);
      const victorClient = await KubeClient.connect({ kubeconfig: victor[1]! });
      try {
        await assert.rejects(victorClient.get({ apiVersion: 'v1', kind: 'Secret', name: 'seed-seed-one-kubeconfig', namespace: 'kubegarden-system' }), (err: Error & { code?: string }) => err.code === 'forbidden');
        await assert.rejects(victorClient.get({ apiVersion: 'v1', kind: 'Secret', name: 'cloud', namespace: 'garden-a' }), (err: Error & { code?: string }) => err.code === 'forbidden');
      } finally {
        victorClient.close();
      }
      const c = await kubegarden(['shoot', 'create', 'z', '-p', 'a', '--provider', 'local', ...victor]);
      assert.equal(c.exitCode, 10, c.stderr);
    });
  });
});
