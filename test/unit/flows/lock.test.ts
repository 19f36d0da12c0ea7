// The shoot lock's decisions, against a fake garden (a plain object keeping
// one Lease with resourceVersions, as the API server does): the message that
// names the holder, and the race of two takers who read the same expired
// lease. The real API server is in test/integration/flows.
import assert from 'node:assert/strict';
import { acquireShootLock, lockedMessage, lockHolder, microTime, type Lease, type LockClient } from '../../../src/lib/flows/lock.ts';
import { KubeApiError } from '../../../src/lib/kube/errors.ts';
import { KubegardenError } from '../../../src/lib/ui/errors.ts';

/** One Lease, with optimistic concurrency; `afterGet` lets a test interleave two callers. */
function fakeGarden(initial?: Lease) {
  let lease = initial ? structuredClone(initial) : undefined;
  let rv = 1;
  const gets: Array<() => void> = [];
  let holdGets = 0;
  const client: LockClient = {
    get: (async () => {
      const copy = lease ? structuredClone(lease) : undefined;
      if (holdGets > 0) {
        holdGets--;
        await new Promise<void>((resolve) => gets.push(resolve));
      }
      return copy;
    }) as never,
    create: (async (obj: Lease) => {
      if (lease) throw new KubeApiError('conflict', 'already exists', 409, undefined);
      lease = { ...structuredClone(obj), metadata: { ...obj.metadata, resourceVersion: String(++rv) } };
      return structuredClone(lease);
    }) as never,
    mergePatch: (async (_ref: unknown, patch: { metadata?: { resourceVersion?: string }; spec?: object }) => {
      if (!lease) throw new KubegardenError('notFound', 'gone');
      if (patch.metadata?.resourceVersion && patch.metadata.resourceVersion !== lease.metadata.resourceVersion) throw new KubeApiError('conflict', 'the object has been modified', 409, undefined);
      lease = { ...lease, metadata: { ...lease.metadata, resourceVersion: String(++rv) }, spec: { ...lease.spec, ...patch.spec } };
      return structuredClone(lease);
    }) as never,
    delete: (async () => {
      const had = lease !== undefined;
      lease = undefined;
      return had;
    }) as never,
  };
  return {
    client,
    lease: () => lease,
    /** The next n reads wait until release() is called: both callers then hold the same resourceVersion. */
    holdReads: (n: number) => (holdGets = n),
    releaseReads: () => gets.splice(0).forEach((r) => r()),
    waitingReads: () => gets.length,
  };
}

const expired = (): Lease => ({
  apiVersion: 'coordination.k8s.io/v1',
  kind: 'Lease',
  metadata: { name: 'shoot-demo-lock', namespace: 'garden-dev', resourceVersion: '1' },
  spec: { holderIdentity: 'ghost@gone pid 1 (Create)', leaseDurationSeconds: 60, renewTime: microTime(Date.now() - 120_000) },
});

describe('the shoot lock', () => {
  describe('the refusal', () => {
    it('names the holder, when it took the lock and when it last renewed it', () => {
      const now = new Date(2025, 4, 1, 12, 0, 31).getTime();
      const holder = lockHolder(
        {
          apiVersion: 'coordination.k8s.io/v1',
          kind: 'Lease',
          metadata: { name: 'shoot-demo-lock' },
          spec: { holderIdentity: 'alice@host pid 123 (Create)', leaseDurationSeconds: 60, acquireTime: microTime(now - 30_000), renewTime: microTime(now - 5_000) },
        },
        now,
      )!;
      assert.equal(holder.expired, false);
      assert.equal(
        lockedMessage('dev', 'demo', holder, now),
        'Shoot "dev/demo" is locked by alice@host pid 123 (Create) since 12:00:01 (lease renewed 5s ago): wait for it to finish, or run with --force-unlock if that process is gone.',
      );
    });

    it('counts a lease as expired once its duration passed without renewal', () => {
      const now = Date.now();
      const lease = (renewedAgo: number): Lease => ({ apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: 'x' }, spec: { holderIdentity: 'a', leaseDurationSeconds: 10, renewTime: microTime(now - renewedAgo) } });
      assert.equal(lockHolder(lease(9_000), now)?.expired, false);
      assert.equal(lockHolder(lease(11_000), now)?.expired, true);
      assert.equal(lockHolder({ ...lease(0), spec: {} }, now), undefined, 'a lease without holder is free');
    });
  });

  describe('taking over an expired lease', () => {
    it('lets exactly one of two takers win when both read the same version', async () => {
      const garden = fakeGarden(expired());
      garden.holdReads(2);
      const a = acquireShootLock(garden.client, { project: 'dev', shoot: 'demo', operation: 'Reconcile', user: 'alice' });
      const b = acquireShootLock(garden.client, { project: 'dev', shoot: 'demo', operation: 'Delete', user: 'bob' });
      while (garden.waitingReads() < 2) await new Promise((r) => setImmediate(r));
      garden.releaseReads();
      const [ra, rb] = await Promise.allSettled([a, b]);
      assert.equal(ra.status, 'fulfilled');
      assert.equal(rb.status, 'rejected');
      assert.match(String((rb as PromiseRejectedResult).reason.message), /^Shoot "dev\/demo" is locked by alice@.+ \(Reconcile\)/);
      assert.equal(garden.lease()?.spec?.holderIdentity, (ra as PromiseFulfilledResult<{ holder: string }>).value.holder);
      assert.equal(garden.lease()?.spec?.leaseTransitions, 1);
      await (ra as PromiseFulfilledResult<{ release(): Promise<boolean> }>).value.release();
      assert.equal(garden.lease(), undefined);
    });
  });
});

describe('a lock held by a dead process on this machine', () => {
  it('counts as expired, so a re-run after a kill need not wait for the lease to run out', async () => {
    const { holderIsDeadHere, lockHolder } = await import('../../../src/lib/flows/lock.ts');
    const { hostname } = await import('node:os');
    const { spawnSync } = await import('node:child_process');
    const dead = spawnSync('true').pid!; // finished and reaped: its pid is free
    const now = Date.now();
    const lease = (identity: string) => ({
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { name: 'shoot-demo-lock' },
      spec: { holderIdentity: identity, leaseDurationSeconds: 60, renewTime: new Date(now).toISOString(), acquireTime: new Date(now).toISOString() },
    });
    assert.equal(holderIsDeadHere(`alice@${hostname()} pid ${dead} (Create)`), true);
    assert.equal(lockHolder(lease(`alice@${hostname()} pid ${dead} (Create)`), now)?.expired, true);
    assert.equal(holderIsDeadHere(`alice@${hostname()} pid ${process.ppid} (Create)`), false, 'a live process keeps its lock');
    assert.equal(holderIsDeadHere(`alice@another-host pid ${dead} (Create)`), false, 'other machines are judged by their lease only');
    assert.equal(lockHolder(lease(`alice@another-host pid ${dead} (Create)`), now)?.expired, false);
  });
});
