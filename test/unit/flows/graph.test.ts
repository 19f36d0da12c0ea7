// The flow graph as data: checked while it is built, printable for --dry-run.
import assert from 'node:assert/strict';
import { Flow, type FlowStep } from '../../../src/lib/flows/graph.ts';

const noop = async () => {};
const step = (id: string, dependsOn: string[] = [], extra: Partial<FlowStep<object>> = {}): FlowStep<object> => ({ id, title: `Doing ${id}`, dependsOn, run: noop, ...extra });

describe('Flow (the graph)', () => {
  describe('is checked while it is built', () => {
    it('refuses a second step with the same id', () => {
      const flow = new Flow<object>('create');
      flow.add(step('etcd'));
      assert.throws(() => flow.add(step('etcd')), /Flow "create": a step with id "etcd" was already added\./);
    });

    it('refuses a dependency on a step that was not added before', () => {
      const flow = new Flow<object>('create');
      flow.add(step('namespace'));
      assert.throws(() => flow.add(step('etcd', ['namespace', 'secrets'])), /step "etcd" depends on "secrets", which is not a step of this flow \(add dependencies first\)/);
      // Nothing of the refused step was kept.
      assert.equal(flow.size, 1);
      assert.equal(flow.step('etcd'), undefined);
    });

    it('refuses a step that depends on itself, a step without id or title, and nonsense numbers', () => {
      const flow = new Flow<object>('create');
      assert.throws(() => flow.add(step('a', ['a'])), /depends on itself/);
      assert.throws(() => flow.add({ id: '', title: 'Doing nothing', run: noop }), /needs an id/);
      assert.throws(() => flow.add({ id: 'x', title: '', run: noop }), /needs a title/);
      assert.throws(() => flow.add(step('w', [], { weight: -1 })), /weight -1/);
      assert.throws(() => flow.add(step('t', [], { timeoutMs: 0 })), /timeoutMs 0/);
      assert.throws(() => flow.add(step('r', [], { retries: 1.5 })), /retries 1\.5/);
    });

    it('returns the id of an added step, to name it in later dependencies', () => {
      const flow = new Flow<object>('create');
      const ns = flow.add(step('namespace'));
      flow.add(step('etcd', [ns]));
      assert.deepEqual(flow.step('etcd')?.dependsOn, ['namespace']);
    });
  });

  describe('levels', () => {
    it('groups steps that can run together, each after the levels it depends on', () => {
      const flow = new Flow<object>('create');
      flow.add(step('namespace'));
      flow.add(step('infra'));
      flow.add(step('secrets', ['namespace']));
      flow.add(step('etcd', ['secrets']));
      flow.add(step('apiserver', ['etcd', 'infra']));
      flow.add(step('vpn', ['secrets']));
      assert.deepEqual(flow.levels(), [['namespace', 'infra'], ['secrets'], ['etcd', 'vpn'], ['apiserver']]);
      assert.deepEqual([...flow.ancestors('apiserver')].sort(), ['etcd', 'infra', 'namespace', 'secrets']);
    });
  });

  describe('describe() for --dry-run', () => {
    it('prints the levels, titles, dependencies, timeouts, retries and skips', () => {
      const flow = new Flow<object>('create shoot dev/demo');
      flow.add(step('namespace', [], { title: 'Creating the shoot namespace' }));
      flow.add(step('infra', [], { title: 'Applying infrastructure', timeoutMs: 600_000, retries: 2 }));
      flow.add(step('etcd', ['namespace'], { title: 'Deploying etcd', skip: () => false }));
      assert.equal(
        flow.describe(),
        [
          'Flow "create shoot dev/demo": 3 steps in 2 levels',
          '  Level 1 (2 steps run concurrently):',
          '    namespace  Creating the shoot namespace',
          '    infra      Applying infrastructure  [timeout 10m; 2 retries]',
          '  Level 2:',
          '    etcd       Deploying etcd  [after namespace; may be skipped]',
          '',
        ].join('\n'),
      );
    });

    it('serialises to JSON with dependencies, levels and weights', () => {
      const flow = new Flow<object>('delete');
      flow.add(step('a', [], { weight: 3 }));
      flow.add(step('b', ['a'], { retries: { retries: 1, initialDelayMs: 10 } }));
      const json = JSON.parse(JSON.stringify(flow)) as ReturnType<Flow<object>['toJSON']>;
      assert.deepEqual(json, {
        name: 'delete',
        steps: [
          { id: 'a', title: 'Doing a', dependsOn: [], level: 0, weight: 3, conditional: false },
          { id: 'b', title: 'Doing b', dependsOn: ['a'], level: 1, weight: 1, conditional: false, retries: 1 },
        ],
        levels: [['a'], ['b']],
      });
    });
  });
});
