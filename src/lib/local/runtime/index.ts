// The runtime of the local provider: the seed-side agent that stands in for
// kubelets. It polls the seed for Deployments and StatefulSets in shoot
// control-plane namespaces (shoot--*), runs their containers as local
// processes (see pod.ts), and writes back what it observes: the status
// subresource (replicas, readiness, conditions) and a few annotations
// (local.kubegarden.io/*) for people reading the objects with kubectl.
//
// It polls rather than watches: a list per kind per second is cheap on
// loopback, and a poll loop survives the API server restarting without any
// resynchronisation logic. While the API server is unreachable, processes keep
// running as they are (as with a kubelet); nothing is stopped on an error.
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { KubeClient, KubeObject } from '../../kube/client.ts';
import { objectPath, resourceName } from '../../kube/resources.ts';
import type { Binary } from '../assets.ts';
import { DEFAULT_BACKOFF, type BackoffPolicy } from './container.ts';
import { findLocalBinary, type BinaryFinder } from './images.ts';
import { PodRunner } from './pod.ts';
import type { SourceLookup } from './spec.ts';
import type { WorkloadObject } from './types.ts';
import {
  annotationsUpToDate,
  desiredPods,
  report,
  stampConditions,
  statusUpToDate,
  toWorkload,
  type DesiredPod,
  type Workload,
  type WorkloadKind,
} from './workloads.ts';

export { ANNOTATION_PODS, ANNOTATION_PORTS, ANNOTATION_RESTARTS, ANNOTATION_STATUS, REASON_NOT_RUNNABLE } from './workloads.ts';
export { findLocalBinary, parseImage, resolveImage, type BinaryFinder } from './images.ts';

export const RUNTIME_FIELD_MANAGER = 'kubegarden-local-runtime';
export const SHOOT_NAMESPACE_PREFIX = 'shoot--';
export const PIDS_FILE = 'runtime-pids.json';

export interface RuntimeOptions {
  /** Client of the seed. */
  client: KubeClient;
  /** Volumes, claims, logs and the pid file live here. */
  stateDir: string;
  /** How often the seed is polled; default 1000. */
  pollIntervalMs?: number;
  log?: (line: string) => void;
  /** Where binaries come from; default: the ones kubegarden built (findAssets). */
  findBinary?: BinaryFinder;
  /** How often Secret and ConfigMap volumes are refreshed from the API; default 10000. */
  volumeRefreshMs?: number;
  backoff?: Partial<BackoffPolicy>;
  /** Field manager of the status and annotations it writes; default kubegarden-local-runtime. */
  fieldManager?: string;
}

export interface RuntimeProcessInfo {
  /** The container's name (what the supervisor shows). */
  name: string;
  pid: number;
  namespace: string;
  /** "Deployment/etcd-main" */
  workload: string;
  pod: string;
  container: string;
  binary: Binary;
  restarts: number;
  ready: boolean;
  logFile: string;
}

export interface Runtime {
  /** Stops every process it started and waits for them to exit. */
  stop(): Promise<void>;
  processes(): RuntimeProcessInfo[];
}

/** An entry of runtime-pids.json: a plain array, so that anything reading {name, pid} pairs can reap orphans. */
export interface PidEntry {
  name: string;
  pid: number;
  binary: string;
  path: string;
  namespace: string;
  pod: string;
  container: string;
  runtimePid: number;
}

export async function startRuntime(options: RuntimeOptions): Promise<Runtime> {
  const runtime = new LocalRuntime(options);
  await runtime.init();
  return { stop: () => runtime.stop(), processes: () => runtime.processes() };
}

interface Tracked {
  runner: PodRunner;
  /** Workload key: kind/namespace/name. */
  workload: string;
  /** kind/name, as people name it. */
  owner: string;
}

class LocalRuntime {
  private readonly client: KubeClient;
  private readonly stateDir: string;
  private readonly pollMs: number;
  private readonly refreshMs: number;
  private readonly fieldManager: string;
  private readonly log: (line: string) => void;
  private readonly findBinary: BinaryFinder;
  private readonly backoff: BackoffPolicy;
  /** Pods by namespace/name. */
  private readonly pods = new Map<string, Tracked>();
  /** Pods being stopped: a workload starts no new pod while one of its pods is still stopping (same ports). */
  private readonly terminating = new Set<Tracked>();
  private readonly errors = new Map<string, string>();
  private lastRefresh = Date.now();
  private stopping = false;
  private loopDone: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  private kicked = false;
  private kickTimer: NodeJS.Timeout | undefined;
  private pidsWritten = '';
  private pidsWrite: Promise<void> = Promise.resolve();

  constructor(options: RuntimeOptions) {
    this.client = options.client;
    this.stateDir = options.stateDir;
    this.pollMs = options.pollIntervalMs ?? 1000;
    this.refreshMs = options.volumeRefreshMs ?? 10_000;
    this.fieldManager = options.fieldManager ?? RUNTIME_FIELD_MANAGER;
    this.log = options.log ?? ((line) => process.stderr.write(`${line}\n`));
    this.findBinary = options.findBinary ?? findLocalBinary;
    this.backoff = { ...DEFAULT_BACKOFF, ...options.backoff };
  }

  async init(): Promise<void> {
    await mkdir(this.stateDir, { recursive: true, mode: 0o700 });
    this.reapOrphans();
    // Pods of an earlier run are gone (or just reaped): their ephemeral volumes go too. Claims stay.
    await rm(join(this.stateDir, 'pods'), { recursive: true, force: true });
    await this.writePids();
    this.loopDone = this.loop();
  }

  // ---- the loop ------------------------------------------------------------

  private async loop(): Promise<void> {
    while (!this.stopping) {
      try {
        await this.tick();
      } catch (err) {
        this.error('reconcile', `reconciling failed: ${(err as Error).message}`);
      }
      if (this.stopping) break;
      await new Promise<void>((resolve) => {
        if (this.kicked) return resolve();
        const timer = setTimeout(resolve, this.pollMs);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wake = undefined;
      this.kicked = false;
    }
  }

  /** Something a status shows changed: reconcile soon rather than at the next poll. */
  private kick = (): void => {
    this.schedulePidsWrite();
    if (this.kickTimer || this.stopping) return;
    this.kickTimer = setTimeout(() => {
      this.kickTimer = undefined;
      this.kicked = true;
      this.wake?.();
    }, 100);
  };

  private async tick(): Promise<void> {
    let workloads: Workload[];
    try {
      workloads = await this.listWorkloads();
      this.recovered('list', 'the seed answers again');
    } catch (err) {
      this.error('list', `listing workloads failed (processes keep running): ${(err as Error).message}`);
      return;
    }
    if (this.stopping) return;

    const desired = new Map<string, { workload: Workload; pod: DesiredPod }>();
    for (const w of workloads) for (const pod of desiredPods(w)) desired.set(`${w.namespace}/${pod.name}`, { workload: w, pod });

    // Stop what is no longer wanted, or wanted with another template.
    for (const [key, tracked] of this.pods) {
      const want = desired.get(key);
      if (want && want.workload.key === tracked.workload && want.workload.hash === tracked.runner.source.hash) continue;
      this.pods.delete(key);
      this.terminating.add(tracked);
      this.log(`stopping ${key}${want ? ' (its pod template changed)' : ''}`);
      void tracked.runner.stop().finally(() => {
        this.terminating.delete(tracked);
        this.kick();
      });
    }

    // Create what is missing; a workload whose old pods are still stopping waits for them.
    const busy = new Set([...this.terminating].map((t) => t.workload));
    for (const [key, { workload: w, pod }] of desired) {
      if (this.pods.has(key) || busy.has(w.key)) continue;
      const runner = new PodRunner(
        { namespace: w.namespace, name: pod.name, hash: w.hash, template: w.object.spec.template, claims: pod.claims },
        { stateDir: this.stateDir, findBinary: this.findBinary, backoff: this.backoff, log: this.log, onChange: this.kick },
      );
      this.pods.set(key, { runner, workload: w.key, owner: `${w.kind}/${w.name}` });
    }

    const lookups = new LookupCache(this.client);
    await Promise.all([...this.pods.values()].map((t) => t.runner.tryStart(lookups.for(t.runner.source.namespace))));

    if (Date.now() - this.lastRefresh >= this.refreshMs) {
      this.lastRefresh = Date.now();
      const fresh = new LookupCache(this.client);
      const failures = await Promise.all([...this.pods.values()].map((t) => t.runner.refreshVolumes(fresh.for(t.runner.source.namespace))));
      for (const f of failures) if (f) this.log(f);
    }

    await Promise.all(workloads.map((w) => this.writeBack(w)));
  }

  private async listWorkloads(): Promise<Workload[]> {
    const kinds: WorkloadKind[] = ['Deployment', 'StatefulSet'];
    const lists = await Promise.all(kinds.map((kind) => this.client.list<WorkloadObject>('apps/v1', kind)));
    return lists.flatMap((items, i) =>
      items.filter((o) => (o.metadata.namespace ?? '').startsWith(SHOOT_NAMESPACE_PREFIX)).map((o) => toWorkload(kinds[i] ?? 'Deployment', o)),
    );
  }

  // ---- status and annotations ---------------------------------------------

  /**
   * Writes annotations and status, each only when it differs from what the
   * object already says. Annotations go first: the API server counts a
   * Deployment's annotation change as a new generation, and the status written
   * next then observes that generation, so one pass leaves them consistent.
   */
  private async writeBack(w: Workload): Promise<void> {
    if (w.deleting) return;
    const runners = [...this.pods.values(), ...this.terminating].filter((t) => t.workload === w.key).map((t) => t.runner.info());
    const now = Date.now();
    const meta = { name: w.name, namespace: w.namespace, uid: w.object.metadata.uid };
    try {
      const annotations = report(w, runners, now).annotations;
      if (!annotationsUpToDate(w, annotations)) {
        const updated = await this.applyAs<WorkloadObject>({ apiVersion: 'apps/v1', kind: w.kind, metadata: { ...meta, annotations } });
        w = toWorkload(w.kind, { ...updated, apiVersion: 'apps/v1', kind: w.kind });
      }
      const { status } = report(w, runners, now);
      if (!statusUpToDate(w, status)) {
        const stamped = { ...status, conditions: stampConditions(w, status.conditions, new Date(now).toISOString().replace(/\.\d+Z$/, 'Z')) };
        await this.applyAs({ apiVersion: 'apps/v1', kind: w.kind, metadata: meta, status: stamped }, 'status');
      }
      this.recovered(`write ${w.key}`, `${w.key}: status written again`);
    } catch (err) {
      // The object may have gone or been re-created meanwhile (its uid is a precondition): the next poll sees it as it is.
      this.error(`write ${w.key}`, `writing the status of ${w.key} failed: ${(err as Error).message}`);
    }
  }

  /** Server-side apply with the runtime's own field manager, so kubegarden's own applies neither remove nor fight over these fields. */
  private async applyAs<T extends KubeObject>(obj: KubeObject, subresource?: 'status'): Promise<T> {
    const info = await this.client.resource(obj.apiVersion, obj.kind);
    const { name, namespace } = obj.metadata;
    return this.client.request<T>('PATCH', `${objectPath(info, name, namespace)}${subresource ? `/${subresource}` : ''}`, {
      body: obj,
      contentType: 'application/apply-patch+yaml',
      query: { fieldManager: this.fieldManager, force: 'true' },
      ctx: { verb: subresource ? 'update status of' : 'annotate', resource: resourceName(info), namespace, name },
      idempotent: true,
    });
  }

  // ---- processes and the pid file -----------------------------------------

  processes(): RuntimeProcessInfo[] {
    const out: RuntimeProcessInfo[] = [];
    for (const t of [...this.pods.values(), ...this.terminating]) {
      for (const c of t.runner.processes()) {
        const info = c.info();
        if (info.pid === undefined) continue;
        out.push({
          name: c.name,
          pid: info.pid,
          namespace: t.runner.source.namespace,
          workload: t.owner,
          pod: t.runner.name,
          container: c.name,
          binary: c.plan.binary,
          restarts: info.restarts,
          ready: info.ready,
          logFile: info.logFile,
        });
      }
    }
    return out;
  }

  private pidEntries(): PidEntry[] {
    const out: PidEntry[] = [];
    for (const t of [...this.pods.values(), ...this.terminating]) {
      for (const c of t.runner.processes()) {
        if (c.pid === undefined) continue;
        out.push({
          name: `${t.runner.source.namespace}/${t.runner.name}/${c.name}`,
          pid: c.pid,
          binary: c.plan.binary,
          path: c.plan.path,
          namespace: t.runner.source.namespace,
          pod: t.runner.name,
          container: c.name,
          runtimePid: process.pid,
        });
      }
    }
    return out;
  }

  private schedulePidsWrite(): void {
    this.pidsWrite = this.pidsWrite.then(() => this.writePids()).catch((err: unknown) => this.error('pids', `writing ${PIDS_FILE} failed: ${String(err)}`));
  }

  private async writePids(): Promise<void> {
    const text = JSON.stringify(this.pidEntries(), null, 2);
    if (text === this.pidsWritten) return;
    const file = join(this.stateDir, PIDS_FILE);
    await writeFile(`${file}.tmp`, text, { mode: 0o600 });
    await rename(`${file}.tmp`, file);
    this.pidsWritten = text;
  }

  /**
   * Kills processes a previous runtime on this state dir left behind (it was
   * killed itself): they would hold the ports the new pods need. A pid is only
   * killed while it still runs the binary recorded for it.
   */
  private reapOrphans(): void {
    const file = join(this.stateDir, PIDS_FILE);
    if (!existsSync(file)) return;
    let entries: PidEntry[];
    try {
      entries = JSON.parse(readFileSync(file, 'utf8')) as PidEntry[];
      if (!Array.isArray(entries)) return;
    } catch {
      return;
    }
    for (const e of entries) {
      if (!e || typeof e.pid !== 'number' || e.runtimePid === process.pid) continue;
      if (isRuntime(e.runtimePid)) {
        throw new Error(`another kubegarden runtime (pid ${e.runtimePid}) runs the processes of ${this.stateDir}; stop it first`);
      }
      if (commandOf(e.pid) !== e.path) continue;
      try {
        process.kill(e.pid, 'SIGKILL');
        this.log(`killed ${e.name} (pid ${e.pid}), left behind by an earlier runtime`);
      } catch {
        /* gone meanwhile */
      }
    }
  }

  // ---- lifecycle -----------------------------------------------------------

  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    if (this.kickTimer) clearTimeout(this.kickTimer);
    this.wake?.();
    await this.loopDone;
    const all = [...this.pods.values(), ...this.terminating];
    await Promise.all(all.map((t) => t.runner.stop()));
    this.pods.clear();
    this.terminating.clear();
    await this.pidsWrite;
    await this.writePids();
  }

  // ---- logging -------------------------------------------------------------

  /** Logs an error once until it changes or recovers, so an API server outage is one line, not one per second. */
  private error(key: string, message: string): void {
    if (this.errors.get(key) === message) return;
    this.errors.set(key, message);
    this.log(message);
  }

  private recovered(key: string, message: string): void {
    if (!this.errors.delete(key)) return;
    this.log(message);
  }
}

/** Secrets and ConfigMaps read once per reconcile, shared by the pods that need them. */
class LookupCache {
  private readonly cache = new Map<string, Promise<Record<string, Buffer> | undefined>>();
  private readonly client: KubeClient;

  constructor(client: KubeClient) {
    this.client = client;
  }

  for(namespace: string): SourceLookup {
    return {
      secret: (name) => this.read('Secret', namespace, name),
      configMap: (name) => this.read('ConfigMap', namespace, name),
    };
  }

  private read(kind: 'Secret' | 'ConfigMap', namespace: string, name: string): Promise<Record<string, Buffer> | undefined> {
    const key = `${kind}/${namespace}/${name}`;
    let found = this.cache.get(key);
    if (!found) {
      found = this.client.get<KubeObject & { data?: Record<string, string>; binaryData?: Record<string, string> }>({ apiVersion: 'v1', kind, name, namespace }).then((obj) => {
        if (!obj) return undefined;
        const out: Record<string, Buffer> = {};
        for (const [k, v] of Object.entries(obj.data ?? {})) out[k] = kind === 'Secret' ? Buffer.from(v, 'base64') : Buffer.from(v, 'utf8');
        for (const [k, v] of Object.entries(obj.binaryData ?? {})) out[k] = Buffer.from(v, 'base64');
        return out;
      });
      this.cache.set(key, found);
    }
    return found;
  }
}

/** argv[0] of a running process (Linux), or undefined. */
function commandOf(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')[0];
  } catch {
    return undefined;
  }
}

function isRuntime(pid: number): boolean {
  if (!pid || pid === process.pid) return false;
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  // A live pid that is not node was reused by something else after the runtime died.
  return /node/.test(commandOf(pid) ?? '');
}

/** The processes a runtime on stateDir last recorded (for a supervisor reaping orphans). */
export async function readRuntimePids(stateDir: string): Promise<PidEntry[]> {
  try {
    const entries = JSON.parse(await readFile(join(stateDir, PIDS_FILE), 'utf8')) as unknown;
    return Array.isArray(entries) ? (entries as PidEntry[]) : [];
  } catch {
    return [];
  }
}
