// Flows against a real garden (etcd + kube-apiserver from the test bed, with
// the kubegarden API installed): the Shoot status a flow records, and the
// Lease that keeps two operations on one shoot apart.
import assert from 'node:assert/strict';
import { setTimeout as delay } from 'node:timers/promises';
import type { Shoot } from '../../../src/lib/api/types.ts';
import { initGarden } from '../../../src/lib/garden/init.ts';
import { KubeClient, type KubeObject } from '../../../src/lib/kube/client.ts';
import type { LocalCluster } from '../../../src/lib/local/cluster.ts';
import { runFlow } from '../../../src/lib/flows/executor.ts';
import { Flow } from '../../../src/lib/flows/graph.ts';
import { acquireShootLock, forceUnlock, microTime, readShootLock, shootLockName, type Lease, type ShootLock } from '../../../src/lib/flows/lock.ts';
import { StatusRecorder } from '../../../src/lib/flows/status.ts';
import { KubegardenError } from '../../../src/lib/ui/errors.ts';
import { startTestCluster } from '../../helpers/testbed.ts';

const NS = 'garden-dev';

const shootObject = (name: string): KubeObject => ({
  apiVersion: 'kubegarden.io/v1alpha1',
  kind: 'Shoot',
  metadata: { name, namespace: NS },
  spec: {
    provider: { type: 'local', region: 'local', workers: [{ name: 'worker', machineType: 'local', minimum: 1, maximum: 2 }] },
    kubernetes: { version: '1.37.2' },
    networking: { nodes: '10.250.0.0/16', pods: '100.96.0.0/11', services: '100.64.0.0/13' },
  },
});

const leaseRef = (shoot: string) => ({ apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', namespace: NS, name: shootLockName(shoot) });

async function eventually<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 5_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await delay(50);
  }
}

describe('flows against a real garden', function () {
  this.timeout(120_000);
  let cluster: LocalCluster;
  let garden: KubeClient;
  const locks: ShootLock[] = [];

  before(async () => {
    cluster = await startTestCluster('flows-garden');
    garden = await KubeClient.connect({ kubeconfig: cluster.kubeconfigPath });
    await initGarden(garden);
    await garden.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } });
  });
  afterEach(async () => {
    for (const lock of locks.splice(0)) await lock.release();
  });
  after(() => garden?.close());

  describe('StatusRecorder', () => {
    const getShoot = async (name: string) => (await garden.get<KubeObject & Shoot>({ apiVersion: 'kubegarden.io/v1alpha1', kind: 'Shoot', namespace: NS, name }))!;

    it('moves a Shoot from Processing to Succeeded at 100 %, with the conditions the flow set', async () => {
      await garden.apply(shootObject('demo'));
      const recorder = new StatusRecorder(garden, { project: 'dev', name: 'demo' }, { operation: 'Create', throttleMs: 50 });
      const seenWhileRunning: string[] = [];
      const flow = new Flow<object>('create');
      flow.add({ id: 'namespace', title: 'Creating the shoot namespace', run: async () => delay(20) });
      flow.add({
        id: 'etcd',
        title: 'Deploying etcd',
        dependsOn: ['namespace'],
        run: async () => {
          // What `kubegarden shoot get` shows while the step runs.
          const op = await eventually('the status to name the running step', async () => {
            const s = await getShoot('demo');
            return s.status?.lastOperation?.description === 'Deploying etcd' ? s.status.lastOperation : undefined;
          });
          seenWhileRunning.push(`${op.type} ${op.state} ${op.step}`);
          recorder.setCondition('ControlPlaneHealthy', 'True', 'EtcdReady', 'etcd is ready.');
          recorder.update({ seedName: 'local' });
        },
      });
      await runFlow(flow, {}, { onEvent: recorder.onEvent });
      assert.equal(await recorder.flush(), true);

      assert.deepEqual(seenWhileRunning, ['Create Processing etcd']);
      const status = (await getShoot('demo')).status!;
      assert.equal(status.lastOperation?.type, 'Create');
      assert.equal(status.lastOperation?.state, 'Succeeded');
      assert.equal(status.lastOperation?.progress, 100);
      assert.equal(status.lastOperation?.step, undefined);
      assert.equal(status.lastErrors, undefined);
      assert.equal(status.seedName, 'local');
      assert.equal(status.conditions?.find((c) => c.type === 'ControlPlaneHealthy')?.status, 'True');
    });

    it('records a failure in lastErrors with the step, and clears it when the next operation succeeds', async () => {
      await garden.apply(shootObject('broken'));
      const failing = new Flow<object>('reconcile');
      failing.add({ id: 'infra', title: 'Applying infrastructure', run: async () => delay(10) });
      failing.add({
        id: 'apiserver',
        title: 'Deploying the kube-apiserver',
        dependsOn: ['infra'],
        run: async () => Promise.reject(new KubegardenError('invalid', 'The seed refused Deployment kube-apiserver: spec.replicas must be at least 0.')),
      });
      const first = new StatusRecorder(garden, { project: 'dev', name: 'broken' }, { operation: 'Reconcile', throttleMs: 50 });
      first.setCondition('APIServerAvailable', 'False', 'NotDeployed', 'The kube-apiserver is not deployed.');
      await assert.rejects(runFlow(failing, {}, { onEvent: first.onEvent }));
      assert.equal(await first.flush(), true);

      let status = (await getShoot('broken')).status!;
      const sentence = 'Step "Deploying the kube-apiserver" failed: the seed refused Deployment kube-apiserver: spec.replicas must be at least 0.';
      assert.equal(status.lastOperation?.state, 'Error');
      assert.equal(status.lastOperation?.step, 'apiserver');
      assert.equal(status.lastOperation?.description, sentence);
      assert.equal(status.lastOperation?.progress, 50);
      assert.equal(status.lastErrors?.length, 1);
      assert.equal(status.lastErrors?.[0]?.description, sentence);
      assert.equal(status.lastErrors?.[0]?.step, 'apiserver');
      assert.ok(status.lastErrors?.[0]?.lastUpdateTime);

      // A new recorder (the next command) keeps the conditions and clears the error on success.
      const fixed = new Flow<object>('reconcile');
      fixed.add({ id: 'apiserver', title: 'Deploying the kube-apiserver', run: async () => {} });
      const second = new StatusRecorder(garden, { project: 'dev', name: 'broken' }, { operation: 'Reconcile', throttleMs: 50 });
      await runFlow(fixed, {}, { onEvent: second.onEvent });
      assert.equal(await second.flush(), true);
      status = (await getShoot('broken')).status!;
      assert.equal(status.lastOperation?.state, 'Succeeded');
      assert.equal(status.lastErrors, undefined);
      assert.equal(status.conditions?.find((c) => c.type === 'APIServerAvailable')?.reason, 'NotDeployed');
    });
  });

  describe('the shoot lock', () => {
    it('refuses a second operation, naming the holder, and is deleted on release', async () => {
      const lock = await acquireShootLock(garden, { project: 'dev', shoot: 'demo', operation: 'Create', user: 'alice' });
      assert.match(lock.holder, new RegExp(`^alice@.+ pid ${process.pid} \\(Create\\)$`));
      const lease = await garden.get<Lease>(leaseRef('demo'));
      assert.equal(lease?.spec?.holderIdentity, lock.holder);
      assert.equal(lease?.spec?.leaseDurationSeconds, 60);
      assert.ok(lease?.spec?.acquireTime && lease.spec.renewTime);

      await assert.rejects(acquireShootLock(garden, { project: 'dev', shoot: 'demo', operation: 'Delete', user: 'bob' }), (err: unknown) => {
        assert.ok(err instanceof KubegardenError);
        assert.equal(err.code, 'conflict');
        assert.match(
          err.message,
          /^Shoot "dev\/demo" is locked by alice@.+ pid \d+ \(Create\) since \d\d:\d\d:\d\d \(lease renewed (just now|\d+s ago)\): wait for it to finish, or run with --force-unlock if that process is gone\.$/,
        );
        return true;
      });

      assert.equal(await lock.release(), true);
      assert.equal(await garden.get(leaseRef('demo')), undefined);
      assert.equal(lock.signal.aborted, false);
    });

    it('stays held while it is renewed, beyond its duration', async () => {
      const lock = await acquireShootLock(garden, { project: 'dev', shoot: 'renewed', operation: 'Create', durationSeconds: 1 });
      locks.push(lock);
      await delay(1_600);
      await assert.rejects(acquireShootLock(garden, { project: 'dev', shoot: 'renewed', operation: 'Delete' }), /is locked by/);
      assert.equal(lock.signal.aborted, false);
    });

    it('takes over a lease whose holder stopped renewing it', async () => {
      const stale = Date.now() - 120_000;
      await garden.create({
        apiVersion: 'coordination.k8s.io/v1',
        kind: 'Lease',
        metadata: { name: shootLockName('stale'), namespace: NS },
        spec: { holderIdentity: 'ghost@gone pid 1 (Create)', leaseDurationSeconds: 60, acquireTime: microTime(stale), renewTime: microTime(stale), leaseTransitions: 0 },
      });
      assert.equal((await readShootLock(garden, 'dev', 'stale'))?.expired, true);
      const lock = await acquireShootLock(garden, { project: 'dev', shoot: 'stale', operation: 'Reconcile' });
      locks.push(lock);
      const lease = await garden.get<Lease>(leaseRef('stale'));
      assert.equal(lease?.spec?.holderIdentity, lock.holder);
      assert.equal(lease?.spec?.leaseTransitions, 1);
    });

    it('lets exactly one of two processes take over the same expired lease', async () => {
      const stale = Date.now() - 120_000;
      await garden.create({
        apiVersion: 'coordination.k8s.io/v1',
        kind: 'Lease',
        metadata: { name: shootLockName('race'), namespace: NS },
        spec: { holderIdentity: 'ghost@gone pid 1 (Create)', leaseDurationSeconds: 60, renewTime: microTime(stale) },
      });
      const results = await Promise.allSettled([
        acquireShootLock(garden, { project: 'dev', shoot: 'race', operation: 'Reconcile', user: 'alice' }),
        acquireShootLock(garden, { project: 'dev', shoot: 'race', operation: 'Delete', user: 'bob' }),
      ]);
      const won = results.filter((r): r is PromiseFulfilledResult<ShootLock> => r.status === 'fulfilled');
      const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
      assert.equal(won.length, 1);
      assert.equal(lost.length, 1);
      locks.push(won[0]!.value);
      const winner = won[0]!.value.holder.split('@')[0];
      assert.equal((lost[0]!.reason as KubegardenError).code, 'conflict');
      assert.match((lost[0]!.reason as Error).message, new RegExp(`is locked by ${winner}@`));
      assert.equal((await garden.get<Lease>(leaseRef('race')))?.spec?.holderIdentity, won[0]!.value.holder);
    });

    it('can be removed with forceUnlock, after which the old holder learns it lost the lock', async () => {
      const lock = await acquireShootLock(garden, { project: 'dev', shoot: 'forced', operation: 'Create', durationSeconds: 1 });
      const holder = await forceUnlock(garden, 'dev', 'forced');
      assert.equal(holder?.identity, lock.holder);
      assert.equal(await garden.get(leaseRef('forced')), undefined);
      assert.equal(await forceUnlock(garden, 'dev', 'forced'), undefined);
      await eventually('the old holder to lose the lock', async () => (lock.signal.aborted ? true : undefined));
      assert.match((lock.signal.reason as Error).message, /Lost the lock of shoot "dev\/forced": its lease garden-dev\/shoot-forced-lock was deleted/);
      // A new operation can take it.
      locks.push(await acquireShootLock(garden, { project: 'dev', shoot: 'forced', operation: 'Delete' }));
      assert.equal(await lock.release(), false, 'the old holder does not delete the new lease');
      assert.ok(await garden.get(leaseRef('forced')));
    });

    it('aborts the operation when another process took the lease', async () => {
      const lock = await acquireShootLock(garden, { project: 'dev', shoot: 'stolen', operation: 'Create', durationSeconds: 1 });
      await garden.mergePatch(leaseRef('stolen'), { spec: { holderIdentity: 'mallory@elsewhere pid 66 (Delete)', renewTime: microTime() } });
      const flow = new Flow<object>('create');
      flow.add({ id: 'wait', title: 'Waiting for nodes', run: async (_c, io) => delay(10_000, undefined, { signal: io.signal }) });
      await assert.rejects(runFlow(flow, {}, { signal: lock.signal }), (err: unknown) => {
        assert.ok(err instanceof KubegardenError);
        assert.equal(err.code, 'conflict');
        assert.match(err.message, /^Lost the lock of shoot "dev\/stolen": it is now held by mallory@elsewhere pid 66 \(Delete\); stopped so that two operations do not change the shoot at once\.$/);
        return true;
      });
      assert.equal(await lock.release(), false);
      assert.equal((await garden.get<Lease>(leaseRef('stolen')))?.spec?.holderIdentity, 'mallory@elsewhere pid 66 (Delete)');
    });
  });
});
