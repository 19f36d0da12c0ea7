// One replica of a workload — a "pod" without a kubelet: its volumes as
// directories, its init containers run to completion in order, then its
// containers as supervised processes. A pod that cannot run here says why
// (NotRunnable), one that waits for a Secret or ConfigMap says for which
// (Pending); neither starts anything.
import { randomUUID } from 'node:crypto';
import { access, mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { BinaryFinder } from './images.ts';
import { ContainerProcess, type BackoffPolicy, type ContainerInfo } from './container.ts';
import { planContainer, type ContainerPlan, type PodIdentity, type SourceLookup } from './spec.ts';
import { NotRunnableError, PendingError, type PodTemplateSpec } from './types.ts';
import { DIR_MODE, podDir, volumeDirs, volumeFiles, VolumeWriter, type VolumeDir } from './volumes.ts';

export type PodPhase = 'Pending' | 'NotRunnable' | 'Initializing' | 'Running' | 'Terminating' | 'Terminated';

export interface PodInfo {
  name: string;
  namespace: string;
  hash: string;
  phase: PodPhase;
  ready: boolean;
  /** When it last became ready (ms since the epoch). */
  readySince: number | undefined;
  message: string | undefined;
  containers: ContainerInfo[];
}

export interface PodSource {
  namespace: string;
  name: string;
  /** Hash of the workload's pod template this pod runs. */
  hash: string;
  template: PodTemplateSpec;
  /** StatefulSet claim template name → claim name. */
  claims: ReadonlyMap<string, string>;
}

export interface PodEnvironment {
  stateDir: string;
  findBinary: BinaryFinder;
  backoff: BackoffPolicy;
  log: (line: string) => void;
  onChange: () => void;
}

const PENDING_RETRY_MS = 1000;
const NOT_RUNNABLE_RETRY_MS = 10_000;

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

export class PodRunner {
  readonly source: PodSource;
  readonly uid = randomUUID();
  private readonly env: PodEnvironment;
  private phase: PodPhase = 'Pending';
  private message: string | undefined;
  private nextAttemptAt = 0;
  private attempting = false;
  private fresh = true;
  private initContainers: ContainerProcess[] = [];
  private containers: ContainerProcess[] = [];
  private volumes = new Map<string, VolumeDir>();
  private readonly writer = new VolumeWriter();
  private readySince: number | undefined;
  private stopped: Promise<void> | undefined;

  constructor(source: PodSource, env: PodEnvironment) {
    this.source = source;
    this.env = env;
  }

  get name(): string {
    return this.source.name;
  }

  get dir(): string {
    return podDir({ stateDir: this.env.stateDir, namespace: this.source.namespace, pod: this.source.name });
  }

  get graceMs(): number {
    return (this.source.template.spec.terminationGracePeriodSeconds ?? 30) * 1000;
  }

  private identity(): PodIdentity {
    const meta = this.source.template.metadata ?? {};
    return {
      name: this.source.name,
      namespace: this.source.namespace,
      uid: this.uid,
      labels: meta.labels ?? {},
      annotations: meta.annotations ?? {},
      serviceAccountName: this.source.template.spec.serviceAccountName ?? 'default',
    };
  }

  isReady(): boolean {
    return this.phase === 'Running' && this.containers.length > 0 && this.containers.every((c) => c.isReady());
  }

  info(): PodInfo {
    return {
      name: this.source.name,
      namespace: this.source.namespace,
      hash: this.source.hash,
      phase: this.phase,
      ready: this.isReady(),
      readySince: this.readySince,
      message: this.message,
      containers: [...this.initContainers, ...this.containers].map((c) => c.info()),
    };
  }

  /** Running processes, for the pid file and processes(). */
  processes(): ContainerProcess[] {
    return [...this.initContainers, ...this.containers].filter((c) => c.pid !== undefined);
  }

  private changed = () => {
    const ready = this.isReady();
    if (ready && this.readySince === undefined) this.readySince = Date.now();
    if (!ready) this.readySince = undefined;
    this.env.onChange();
  };

  /**
   * Starts the pod if it is not running yet and a retry is due: resolves
   * everything first (binaries, Secrets, ConfigMaps), so a pod either starts
   * completely or not at all.
   */
  async tryStart(lookup: SourceLookup): Promise<void> {
    if ((this.phase !== 'Pending' && this.phase !== 'NotRunnable') || this.attempting || Date.now() < this.nextAttemptAt) return;
    this.attempting = true;
    try {
      const { spec } = this.source.template;
      const volumes = volumeDirs(spec.volumes ?? [], { stateDir: this.env.stateDir, namespace: this.source.namespace, pod: this.source.name }, this.source.claims);
      const ctx = {
        pod: this.identity(),
        containers: [...(spec.initContainers ?? []), ...spec.containers],
        lookup,
        findBinary: this.env.findBinary,
        podDir: this.dir,
        volumes,
      };
      const files = new Map<string, Awaited<ReturnType<typeof volumeFiles>>>();
      for (const v of spec.volumes ?? []) if (volumes.get(v.name)?.projected) files.set(v.name, await volumeFiles(v, ctx));
      const initPlans: ContainerPlan[] = [];
      for (const c of spec.initContainers ?? []) initPlans.push(await planContainer(c, ctx));
      const plans: ContainerPlan[] = [];
      for (const c of spec.containers) plans.push(await planContainer(c, ctx));
      if (this.stopped) return;

      if (this.fresh) {
        // A new pod starts with empty ephemeral volumes, whatever an earlier run left behind.
        await rm(join(this.dir, 'volumes'), { recursive: true, force: true });
        this.fresh = false;
      }
      await mkdir(this.dir, { recursive: true, mode: DIR_MODE });
      for (const v of volumes.values()) {
        if (v.projected) await this.writer.sync(v.dir, files.get(v.name) ?? new Map());
        else if (!(await exists(v.dir))) {
          if (!v.create) throw new PendingError(`the host path ${v.dir} of volume ${v.name} does not exist`);
          await mkdir(v.dir, { recursive: true, mode: DIR_MODE });
        }
      }
      for (const plan of [...initPlans, ...plans]) {
        for (const m of plan.mounts) if (m.createDir && !(await exists(m.localPath))) await mkdir(m.localPath, { recursive: true, mode: DIR_MODE });
      }
      this.volumes = volumes;
      this.message = undefined;
      if (!this.stopped) this.launch(initPlans, plans);
    } catch (err) {
      const notRunnable = err instanceof NotRunnableError;
      this.phase = notRunnable ? 'NotRunnable' : 'Pending';
      const message = err instanceof NotRunnableError || err instanceof PendingError ? err.message : `preparing the pod failed: ${(err as Error).message}`;
      if (message !== this.message) this.env.log(`${this.source.namespace}/${this.source.name}: ${notRunnable ? 'not runnable' : 'pending'}: ${message}`);
      this.message = message;
      this.nextAttemptAt = Date.now() + (notRunnable ? NOT_RUNNABLE_RETRY_MS : PENDING_RETRY_MS);
      this.env.onChange();
    } finally {
      this.attempting = false;
    }
  }

  private container(plan: ContainerPlan, mode: 'service' | 'init'): ContainerProcess {
    const { namespace, name } = this.source;
    return new ContainerProcess({
      plan,
      mode,
      pod: name,
      namespace,
      logFile: join(this.env.stateDir, 'logs', namespace, `${name}_${plan.name}.log`),
      graceMs: this.graceMs,
      backoff: this.env.backoff,
      log: this.env.log,
      onChange: this.changed,
    });
  }

  private launch(initPlans: ContainerPlan[], plans: ContainerPlan[]): void {
    const sidecar = (name: string) => this.source.template.spec.initContainers?.find((c) => c.name === name)?.restartPolicy === 'Always';
    this.phase = initPlans.length ? 'Initializing' : 'Running';
    this.changed();
    void (async () => {
      // stop() may come at any await: nothing starts after it.
      for (const plan of initPlans) {
        if (this.stopped) return;
        const init = this.container(plan, sidecar(plan.name) ? 'service' : 'init');
        this.initContainers.push(init);
        init.start();
        if (!sidecar(plan.name)) await init.completed();
      }
      if (this.stopped) return;
      this.phase = 'Running';
      for (const plan of plans) {
        const c = this.container(plan, 'service');
        this.containers.push(c);
        c.start();
      }
      this.changed();
    })();
  }

  /** Rewrites Secret/ConfigMap volume files that changed in the API (the kubelet does this too). Returns what failed, if anything. */
  async refreshVolumes(lookup: SourceLookup): Promise<string | undefined> {
    if (this.phase !== 'Running' && this.phase !== 'Initializing') return undefined;
    const { spec } = this.source.template;
    const ctx = { pod: this.identity(), containers: [...(spec.initContainers ?? []), ...spec.containers], lookup };
    try {
      for (const v of spec.volumes ?? []) {
        const dir = this.volumes.get(v.name);
        if (!dir?.projected) continue;
        const files = await volumeFiles(v, ctx);
        if (files && (await this.writer.sync(dir.dir, files))) this.env.log(`${this.source.namespace}/${this.source.name}: volume ${v.name} updated`);
      }
      return undefined;
    } catch (err) {
      // Keep the files it has, as the kubelet does when a source goes away.
      return `${this.source.namespace}/${this.source.name}: refreshing volumes failed: ${(err as Error).message}`;
    }
  }

  /** Stops every process (SIGTERM, SIGKILL after the grace period) and removes the ephemeral volumes; claims stay. */
  stop(graceMs = this.graceMs): Promise<void> {
    this.stopped ??= (async () => {
      this.phase = 'Terminating';
      this.env.onChange();
      const all = [...this.initContainers, ...this.containers];
      await Promise.all(all.map((c) => c.stop(graceMs)));
      await rm(this.dir, { recursive: true, force: true }).catch(() => {});
      this.phase = 'Terminated';
      this.readySince = undefined;
      this.env.onChange();
    })();
    return this.stopped;
  }
}
