// `terraform validate` on every template whose provider plugin this machine
// has. local needs none and always runs; a cloud template runs when its plugin
// is in KUBEGARDEN_TF_PLUGIN_DIR or in one of Terraform's implied filesystem
// mirror directories, and is skipped (and reported) otherwise.
import { strict as assert } from 'node:assert';
import { mkdtemp, rm } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { listMirrorProviders, PLUGIN_DIR_ENV } from '../../../src/lib/infra/plugins.ts';
import { infraProvider } from '../../../src/lib/infra/providers/index.ts';
import { validateTerraform } from '../../../src/lib/infra/terraform.ts';
import type { InfraProviderName } from '../../../src/lib/infra/types.ts';
import { ALL_PROVIDERS, threeZoneSpec } from './specs.ts';
import { terraformBinary } from './tf.ts';

function mirrorDirs(): string[] {
  const dirs = [process.env[PLUGIN_DIR_ENV]];
  const dataHome = process.env.XDG_DATA_HOME || join(homedir(), '.local', 'share');
  dirs.push(join(homedir(), '.terraform.d', 'plugins'), join(dataHome, 'terraform', 'plugins'));
  for (const dir of (process.env.XDG_DATA_DIRS || '/usr/local/share:/usr/share').split(':')) dirs.push(join(dir, 'terraform', 'plugins'));
  return dirs.filter((dir): dir is string => dir !== undefined && dir !== '');
}

/** The directory that holds every plugin the provider's template needs, if any. */
async function pluginDirFor(provider: InfraProviderName): Promise<string | undefined> {
  const needed = infraProvider(provider).plugins;
  for (const dir of mirrorDirs()) {
    const present = new Set((await listMirrorProviders(dir)).map((p) => p.address));
    if (needed.every((address) => present.has(address))) return dir;
  }
  return undefined;
}

describe('terraform validate', function () {
  this.timeout(120_000);
  const validated: string[] = [];
  const skipped: string[] = [];
  let cacheRoot: string;

  before(async () => {
    cacheRoot = await mkdtemp(join(tmpdir(), 'kubegarden-validate-cache-'));
  });

  after(async () => {
    await rm(cacheRoot, { recursive: true, force: true });
    // The report the issue asks for: what was validated, what was not and why.
    console.log(`\n    terraform validate: validated ${validated.join(', ') || 'nothing'}`);
    if (skipped.length > 0) {
      console.log(`    terraform validate: skipped ${skipped.join(', ')} (no provider plugin in ${PLUGIN_DIR_ENV} or a filesystem mirror directory)`);
    }
  });

  for (const provider of ALL_PROVIDERS) {
    it(`accepts the ${provider} template with a three-zone, two-pool shoot`, async function () {
      const bin = await terraformBinary();
      if (!bin) {
        skipped.push(`${provider} (no terraform binary)`);
        this.skip();
      }
      const pluginDir = provider === 'local' ? undefined : await pluginDirFor(provider);
      if (provider !== 'local' && pluginDir === undefined) {
        skipped.push(provider);
        this.skip();
      }
      const result = await validateTerraform(threeZoneSpec(provider), { terraformBin: bin, pluginDir, cacheRoot });
      assert.ok(result.valid, `terraform validate rejects the ${provider} template:\n${result.output}`);
      assert.match(result.output, /The configuration is valid/);
      validated.push(pluginDir ? `${provider} (plugin from ${pluginDir})` : provider);
    });
  }
});
