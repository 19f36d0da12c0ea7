// Where Terraform's provider plugins come from: one plugin cache shared by
// every shoot, and optionally a local plugin directory (a filesystem mirror,
// laid out HOST/NAMESPACE/TYPE/VERSION/OS_ARCH/) for machines without access
// to the registry. The CLI configuration is written as JSON, which Terraform
// reads like its native syntax: paths never get spliced into HCL.
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';

export const PLUGIN_DIR_ENV = 'KUBEGARDEN_TF_PLUGIN_DIR';

export interface MirroredProvider {
  /** e.g. registry.terraform.io/hashicorp/aws */
  address: string;
  versions: string[];
}

/** The providers a filesystem mirror directory holds (unpacked layout). */
export async function listMirrorProviders(dir: string): Promise<MirroredProvider[]> {
  const found: MirroredProvider[] = [];
  for (const host of await subdirs(dir)) {
    for (const namespace of await subdirs(join(dir, host))) {
      for (const type of await subdirs(join(dir, host, namespace))) {
        const versions = await subdirs(join(dir, host, namespace, type));
        if (versions.length > 0) found.push({ address: `${host}/${namespace}/${type}`, versions: versions.sort() });
      }
    }
  }
  return found.sort((a, b) => a.address.localeCompare(b.address));
}

export interface CliConfigOptions {
  pluginCacheDir: string;
  /** A filesystem mirror whose providers are installed from it instead of the registry. */
  pluginDir?: string;
  mirrored?: MirroredProvider[];
}

/** The Terraform CLI configuration, as JSON text. */
export function cliConfig(options: CliConfigOptions): string {
  const config: Record<string, unknown> = {
    plugin_cache_dir: options.pluginCacheDir,
    // Each shoot has its own working directory and dependency lock file.
    // Without this, Terraform (>= 1.4) fetches a provider again for every new
    // shoot although the cache holds it, since the new lock file has no
    // checksum for it yet.
    plugin_cache_may_break_dependency_lock_file: true,
    disable_checkpoint: true,
  };
  const addresses = (options.mirrored ?? []).map((provider) => provider.address);
  if (options.pluginDir !== undefined && addresses.length > 0) {
    // Providers in the mirror come only from it; every other one from its
    // registry, as without this block.
    config.provider_installation = [
      {
        filesystem_mirror: [{ path: options.pluginDir, include: addresses }],
        direct: [{ exclude: addresses }],
      },
    ];
  }
  return `${JSON.stringify(config, null, 2)}\n`;
}

async function subdirs(dir: string): Promise<string[]> {
  try {
    const entries = await readdir(dir, { withFileTypes: true });
    return entries.filter((entry) => entry.isDirectory() || entry.isSymbolicLink()).map((entry) => entry.name);
  } catch {
    return [];
  }
}
