// Volumes as directories. Ephemeral ones live and die with their pod under
// <stateDir>/pods/<ns>/<pod>/volumes/<volume>; persistent ones (claims, and a
// StatefulSet's claim templates) under <stateDir>/pvc/<ns>/<claim>, where they
// survive restarts, scaling to zero and re-creation of their workload.
import { createHash } from 'node:crypto';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fieldValue, resourceValue, safeRelativePath, type PodIdentity, type SourceLookup } from './spec.ts';
import { NotRunnableError, PendingError, type Container, type DownwardAPIVolumeFile, type KeyToPath, type Volume } from './types.ts';

export const DIR_MODE = 0o700;
const SECRET_FILE_MODE = 0o600;
const FILE_MODE = 0o644;

export interface VolumeLayout {
  stateDir: string;
  namespace: string;
  pod: string;
}

export const podDir = (l: VolumeLayout) => join(l.stateDir, 'pods', l.namespace, l.pod);
export const claimDir = (stateDir: string, namespace: string, claim: string) => join(stateDir, 'pvc', namespace, claim);

export interface VolumeDir {
  name: string;
  dir: string;
  writable: boolean;
  persistent: boolean;
  /** Volumes whose files the runtime writes (and refreshes) from the API. */
  projected: boolean;
  /** Whether the runtime creates the directory when it is missing (a hostPath only with type DirectoryOrCreate). */
  create: boolean;
}

/** Where each volume of a pod lives. claims maps StatefulSet claim-template names to claim names. */
export function volumeDirs(volumes: readonly Volume[], layout: VolumeLayout, claims: ReadonlyMap<string, string> = new Map()): Map<string, VolumeDir> {
  const out = new Map<string, VolumeDir>();
  const ephemeral = (name: string) => join(podDir(layout), 'volumes', name);
  for (const v of volumes) {
    if (v.persistentVolumeClaim) {
      out.set(v.name, { name: v.name, dir: claimDir(layout.stateDir, layout.namespace, v.persistentVolumeClaim.claimName), writable: true, persistent: true, projected: false, create: true });
    } else if (v.emptyDir) {
      out.set(v.name, { name: v.name, dir: ephemeral(v.name), writable: true, persistent: false, projected: false, create: true });
    } else if (v.hostPath) {
      // The host is this machine: the path is used as it is.
      const create = v.hostPath.type === 'DirectoryOrCreate';
      out.set(v.name, { name: v.name, dir: v.hostPath.path, writable: true, persistent: true, projected: false, create });
    } else if (v.secret || v.configMap || v.projected || v.downwardAPI) {
      out.set(v.name, { name: v.name, dir: ephemeral(v.name), writable: false, persistent: false, projected: true, create: true });
    } else {
      const kind = Object.keys(v).find((k) => k !== 'name') ?? 'unknown';
      throw new NotRunnableError(`volume ${v.name} is of type ${kind}, which the local runtime does not provide`);
    }
  }
  // A StatefulSet's claim templates win over pod volumes of the same name, as in Kubernetes.
  for (const [template, claim] of claims) {
    out.set(template, { name: template, dir: claimDir(layout.stateDir, layout.namespace, claim), writable: true, persistent: true, projected: false, create: true });
  }
  return out;
}

export interface FileContent {
  data: Buffer;
  mode: number;
}

interface FileContext {
  pod: PodIdentity;
  containers: readonly Container[];
  lookup: SourceLookup;
}

async function keyedFiles(
  kind: 'Secret' | 'ConfigMap',
  name: string | undefined,
  items: readonly KeyToPath[] | undefined,
  optional: boolean | undefined,
  mode: number,
  ctx: FileContext,
  volume: string,
): Promise<Map<string, FileContent>> {
  const files = new Map<string, FileContent>();
  if (!name) throw new NotRunnableError(`volume ${volume} names no ${kind}`);
  const data = kind === 'Secret' ? await ctx.lookup.secret(name) : await ctx.lookup.configMap(name);
  if (!data) {
    if (optional) return files;
    throw new PendingError(`${kind} ${name} (volume ${volume}) not found`);
  }
  if (!items?.length) {
    for (const [key, value] of Object.entries(data)) files.set(key, { data: value, mode });
    return files;
  }
  for (const item of items) {
    const value = data[item.key];
    if (value === undefined) {
      if (optional) continue;
      throw new PendingError(`${kind} ${name} has no key ${item.key} (volume ${volume})`);
    }
    // Secrets stay private to this user whatever mode the spec asks for.
    const itemMode = kind === 'Secret' ? SECRET_FILE_MODE : (item.mode ?? mode);
    files.set(safeRelativePath(item.path, `path of key ${item.key} in volume ${volume}`), { data: value, mode: itemMode });
  }
  return files;
}

function downwardFiles(items: readonly DownwardAPIVolumeFile[] | undefined, mode: number, ctx: FileContext, volume: string): Map<string, FileContent> {
  const files = new Map<string, FileContent>();
  for (const item of items ?? []) {
    const value = item.fieldRef
      ? fieldValue(ctx.pod, item.fieldRef.fieldPath)
      : item.resourceFieldRef
        ? resourceValue(ctx.containers, item.resourceFieldRef.containerName ?? '', item.resourceFieldRef)
        : '';
    files.set(safeRelativePath(item.path, `path in volume ${volume}`), { data: Buffer.from(value), mode: item.mode ?? mode });
  }
  return files;
}

/** The files of a Secret, ConfigMap, downward API or projected volume; undefined for volumes that are plain directories. */
export async function volumeFiles(v: Volume, ctx: FileContext): Promise<Map<string, FileContent> | undefined> {
  if (v.secret) return keyedFiles('Secret', v.secret.secretName, v.secret.items, v.secret.optional, SECRET_FILE_MODE, ctx, v.name);
  if (v.configMap) return keyedFiles('ConfigMap', v.configMap.name, v.configMap.items, v.configMap.optional, v.configMap.defaultMode ?? FILE_MODE, ctx, v.name);
  if (v.downwardAPI) return downwardFiles(v.downwardAPI.items, v.downwardAPI.defaultMode ?? FILE_MODE, ctx, v.name);
  if (!v.projected) return undefined;
  const files = new Map<string, FileContent>();
  const mode = v.projected.defaultMode ?? FILE_MODE;
  for (const source of v.projected.sources ?? []) {
    let part: Map<string, FileContent>;
    if (source.secret) part = await keyedFiles('Secret', source.secret.name, source.secret.items, source.secret.optional, SECRET_FILE_MODE, ctx, v.name);
    else if (source.configMap) part = await keyedFiles('ConfigMap', source.configMap.name, source.configMap.items, source.configMap.optional, mode, ctx, v.name);
    else if (source.downwardAPI) part = downwardFiles(source.downwardAPI.items, mode, ctx, v.name);
    else {
      const kind = Object.keys(source)[0] ?? 'unknown';
      throw new NotRunnableError(`volume ${v.name} projects a ${kind}, which the local runtime cannot provide`);
    }
    for (const [path, content] of part) files.set(path, content);
  }
  return files;
}

const digest = (f: FileContent) => `${f.mode}:${createHash('sha256').update(f.data).digest('hex')}`;

/** Writes a volume's files, rewriting only what changed (atomically, so readers never see half a certificate) and removing what went away. */
export class VolumeWriter {
  private readonly written = new Map<string, string>();

  async sync(dir: string, files: ReadonlyMap<string, FileContent>): Promise<boolean> {
    let changed = false;
    await mkdir(dir, { recursive: true, mode: DIR_MODE });
    const keep = new Set<string>();
    for (const [rel, content] of files) {
      const path = join(dir, rel);
      keep.add(path);
      const d = digest(content);
      if (this.written.get(path) === d) continue;
      await mkdir(dirname(path), { recursive: true, mode: DIR_MODE });
      const tmp = `${path}.kubegarden-tmp`;
      await writeFile(tmp, content.data, { mode: content.mode });
      await rename(tmp, path);
      this.written.set(path, d);
      changed = true;
    }
    for (const path of [...this.written.keys()]) {
      if (!path.startsWith(dir + '/') || keep.has(path)) continue;
      await rm(path, { force: true });
      this.written.delete(path);
      changed = true;
    }
    return changed;
  }
}
