import { strict as assert } from 'node:assert';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveTerraformBinary } from '../../../src/lib/infra/binary.ts';

describe('finding the Terraform binary', () => {
  let dir: string;
  let withTerraform: string;
  let withTofu: string;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kubegarden-bin-'));
    withTerraform = join(dir, 'a');
    withTofu = join(dir, 'b');
    for (const [sub, name] of [[withTerraform, 'terraform'], [withTofu, 'tofu'], [dir, 'custom-terraform']] as const) {
      await mkdir(sub, { recursive: true });
      await writeFile(join(sub, name), '#!/bin/sh\n');
      await chmod(join(sub, name), 0o755);
    }
    await writeFile(join(dir, 'not-executable'), '');
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('takes --terraform-bin first', async () => {
    const env = { PATH: withTerraform, KUBEGARDEN_TERRAFORM: join(withTofu, 'tofu') };
    assert.deepEqual(await resolveTerraformBinary(join(dir, 'custom-terraform'), env), { path: join(dir, 'custom-terraform'), source: 'flag' });
  });

  it('then KUBEGARDEN_TERRAFORM', async () => {
    const env = { PATH: withTerraform, KUBEGARDEN_TERRAFORM: join(withTofu, 'tofu') };
    assert.deepEqual(await resolveTerraformBinary(undefined, env), { path: join(withTofu, 'tofu'), source: 'env' });
  });

  it('then terraform, then tofu, on the PATH', async () => {
    assert.equal((await resolveTerraformBinary(undefined, { PATH: `${withTofu}:${withTerraform}` })).path, join(withTerraform, 'terraform'));
    assert.equal((await resolveTerraformBinary(undefined, { PATH: withTofu })).path, join(withTofu, 'tofu'));
  });

  it('says how to fix it when there is none', async () => {
    await assert.rejects(resolveTerraformBinary(undefined, { PATH: dir }), {
      code: 'config',
      message: 'Neither terraform nor tofu is on the PATH: install Terraform (>= 1.5) or OpenTofu, or name the binary with --terraform-bin or KUBEGARDEN_TERRAFORM.',
    });
  });

  it('refuses a flag or variable that names no executable', async () => {
    await assert.rejects(resolveTerraformBinary(join(dir, 'not-executable'), { PATH: withTerraform }), { code: 'config', message: /--terraform-bin is not an executable file/ });
    await assert.rejects(resolveTerraformBinary(undefined, { PATH: withTerraform, KUBEGARDEN_TERRAFORM: join(dir, 'missing') }), { code: 'config', message: /KUBEGARDEN_TERRAFORM is not an executable file/ });
  });
});
