import { strict as assert } from 'node:assert';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cliConfig, listMirrorProviders } from '../../../src/lib/infra/plugins.ts';

describe('provider plugins', () => {
  it('lists the providers of a filesystem mirror', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kubegarden-mirror-'));
    try {
      await mkdir(join(dir, 'registry.terraform.io/hashicorp/aws/5.100.0/linux_amd64'), { recursive: true });
      await mkdir(join(dir, 'registry.terraform.io/terraform-provider-openstack/openstack/3.0.0/linux_amd64'), { recursive: true });
      assert.deepEqual(await listMirrorProviders(dir), [
        { address: 'registry.terraform.io/hashicorp/aws', versions: ['5.100.0'] },
        { address: 'registry.terraform.io/terraform-provider-openstack/openstack', versions: ['3.0.0'] },
      ]);
      assert.deepEqual(await listMirrorProviders(join(dir, 'missing')), []);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('writes a JSON CLI configuration: one plugin cache, mirrored providers only from the mirror', () => {
    const text = cliConfig({
      pluginCacheDir: '/cache/"quoted"',
      pluginDir: '/plugins',
      mirrored: [{ address: 'registry.terraform.io/hashicorp/aws', versions: ['5.100.0'] }],
    });
    assert.deepEqual(JSON.parse(text), {
      plugin_cache_dir: '/cache/"quoted"',
      plugin_cache_may_break_dependency_lock_file: true,
      disable_checkpoint: true,
      provider_installation: [
        {
          filesystem_mirror: [{ path: '/plugins', include: ['registry.terraform.io/hashicorp/aws'] }],
          direct: [{ exclude: ['registry.terraform.io/hashicorp/aws'] }],
        },
      ],
    });
  });

  it('leaves provider installation alone without a plugin directory', () => {
    assert.equal(JSON.parse(cliConfig({ pluginCacheDir: '/cache' })).provider_installation, undefined);
  });
});
