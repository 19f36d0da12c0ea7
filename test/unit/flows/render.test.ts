// listr2 draws what the executor reports: the line renderers (CI, --verbose)
// write into a captured stream here, so the test reads what a CI log shows.
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { setTimeout as delay } from 'node:timers/promises';
import { FlowError, runFlow } from '../../../src/lib/flows/executor.ts';
import { Flow } from '../../../src/lib/flows/graph.ts';
import { chooseRenderer, renderFlow } from '../../../src/lib/flows/render.ts';
import { KubegardenError } from '../../../src/lib/ui/errors.ts';

function capture() {
  let text = '';
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      text += chunk.toString('utf8');
      done();
    },
  }) as unknown as NodeJS.WriteStream;
  // eslint-disable-next-line no-control-regex
  return { stream, text: () => text.replace(/\u001b\[[0-9;?]*[A-Za-z]/g, '') };
}

function createFlow(failEtcd = false): Flow<object> {
  const flow = new Flow<object>('create');
  flow.add({
    id: 'namespace',
    title: 'Creating the namespace',
    run: async (_c, io) => {
      io.log('namespace shoot--dev--demo: created');
      await delay(5);
      return 'Created the namespace';
    },
  });
  flow.add({ id: 'dns', title: 'Creating DNS records', skip: () => 'no DNS provider', run: async () => {} });
  flow.add({
    id: 'infra',
    title: 'Applying infrastructure',
    run: async (_c, io) => {
      io.log('terraform: 3 to add');
      await delay(failEtcd ? 5_000 : 20, undefined, { signal: io.signal });
    },
  });
  flow.add({
    id: 'etcd',
    title: 'Deploying etcd',
    dependsOn: ['namespace'],
    run: async () => {
      await delay(5);
      if (failEtcd) throw new KubegardenError('invalid', 'The seed refused StatefulSet etcd-main: spec.replicas must be at least 0.');
    },
  });
  flow.add({ id: 'apiserver', title: 'Deploying the kube-apiserver', dependsOn: ['etcd', 'infra'], run: async () => {} });
  return flow;
}

describe('renderFlow (listr2 as a renderer)', () => {
  it('in CI, prints one line per step event with done-titles, durations and skip reasons, and no log lines', async () => {
    const out = capture();
    const flow = createFlow();
    const result = await renderFlow(flow, (onEvent) => runFlow(flow, {}, { onEvent }), { renderer: 'simple', stream: out.stream });
    assert.equal(result.completed.length, 5);
    const text = out.text();
    assert.match(text, /✔ Created the namespace(?: \[\d+\.\ds\]| )?\n/);
    assert.match(text, /↓ Creating DNS records \[SKIPPED: no DNS provider\]\n/);
    assert.match(text, /✔ Applying infrastructure(?: \[\d+\.\ds\]| )?\n/);
    assert.match(text, /✔ Deploying etcd(?: \[\d+\.\ds\]| )?\n/);
    assert.match(text, /✔ Deploying the kube-apiserver(?: \[\d+\.\ds\]| )?\n/);
    // listr2 leaves the timer out of a step that took no measurable time.
    assert.match(text, /✔ .* \[\d+\.\ds\]\n/);
    assert.doesNotMatch(text, /terraform: 3 to add/);
    // A step is shown started only when the executor starts it: after what it depends on.
    assert.ok(text.indexOf('❯ Deploying etcd') > text.indexOf('✔ Created the namespace'));
    assert.ok(text.indexOf('❯ Deploying the kube-apiserver') > text.indexOf('✔ Applying infrastructure'));
  });

  it('with --verbose, prints every log line, naming its step', async () => {
    const out = capture();
    const flow = createFlow();
    await renderFlow(flow, (onEvent) => runFlow(flow, {}, { onEvent }), { verbose: true, stream: out.stream });
    const text = out.text();
    assert.match(text, /\[OUTPUT\] \[[\d:]+\] \[namespace\] namespace shoot--dev--demo: created/);
    assert.match(text, /\[OUTPUT\] \[[\d:]+\] \[infra\] terraform: 3 to add/);
    assert.match(text, /\[SKIPPED\] \[[\d:]+\] Creating DNS records: no DNS provider/);
  });

  it('shows the failed step, the interrupted one, leaves out what never started, and rejects as the flow did', async () => {
    const out = capture();
    const flow = createFlow(true);
    await assert.rejects(
      renderFlow(flow, (onEvent) => runFlow(flow, {}, { onEvent }), { renderer: 'simple', stream: out.stream }),
      (err: unknown) => err instanceof FlowError && err.step === 'etcd' && err.code === 'invalid',
    );
    const text = out.text();
    assert.match(text, /✖ Deploying etcd \[FAILED: The seed refused StatefulSet etcd-main: spec\.replicas must be at least 0\.\]/);
    assert.match(text, /✖ Applying infrastructure \(interrupted\)/);
    assert.doesNotMatch(text, /kube-apiserver/);
  });

  it('draws nothing when quiet, and nothing when the run fails before the flow starts', async () => {
    const out = capture();
    const flow = createFlow();
    await renderFlow(flow, (onEvent) => runFlow(flow, {}, { onEvent }), { quiet: true, stream: out.stream });
    await assert.rejects(
      renderFlow(flow, async () => Promise.reject(new KubegardenError('conflict', 'Shoot "dev/demo" is locked.')), { renderer: 'simple', stream: out.stream }),
      /is locked/,
    );
    assert.equal(out.text(), '');
  });

  it('is chosen by terminal, CI, quiet and verbose', () => {
    assert.equal(chooseRenderer({}, true), 'default');
    assert.equal(chooseRenderer({}, false), 'simple');
    assert.equal(chooseRenderer({ verbose: true }, true), 'verbose');
    assert.equal(chooseRenderer({ quiet: true, verbose: true }, true), 'silent');
    assert.equal(chooseRenderer({ renderer: 'simple' }, true), 'simple');
  });
});
