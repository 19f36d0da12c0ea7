// The executor, without any cluster or renderer: steps are plain functions that
// await timers, so order, overlap, failures, retries and timeouts are observable.
import assert from 'node:assert/strict';
import { setTimeout as delay } from 'node:timers/promises';
import { FlowError, runFlow, type FlowEvent } from '../../../src/lib/flows/executor.ts';
import { Flow, type FlowStep, type StepIO } from '../../../src/lib/flows/graph.ts';
import { KubegardenError } from '../../../src/lib/ui/errors.ts';
import { waitFor } from '../../../src/lib/kube/wait.ts';

interface Span {
  start: number;
  end: number;
}

/** A flow whose steps record when they ran. */
function recorder() {
  const spans = new Map<string, Span>();
  const timed =
    (id: string, ms: number) =>
    async (_ctx: unknown, io: StepIO): Promise<void> => {
      const span = { start: performance.now(), end: Number.NaN };
      spans.set(id, span);
      try {
        await delay(ms, undefined, { signal: io.signal });
      } finally {
        span.end = performance.now();
      }
    };
  return { spans, timed };
}

const events = () => {
  const list: FlowEvent[] = [];
  return { list, onEvent: (e: FlowEvent) => list.push(e) };
};

async function rejection(promise: Promise<unknown>): Promise<FlowError> {
  try {
    await promise;
  } catch (err) {
    assert.ok(err instanceof FlowError, `expected a FlowError, got ${String(err)}`);
    return err;
  }
  assert.fail('expected the flow to fail');
}

describe('runFlow (the executor)', () => {
  describe('order and concurrency', () => {
    it('starts a step only after every step it depends on is done', async () => {
      const { spans, timed } = recorder();
      const flow = new Flow<object>('create');
      flow.add({ id: 'namespace', title: 'Creating the namespace', run: timed('namespace', 20) });
      flow.add({ id: 'infra', title: 'Applying infrastructure', run: timed('infra', 40) });
      flow.add({ id: 'etcd', title: 'Deploying etcd', dependsOn: ['namespace'], run: timed('etcd', 10) });
      flow.add({ id: 'apiserver', title: 'Deploying the kube-apiserver', dependsOn: ['etcd', 'infra'], run: timed('apiserver', 10) });
      const result = await runFlow(flow, {});
      const s = (id: string) => spans.get(id)!;
      assert.ok(s('etcd').start >= s('namespace').end);
      assert.ok(s('apiserver').start >= s('etcd').end);
      assert.ok(s('apiserver').start >= s('infra').end);
      assert.deepEqual([...result.completed].sort(), ['apiserver', 'etcd', 'infra', 'namespace']);
      assert.equal(result.completed.at(-1), 'apiserver');
    });

    it('runs independent steps at the same time', async () => {
      const { spans, timed } = recorder();
      const flow = new Flow<object>('create');
      for (const id of ['a', 'b', 'c']) flow.add({ id, title: `Doing ${id}`, run: timed(id, 80) });
      await runFlow(flow, {});
      const [a, b, c] = ['a', 'b', 'c'].map((id) => spans.get(id)!);
      // Every pair of intervals overlaps: each started before the other ended.
      for (const [x, y] of [[a!, b!], [a!, c!], [b!, c!]] as const) assert.ok(x.start < y.end && y.start < x.end, 'steps overlap');
    });

    it('runs at most `concurrency` steps at once', async () => {
      let now = 0;
      let most = 0;
      const flow = new Flow<object>('create');
      for (const id of ['a', 'b', 'c', 'd']) {
        flow.add({
          id,
          title: `Doing ${id}`,
          run: async () => {
            most = Math.max(most, ++now);
            await delay(15);
            now--;
          },
        });
      }
      await runFlow(flow, {}, { concurrency: 2 });
      assert.equal(most, 2);
    });
  });

  describe('a failing step', () => {
    it('aborts the steps still running, waits for them, and reports the failing step and what was done', async () => {
      const { spans, timed } = recorder();
      let siblingReason: unknown;
      const flow = new Flow<object>('create');
      flow.add({ id: 'namespace', title: 'Creating the namespace', run: timed('namespace', 5) });
      flow.add({
        id: 'etcd',
        title: 'Deploying etcd',
        dependsOn: ['namespace'],
        run: async () => {
          await delay(20);
          throw new KubegardenError('unreachable', 'Cannot reach seed "local" at https://127.0.0.1:1 (connection refused): check that it is running.');
        },
      });
      flow.add({
        id: 'infra',
        title: 'Applying infrastructure',
        dependsOn: ['namespace'],
        run: async (_c, io) => {
          await timed('infra', 5_000)(_c, io).catch((err: unknown) => {
            siblingReason = io.signal.reason;
            throw err;
          });
        },
      });
      flow.add({ id: 'apiserver', title: 'Deploying the kube-apiserver', dependsOn: ['etcd'], run: timed('apiserver', 1) });
      const { list, onEvent } = events();
      const err = await rejection(runFlow(flow, {}, { onEvent }));

      assert.equal(err.code, 'unreachable');
      assert.equal(err.message, 'Step "Deploying etcd" failed: cannot reach seed "local" at https://127.0.0.1:1 (connection refused): check that it is running.');
      assert.equal(err.step, 'etcd');
      assert.deepEqual(err.completed, ['namespace']);
      assert.deepEqual(err.interrupted, ['infra']);
      assert.deepEqual(err.notStarted, ['apiserver']);
      assert.ok(err.cause instanceof KubegardenError);
      // The sibling was told why, and had stopped before the flow reported.
      assert.match(String((siblingReason as Error).message), /Stopped because step "Deploying etcd" failed/);
      assert.ok(!Number.isNaN(spans.get('infra')!.end));
      assert.ok(!spans.has('apiserver'));
      const failed = list.filter((e) => e.type === 'step-failed');
      assert.deepEqual(
        failed.map((e) => [e.id, e.cancelled]),
        [
          ['etcd', false],
          ['infra', true],
        ],
      );
      const last = list.at(-1);
      assert.equal(last?.type, 'flow-done');
      assert.equal(last.type === 'flow-done' && last.ok, false);
    });

    it('gives an error that is not a KubegardenError the code "unexpected"', async () => {
      const flow = new Flow<object>('create');
      flow.add({ id: 'x', title: 'Rendering manifests', run: async () => Promise.reject(new TypeError('values.foo is undefined')) });
      const err = await rejection(runFlow(flow, {}));
      assert.equal(err.code, 'unexpected');
      assert.equal(err.message, 'Step "Rendering manifests" failed: values.foo is undefined.');
    });

    it('treats a skip decision that throws as the failure of that step', async () => {
      const flow = new Flow<object>('create');
      flow.add({ id: 'x', title: 'Checking', run: async () => {}, skip: () => { throw new KubegardenError('invalid', 'The spec is wrong.'); } });
      const err = await rejection(runFlow(flow, {}));
      assert.equal(err.step, 'x');
      assert.equal(err.code, 'invalid');
    });
  });

  describe('retries and timeouts wrap steps', () => {
    it('retries errors that are not the user\'s with back-off, then succeeds', async () => {
      let calls = 0;
      const flow = new Flow<object>('create');
      flow.add({
        id: 'apply',
        title: 'Applying manifests',
        retries: { retries: 3, initialDelayMs: 5 },
        run: async () => {
          if (++calls < 3) throw new KubegardenError('unreachable', 'The garden is throttling requests.');
          return 'Applied manifests (2 changed)';
        },
      });
      const { list, onEvent } = events();
      const result = await runFlow(flow, {}, { onEvent });
      assert.equal(calls, 3);
      assert.deepEqual(
        list.filter((e) => e.type === 'step-retry').map((e) => e.type === 'step-retry' && [e.attempt, e.delayMs]),
        [
          [2, 5],
          [3, 10],
        ],
      );
      assert.equal(result.results['apply'], 'Applied manifests (2 changed)');
    });

    it('does not retry a user error', async () => {
      let calls = 0;
      const flow = new Flow<object>('create');
      flow.add({
        id: 'apply',
        title: 'Applying manifests',
        retries: 5,
        run: async () => {
          calls++;
          throw new KubegardenError('invalid', 'The garden refused the Shoot: spec.networking.pods must be a CIDR.');
        },
      });
      const err = await rejection(runFlow(flow, {}));
      assert.equal(calls, 1);
      assert.equal(err.code, 'invalid');
    });

    it('fails a step that does not finish within its deadline, and aborts its signal', async () => {
      let signal: AbortSignal | undefined;
      const flow = new Flow<object>('create');
      flow.add({
        id: 'wait',
        title: 'Waiting for the kube-apiserver',
        timeoutMs: 30,
        run: async (_c, io) => {
          signal = io.signal;
          await new Promise((resolve) => io.signal.addEventListener('abort', resolve));
        },
      });
      const err = await rejection(runFlow(flow, {}));
      assert.equal(err.code, 'timeout');
      assert.equal(err.message, 'Step "Waiting for the kube-apiserver" failed: timed out after 30ms.');
      assert.equal(signal?.aborted, true);
    });

    it('counts the deadline across all attempts', async () => {
      let calls = 0;
      const flow = new Flow<object>('create');
      flow.add({
        id: 'probe',
        title: 'Probing',
        timeoutMs: 60,
        retries: { retries: 100, initialDelayMs: 20, maxDelayMs: 20 },
        run: async () => {
          calls++;
          throw new KubegardenError('unreachable', 'Cannot reach the shoot.');
        },
      });
      const t0 = performance.now();
      const err = await rejection(runFlow(flow, {}));
      assert.equal(err.code, 'timeout');
      assert.ok(calls >= 2 && calls <= 5, `${calls} attempts`);
      assert.ok(performance.now() - t0 < 500);
    });
  });

  describe('skipping', () => {
    it('decides from what earlier steps observed, reports why, and lets dependents run', async () => {
      interface Ctx {
        exists?: boolean;
      }
      const ran: string[] = [];
      const flow = new Flow<Ctx>('create');
      flow.add({
        id: 'observe',
        title: 'Reading the shoot',
        run: async (ctx) => {
          ctx.exists = true;
          ran.push('observe');
        },
      });
      flow.add({ id: 'create', title: 'Creating the namespace', dependsOn: ['observe'], skip: (ctx) => (ctx.exists ? 'already exists' : false), run: async () => void ran.push('create') });
      flow.add({ id: 'after', title: 'Deploying etcd', dependsOn: ['create'], run: async () => void ran.push('after') });
      const { list, onEvent } = events();
      const result = await runFlow<Ctx>(flow, {}, { onEvent });
      assert.deepEqual(ran, ['observe', 'after']);
      assert.deepEqual(result.skipped, { create: 'already exists' });
      assert.ok(list.some((e) => e.type === 'step-done' && e.id === 'create' && e.skipped === 'already exists'));
      assert.ok(!list.some((e) => e.type === 'step-start' && e.id === 'create'));
    });
  });

  describe('progress', () => {
    it('is weighted, never goes back, and reaches 100', async () => {
      const flow = new Flow<object>('create');
      flow.add({
        id: 'infra',
        title: 'Applying infrastructure',
        weight: 3,
        run: async (_c, io) => {
          for (const f of [0.5, 0.25, 1]) {
            io.progress(f);
            await delay(2);
          }
        },
      });
      flow.add({ id: 'etcd', title: 'Deploying etcd', dependsOn: ['infra'], run: async () => delay(2) });
      const { list, onEvent } = events();
      await runFlow(flow, {}, { onEvent });
      const percents = list.filter((e) => e.type === 'progress').map((e) => (e.type === 'progress' ? e.percent : -1));
      assert.deepEqual(
        percents.filter((p, i) => percents.indexOf(p) === i),
        [0, 37, 75, 100],
      );
      for (let i = 1; i < percents.length; i++) assert.ok(percents[i]! >= percents[i - 1]!);
    });
  });

  describe('events', () => {
    it('tell the whole story in order, with done-titles and log lines', async () => {
      const flow = new Flow<object>('create');
      flow.add({
        id: 'etcd',
        title: 'Deploying etcd',
        run: async (_c, io) => {
          io.log('statefulset etcd-main: created');
          return 'Deployed etcd (created)';
        },
      });
      const { list, onEvent } = events();
      await runFlow(flow, {}, { onEvent: [onEvent, undefined, () => assert.fail('a broken listener')] });
      assert.deepEqual(
        list.map((e) => (e.type === 'step-log' ? `${e.type}:${e.line}` : e.type === 'step-done' ? `${e.type}:${e.result}` : e.type)),
        ['flow-start', 'progress', 'step-start', 'step-log:statefulset etcd-main: created', 'step-done:Deployed etcd (created)', 'progress', 'flow-done'],
      );
    });
  });

  describe('an abort from outside (Ctrl-C)', () => {
    it('stops the running steps and fails with code "aborted"', async () => {
      const controller = new AbortController();
      let seen: AbortSignal | undefined;
      const flow = new Flow<object>('create');
      flow.add({
        id: 'infra',
        title: 'Applying infrastructure',
        run: async (_c, io) => {
          seen = io.signal;
          setTimeout(() => controller.abort(), 10);
          await delay(5_000, undefined, { signal: io.signal });
        },
      });
      flow.add({ id: 'after', title: 'Deploying etcd', dependsOn: ['infra'], run: async () => {} });
      const err = await rejection(runFlow(flow, {}, { signal: controller.signal }));
      assert.equal(err.code, 'aborted');
      assert.equal(err.exitCode, 130);
      assert.equal(err.message, 'Aborted while "Applying infrastructure" was running.');
      assert.equal(err.step, undefined);
      assert.deepEqual(err.interrupted, ['infra']);
      assert.deepEqual(err.notStarted, ['after']);
      assert.equal(seen?.aborted, true);
    });

    it('keeps the reason of whoever aborted, e.g. a lost lock', async () => {
      const controller = new AbortController();
      const flow = new Flow<object>('create');
      flow.add({ id: 'x', title: 'Waiting', run: async (_c, io) => delay(5_000, undefined, { signal: io.signal }) });
      setTimeout(() => controller.abort(new KubegardenError('conflict', 'Lost the lock of shoot "dev/demo" to bob@host pid 7 (Delete).')), 10);
      const err = await rejection(runFlow(flow, {}, { signal: controller.signal }));
      assert.equal(err.code, 'conflict');
      assert.equal(err.message, 'Lost the lock of shoot "dev/demo" to bob@host pid 7 (Delete).');
    });

    it('does not start anything when aborted before it began', async () => {
      let ran = false;
      const flow = new Flow<object>('create');
      flow.add({ id: 'x', title: 'Doing x', run: async () => void (ran = true) } satisfies FlowStep<object>);
      const err = await rejection(runFlow(flow, {}, { signal: AbortSignal.abort() }));
      assert.equal(err.code, 'aborted');
      assert.equal(ran, false);
    });
  });
});

describe('a step that waits', () => {
  it('says on its own line what it waits for, from inside waitFor', async () => {
    const flow = new Flow<object>('wait');
    let probes = 0;
    flow.add({
      id: 'etcd',
      title: 'Deploying etcd',
      run: async () => {
        await waitFor(async () => (++probes < 3 ? { ready: false, reason: 'etcd has 0/1 replicas ready' } : { ready: true, value: undefined }), { what: 'etcd', timeoutMs: 5000, intervalMs: 5 });
      },
    });
    const e = events();
    await runFlow(flow, {}, { onEvent: e.onEvent });
    const lines = e.list.flatMap((ev) => (ev.type === 'step-log' ? [`${ev.id}: ${ev.line}`] : []));
    assert.deepEqual(lines, ['etcd: waiting for etcd: etcd has 0/1 replicas ready']);
  });
});
