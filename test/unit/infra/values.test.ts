// The proof that tfvars values stay values: the local template, applied by
// the real terraform (with local state instead of the seed), gives back the
// hostile strings byte for byte, and nothing else is created.
import { strict as assert } from 'node:assert';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseInfraOutputs } from '../../../src/lib/infra/outputs.ts';
import { renderTerraform, tfvarsJson, TFVARS_FILE } from '../../../src/lib/infra/render.ts';
import { hostileSpec } from './specs.ts';
import { terraform, terraformBinary } from './tf.ts';

describe('hostile values through the real terraform', function () {
  this.timeout(60_000);

  it('come back verbatim from the local template, and add no resource', async function () {
    const bin = await terraformBinary();
    if (!bin) this.skip();
    const dir = await mkdtemp(join(tmpdir(), 'kubegarden-values-'));
    try {
      const spec = hostileSpec('local');
      const rendered = await renderTerraform(spec);
      for (const [name, content] of Object.entries(rendered.files)) await writeFile(join(dir, name), content);
      await writeFile(join(dir, TFVARS_FILE), tfvarsJson(rendered));
      // An override file swaps the seed backend for local state (test only).
      await writeFile(join(dir, 'backend_override.tf'), 'terraform {\n  backend "local" {}\n}\n');
      const tf = (args: string[]) => terraform(bin as string, args, dir);
      const init = await tf(['init', '-input=false', '-no-color']);
      assert.equal(init.exitCode, 0, init.all);
      const apply = await tf(['apply', '-auto-approve', '-input=false', '-no-color']);
      assert.equal(apply.exitCode, 0, apply.all);
      assert.match(apply.all ?? '', /Resources: 7 added, 0 changed, 0 destroyed/);

      const outputs = parseInfraOutputs((await tf(['output', '-json'])).stdout, 'shoot dev/shop');
      for (const worker of spec.workers) {
        assert.equal(outputs.scalingGroups[worker.name]?.machineType, worker.machineType);
        assert.deepEqual(outputs.scalingGroups[worker.name]?.zones, worker.zones);
      }
      assert.deepEqual(Object.keys(outputs.subnetIds).sort(), [...spec.zones].sort());

      const state = JSON.parse((await tf(['show', '-json'])).stdout) as {
        values: { root_module: { resources: Array<{ address: string; values: { input: { labels?: Record<string, string>; taints?: unknown[] } } }> } };
      };
      const resources = state.values.root_module.resources;
      assert.deepEqual(resources.map((r) => r.address).filter((a) => !/^terraform_data\.(network|security_group|subnet\[.*\]|scaling_group\[.*\])$/s.test(a)), []);
      const general = resources.find((r) => r.address === 'terraform_data.scaling_group["general"]');
      assert.deepEqual(general?.values.input.labels, spec.workers[0]?.labels);
      assert.deepEqual(general?.values.input.taints, [{ ...spec.workers[0]?.taints[0] }]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
