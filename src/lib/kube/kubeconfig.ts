// Kubeconfigs loaded the way kubectl loads them: --kubeconfig names one file
// that must exist; otherwise KUBECONFIG lists files (missing ones ignored)
// merged with the first occurrence of every name winning; otherwise
// ~/.kube/config. Relative paths inside a file are relative to that file.
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { delimiter, dirname, isAbsolute, resolve } from 'node:path';
import { parseYaml, stringifyYaml } from './yaml.ts';
import { configError } from '../ui/errors.ts';

export interface KubeconfigSource {
  /** --kubeconfig: a single file that must exist. */
  kubeconfig?: string | undefined;
  /** --context: defaults to the current context. */
  context?: string | undefined;
}

interface Named<T> {
  name: string;
  [key: string]: unknown;
  cluster?: T;
  user?: T;
  context?: T;
}

export interface ClusterEntry {
  server: string;
  'certificate-authority'?: string;
  'certificate-authority-data'?: string;
  'insecure-skip-tls-verify'?: boolean;
  'tls-server-name'?: string;
  'proxy-url'?: string;
}

export interface UserEntry {
  'client-certificate'?: string;
  'client-certificate-data'?: string;
  'client-key'?: string;
  'client-key-data'?: string;
  token?: string;
  tokenFile?: string;
  username?: string;
  password?: string;
  exec?: Record<string, unknown>;
  'auth-provider'?: Record<string, unknown>;
}

export interface ContextEntry {
  cluster: string;
  user: string;
  namespace?: string;
}

export interface RawKubeconfig {
  apiVersion?: string;
  kind?: string;
  clusters?: Array<Named<ClusterEntry>>;
  users?: Array<Named<UserEntry>>;
  contexts?: Array<Named<ContextEntry>>;
  'current-context'?: string;
}

/** One resolved context: everything needed to talk to one cluster. */
export interface ResolvedKubeconfig {
  /** Where it came from, for messages. */
  files: string[];
  contextName: string;
  cluster: ClusterEntry;
  clusterName: string;
  user: UserEntry;
  userName: string;
  namespace: string | undefined;
  contexts: string[];
  /** The merged configuration, reduced to this context (for handing to other tools). */
  raw: RawKubeconfig;
}

const PATH_FIELDS_CLUSTER = ['certificate-authority'] as const;
const PATH_FIELDS_USER = ['client-certificate', 'client-key', 'tokenFile'] as const;

function kubeconfigFiles(source: KubeconfigSource): { files: string[]; explicit: boolean } {
  if (source.kubeconfig) return { files: [resolve(source.kubeconfig)], explicit: true };
  const env = process.env['KUBECONFIG'];
  if (env && env.trim() !== '') {
    return { files: env.split(delimiter).filter((f) => f !== '').map((f) => resolve(f)), explicit: false };
  }
  return { files: [resolve(homedir(), '.kube', 'config')], explicit: false };
}

async function readKubeconfigFile(file: string, mustExist: boolean): Promise<RawKubeconfig | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' && !mustExist) return undefined;
    if (code === 'ENOENT') {
      throw configError(`The kubeconfig file ${file} does not exist: check the --kubeconfig path.`, { cause: err });
    }
    if (code === 'EACCES' || code === 'EPERM') {
      throw configError(`The kubeconfig file ${file} cannot be read (permission denied): fix its permissions or run as its owner.`, { cause: err });
    }
    if (code === 'EISDIR') throw configError(`The kubeconfig path ${file} is a directory, not a file: pass the file itself.`, { cause: err });
    throw configError(`The kubeconfig file ${file} cannot be read (${code ?? String(err)}).`, { cause: err });
  }
  let parsed: unknown;
  try {
    parsed = parseYaml(text);
  } catch (err) {
    throw configError(`The kubeconfig file ${file} is not valid YAML (${(err as Error).message.split('\n')[0]}): fix or regenerate it.`, { cause: err });
  }
  if (parsed === null || parsed === undefined) return {};
  if (typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw configError(`The kubeconfig file ${file} is not a kubeconfig (expected a mapping with clusters, users and contexts).`);
  }
  const shapeProblem = kubeconfigShapeProblem(parsed as Record<string, unknown>);
  if (shapeProblem) throw configError(`The kubeconfig file ${file} is not a kubeconfig: ${shapeProblem}.`);
  return absolutize(parsed as RawKubeconfig, dirname(file));
}

function kubeconfigShapeProblem(config: Record<string, unknown>): string | undefined {
  for (const [list, inner] of [['clusters', 'cluster'], ['users', 'user'], ['contexts', 'context']] as const) {
    const value = config[list];
    if (value === undefined || value === null) continue;
    if (!Array.isArray(value)) return `"${list}" must be a list`;
    for (const item of value) {
      if (!item || typeof item !== 'object' || typeof (item as Record<string, unknown>)['name'] !== 'string') return `every entry of "${list}" needs a name`;
      const body = (item as Record<string, unknown>)[inner];
      if (body !== undefined && body !== null && (typeof body !== 'object' || Array.isArray(body))) return `"${list}" entry "${String((item as Record<string, unknown>)['name'])}" has a malformed ${inner}`;
    }
  }
  return undefined;
}

function absolutize(config: RawKubeconfig, base: string): RawKubeconfig {
  const fix = <T extends object>(entry: T | undefined, fields: readonly string[]): T | undefined => {
    if (!entry) return entry;
    const copy = { ...entry } as Record<string, unknown>;
    for (const f of fields) {
      const v = copy[f];
      if (typeof v === 'string' && v !== '' && !isAbsolute(v)) copy[f] = resolve(base, v);
    }
    return copy as T;
  };
  return {
    ...config,
    clusters: config.clusters?.map((c) => ({ ...c, cluster: fix(c.cluster, PATH_FIELDS_CLUSTER) })),
    users: config.users?.map((u) => ({ ...u, user: fix(u.user, PATH_FIELDS_USER) })),
  };
}

function mergeFirstWins<T>(lists: Array<Array<Named<T>> | undefined>): Array<Named<T>> {
  const out = new Map<string, Named<T>>();
  for (const list of lists) for (const item of list ?? []) if (item && typeof item.name === 'string' && !out.has(item.name)) out.set(item.name, item);
  return [...out.values()];
}

export async function loadKubeconfig(source: KubeconfigSource, what = 'the garden'): Promise<ResolvedKubeconfig> {
  const { files, explicit } = kubeconfigFiles(source);
  const loaded: Array<{ file: string; config: RawKubeconfig }> = [];
  for (const file of files) {
    const config = await readKubeconfigFile(file, explicit);
    if (config) loaded.push({ file, config });
  }
  if (loaded.length === 0) {
    throw configError(`No kubeconfig found for ${what} (looked in ${files.join(', ')}): pass --kubeconfig, set KUBECONFIG, or run "kubegarden local up".`);
  }
  return resolveContext(loaded, source.context);
}

/** A kubeconfig held in memory (e.g. a seed's, from its Secret in the garden). */
export function parseKubeconfig(text: string, label: string, context?: string): ResolvedKubeconfig {
  let parsed: unknown;
  try {
    parsed = parseYaml(text);
  } catch (err) {
    throw configError(`The kubeconfig of ${label} is not valid YAML: re-register it.`, { cause: err });
  }
  if (!parsed || typeof parsed !== 'object') throw configError(`The kubeconfig of ${label} is empty or not a kubeconfig: re-register it.`);
  const shapeProblem = kubeconfigShapeProblem(parsed as Record<string, unknown>);
  if (shapeProblem) throw configError(`The kubeconfig of ${label} is not a kubeconfig (${shapeProblem}): re-register it.`);
  return resolveContext([{ file: label, config: parsed as RawKubeconfig }], context);
}

function resolveContext(loaded: Array<{ file: string; config: RawKubeconfig }>, wanted: string | undefined): ResolvedKubeconfig {
  const clusters = mergeFirstWins(loaded.map((l) => l.config.clusters));
  const users = mergeFirstWins(loaded.map((l) => l.config.users));
  const contexts = mergeFirstWins(loaded.map((l) => l.config.contexts));
  const current = loaded.map((l) => l.config['current-context']).find((c) => typeof c === 'string' && c !== '');
  const fileList = loaded.map((l) => l.file);
  const contextName = wanted ?? current;
  const names = contexts.map((c) => c.name);
  if (!contextName) {
    throw configError(
      `The kubeconfig ${fileList.join(', ')} has no current context: pass --context${names.length ? ` (one of: ${names.join(', ')})` : ''}.`,
    );
  }
  const ctx = contexts.find((c) => c.name === contextName)?.context;
  if (!ctx) {
    throw configError(
      `Context "${contextName}" is not in the kubeconfig ${fileList.join(', ')}: ${names.length ? `use one of ${names.join(', ')}` : 'the file defines no contexts'}.`,
    );
  }
  const cluster = clusters.find((c) => c.name === ctx.cluster)?.cluster;
  if (!cluster || typeof cluster.server !== 'string' || cluster.server === '') {
    throw configError(`Context "${contextName}" refers to cluster "${ctx.cluster}", which is not defined (or has no server) in ${fileList.join(', ')}.`);
  }
  const user = users.find((u) => u.name === ctx.user)?.user ?? {};
  return {
    files: fileList,
    contextName,
    cluster,
    clusterName: ctx.cluster,
    user,
    userName: ctx.user,
    namespace: ctx.namespace,
    contexts: names,
    raw: {
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: ctx.cluster, cluster }],
      users: [{ name: ctx.user, user }],
      contexts: [{ name: contextName, context: ctx }],
      'current-context': contextName,
    },
  };
}

/** The resolved context with every file it names read in, so it can be stored and used elsewhere. */
export async function inlineKubeconfig(kc: ResolvedKubeconfig): Promise<RawKubeconfig> {
  const cluster: ClusterEntry = { ...kc.cluster };
  const user: UserEntry = { ...kc.user };
  const inline = async (obj: Record<string, unknown>, fileKey: string, dataKey: string) => {
    const file = obj[fileKey];
    if (typeof file !== 'string' || file === '') return;
    try {
      obj[dataKey] = (await readFile(file)).toString('base64');
    } catch (err) {
      throw configError(`The file ${file} named by ${fileKey} in context "${kc.contextName}" cannot be read (${(err as NodeJS.ErrnoException).code ?? String(err)}).`, { cause: err });
    }
    delete obj[fileKey];
  };
  await inline(cluster as unknown as Record<string, unknown>, 'certificate-authority', 'certificate-authority-data');
  await inline(user as unknown as Record<string, unknown>, 'client-certificate', 'client-certificate-data');
  await inline(user as unknown as Record<string, unknown>, 'client-key', 'client-key-data');
  if (user.tokenFile) {
    try {
      user.token = (await readFile(user.tokenFile, 'utf8')).trim();
    } catch (err) {
      throw configError(`The file ${user.tokenFile} named by tokenFile in context "${kc.contextName}" cannot be read (${(err as NodeJS.ErrnoException).code ?? String(err)}).`, { cause: err });
    }
    delete user.tokenFile;
  }
  return {
    ...kc.raw,
    clusters: [{ name: kc.clusterName, cluster }],
    users: [{ name: kc.userName, user }],
  };
}

export interface KubeconfigParams {
  name: string;
  server: string;
  caPem: string;
  user: { certPem: string; keyPem: string } | { token: string };
  userName?: string;
  namespace?: string;
}

/** A self-contained kubeconfig (everything embedded) as YAML. */
export function renderKubeconfig(p: KubeconfigParams): string {
  const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
  const userName = p.userName ?? `${p.name}-admin`;
  const user = 'token' in p.user ? { token: p.user.token } : { 'client-certificate-data': b64(p.user.certPem), 'client-key-data': b64(p.user.keyPem) };
  return stringifyYaml({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: p.name, cluster: { server: p.server, 'certificate-authority-data': b64(p.caPem) } }],
    users: [{ name: userName, user }],
    contexts: [{ name: p.name, context: { cluster: p.name, user: userName, ...(p.namespace ? { namespace: p.namespace } : {}) } }],
    'current-context': p.name,
  });
}

export function serializeKubeconfig(raw: RawKubeconfig): string {
  return stringifyYaml(raw);
}
