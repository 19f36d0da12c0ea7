import { strict as assert } from 'node:assert';
import { formatDuration, parseDuration, waitFor, waitReporter, type Probe } from '../../../src/lib/kube/wait.ts';
import { KubegardenError } from '../../../src/lib/ui/errors.ts';

const WHAT = 'the kube-apiserver of shoot "demo" to answer';

/** A probe that answers from a script, then repeats its last answer; it counts its calls. */
function scripted<T>(...answers: Array<Awaited<ReturnType<Probe<T>>> | Error>): Probe<T> & { calls: number } {
  const probe = Object.assign(
    async () => {
      const answer = answers[Math.min(probe.calls, answers.length - 1)];
      probe.calls++;
      if (answer instanceof Error) throw answer;
      if (!answer) throw new Error('scripted probe without answers');
      return answer;
    },
    { calls: 0 },
  );
  return probe;
}

async function rejection(promise: Promise<unknown>): Promise<KubegardenError> {
  try {
    await promise;
  } catch (err) {
    assert.ok(err instanceof KubegardenError, `expected a KubegardenError, got ${String(err)}`);
    return err;
  }
  assert.fail('expected the wait to fail');
}

describe('waitFor', () => {
  describe('when the condition becomes ready', () => {
    it('resolves with the probe\'s value, after polling while it was not', async () => {
      const probe = scripted<string>({ ready: false, reason: 'connection refused' }, { ready: false, reason: 'starting' }, { ready: true, value: 'https://api' });
      assert.equal(await waitFor(probe, { what: WHAT, timeoutMs: 5000, intervalMs: 1 }), 'https://api');
      assert.equal(probe.calls, 3);
    });

    it('keeps polling through probe errors that are not final', async () => {
      const probe = scripted<number>(new Error('ECONNRESET'), { ready: true, value: 42 });
      assert.equal(await waitFor(probe, { what: WHAT, timeoutMs: 5000, intervalMs: 1 }), 42);
    });
  });

  describe('when time runs out', () => {
    it('fails with a timeout naming what it waited for and the last reason, and exits 6', async () => {
      const probe = scripted<never>({ ready: false, reason: 'not started' }, { ready: false, reason: '2 of 3 etcd members are ready.' });
      const started = Date.now();
      const err = await rejection(waitFor(probe, { what: WHAT, timeoutMs: 50, intervalMs: 5 }));
      assert.equal(err.message, `Timed out after 50ms waiting for ${WHAT}: 2 of 3 etcd members are ready.`);
      assert.equal(err.code, 'timeout');
      assert.equal(err.exitCode, 6);
      assert.match(err.hint ?? '', /Run the command again to keep waiting/);
      assert.ok(Date.now() - started >= 45, 'it waited until the deadline');
      assert.ok(probe.calls >= 2);
    });

    it('reports the message of the last probe error as the reason', async () => {
      const probe = scripted<never>(new Error('connect ECONNREFUSED 127.0.0.1:6443'));
      const err = await rejection(waitFor(probe, { what: WHAT, timeoutMs: 30, intervalMs: 5 }));
      assert.match(err.message, /: connect ECONNREFUSED 127\.0\.0\.1:6443\.$/);
    });

    it('does not sleep past the deadline when the interval is longer', async () => {
      const probe = scripted<never>({ ready: false, reason: 'pending' });
      const started = Date.now();
      await rejection(waitFor(probe, { what: WHAT, timeoutMs: 50, intervalMs: 60_000 }));
      assert.ok(Date.now() - started < 2000, 'it gave up at the deadline, not after the interval');
      assert.ok(probe.calls >= 2, 'it probed once more at the deadline');
    });
  });

  describe('when the probe fails for good', () => {
    for (const code of ['forbidden', 'config', 'aborted'] as const) {
      it(`stops at once on a ${code} error rather than waiting it out`, async () => {
        const final = new KubegardenError(code, `final ${code}`);
        const probe = scripted<never>(final);
        await assert.rejects(waitFor(probe, { what: WHAT, timeoutMs: 5000, intervalMs: 1 }), (err) => err === final);
        assert.equal(probe.calls, 1);
      });
    }
  });

  describe('when aborted', () => {
    it('does not probe at all if the signal is already aborted', async () => {
      const probe = scripted<never>({ ready: false, reason: 'x' });
      const err = await rejection(waitFor(probe, { what: WHAT, timeoutMs: 5000, signal: AbortSignal.abort() }));
      assert.equal(err.message, `Aborted while waiting for ${WHAT}.`);
      assert.equal(err.code, 'aborted');
      assert.equal(err.exitCode, 130);
      assert.equal(probe.calls, 0);
    });

    it('stops sleeping as soon as the signal fires', async () => {
      const controller = new AbortController();
      const probe = scripted<never>({ ready: false, reason: 'x' });
      const started = Date.now();
      setTimeout(() => controller.abort(), 20);
      const err = await rejection(waitFor(probe, { what: WHAT, timeoutMs: 60_000, intervalMs: 60_000, signal: controller.signal }));
      assert.equal(err.code, 'aborted');
      assert.ok(Date.now() - started < 2000, 'it did not sleep out the interval');
      assert.equal(probe.calls, 1);
    });
  });
});

describe('parseDuration', () => {
  const cases: Array<[string, number]> = [
    ['30s', 30_000],
    ['5m', 300_000],
    ['1h30m', 5_400_000],
    ['8h', 28_800_000],
    ['2d', 172_800_000],
    ['500ms', 500],
    ['1m30s', 90_000],
  ];
  for (const [text, ms] of cases) {
    it(`reads ${JSON.stringify(text)} as ${ms}ms`, () => {
      assert.equal(parseDuration(text), ms);
    });
  }

  for (const bad of ['5x', '', '30', 's', '1h 30m', '1.5h', '-5m', '5m!', 'x5m']) {
    it(`refuses ${JSON.stringify(bad)}`, () => {
      assert.equal(parseDuration(bad), undefined);
    });
  }
});

describe('formatDuration', () => {
  const cases: Array<[number, string]> = [
    [50, '50ms'],
    [30_000, '30s'],
    [300_000, '5m'],
    [90_000, '1m30s'],
    [5_400_000, '1h30m'],
    [28_800_000, '8h'],
  ];
  for (const [ms, text] of cases) {
    it(`writes ${ms}ms as ${JSON.stringify(text)}`, () => {
      assert.equal(formatDuration(ms), text);
    });
  }

  it('writes what parseDuration reads', () => {
    for (const text of ['30s', '5m', '1h30m', '8h', '1m30s']) assert.equal(formatDuration(parseDuration(text)!), text);
  });
});

describe('waitFor on a long-lived signal', () => {
  it('leaves no abort listeners behind, however often it polled', async () => {
    const controller = new AbortController();
    let added = 0;
    let removed = 0;
    const add = controller.signal.addEventListener.bind(controller.signal);
    const remove = controller.signal.removeEventListener.bind(controller.signal);
    controller.signal.addEventListener = ((...args: Parameters<typeof add>) => (added++, add(...args))) as typeof add;
    controller.signal.removeEventListener = ((...args: Parameters<typeof remove>) => (removed++, remove(...args))) as typeof remove;
    let polls = 0;
    await waitFor(async () => (++polls >= 20 ? { ready: true, value: 1 } : { ready: false, reason: 'not yet' }), { what: 'x', timeoutMs: 5000, intervalMs: 1, signal: controller.signal });
    assert.equal(polls, 20);
    assert.equal(added, removed);
  });
});

describe('waitFor says what it waits for, where its caller listens', () => {
  it('reports each new reason, with the time waited, to the reporter of the step it runs in', async () => {
    const lines: string[] = [];
    const reasons = ['etcd has 0/1 replicas ready.', 'etcd has 0/1 replicas ready.', 'kube-apiserver has 0/1 replicas ready.'];
    let i = 0;
    const value = await waitReporter.run(
      (line) => lines.push(line),
      () => waitFor(async () => (i < reasons.length ? { ready: false, reason: reasons[i++]! } : { ready: true, value: 'up' }), { what: 'the control plane', timeoutMs: 5000, intervalMs: 5 }),
    );
    assert.equal(value, 'up');
    assert.deepEqual(lines, ['waiting for the control plane: etcd has 0/1 replicas ready', 'waiting for the control plane: kube-apiserver has 0/1 replicas ready']);
  });

  it('reports nothing, and costs nothing, outside a step', async () => {
    assert.equal(await waitFor(async () => ({ ready: true, value: 1 }), { what: 'x', timeoutMs: 100 }), 1);
  });
});
