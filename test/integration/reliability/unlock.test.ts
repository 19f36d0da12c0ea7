// --force-unlock against a real garden: a Lease held by a live holder on
// another machine refuses every operation with exit 5 naming the holder;
// --force-unlock warns with the holder's name, removes the lock, and the
// operation goes on past it (here to the next check, which needs a seed).
import assert from 'node:assert/strict';
import { KubeClient } from '../../../src/lib/kube/client.ts';
import { microTime, readShootLock, shootLockName, type Lease } from '../../../src/lib/flows/lock.ts';
import type { LocalCluster } from '../../../src/lib/local/cluster.ts';
import { kubegarden, kubegardenOk } from '../../helpers/cli.ts';
import { startTestCluster } from '../../helpers/testbed.ts';
import { minimalShoot } from '../../helpers/shoots.ts';

const FOREIGN = 'mallory@build-agent-7 pid 4242 (Create)';

describe('--force-unlock (real kube-apiserver)', function () {
  this.timeout(180_000);
  let garden: LocalCluster;
  let client: KubeClient;
  let g: string[];

  before(async () => {
    garden = await startTestCluster('garden');
    client = await KubeClient.connect({ kubeconfig: garden.kubeconfigPath });
    g = ['--kubeconfig', garden.kubeconfigPath];
    await kubegardenOk(['garden', 'init', ...g]);
    await kubegardenOk(['project', 'create', 'team', ...g]);
    // A Shoot without a seed: an operation that gets past the lock stops at the next check (exit 7), having changed nothing else.
    await client.apply(minimalShoot('web', 'team'));
  });
  after(() => client?.close());

  /** A lease as a live operation on another machine holds it: renewed just now, for an hour. */
  async function holdForeignLock(): Promise<void> {
    const now = microTime();
    await client.apply({
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { name: shootLockName('web'), namespace: 'garden-team' },
      spec: { holderIdentity: FOREIGN, leaseDurationSeconds: 3600, acquireTime: now, renewTime: now },
    } as Lease);
  }

  const operations: Array<[string, string[]]> = [
    ['reconcile', ['shoot', 'reconcile', 'web', '-p', 'team']],
    ['delete', ['shoot', 'delete', 'web', '-p', 'team', '--yes']],
    ['hibernate', ['shoot', 'hibernate', 'web', '-p', 'team']],
  ];

  for (const [what, args] of operations) {
    it(`${what}: refused with exit 5 naming the holder; with --force-unlock it warns, takes the lock and goes on`, async () => {
      await holdForeignLock();
      const shootRef = { apiVersion: 'kubegarden.io/v1alpha1', kind: 'Shoot', name: 'web', namespace: 'garden-team' };
      const before = (await client.get(shootRef))?.metadata.resourceVersion;
      const refused = await kubegarden([...args, ...g]);
      assert.equal(refused.exitCode, 5, refused.stderr);
      assert.match(refused.stderr, /^Error: Shoot "team\/web" is locked by mallory@build-agent-7 pid 4242 \(Create\) since .*: wait for it to finish, or run with --force-unlock if that process is gone\.\n/);
      assert.equal((await readShootLock(client, 'team', 'web'))?.identity, FOREIGN, 'a refused operation leaves the lock alone');
      assert.equal((await client.get(shootRef))?.metadata.resourceVersion, before, 'a refused operation leaves the Shoot alone');

      const forced = await kubegarden([...args, '--force-unlock', ...g]);
      assert.match(forced.stderr, /Warning: --force-unlock removed the lock of shoot "team\/web" held by mallory@build-agent-7 pid 4242 \(Create\): if that operation still runs/);
      // Past the lock: the next check refuses the seedless shoot.
      assert.equal(forced.exitCode, 7, forced.stderr);
      assert.match(forced.stderr, /Shoot "team\/web" has no seed/);
      assert.doesNotMatch(forced.stderr, /is locked by/);
      // The foreign lock is gone, and ours was released.
      assert.equal(await readShootLock(client, 'team', 'web'), undefined);
    });
  }

  it('--force-unlock without a lock says nothing about one and proceeds', async () => {
    const r = await kubegarden(['shoot', 'reconcile', 'web', '-p', 'team', '--force-unlock', ...g]);
    assert.equal(r.exitCode, 7, r.stderr);
    assert.doesNotMatch(r.stderr, /Warning/);
  });

  it('every shoot operation command has --force-unlock', async () => {
    for (const command of ['create', 'delete', 'reconcile', 'upgrade', 'hibernate', 'wake-up', 'rotate-credentials']) {
      const help = await kubegardenOk(['shoot', command, '--help']);
      assert.match(help.stdout, /--force-unlock/, `shoot ${command} --help`);
    }
  });
});
