// What `shoot wait` reads from a Shoot's status, and what `shoot apply` may change.
import assert from 'node:assert/strict';
import { defaultShoot } from '../../../src/lib/api/defaults.ts';
import type { ShootObject } from '../../../src/lib/garden/shoots.ts';
import { diffShoot } from '../../../src/lib/shoots/apply.ts';
import { describeProgress, judgeShoot } from '../../../src/lib/shoots/wait.ts';

const shoot = (status: ShootObject['status'], spec: Partial<ShootObject['spec']> = {}): ShootObject =>
  ({
    apiVersion: 'kubegarden.io/v1alpha1',
    kind: 'Shoot',
    metadata: { name: 'web', namespace: 'garden-dev', generation: 2 },
    spec: {
      provider: { type: 'local', region: 'local', zones: ['local'], workers: [{ name: 'worker', machineType: 'local', minimum: 1, maximum: 2 }] },
      kubernetes: { version: '1.37.2' },
      networking: { nodes: '10.250.0.0/16', pods: '100.96.0.0/11', services: '100.64.0.0/13' },
      ...spec,
    },
    ...(status ? { status } : {}),
  }) as ShootObject;

const op = (type: string, state: string, progress = 50) => ({ type, state, progress, description: `${type} ${state}`, lastUpdateTime: '2026-01-01T00:00:00Z' }) as NonNullable<ShootObject['status']>['lastOperation'];
const healthy = [{ type: 'APIServerAvailable', status: 'True' as const }];

describe('shoot wait judges the status', () => {
  it('ready: the last operation Succeeded, the spec is observed and every condition is True', () => {
    assert.equal(judgeShoot(shoot({ lastOperation: op('Create', 'Succeeded', 100), observedGeneration: 2, conditions: healthy }), 'ready').kind, 'done');
    assert.deepEqual(judgeShoot(shoot({ lastOperation: op('Create', 'Processing', 40) }), 'ready'), { kind: 'waiting', reason: 'Create Processing 40%' });
    assert.match((judgeShoot(shoot({ lastOperation: op('Create', 'Succeeded', 100), observedGeneration: 1 }), 'ready') as { reason: string }).reason, /generation 2/);
    assert.match((judgeShoot(shoot({ lastOperation: op('Create', 'Succeeded', 100), conditions: [{ type: 'EveryNodeReady', status: 'False' }] }), 'ready') as { reason: string }).reason, /EveryNodeReady=False/);
  });

  it('a hibernated shoot is ready when its operation Succeeded, whatever its conditions', () => {
    assert.equal(judgeShoot(shoot({ lastOperation: op('Hibernate', 'Succeeded', 100), conditions: [{ type: 'APIServerAvailable', status: 'False' }] }, { hibernation: { enabled: true } }), 'ready').kind, 'done');
  });

  it('a last operation in Error, Failed or Aborted is a failure (the lock decides whether it is retried)', () => {
    for (const state of ['Error', 'Failed', 'Aborted']) assert.equal(judgeShoot(shoot({ lastOperation: op('Create', state) }), 'ready').kind, 'failed');
    assert.equal(judgeShoot(shoot({ lastOperation: op('Delete', 'Error') }), 'deleted').kind, 'failed');
  });

  it('deleted: only when the Shoot is gone; missing while waiting for ready', () => {
    assert.equal(judgeShoot(undefined, 'deleted').kind, 'done');
    assert.equal(judgeShoot(undefined, 'ready').kind, 'missing');
    assert.equal(judgeShoot(shoot({ lastOperation: op('Delete', 'Processing') }), 'deleted').kind, 'waiting');
  });

  it('describes progress as type, state, percent and description', () => {
    assert.equal(describeProgress(shoot({ lastOperation: op('Upgrade', 'Processing', 30) })), 'Upgrade Processing 30% — Upgrade Processing');
    assert.equal(describeProgress(undefined), 'the Shoot is gone');
  });
});

describe('shoot apply compares specs', () => {
  // What apply sends is always defaulted (buildShoot); a recorded Shoot may predate today's defaults.
  it('lists the mutable fields that differ, comparing with defaults filled in', () => {
    const before = shoot(undefined);
    const after = defaultShoot(shoot(undefined, { purpose: 'testing', kubernetes: { version: '1.37.3' } }));
    assert.deepEqual(diffShoot(before, after), ['spec.kubernetes.version', 'spec.purpose']);
    assert.deepEqual(diffShoot(before, defaultShoot(shoot(undefined))), []);
  });

  it('refuses a change of an immutable field, naming it (exit 7)', () => {
    const after = shoot(undefined, { networking: { nodes: '10.251.0.0/16', pods: '100.96.0.0/11', services: '100.64.0.0/13' } });
    assert.throws(() => diffShoot(shoot(undefined), after), (err: Error & { code?: string }) => err.code === 'invalid' && /spec\.networking\.nodes/.test(err.message));
  });
});
