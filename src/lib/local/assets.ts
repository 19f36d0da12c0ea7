// The control-plane binaries (kube-apiserver, kube-controller-manager,
// kube-scheduler, etcd): found through KUBEBUILDER_ASSETS (the envtest
// convention) or kubegarden's cache, and built from the Go modules on first use.
import { access, constants } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { DEFAULT_KUBERNETES_VERSION } from '../api/versions.ts';
import { configError } from '../ui/errors.ts';

export const BINARIES = ['kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'etcd'] as const;
export type Binary = (typeof BINARIES)[number];
export type Assets = Record<Binary, string>;

const OVERRIDES: Partial<Record<Binary, string>> = {
  'kube-apiserver': 'TEST_ASSET_KUBE_APISERVER',
  etcd: 'TEST_ASSET_ETCD',
  'kube-controller-manager': 'TEST_ASSET_KUBE_CONTROLLER_MANAGER',
  'kube-scheduler': 'TEST_ASSET_KUBE_SCHEDULER',
};

export function assetsCacheRoot(): string {
  return process.env['KUBEGARDEN_ASSETS_CACHE'] ?? join(process.env['XDG_CACHE_HOME'] ?? join(homedir(), '.cache'), 'kubegarden', 'assets');
}

async function executable(path: string): Promise<boolean> {
  try {
    await access(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * Where the binaries of a Kubernetes version are. KUBEBUILDER_ASSETS serves the
 * default version (the envtest convention has one version per directory); every
 * version also has a directory in kubegarden's cache.
 */
export async function findAssets(version: string = DEFAULT_KUBERNETES_VERSION): Promise<Assets | undefined> {
  const dirs: string[] = [];
  const kb = process.env['KUBEBUILDER_ASSETS'];
  if (kb && version === DEFAULT_KUBERNETES_VERSION) dirs.push(kb);
  dirs.push(join(assetsCacheRoot(), `v${version}`));
  for (const dir of dirs) {
    const found: Partial<Assets> = {};
    for (const b of BINARIES) {
      const override = OVERRIDES[b] && version === DEFAULT_KUBERNETES_VERSION ? process.env[OVERRIDES[b]] : undefined;
      const path = override ?? join(dir, b);
      if (await executable(path)) found[b] = path;
    }
    if (BINARIES.every((b) => found[b])) return found as Assets;
  }
  return undefined;
}

const BUILD_SCRIPT = fileURLToPath(new URL('../../../hack/build-test-binaries.sh', import.meta.url));

/** Finds the binaries, building them from the Go modules when missing; progress lines go to onLine. */
export async function ensureAssets(version: string = DEFAULT_KUBERNETES_VERSION, onLine?: (line: string) => void): Promise<Assets> {
  const found = await findAssets(version);
  if (found) return found;
  try {
    await execa('go', ['version']);
  } catch (err) {
    throw configError(
      `The Kubernetes ${version} binaries are not built and Go is not installed to build them: install Go >= 1.26, or set KUBEBUILDER_ASSETS to a directory with kube-apiserver, kube-controller-manager, kube-scheduler and etcd.`,
      { cause: err },
    );
  }
  const proc = execa('bash', [BUILD_SCRIPT, version], { all: true, buffer: false, env: { KUBEGARDEN_ASSETS_CACHE: assetsCacheRoot() } });
  proc.all?.setEncoding('utf8');
  let tail: string[] = [];
  proc.all?.on('data', (chunk: string) => {
    for (const line of chunk.split('\n')) {
      if (!line) continue;
      tail = [...tail.slice(-20), line];
      onLine?.(line);
    }
  });
  try {
    await proc;
  } catch (err) {
    throw configError(`Building the Kubernetes ${version} binaries failed: ${tail.slice(-3).join(' / ')}`, { cause: err });
  }
  const built = await findAssets(version);
  if (!built) throw configError(`Building the Kubernetes ${version} binaries finished but they are not in ${assetsCacheRoot()}.`);
  return built;
}
