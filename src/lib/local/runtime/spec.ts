// From a container spec to what a local process needs: the binary, its
// argument array, its environment and working directory, with Kubernetes'
// $(VAR) expansion and with every mount path replaced by the local directory
// that stands in for the volume.
import { cpus, hostname, totalmem } from 'node:os';
import { isAbsolute, join, normalize } from 'node:path';
import type { Binary } from '../assets.ts';
import { resolveImage, type BinaryFinder } from './images.ts';
import { NotRunnableError, PendingError, type Container, type ContainerPort, type Probe, type ResourceFieldSelector } from './types.ts';

/** What a pod is, as its containers may ask through the downward API. */
export interface PodIdentity {
  name: string;
  namespace: string;
  uid: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  serviceAccountName: string;
}

/** Reads Secrets and ConfigMaps of the pod's namespace; undefined when absent. */
export interface SourceLookup {
  secret(name: string): Promise<Record<string, Buffer> | undefined>;
  configMap(name: string): Promise<Record<string, Buffer> | undefined>;
}

export interface MountPlan {
  mountPath: string;
  localPath: string;
  /** subPath into a writable volume: the kubelet creates the directory when missing. */
  createDir: boolean;
}

export interface ContainerPlan {
  name: string;
  image: string;
  binary: Binary;
  version: string;
  /** Absolute path of the program. */
  path: string;
  args: string[];
  env: Record<string, string>;
  workingDir: string;
  ports: ContainerPort[];
  mounts: MountPlan[];
  readinessProbe: Probe | undefined;
  livenessProbe: Probe | undefined;
  startupProbe: Probe | undefined;
  /** Where the local run departs from what a kubelet would do. */
  notes: string[];
}

export const LOOPBACK = '127.0.0.1';

/**
 * Kubernetes' variable expansion: $(VAR) becomes VAR's value when VAR is
 * defined and stays as written otherwise; $$ escapes a dollar.
 */
export function expand(input: string, vars: ReadonlyMap<string, string>): string {
  let out = '';
  for (let i = 0; i < input.length; i++) {
    const ch = input[i];
    if (ch !== '$' || i + 1 >= input.length) {
      out += ch;
      continue;
    }
    const next = input[i + 1];
    if (next === '$') {
      out += '$';
      i++;
    } else if (next === '(') {
      const close = input.indexOf(')', i + 2);
      if (close < 0) {
        out += input.slice(i);
        break;
      }
      const name = input.slice(i + 2, close);
      const value = vars.get(name);
      out += value ?? `$(${name})`;
      i = close;
    } else {
      out += ch;
    }
  }
  return out;
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Rewrites container paths to local ones. A mount path matches only as a whole
 * path: not inside a longer name (/etc/tls2) and not as the tail of another
 * path (/x/etc/tls); nested mounts resolve to the longest mount path.
 */
export class PathMapper {
  private readonly pattern: RegExp | undefined;
  private readonly targets = new Map<string, string>();

  constructor(mounts: ReadonlyArray<{ mountPath: string; localPath: string }>) {
    for (const m of mounts) {
      const path = m.mountPath.length > 1 ? m.mountPath.replace(/\/+$/, '') : m.mountPath;
      if (path === '/' || path === '') continue;
      this.targets.set(path, m.localPath);
    }
    const paths = [...this.targets.keys()].sort((a, b) => b.length - a.length);
    this.pattern = paths.length ? new RegExp(`(?<![\\w.\\-/])(?:${paths.map(escapeRegExp).join('|')})(?=$|/|[^\\w.\\-])`, 'g') : undefined;
  }

  rewrite(value: string): string {
    return this.pattern ? value.replace(this.pattern, (match) => this.targets.get(match) ?? match) : value;
  }
}

/** Values of downward-API field paths, as a pod on the host network on this machine would see them. */
export function fieldValue(pod: PodIdentity, fieldPath: string): string {
  const keyed = /^metadata\.(labels|annotations)\['(.+)'\]$/.exec(fieldPath);
  if (keyed) return (keyed[1] === 'labels' ? pod.labels : pod.annotations)[keyed[2] ?? ''] ?? '';
  switch (fieldPath) {
    case 'metadata.name':
      return pod.name;
    case 'metadata.namespace':
      return pod.namespace;
    case 'metadata.uid':
      return pod.uid;
    case 'metadata.labels':
      return formatMap(pod.labels);
    case 'metadata.annotations':
      return formatMap(pod.annotations);
    case 'spec.nodeName':
      return hostname();
    case 'spec.serviceAccountName':
      return pod.serviceAccountName;
    case 'status.podIP':
    case 'status.podIPs':
    case 'status.hostIP':
    case 'status.hostIPs':
      return LOOPBACK;
    default:
      throw new NotRunnableError(`the field ${fieldPath} is not available to local processes`);
  }
}

function formatMap(map: Record<string, string>): string {
  return Object.keys(map)
    .sort()
    .map((k) => `${k}=${JSON.stringify(map[k])}`)
    .join('\n');
}

const QUANTITY_SUFFIX: Record<string, number> = {
  '': 1, m: 1e-3, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18,
  Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60,
};

export function parseQuantity(q: string | number): number {
  if (typeof q === 'number') return q;
  const m = /^([+-]?[\d.]+(?:[eE][+-]?\d+)?)([a-zA-Z]*)$/.exec(q.trim());
  const factor = m ? QUANTITY_SUFFIX[m[2] ?? ''] : undefined;
  if (!m || factor === undefined) throw new NotRunnableError(`the quantity "${q}" is not understood`);
  return Number(m[1]) * factor;
}

/** resourceFieldRef: the container's limit (else this machine's capacity) or request, divided and rounded up like the kubelet does. */
export function resourceValue(containers: readonly Container[], self: string, ref: ResourceFieldSelector): string {
  const container = containers.find((c) => c.name === (ref.containerName || self));
  const [kind, resource] = ref.resource.split('.', 2) as [string, string | undefined];
  if (!resource || (kind !== 'limits' && kind !== 'requests')) throw new NotRunnableError(`the resource field ${ref.resource} is not understood`);
  const capacity = resource === 'cpu' ? cpus().length : resource === 'memory' ? totalmem() : 0;
  const limit = container?.resources?.limits?.[resource];
  const request = container?.resources?.requests?.[resource] ?? limit;
  const raw = kind === 'limits' ? (limit === undefined ? capacity : parseQuantity(limit)) : request === undefined ? 0 : parseQuantity(request);
  const divisor = parseQuantity(ref.divisor ?? 1) || 1;
  return String(Math.ceil(raw / divisor));
}

/** Rejects paths that would leave their volume. */
export function safeRelativePath(path: string, what: string): string {
  const clean = normalize(path);
  if (isAbsolute(path) || clean === '..' || clean.startsWith('../')) throw new NotRunnableError(`${what} "${path}" must be a relative path inside the volume`);
  return clean;
}

export interface PlanContext {
  pod: PodIdentity;
  /** All containers of the pod, for resourceFieldRef.containerName. */
  containers: readonly Container[];
  /** Volume name → local directory, and whether the volume is writable (subPath dirs may be created). */
  volumes: ReadonlyMap<string, { dir: string; writable: boolean }>;
  lookup: SourceLookup;
  findBinary: BinaryFinder;
  podDir: string;
}

async function resolveEnv(c: Container, ctx: PlanContext): Promise<Map<string, string>> {
  const env = new Map<string, string>();
  for (const from of c.envFrom ?? []) {
    const ref = from.secretRef ?? from.configMapRef;
    if (!ref) continue;
    const kind = from.secretRef ? 'Secret' : 'ConfigMap';
    const data = from.secretRef ? await ctx.lookup.secret(ref.name) : await ctx.lookup.configMap(ref.name);
    if (!data) {
      if (ref.optional) continue;
      throw new PendingError(`${kind} ${ref.name} (envFrom of container ${c.name}) not found`);
    }
    for (const [key, value] of Object.entries(data)) env.set(`${from.prefix ?? ''}${key}`, value.toString('utf8'));
  }
  for (const e of c.env ?? []) {
    if (e.value !== undefined) {
      env.set(e.name, expand(e.value, env));
      continue;
    }
    const from = e.valueFrom;
    const keyRef = from?.secretKeyRef ?? from?.configMapKeyRef;
    if (keyRef) {
      const kind = from?.secretKeyRef ? 'Secret' : 'ConfigMap';
      const data = from?.secretKeyRef ? await ctx.lookup.secret(keyRef.name) : await ctx.lookup.configMap(keyRef.name);
      const value = data?.[keyRef.key];
      if (value === undefined) {
        if (keyRef.optional) continue;
        throw new PendingError(`${kind} ${keyRef.name}${data ? ` has no key ${keyRef.key}` : ' not found'} (env ${e.name} of container ${c.name})`);
      }
      env.set(e.name, value.toString('utf8'));
    } else if (from?.fieldRef) {
      env.set(e.name, fieldValue(ctx.pod, from.fieldRef.fieldPath));
    } else if (from?.resourceFieldRef) {
      env.set(e.name, resourceValue(ctx.containers, c.name, from.resourceFieldRef));
    } else {
      env.set(e.name, '');
    }
  }
  return env;
}

function planMounts(c: Container, ctx: PlanContext, env: ReadonlyMap<string, string>): MountPlan[] {
  return (c.volumeMounts ?? []).map((m) => {
    const volume = ctx.volumes.get(m.name);
    if (!volume) throw new NotRunnableError(`container ${c.name} mounts volume ${m.name}, which the pod does not define`);
    const sub = m.subPathExpr ? expand(m.subPathExpr, env) : m.subPath;
    if (!sub) return { mountPath: m.mountPath, localPath: volume.dir, createDir: false };
    return { mountPath: m.mountPath, localPath: join(volume.dir, safeRelativePath(sub, `subPath of mount ${m.name}`)), createDir: volume.writable };
  });
}

/** Everything needed to start one container as a process; throws NotRunnableError or PendingError. */
export async function planContainer(c: Container, ctx: PlanContext): Promise<ContainerPlan> {
  const image = resolveImage(c.image);
  if ('reason' in image) throw new NotRunnableError(`container ${c.name}: ${image.reason}`);
  const path = await ctx.findBinary(image.binary, image.version);
  if (!path) throw new NotRunnableError(`container ${c.name}: no local ${image.binary} binary of version ${image.version} on this machine (image ${c.image})`);

  const env = await resolveEnv(c, ctx);
  const mounts = planMounts(c, ctx, env);
  const paths = new PathMapper(mounts);
  const notes: string[] = [];

  let argv: string[];
  if (c.command?.length) {
    const [first, ...rest] = c.command.map((s) => expand(s, env));
    if (first !== image.binary && !first?.endsWith(`/${image.binary}`)) {
      throw new NotRunnableError(
        `container ${c.name}: its command starts with "${first}", not the image's program ${image.binary}; the local runtime runs that program directly, without a shell`,
      );
    }
    argv = [...rest, ...(c.args ?? []).map((s) => expand(s, env))];
  } else {
    argv = (c.args ?? []).map((s) => expand(s, env));
  }

  for (const [kind, probe] of [['readiness', c.readinessProbe], ['liveness', c.livenessProbe], ['startup', c.startupProbe]] as const) {
    if (probe?.exec) notes.push(`${kind} probe runs a command in the container image, which does not exist here: it counts as passing while the process runs`);
    if (probe?.grpc) notes.push(`${kind} probe uses gRPC: checked as a TCP connection to port ${probe.grpc.port}`);
  }

  const finalEnv: Record<string, string> = {};
  for (const [k, v] of env) finalEnv[k] = paths.rewrite(v);
  return {
    name: c.name,
    image: c.image ?? '',
    binary: image.binary,
    version: image.version,
    path,
    args: argv.map((a) => paths.rewrite(a)),
    env: finalEnv,
    workingDir: c.workingDir ? paths.rewrite(c.workingDir) : ctx.podDir,
    ports: c.ports ?? [],
    mounts,
    readinessProbe: c.readinessProbe,
    livenessProbe: c.livenessProbe,
    startupProbe: c.startupProbe,
    notes,
  };
}
