// A small client for one cluster: typed requests over node:https, server-side
// apply with field manager "kubegarden", paginated lists, status updates and
// one-sentence errors. Kubeconfig users with client certificates or tokens are
// handled here directly; exec and auth-provider users are delegated to
// @kubernetes/client-node, loaded only then (it costs ~300 ms to import).
import { readFile } from 'node:fs/promises';
import type * as Http from 'node:http';
import type * as Https from 'node:https';
import { FIELD_MANAGER } from '../api/types.ts';
import { KubegardenError } from '../ui/errors.ts';
import { isTransient, translateNetworkError, translateStatus, type KubeStatus, type RequestContext } from './errors.ts';
import { loadKubeconfig, type KubeconfigSource, type ResolvedKubeconfig } from './kubeconfig.ts';
import { collectionPath, knownResource, objectPath, resourceName, type ResourceInfo } from './resources.ts';
import { getUserAgent } from './user-agent.ts';

// The CommonJS objects, not ESM namespaces: building node:http's namespace runs
// its lazy getters, which load undici (about 18 ms of every command's start-up).
const http = process.getBuiltinModule('node:http') as typeof Http;
const https = process.getBuiltinModule('node:https') as typeof Https;

export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string | undefined;
    labels?: Record<string, string> | undefined;
    annotations?: Record<string, string> | undefined;
    resourceVersion?: string | undefined;
    uid?: string | undefined;
    generation?: number | undefined;
    creationTimestamp?: string | undefined;
    deletionTimestamp?: string | undefined;
    finalizers?: string[] | undefined;
    ownerReferences?: unknown[] | undefined;
    [key: string]: unknown;
  };
  [key: string]: unknown;
}

export interface ObjectRef {
  apiVersion: string;
  kind: string;
  name: string;
  namespace?: string | undefined;
}

export type ApplyChange = 'created' | 'updated' | 'unchanged';

export interface ListOptions {
  namespace?: string | undefined;
  labelSelector?: string | undefined;
  fieldSelector?: string | undefined;
  /** Page size for paginated reads. */
  limit?: number;
}

export interface RequestOptions {
  body?: unknown;
  contentType?: string;
  query?: Record<string, string | undefined>;
  ctx: Omit<RequestContext, 'cluster' | 'server' | 'user'>;
  /** Idempotent requests are retried on transient failures once the cluster has answered before. */
  idempotent?: boolean;
  signal?: AbortSignal | undefined;
}

interface Transport {
  baseUrl: URL;
  agent: Http.Agent;
  headers: Record<string, string>;
}

export interface RetryPolicy {
  attempts: number;
  initialDelayMs: number;
  maxDelayMs: number;
}

const DEFAULT_RETRY: RetryPolicy = { attempts: 6, initialDelayMs: 250, maxDelayMs: 4000 };

/** Counts requests, for benchmarks and --verbose. */
export interface RequestObserver {
  (event: { method: string; path: string; status: number | undefined; ms: number }): void;
}

export class KubeClient {
  readonly cluster: string;
  readonly server: string;
  readonly user: string;
  readonly kubeconfig: ResolvedKubeconfig;
  private readonly transport: Transport;
  private readonly discovered = new Map<string, ResourceInfo>();
  private answered = false;
  retry: RetryPolicy = DEFAULT_RETRY;
  observer: RequestObserver | undefined;

  private constructor(kubeconfig: ResolvedKubeconfig, cluster: string, transport: Transport) {
    this.kubeconfig = kubeconfig;
    this.cluster = cluster;
    this.server = kubeconfig.cluster.server;
    this.user = kubeconfig.userName;
    this.transport = transport;
  }

  /** Connects (lazily: no request is made) to the cluster a kubeconfig names. `cluster` is how messages name it. */
  static async connect(source: KubeconfigSource, cluster = 'the garden'): Promise<KubeClient> {
    const kubeconfig = await loadKubeconfig(source, cluster);
    return KubeClient.fromResolved(kubeconfig, cluster);
  }

  static async fromResolved(kubeconfig: ResolvedKubeconfig, cluster: string): Promise<KubeClient> {
    const transport = await buildTransport(kubeconfig, cluster);
    return new KubeClient(kubeconfig, cluster, transport);
  }

  get defaultNamespace(): string {
    return this.kubeconfig.namespace ?? 'default';
  }

  close(): void {
    this.transport.agent.destroy();
  }

  // ---- resources -----------------------------------------------------------

  async resource(apiVersion: string, kind: string): Promise<ResourceInfo> {
    const known = knownResource(apiVersion, kind) ?? this.discovered.get(`${apiVersion}/${kind}`);
    if (known) return known;
    const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
    const path = group ? `/apis/${group}/${version}` : `/api/${version}`;
    const list = await this.request<{ resources: Array<{ name: string; kind: string; namespaced: boolean }> }>('GET', path, {
      ctx: { verb: 'discover', resource: apiVersion },
      idempotent: true,
    });
    for (const r of list.resources) {
      if (r.name.includes('/')) continue;
      this.discovered.set(`${apiVersion}/${r.kind}`, { group: group ?? '', version: version ?? '', plural: r.name, namespaced: r.namespaced });
    }
    const found = this.discovered.get(`${apiVersion}/${kind}`);
    if (!found) throw new KubegardenError('notFound', `${this.cluster} does not serve ${kind} in ${apiVersion}: is the API (or its CRD) installed?`);
    return found;
  }

  // ---- verbs ---------------------------------------------------------------

  async get<T extends KubeObject>(ref: ObjectRef, signal?: AbortSignal): Promise<T | undefined> {
    const info = await this.resource(ref.apiVersion, ref.kind);
    try {
      return await this.request<T>('GET', objectPath(info, ref.name, ref.namespace), {
        ctx: { verb: 'get', resource: resourceName(info), namespace: ref.namespace, name: ref.name },
        idempotent: true,
        signal,
      });
    } catch (err) {
      if (err instanceof KubegardenError && err.code === 'notFound') return undefined;
      throw err;
    }
  }

  async list<T extends KubeObject>(apiVersion: string, kind: string, options: ListOptions = {}): Promise<T[]> {
    const info = await this.resource(apiVersion, kind);
    const items: T[] = [];
    let cont: string | undefined;
    do {
      const page: { items: T[]; metadata?: { continue?: string } } = await this.request('GET', collectionPath(info, options.namespace), {
        query: {
          labelSelector: options.labelSelector,
          fieldSelector: options.fieldSelector,
          limit: String(options.limit ?? 500),
          continue: cont,
        },
        ctx: { verb: 'list', resource: resourceName(info), namespace: options.namespace },
        idempotent: true,
      });
      // List items carry no apiVersion/kind; give them back for callers that re-apply them.
      for (const item of page.items) items.push({ ...item, apiVersion, kind });
      cont = page.metadata?.continue || undefined;
    } while (cont);
    return items;
  }

  /**
   * Server-side apply, owned by the "kubegarden" field manager; conflicts are forced (we own these objects).
   * A different manager lets two kubegarden roles share an object, e.g. a namespace that is both the garden's and a seed's.
   */
  async apply<T extends KubeObject>(obj: KubeObject, signal?: AbortSignal, fieldManager: string = FIELD_MANAGER): Promise<T> {
    const info = await this.resource(obj.apiVersion, obj.kind);
    const { name, namespace } = obj.metadata;
    return this.request<T>('PATCH', objectPath(info, name, namespace), {
      body: obj,
      contentType: 'application/apply-patch+yaml',
      query: { fieldManager, force: 'true' },
      ctx: { verb: 'apply', resource: resourceName(info), namespace, name },
      idempotent: true,
      signal,
    });
  }

  /** Applies and says whether anything changed (compares resourceVersions). */
  async applyAndDiff<T extends KubeObject>(obj: KubeObject, signal?: AbortSignal): Promise<{ object: T; change: ApplyChange }> {
    const before = await this.get(refOf(obj), signal);
    const after = await this.apply<T>(obj, signal);
    const change: ApplyChange = !before ? 'created' : before.metadata.resourceVersion === after.metadata.resourceVersion ? 'unchanged' : 'updated';
    return { object: after, change };
  }

  /** Server-side apply of the status subresource. */
  async applyStatus<T extends KubeObject>(obj: KubeObject, signal?: AbortSignal, fieldManager: string = FIELD_MANAGER): Promise<T> {
    const info = await this.resource(obj.apiVersion, obj.kind);
    const { name, namespace } = obj.metadata;
    return this.request<T>('PATCH', `${objectPath(info, name, namespace)}/status`, {
      body: obj,
      contentType: 'application/apply-patch+yaml',
      query: { fieldManager, force: 'true' },
      ctx: { verb: 'update status of', resource: resourceName(info), namespace, name },
      idempotent: true,
      signal,
    });
  }

  async create<T extends KubeObject>(obj: KubeObject, signal?: AbortSignal): Promise<T> {
    const info = await this.resource(obj.apiVersion, obj.kind);
    return this.request<T>('POST', collectionPath(info, obj.metadata.namespace), {
      body: obj,
      contentType: 'application/json',
      query: { fieldManager: FIELD_MANAGER },
      ctx: { verb: 'create', resource: resourceName(info), namespace: obj.metadata.namespace, name: obj.metadata.name },
      signal,
    });
  }

  /** JSON merge patch, for the few updates that must not take ownership (e.g. removing a finalizer). */
  async mergePatch<T extends KubeObject>(ref: ObjectRef, patch: unknown, signal?: AbortSignal): Promise<T> {
    const info = await this.resource(ref.apiVersion, ref.kind);
    return this.request<T>('PATCH', objectPath(info, ref.name, ref.namespace), {
      body: patch,
      contentType: 'application/merge-patch+json',
      ctx: { verb: 'update', resource: resourceName(info), namespace: ref.namespace, name: ref.name },
      signal,
    });
  }

  /** Deletes; returns false when it was already gone. */
  async delete(ref: ObjectRef, options: { propagationPolicy?: 'Foreground' | 'Background' | 'Orphan'; signal?: AbortSignal } = {}): Promise<boolean> {
    const info = await this.resource(ref.apiVersion, ref.kind);
    try {
      await this.request('DELETE', objectPath(info, ref.name, ref.namespace), {
        body: { kind: 'DeleteOptions', apiVersion: 'v1', propagationPolicy: options.propagationPolicy ?? 'Background' },
        contentType: 'application/json',
        ctx: { verb: 'delete', resource: resourceName(info), namespace: ref.namespace, name: ref.name },
        idempotent: true,
        signal: options.signal,
      });
      return true;
    } catch (err) {
      if (err instanceof KubegardenError && err.code === 'notFound') return false;
      throw err;
    }
  }

  async version(signal?: AbortSignal): Promise<{ gitVersion: string; major: string; minor: string }> {
    return this.request('GET', '/version', { ctx: { verb: 'read the version of', resource: 'the API server' }, idempotent: true, signal });
  }

  /** Asks the API server whether the current user may do something (SelfSubjectAccessReview). */
  async can(verb: string, resource: { group: string; resource: string; namespace?: string }): Promise<boolean> {
    const review = await this.request<{ status?: { allowed?: boolean } }>('POST', '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews', {
      body: {
        apiVersion: 'authorization.k8s.io/v1',
        kind: 'SelfSubjectAccessReview',
        spec: { resourceAttributes: { verb, group: resource.group, resource: resource.resource, namespace: resource.namespace } },
      },
      contentType: 'application/json',
      ctx: { verb: 'create', resource: 'selfsubjectaccessreviews.authorization.k8s.io' },
    });
    return review.status?.allowed === true;
  }

  // ---- transport -----------------------------------------------------------

  async request<T>(method: string, path: string, options: RequestOptions): Promise<T> {
    const ctx: RequestContext = { ...options.ctx, cluster: this.cluster, server: this.server, user: this.user };
    let delay = this.retry.initialDelayMs;
    for (let attempt = 1; ; attempt++) {
      try {
        const result = await this.once<T>(method, path, options, ctx);
        this.answered = true;
        return result;
      } catch (err) {
        // Retry only what is safe to repeat, and only against a cluster that has
        // answered before: a wrong address should fail at once, a restarting
        // API server should be waited for.
        const retryable = (options.idempotent ?? false) && this.answered && isTransient(err) && attempt < this.retry.attempts;
        if (!retryable || options.signal?.aborted) throw err;
        await sleep(delay, options.signal);
        delay = Math.min(delay * 2, this.retry.maxDelayMs);
      }
    }
  }

  private once<T>(method: string, path: string, options: RequestOptions, ctx: RequestContext): Promise<T> {
    const url = new URL(this.transport.baseUrl.pathname.replace(/\/$/, '') + path, this.transport.baseUrl);
    for (const [k, v] of Object.entries(options.query ?? {})) if (v !== undefined) url.searchParams.set(k, v);
    const body = options.body === undefined ? undefined : JSON.stringify(options.body);
    const headers: Record<string, string> = { Accept: 'application/json', ...this.transport.headers };
    if (body !== undefined) {
      headers['Content-Type'] = options.contentType ?? 'application/json';
      headers['Content-Length'] = String(Buffer.byteLength(body));
    }
    const mod = url.protocol === 'http:' ? http : https;
    const started = Date.now();
    return new Promise<T>((resolvePromise, reject) => {
      const req = mod.request(url, { method, headers, agent: this.transport.agent, signal: options.signal, timeout: 30_000 }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', (err) => reject(translateNetworkError(err, ctx)));
        res.on('end', () => {
          const status = res.statusCode ?? 0;
          this.observer?.({ method, path, status, ms: Date.now() - started });
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed: unknown;
          let garbled = false;
          try {
            parsed = text === '' ? undefined : JSON.parse(text);
          } catch {
            parsed = undefined;
            garbled = true;
          }
          if (status >= 200 && status < 300 && garbled) {
            // A proxy's or a web server's page where the API should answer: not a Kubernetes API server.
            reject(new KubegardenError('unreachable', `${this.cluster.replace(/^./, (c) => c.toUpperCase())} at ${this.transport.baseUrl.origin} answered ${method} ${path} with something that is not JSON: check that the kubeconfig's server is a Kubernetes API server.`));
          } else if (status >= 200 && status < 300) resolvePromise(parsed as T);
          else reject(translateStatus(status, parsed as KubeStatus | undefined, ctx));
        });
      });
      req.on('timeout', () => req.destroy(Object.assign(new Error('request timed out'), { code: 'ETIMEDOUT' })));
      req.on('error', (err) => {
        this.observer?.({ method, path, status: undefined, ms: Date.now() - started });
        if ((err as Error).name === 'AbortError') reject(new KubegardenError('aborted', 'Aborted.', { cause: err }));
        else reject(translateNetworkError(err, ctx));
      });
      if (body !== undefined) req.write(body);
      req.end();
    });
  }
}

export function refOf(obj: KubeObject): ObjectRef {
  return { apiVersion: obj.apiVersion, kind: obj.kind, name: obj.metadata.name, namespace: obj.metadata.namespace };
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolvePromise) => {
    const t = setTimeout(resolvePromise, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(t);
      resolvePromise();
    });
  });
}

async function readMaybe(file: string | undefined, data: string | undefined, what: string, cluster: string): Promise<Buffer | undefined> {
  if (data) return Buffer.from(data, 'base64');
  if (!file) return undefined;
  try {
    return await readFile(file);
  } catch (err) {
    throw new KubegardenError('config', `The ${what} file ${file} named in the kubeconfig for ${cluster} cannot be read (${(err as NodeJS.ErrnoException).code ?? String(err)}).`, {
      cause: err,
    });
  }
}

async function buildTransport(kc: ResolvedKubeconfig, cluster: string): Promise<Transport> {
  let baseUrl: URL;
  try {
    baseUrl = new URL(kc.cluster.server);
  } catch (err) {
    throw new KubegardenError('config', `The server "${kc.cluster.server}" of context "${kc.contextName}" is not a URL: fix the kubeconfig.`, { cause: err });
  }
  const headers: Record<string, string> = { 'User-Agent': getUserAgent() };
  const agentOptions: Https.AgentOptions = { keepAlive: true, maxSockets: 32 };
  const ca = await readMaybe(kc.cluster['certificate-authority'], kc.cluster['certificate-authority-data'], 'certificate-authority', cluster);
  if (ca) agentOptions.ca = ca;
  if (kc.cluster['insecure-skip-tls-verify']) agentOptions.rejectUnauthorized = false;
  if (kc.cluster['tls-server-name']) agentOptions.servername = kc.cluster['tls-server-name'];
  const user = kc.user;
  if (user.exec || user['auth-provider']) {
    await delegateAuth(kc, agentOptions, headers);
  } else {
    const cert = await readMaybe(user['client-certificate'], user['client-certificate-data'], 'client-certificate', cluster);
    const key = await readMaybe(user['client-key'], user['client-key-data'], 'client-key', cluster);
    if (cert) agentOptions.cert = cert;
    if (key) agentOptions.key = key;
    let token = user.token;
    if (!token && user.tokenFile) token = (await readMaybe(user.tokenFile, undefined, 'token', cluster))?.toString('utf8').trim();
    if (token) headers['Authorization'] = `Bearer ${token}`;
    else if (user.username && user.password) headers['Authorization'] = `Basic ${Buffer.from(`${user.username}:${user.password}`).toString('base64')}`;
  }
  const agent = baseUrl.protocol === 'http:' ? new http.Agent({ keepAlive: true }) : new https.Agent(agentOptions);
  return { baseUrl, agent, headers };
}

/** exec and auth-provider credentials: let @kubernetes/client-node run the plugin. */
async function delegateAuth(kc: ResolvedKubeconfig, agentOptions: Https.AgentOptions, headers: Record<string, string>): Promise<void> {
  const { KubeConfig } = await import('@kubernetes/client-node');
  const { serializeKubeconfig } = await import('./kubeconfig.ts');
  const config = new KubeConfig();
  config.loadFromString(serializeKubeconfig(kc.raw));
  const opts: Https.RequestOptions = {};
  await config.applyToHTTPSOptions(opts);
  if (opts.cert) agentOptions.cert = opts.cert;
  if (opts.key) agentOptions.key = opts.key;
  const auth = (opts.headers as Record<string, string> | undefined)?.['Authorization'];
  if (auth) headers['Authorization'] = auth;
}
