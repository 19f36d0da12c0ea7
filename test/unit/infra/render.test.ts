import { strict as assert } from 'node:assert';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { exportTerraform, renderTerraform, tfvarsJson, TFVARS_FILE } from '../../../src/lib/infra/render.ts';
import type { RenderedTerraform } from '../../../src/lib/infra/render.ts';
import type { InfraSpec } from '../../../src/lib/infra/types.ts';
import { ALL_PROVIDERS, HOSTILE, hostileSpec, oneZoneSpec, threeZoneSpec } from './specs.ts';
import { terraform, terraformBinary } from './tf.ts';

const GOLDEN_ROOT = fileURLToPath(new URL('../../fixtures/infra/', import.meta.url));
const UPDATE = process.env.UPDATE_GOLDEN === '1';

const CASES: Array<{ name: string; spec: (provider: (typeof ALL_PROVIDERS)[number]) => InfraSpec }> = [
  { name: 'one-zone', spec: oneZoneSpec },
  { name: 'three-zones-two-pools', spec: threeZoneSpec },
];

function renderedFiles(rendered: RenderedTerraform): Record<string, string> {
  return { ...rendered.files, [TFVARS_FILE]: tfvarsJson(rendered) };
}

async function compareWithGolden(dir: string, files: Record<string, string>): Promise<void> {
  if (UPDATE) {
    await rm(dir, { recursive: true, force: true });
    await mkdir(dir, { recursive: true });
    for (const [name, content] of Object.entries(files)) await writeFile(join(dir, name), content);
    return;
  }
  let golden: string[];
  try {
    golden = (await readdir(dir)).sort();
  } catch {
    assert.fail(`no golden files in ${dir}: run the tests with UPDATE_GOLDEN=1 to create them`);
  }
  assert.deepEqual(Object.keys(files).sort(), golden, `the rendered files differ from the golden files in ${dir}`);
  for (const [name, content] of Object.entries(files)) {
    assert.equal(content, await readFile(join(dir, name), 'utf8'), `${name} differs from ${join(dir, name)} (UPDATE_GOLDEN=1 regenerates it)`);
  }
}

describe('rendering a shoot\'s Terraform', () => {
  for (const provider of ALL_PROVIDERS) {
    describe(`for ${provider}`, () => {
      for (const testCase of CASES) {
        it(`matches the golden files for a ${testCase.name} shoot`, async () => {
          const rendered = await renderTerraform(testCase.spec(provider));
          await compareWithGolden(join(GOLDEN_ROOT, provider, testCase.name), renderedFiles(rendered));
        });
      }

      it('ships only static .tf files: the same bytes whatever the shoot', async () => {
        const one = await renderTerraform(oneZoneSpec(provider));
        const three = await renderTerraform(threeZoneSpec(provider));
        assert.deepEqual(one.files, three.files);
      });

      it('keeps hostile values out of the HCL, byte for byte', async () => {
        const benign = await renderTerraform(threeZoneSpec(provider));
        const hostile = await renderTerraform(hostileSpec(provider));
        assert.deepEqual(hostile.files, benign.files);
        const hcl = Object.values(hostile.files).join('\n');
        for (const value of HOSTILE) assert.ok(!hcl.includes(value), `the HCL contains ${JSON.stringify(value)}`);
      });

      it('carries hostile values verbatim in terraform.tfvars.json', async () => {
        const spec = hostileSpec(provider);
        const json = tfvarsJson(await renderTerraform(spec));
        const parsed = JSON.parse(json) as { region: string; workers: Record<string, { machine_type: string; zones: string[] }> };
        assert.equal(parsed.region, spec.region);
        for (const worker of spec.workers) {
          assert.equal(parsed.workers[worker.name]?.machine_type, worker.machineType);
          assert.deepEqual(parsed.workers[worker.name]?.zones, worker.zones);
        }
        // Every hostile label value reaches the values file unchanged
        // (as a value, a tag, or inside a metadata JSON string).
        const values = JSON.stringify(parsed);
        for (const value of Object.values(spec.workers[0]?.labels ?? {})) assert.ok(values.includes(JSON.stringify(value).slice(1, -1)), `tfvars lost ${JSON.stringify(value)}`);
      });

      it('renders files that `terraform fmt -check` accepts', async function () {
        const bin = await terraformBinary();
        if (!bin) this.skip();
        const dir = await mkdtemp(join(tmpdir(), `kubegarden-fmt-${provider}-`));
        try {
          const rendered = await renderTerraform(threeZoneSpec(provider));
          for (const [name, content] of Object.entries(rendered.files)) await writeFile(join(dir, name), content);
          const result = await terraform(bin as string, ['fmt', '-check', '-list=true', '-no-color', dir], dir);
          assert.equal(result.exitCode, 0, `terraform fmt -check rejects: ${result.all}`);
        } finally {
          await rm(dir, { recursive: true, force: true });
        }
      });
    });
  }

  it('refuses names that are not DNS labels before rendering anything', async () => {
    for (const shootName of ['web"', 'a${x}', 'line\nbreak']) {
      await assert.rejects(renderTerraform({ ...oneZoneSpec('aws'), shootName }), { name: 'KubegardenError', code: 'invalid' });
    }
    const spec = oneZoneSpec('gcp');
    const pool = spec.workers[0];
    assert.ok(pool);
    await assert.rejects(renderTerraform({ ...spec, workers: [{ ...pool, name: 'pool%{x}' }] }), { code: 'invalid' });
  });

  it('base64-encodes the cloud-config where the cloud wants it', async () => {
    const userData = (provider: (typeof ALL_PROVIDERS)[number]) =>
      renderTerraform(oneZoneSpec(provider)).then((r) => (r.tfvars.user_data as Record<string, string>).worker);
    const plain = oneZoneSpec('aws').workers[0]?.userData ?? '';
    assert.equal(await userData('aws'), Buffer.from(plain).toString('base64'));
    assert.equal(await userData('azure'), Buffer.from(plain).toString('base64'));
    assert.equal(await userData('gcp'), plain);
    assert.equal(await userData('openstack'), plain);
    assert.equal(await userData('local'), plain);
  });
});

describe('exporting the Terraform for review', () => {
  it('writes the files and an owner-only terraform.tfvars.json, and runs nothing', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kubegarden-export-'));
    try {
      const result = await exportTerraform(threeZoneSpec('aws'), dir);
      assert.deepEqual((await readdir(dir)).sort(), [...result.files].sort());
      assert.ok(!(await readdir(dir)).includes('.terraform'), 'export must not run terraform init');
      assert.equal((await stat(join(dir, TFVARS_FILE))).mode & 0o777, 0o600);
      assert.deepEqual(result.backendConfig, { namespace: 'shoot--dev--shop', secret_suffix: 'infra' });
      assert.ok(result.initCommand.includes('-backend-config=namespace=shoot--dev--shop'));
      // Exporting again into the same directory is fine.
      await exportTerraform(threeZoneSpec('aws'), dir);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('refuses a directory that holds other Terraform files', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kubegarden-export-'));
    try {
      await writeFile(join(dir, 'mine.tf'), '# not kubegarden\n');
      await assert.rejects(exportTerraform(oneZoneSpec('gcp'), dir), { code: 'conflict' });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
