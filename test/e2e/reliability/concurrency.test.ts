// Operations at once on the local provider, with real processes: ten shoots
// created (and then deleted) on one seed at the same time, and the lock of a
// SIGKILLed operation taken over by the next run without waiting for it to
// expire. (Two operations on the same shoot — one runs, the other is refused
// with exit 5 naming the holder — is in test/e2e/shoot-create.test.ts.)
import assert from 'node:assert/strict';
import type { KubeObject } from '../../../src/lib/kube/client.ts';
import { eventually, startLocalGarden, type LocalGarden } from './helpers.ts';

interface Lease extends KubeObject {
  spec?: { holderIdentity?: string; leaseDurationSeconds?: number; leaseTransitions?: number };
}

describe('concurrent operations and locks (local provider)', function () {
  this.timeout(1_200_000);
  let g: LocalGarden;
  const names = Array.from({ length: 10 }, (_, i) => `c${i}`);
  const report: string[] = [];

  before(async () => {
    g = await startLocalGarden('concurrency');
  });
  after(async () => {
    process.stderr.write(`      ${report.join('\n      ')}\n`);
    await g?.close();
  });

  it('creates ten shoots on one seed at once: every one Succeeded, each with its own endpoint and processes', async () => {
    const started = Date.now();
    const runs = await Promise.all(names.map((n) => g.spawn(['shoot', 'create', n, '-p', 'local', '--provider', 'local', '--timeout', '10m'])));
    for (const [i, r] of runs.entries()) assert.equal(r.exitCode, 0, `${names[i]}: ${String(r.stderr).slice(-2000)}`);
    report.push(`10 shoot creates at once: all exit 0 in ${Math.round((Date.now() - started) / 1000)} s`);
    const endpoints = new Set<string>();
    for (const n of names) {
      const shoot = await g.shoot(n);
      assert.deepEqual([shoot.status.lastOperation.type, shoot.status.lastOperation.state], ['Create', 'Succeeded'], n);
      assert.ok(shoot.status.conditions?.every((c) => c.status === 'True'), `${n}: ${JSON.stringify(shoot.status.conditions)}`);
      endpoints.add((shoot.status as { endpoint?: string }).endpoint ?? '');
      assert.ok((await g.processes(`shoot--local--${n}`)).length >= 4, `${n} runs its control plane`);
    }
    assert.equal(endpoints.size, 10, 'ten distinct API server endpoints');
    assert.deepEqual((await g.client.list('coordination.k8s.io/v1', 'Lease', { namespace: 'garden-local' })).map((l) => l.metadata.name), [], 'every lock released');
  });

  it('takes over the lock of a SIGKILLed operation at once (a dead holder on this machine counts as expired)', async () => {
    const ref = { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', name: 'shoot-c0-lock', namespace: 'garden-local' };
    const run = g.spawn(['shoot', 'reconcile', 'c0', '-p', 'local', '--timeout', '5m']);
    let held: Lease | undefined;
    await eventually('the reconcile holds the lock', async () => Boolean((held = await g.client.get<Lease>(ref))?.spec?.holderIdentity), 60_000);
    assert.match(held!.spec!.holderIdentity!, new RegExp(` pid ${run.pid} \\(Reconcile\\)$`));
    run.kill('SIGKILL');
    await run;
    // Left behind, and far from expiring on its own.
    const left = await g.client.get<Lease>(ref);
    assert.equal(left?.spec?.holderIdentity, held!.spec!.holderIdentity);
    assert.ok((left?.spec?.leaseDurationSeconds ?? 0) >= 30);

    const next = await g.cli(['shoot', 'reconcile', 'c0', '-p', 'local', '--timeout', '5m']);
    assert.equal(next.exitCode, 0, next.stderr);
    assert.doesNotMatch(next.stderr, /is locked by/);
    assert.equal((await g.shoot('c0')).status.lastOperation.state, 'Succeeded');
    assert.equal(await g.client.get(ref), undefined, 'released at the end');
  });

  it('deletes the ten shoots at once: nothing of them left', async () => {
    const started = Date.now();
    const runs = await Promise.all(names.map((n) => g.spawn(['shoot', 'delete', n, '-p', 'local', '--yes'])));
    for (const [i, r] of runs.entries()) assert.equal(r.exitCode, 0, `${names[i]}: ${String(r.stderr).slice(-2000)}`);
    report.push(`10 shoot deletes at once: all exit 0 in ${Math.round((Date.now() - started) / 1000)} s`);
    const shoots = await g.client.list('kubegarden.io/v1alpha1', 'Shoot', { namespace: 'garden-local' });
    assert.deepEqual(shoots.map((s) => s.metadata.name), []);
    for (const n of names) assert.equal(await g.client.get({ apiVersion: 'v1', kind: 'Namespace', name: `shoot--local--${n}` }), undefined, n);
    await eventually('no process of a deleted shoot', async () => {
      for (const n of names) if ((await g.processes(`shoot--local--${n}`)).length > 0) return false;
      return true;
    });
  });
});
