// The Kubernetes versions kubegarden can provision, and the rules for moving
// between them. Pure: no I/O.

/** Newest first. Each is a release whose binaries build from the Go modules. */
export const SUPPORTED_KUBERNETES_VERSIONS = ['1.37.2', '1.36.4', '1.35.4'] as const;
export const DEFAULT_KUBERNETES_VERSION = SUPPORTED_KUBERNETES_VERSIONS[0];

/** etcd release paired with every supported Kubernetes version. */
export const ETCD_VERSION = '3.6.16';

export interface SemVer {
  major: number;
  minor: number;
  patch: number;
}

// Exactly what the CRD schema accepts: no "v" prefix, no spaces.
const VERSION_RE = /^(\d+)\.(\d+)\.(\d+)$/;

export function parseVersion(version: string): SemVer | undefined {
  const m = VERSION_RE.exec(version);
  if (!m) return undefined;
  return { major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3]) };
}

export function compareVersions(a: SemVer, b: SemVer): number {
  return a.major - b.major || a.minor - b.minor || a.patch - b.patch;
}

export function isSupportedVersion(version: string): boolean {
  return (SUPPORTED_KUBERNETES_VERSIONS as readonly string[]).includes(version);
}

export function formatVersion(v: SemVer): string {
  return `${v.major}.${v.minor}.${v.patch}`;
}

export function minorOf(version: string): string | undefined {
  const v = parseVersion(version);
  return v ? `${v.major}.${v.minor}` : undefined;
}
