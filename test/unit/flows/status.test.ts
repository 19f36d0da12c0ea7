// The StatusRecorder with a fake garden (a plain object): what it writes, how
// often, and that the garden can neither slow down nor fail a flow. The real
// API server is in test/integration/flows.
import assert from 'node:assert/strict';
import { setTimeout as delay } from 'node:timers/promises';
import type { Condition, ShootStatus } from '../../../src/lib/api/types.ts';
import type { KubeObject } from '../../../src/lib/kube/client.ts';
import { runFlow } from '../../../src/lib/flows/executor.ts';
import { Flow } from '../../../src/lib/flows/graph.ts';
import { mergeCondition, StatusRecorder, type StatusClient } from '../../../src/lib/flows/status.ts';
import { KubegardenError } from '../../../src/lib/ui/errors.ts';

function fakeGarden(options: { existing?: ShootStatus; writeMs?: number; fail?: boolean } = {}) {
  const writes: ShootStatus[] = [];
  const client: StatusClient = {
    get: (async () => ({ apiVersion: 'kubegarden.io/v1alpha1', kind: 'Shoot', metadata: { name: 'demo', namespace: 'garden-dev' }, status: options.existing })) as never,
    applyStatus: (async (obj: KubeObject) => {
      if (options.writeMs) await delay(options.writeMs);
      if (options.fail) throw new KubegardenError('unreachable', 'Cannot reach the garden at https://127.0.0.1:1 (connection refused).');
      assert.equal(obj.metadata.namespace, 'garden-dev');
      writes.push(structuredClone(obj['status'] as ShootStatus));
      return obj;
    }) as never,
  };
  return { client, writes };
}

function twoSteps(fail = false): Flow<object> {
  const flow = new Flow<object>('create');
  flow.add({ id: 'etcd', title: 'Deploying etcd', run: async () => delay(30) });
  flow.add({ id: 'infra', title: 'Applying infrastructure', run: async () => delay(30) });
  flow.add({
    id: 'apiserver',
    title: 'Deploying the kube-apiserver',
    dependsOn: ['etcd', 'infra'],
    run: async () => {
      await delay(30);
      if (fail) throw new KubegardenError('timeout', 'Timed out after 5m waiting for the kube-apiserver of shoot "demo" to answer.');
    },
  });
  return flow;
}

describe('StatusRecorder', () => {
  it('records Processing with the running steps, then Succeeded at 100 %, in few writes', async () => {
    const { client, writes } = fakeGarden();
    const recorder = new StatusRecorder(client, { project: 'dev', name: 'demo' }, { operation: 'Create', throttleMs: 40 });
    await runFlow(twoSteps(), {}, { onEvent: recorder.onEvent });
    assert.equal(await recorder.flush(), true);
    const first = writes[0]!.lastOperation!;
    assert.deepEqual([first.type, first.state, first.progress], ['Create', 'Processing', 0]);
    const described = writes.map((w) => w.lastOperation!.description);
    assert.ok(described.includes('Deploying etcd, Applying infrastructure'), described.join(' | '));
    assert.ok(writes.some((w) => w.lastOperation!.step === 'apiserver' && w.lastOperation!.description === 'Deploying the kube-apiserver'));
    const last = writes.at(-1)!;
    assert.deepEqual([last.lastOperation!.state, last.lastOperation!.progress, last.lastOperation!.description], ['Succeeded', 100, 'Shoot cluster created.']);
    assert.equal(last.lastErrors, undefined);
    // ~100 ms of flow at one write per 40 ms, plus the first and the final one.
    assert.ok(writes.length <= 6, `${writes.length} writes`);
    const progress = writes.map((w) => w.lastOperation!.progress);
    assert.deepEqual(progress, [...progress].sort((a, b) => a - b));
  });

  it('records a failure as Error with the step, and lastErrors with the same sentence', async () => {
    const { client, writes } = fakeGarden();
    const recorder = new StatusRecorder(client, { project: 'dev', name: 'demo' }, { operation: 'Create', throttleMs: 1000 });
    await assert.rejects(runFlow(twoSteps(true), {}, { onEvent: recorder.onEvent }));
    await recorder.flush();
    const last = writes.at(-1)!;
    const sentence = 'Step "Deploying the kube-apiserver" failed: timed out after 5m waiting for the kube-apiserver of shoot "demo" to answer.';
    assert.deepEqual([last.lastOperation!.state, last.lastOperation!.step, last.lastOperation!.description], ['Error', 'apiserver', sentence]);
    assert.equal(last.lastErrors?.length, 1);
    assert.deepEqual([last.lastErrors![0]!.description, last.lastErrors![0]!.step], [sentence, 'apiserver']);
  });

  it('records Ctrl-C as Aborted, without an error', async () => {
    const { client, writes } = fakeGarden();
    const recorder = new StatusRecorder(client, { project: 'dev', name: 'demo' }, { operation: 'Reconcile', throttleMs: 1000 });
    await assert.rejects(runFlow(twoSteps(), {}, { onEvent: recorder.onEvent, signal: AbortSignal.timeout(10) }));
    await recorder.flush();
    assert.equal(writes.at(-1)!.lastOperation!.state, 'Aborted');
    assert.equal(writes.at(-1)!.lastErrors, undefined);
  });

  it('neither waits for a slow garden nor fails when the garden refuses', async () => {
    const slow = fakeGarden({ writeMs: 300 });
    const recorder = new StatusRecorder(slow.client, { project: 'dev', name: 'demo' }, { operation: 'Create', throttleMs: 10 });
    const t0 = performance.now();
    await runFlow(twoSteps(), {}, { onEvent: recorder.onEvent });
    assert.ok(performance.now() - t0 < 290, 'the flow did not wait for a 300 ms write');
    assert.equal(await recorder.flush(), true);
    assert.equal(slow.writes.at(-1)!.lastOperation!.state, 'Succeeded');

    const lines: string[] = [];
    const broken = fakeGarden({ fail: true });
    const failing = new StatusRecorder(broken.client, { project: 'dev', name: 'demo' }, { operation: 'Create', throttleMs: 10, log: (l) => lines.push(l) });
    await runFlow(twoSteps(), {}, { onEvent: failing.onEvent });
    assert.equal(await failing.flush(), false);
    assert.deepEqual(lines, ['could not record the progress of shoot "dev/demo" in the garden: Cannot reach the garden at https://127.0.0.1:1 (connection refused).']);
  });

  it('keeps what the Shoot already had, and merges conditions set by the flow', async () => {
    const existing: ShootStatus = {
      endpoint: 'https://api.demo.dev.local:6443',
      lastErrors: [{ description: 'earlier failure', lastUpdateTime: '2025-01-01T00:00:00Z' }],
      conditions: [{ type: 'APIServerAvailable', status: 'True', reason: 'HealthzOK', lastTransitionTime: '2025-01-01T00:00:00Z' }],
    };
    const { client, writes } = fakeGarden({ existing });
    const recorder = new StatusRecorder(client, { project: 'dev', name: 'demo' }, { operation: 'Reconcile', throttleMs: 10 });
    recorder.begin();
    recorder.setCondition('APIServerAvailable', 'True', 'HealthzOK', 'The kube-apiserver answers /healthz.');
    recorder.setCondition('EveryNodeReady', 'False', 'NoNodes', 'No node has joined yet.');
    recorder.update({ seedName: 'local' });
    await recorder.flush();
    let last = writes.at(-1)!;
    assert.equal(last.endpoint, 'https://api.demo.dev.local:6443');
    assert.equal(last.seedName, 'local');
    assert.equal(last.lastErrors?.[0]?.description, 'earlier failure', 'errors stay until an operation succeeds');
    const api = last.conditions!.find((c) => c.type === 'APIServerAvailable')!;
    assert.equal(api.lastTransitionTime, '2025-01-01T00:00:00Z');
    assert.equal(api.message, 'The kube-apiserver answers /healthz.');
    assert.equal(last.conditions!.find((c) => c.type === 'EveryNodeReady')?.status, 'False');
    recorder.finish();
    await recorder.flush();
    last = writes.at(-1)!;
    assert.equal(last.lastErrors, undefined);
    assert.equal(last.endpoint, 'https://api.demo.dev.local:6443');
  });

  it('stops writing once the lock is lost', async () => {
    const { client, writes } = fakeGarden();
    const lost = new AbortController();
    const recorder = new StatusRecorder(client, { project: 'dev', name: 'demo' }, { operation: 'Create', throttleMs: 10, until: lost.signal });
    recorder.begin();
    await recorder.flush();
    const before = writes.length;
    lost.abort();
    recorder.finish(new KubegardenError('conflict', 'Lost the lock.'));
    await recorder.flush();
    assert.equal(writes.length, before);
  });
});

describe('mergeCondition', () => {
  const base: Condition[] = [{ type: 'ControlPlaneHealthy', status: 'True', reason: 'AllReady', lastTransitionTime: '2025-01-01T00:00:00Z', lastUpdateTime: '2025-01-01T00:00:00Z' }];

  it('keeps lastTransitionTime while the status stays, and moves it when the status changes', () => {
    const same = mergeCondition(base, { type: 'ControlPlaneHealthy', status: 'True', reason: 'AllReady', message: 'all 4 ready' }, '2025-02-02T00:00:00Z');
    assert.deepEqual(same[0], { type: 'ControlPlaneHealthy', status: 'True', reason: 'AllReady', message: 'all 4 ready', lastTransitionTime: '2025-01-01T00:00:00Z', lastUpdateTime: '2025-02-02T00:00:00Z' });
    const changed = mergeCondition(base, { type: 'ControlPlaneHealthy', status: 'False', reason: 'EtcdDown' }, '2025-02-02T00:00:00Z');
    assert.equal(changed[0]!.lastTransitionTime, '2025-02-02T00:00:00Z');
    assert.equal(base[0]!.status, 'True', 'the input is not changed');
  });

  it('appends a new type', () => {
    assert.deepEqual(
      mergeCondition(base, { type: 'EveryNodeReady', status: 'Unknown' }, 'T').map((c) => c.type),
      ['ControlPlaneHealthy', 'EveryNodeReady'],
    );
  });
});
