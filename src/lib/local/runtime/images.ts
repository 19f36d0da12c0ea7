// Which local binary runs an image. There are no images here: the last path
// segment of the image name says which program it is, and its tag which
// version; the binaries are the ones kubegarden builds for each Kubernetes
// version (findAssets).
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { SUPPORTED_KUBERNETES_VERSIONS } from '../../api/versions.ts';
import { BINARIES, findAssets, type Binary } from '../assets.ts';

export interface ImageRef {
  /** Everything before the tag: registry and path. */
  repository: string;
  /** Last path segment of the repository. */
  name: string;
  tag: string | undefined;
}

export interface ResolvedImage {
  binary: Binary;
  /** Version without a leading "v": 1.37.2 for kube-*, 3.6.16 for etcd. */
  version: string;
}

/** Finds the path of a binary of a version, or undefined when this machine has none. */
export type BinaryFinder = (binary: Binary, version: string) => Promise<string | undefined>;

export function parseImage(image: string): ImageRef {
  const withoutDigest = image.split('@')[0] ?? image;
  const slash = withoutDigest.lastIndexOf('/');
  const colon = withoutDigest.lastIndexOf(':');
  // A colon before the last slash belongs to a registry port (localhost:5000/etcd).
  const hasTag = colon > slash;
  const repository = hasTag ? withoutDigest.slice(0, colon) : withoutDigest;
  const tag = hasTag ? withoutDigest.slice(colon + 1) : undefined;
  const name = repository.slice(repository.lastIndexOf('/') + 1);
  return { repository, name, tag };
}

const ARCH_SUFFIX = /-(amd64|arm64|arm|ppc64le|s390x)$/;
const VERSION_IN_TAG = /^v?(\d+\.\d+\.\d+)(?:[-+].*)?$/;

/** What runs an image, or why nothing here can. */
export function resolveImage(image: string | undefined): ResolvedImage | { reason: string } {
  if (!image) return { reason: 'the container has no image' };
  const ref = parseImage(image);
  const name = ref.name.replace(ARCH_SUFFIX, '');
  if (!(BINARIES as readonly string[]).includes(name)) {
    return { reason: `image ${image} has no local binary (the local runtime runs ${BINARIES.join(', ')})` };
  }
  const version = VERSION_IN_TAG.exec(ref.tag ?? '')?.[1];
  if (!version) return { reason: `image ${image} has no version in its tag, so the local runtime cannot choose a binary for it` };
  return { binary: name as Binary, version };
}

const execFileAsync = promisify(execFile);
const etcdVersions = new Map<string, Promise<string | undefined>>();

function etcdVersionOf(path: string): Promise<string | undefined> {
  let found = etcdVersions.get(path);
  if (!found) {
    found = execFileAsync(path, ['--version'], { timeout: 10_000 }).then(
      ({ stdout }) => /etcd Version:\s*(\S+)/.exec(stdout)?.[1],
      () => undefined,
    );
    etcdVersions.set(path, found);
  }
  return found;
}

const minor = (v: string) => v.split('.').slice(0, 2).join('.');

/**
 * The default finder: kube-* binaries of exactly the image's Kubernetes
 * version; for etcd, any built etcd of the same minor release (patch releases
 * of etcd share their data and wire formats).
 */
export const findLocalBinary: BinaryFinder = async (binary, version) => {
  if (binary !== 'etcd') return (await findAssets(version))?.[binary];
  for (const k8s of SUPPORTED_KUBERNETES_VERSIONS) {
    const etcd = (await findAssets(k8s))?.etcd;
    if (!etcd) continue;
    const have = await etcdVersionOf(etcd);
    if (have && minor(have) === minor(version)) return etcd;
  }
  return undefined;
};
