// The output contract: read commands print with -o json (and --json) one JSON
// document on stdout and nothing else; mutating commands print with --json one
// result document that keeps the contract of src/lib/ui/results.ts.
import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resultProblems } from '../../../src/lib/ui/results.ts';
import { kubegardenOk } from '../../helpers/cli.ts';
import { operation, putShoot, startBed, type Bed } from './bed.ts';

/** stdout is exactly one pretty-printed JSON document. */
function onlyJson(stdout: string): unknown {
  const doc = JSON.parse(stdout) as unknown;
  assert.equal(stdout, `${JSON.stringify(doc, null, 2)}\n`, 'nothing but the document on stdout');
  return doc;
}

describe('output contract (real CLI, real garden)', function () {
  this.timeout(120_000);
  let bed: Bed;
  let localDir: string;

  before(async () => {
    bed = await startBed();
    await putShoot(bed.client, 'web', {
      lastOperation: operation('Create', 'Succeeded', 100, 'Shoot is ready.'),
      observedGeneration: 1,
      conditions: [{ type: 'APIServerAvailable', status: 'True', lastTransitionTime: new Date().toISOString() }],
    });
    localDir = await mkdtemp(join(tmpdir(), 'kubegarden-local-'));
  });
  after(() => bed?.client.close());

  describe('read commands with -o json and --json', () => {
    const reads = (): Array<[string, string[], (doc: unknown) => void]> => [
      ['project list', ['project', 'list', ...bed.g], (d) => assert.deepEqual((d as Array<{ name: string }>).map((p) => p.name), ['dev'])],
      ['seed list', ['seed', 'list', ...bed.g], (d) => assert.deepEqual((d as Array<{ metadata: { name: string } }>).map((s) => s.metadata.name), ['local'])],
      ['seed get', ['seed', 'get', 'local', ...bed.g], (d) => assert.equal((d as { kind: string }).kind, 'Seed')],
      ['shoot list', ['shoot', 'list', '-p', 'dev', ...bed.g], (d) => assert.deepEqual((d as Array<{ metadata: { name: string } }>).map((s) => s.metadata.name), ['web'])],
      ['shoot list -A', ['shoot', 'list', '-A', ...bed.g], (d) => assert.equal((d as unknown[]).length, 1)],
      ['shoot get', ['shoot', 'get', 'web', '-p', 'dev', ...bed.g], (d) => assert.equal((d as { status: { lastOperation: { state: string } } }).status.lastOperation.state, 'Succeeded')],
      ['local status', ['local', 'status', '--dir', localDir], (d) => assert.equal((d as { running: boolean }).running, false)],
      ['version', ['version'], (d) => assert.ok((d as { kubernetes: { supported: string[] } }).kubernetes.supported.length > 0)],
    ];

    it('print exactly one JSON document, and --json is the same as -o json', async () => {
      for (const [what, args, check] of reads()) {
        const viaO = onlyJson((await kubegardenOk([...args, '-o', 'json'])).stdout);
        check(viaO);
        const viaJson = onlyJson((await kubegardenOk([...args, '--json'])).stdout);
        assert.deepEqual(viaJson, viaO, `${what}: --json == -o json`);
        // As kubectl prints objects by default: without server-side apply's bookkeeping.
        assert.doesNotMatch(JSON.stringify(viaO), /managedFields/, `${what}: no managedFields`);
      }
    });

    it('offer table, wide, json, yaml and name where they list objects', async () => {
      for (const args of [['project', 'list'], ['seed', 'list'], ['shoot', 'list', '-p', 'dev'], ['shoot', 'get', 'web', '-p', 'dev'], ['seed', 'get', 'local']]) {
        for (const o of ['table', 'wide', 'yaml', 'name']) await kubegardenOk([...args, ...bed.g, '-o', o]);
      }
      assert.equal((await kubegardenOk(['shoot', 'list', '-p', 'dev', ...bed.g, '-o', 'name'])).stdout, 'shoot/dev/web\n');
    });
  });

  describe('mutating commands with --json', () => {
    const result = async (args: string[], action: string) => {
      const r = await kubegardenOk([...args, '--json']);
      const doc = onlyJson(r.stdout) as Record<string, unknown>;
      assert.deepEqual(resultProblems(doc), [], `${action}: ${r.stdout}`);
      assert.equal(doc['action'], action);
      return doc;
    };

    it('print one result document each: what was done, to which objects, warnings and duration', async () => {
      const init = await result(['garden', 'init', ...bed.g], 'garden init');
      assert.equal(init['change'], 'unchanged');
      assert.equal(init['changed'], false);

      const created = await result(['project', 'create', 'qa', ...bed.g], 'project create');
      assert.deepEqual([created['change'], created['objects'], created['namespace']], ['created', ['project/qa'], 'garden-qa']);
      assert.equal((await result(['project', 'create', 'qa', ...bed.g], 'project create'))['change'], 'unchanged');
      const deleting = await result(['project', 'delete', 'qa', '--no-wait', ...bed.g], 'project delete');
      assert.equal(deleting['change'], 'deleting');

      const seed = await result(['seed', 'register', 'local', ...bed.g, '--seed-kubeconfig', bed.seed.kubeconfigPath, '--provider', 'local', '--region', 'local'], 'seed register');
      assert.deepEqual([seed['change'], seed['objects']], ['unchanged', ['seed/local']]);
      await result(['seed', 'register', 'spare', ...bed.g, '--seed-kubeconfig', bed.seed.kubeconfigPath, '--provider', 'aws', '--region', 'eu-west-1'], 'seed register');
      const gone = await result(['seed', 'deregister', 'spare', ...bed.g], 'seed deregister');
      assert.equal(gone['change'], 'deleted');

      const waited = await result(['shoot', 'wait', 'web', '-p', 'dev', ...bed.g], 'shoot wait');
      assert.equal((waited['status'] as { lastOperation: { state: string } }).lastOperation.state, 'Succeeded', 'shoot wait --json prints the final status');

      const file = join(bed.garden.dir, 'web.yaml');
      await writeFile(file, 'apiVersion: kubegarden.io/v1alpha1\nkind: Shoot\nmetadata:\n  name: web\nspec:\n  provider:\n    type: local\n  seedName: local\n');
      const applied = await result(['shoot', 'apply', '-p', 'dev', '-f', file, ...bed.g], 'shoot apply');
      assert.deepEqual([applied['change'], applied['objects']], ['unchanged', ['shoot/dev/web']]);
    });

    it('-o json of a mutating command is the same document as --json', async () => {
      const r = await kubegardenOk(['garden', 'init', ...bed.g, '-o', 'json']);
      const doc = onlyJson(r.stdout) as Record<string, unknown>;
      assert.deepEqual(resultProblems(doc), []);
      assert.equal(doc['action'], 'garden init');
    });
  });
});
