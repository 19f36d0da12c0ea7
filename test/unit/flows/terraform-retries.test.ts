// The Terraform steps of the flows retry, with back-off, a seed that did not
// answer for a moment, and nothing else.
import { strict as assert } from 'node:assert';
import { createFlow } from '../../../src/lib/flows/create.ts';
import { deleteFlow } from '../../../src/lib/flows/delete.ts';
import { runFlow } from '../../../src/lib/flows/executor.ts';
import { Flow, retryPolicy } from '../../../src/lib/flows/graph.ts';
import { upgradeFlow } from '../../../src/lib/flows/upgrade.ts';
import { translateFailure } from '../../../src/lib/infra/diagnostics.ts';
import { KubegardenError } from '../../../src/lib/ui/errors.ts';

const outage = () =>
  translateFailure({
    operation: 'init',
    target: 'shoot local/o1',
    exitCode: 1,
    signal: undefined,
    canceled: false,
    output: 'Error: Failed to get existing workspaces: Get "https://127.0.0.1:41437/api/v1/namespaces/x/secrets": dial tcp 127.0.0.1:41437: connect: connection refused',
  });

describe('Terraform steps and a seed that restarts', () => {
  const steps = [
    ['create', createFlow('Create'), ['infrastructure', 'workers']],
    ['upgrade', upgradeFlow({ version: '1.37.2' }), ['workers']],
    ['delete', deleteFlow(), ['infrastructure']],
  ] as const;

  for (const [name, flow, ids] of steps) {
    it(`${name}: ${ids.join(', ')} retry a state backend outage, not a provider error`, () => {
      for (const id of ids) {
        const step = flow.step(id)!;
        assert.ok((retryPolicy(step)?.retries ?? 0) >= 3, `${id} has retries`);
        assert.equal(step.retryable?.(outage()), true);
        assert.equal(step.retryable?.(new KubegardenError('partial', 'Terraform could not apply the infrastructure of shoot dev/mars: invalid AWS Region: mars-north-1.')), false);
      }
    });
  }

  it('the executor runs such a step again after an outage and finishes', async () => {
    const step = createFlow('Create').step('infrastructure')!;
    let attempts = 0;
    const flow = new Flow<object>('t');
    flow.add({
      id: 'infrastructure',
      title: step.title,
      retries: { retries: 3, initialDelayMs: 1, maxDelayMs: 1 },
      ...(step.retryable ? { retryable: step.retryable } : {}),
      run: async () => {
        if (++attempts < 3) throw outage();
        return 'ok';
      },
    });
    const result = await runFlow(flow, {});
    assert.equal(attempts, 3);
    assert.equal(result.results['infrastructure'], 'ok');
  });
});
