// One container as a supervised local process: started with its argument
// array (no shell), its output appended to a log file, restarted with
// exponential back-off when it exits, probed for readiness, liveness and
// startup, and stopped with SIGTERM and then SIGKILL after a grace period.
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, openSync, renameSync, statSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { stopProcess } from '../cluster.ts';
import { ProbeLoop } from './probes.ts';
import type { ContainerPlan } from './spec.ts';

export interface BackoffPolicy {
  initialMs: number;
  maxMs: number;
  /** A process that ran this long before exiting starts over at initialMs. */
  resetAfterMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { initialMs: 1000, maxMs: 30_000, resetAfterMs: 60_000 };

/** A log file keeps growing across restarts until it reaches this size; then it becomes <log>.1 (replacing the previous one). */
export const MAX_LOG_BYTES = 20 * 1024 * 1024;

function rotate(logFile: string): void {
  try {
    if (statSync(logFile).size > MAX_LOG_BYTES) renameSync(logFile, `${logFile}.1`);
  } catch {
    /* no log yet */
  }
}

export type ContainerState = 'waiting' | 'running' | 'backoff' | 'completed' | 'terminated';

export interface ContainerInfo {
  name: string;
  binary: string;
  state: ContainerState;
  pid: number | undefined;
  ready: boolean;
  restarts: number;
  logFile: string;
  lastExit: { code: number | null; signal: string | null; at: string; reason?: string } | undefined;
  /** When in back-off: when the next start is due. */
  nextStart: string | undefined;
  message: string | undefined;
  notes: string[];
}

export interface ContainerOptions {
  plan: ContainerPlan;
  logFile: string;
  /** Pod name, for HOSTNAME and log lines. */
  pod: string;
  namespace: string;
  /** init: runs to completion (exit 0) and is not restarted afterwards. */
  mode: 'service' | 'init';
  graceMs: number;
  backoff: BackoffPolicy;
  log: (line: string) => void;
  /** Called whenever something a status shows changed. */
  onChange: () => void;
}

export class ContainerProcess {
  readonly plan: ContainerPlan;
  private readonly options: ContainerOptions;
  private child: ChildProcess | undefined;
  private state: ContainerState = 'waiting';
  private ready = false;
  private restarts = 0;
  private startedAt = 0;
  private delayMs: number;
  private restartTimer: NodeJS.Timeout | undefined;
  private nextStartAt: number | undefined;
  private lastExit: ContainerInfo['lastExit'];
  private message: string | undefined;
  private probes: ProbeLoop[] = [];
  private stopping = false;
  /** Why the runtime itself stopped the current process (a failed probe). */
  private killReason: string | undefined;
  private completion: { promise: Promise<void>; resolve: () => void };

  constructor(options: ContainerOptions) {
    this.options = options;
    this.plan = options.plan;
    this.delayMs = options.backoff.initialMs;
    let resolve!: () => void;
    const promise = new Promise<void>((r) => (resolve = r));
    this.completion = { promise, resolve };
  }

  get name(): string {
    return this.plan.name;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  isReady(): boolean {
    return this.state === 'running' && this.ready;
  }

  /** For init containers: resolves when it exited 0, or when it was stopped. */
  completed(): Promise<void> {
    return this.completion.promise;
  }

  info(): ContainerInfo {
    return {
      name: this.plan.name,
      binary: this.plan.binary,
      state: this.state,
      pid: this.state === 'running' ? this.child?.pid : undefined,
      ready: this.isReady(),
      restarts: this.restarts,
      logFile: this.options.logFile,
      lastExit: this.lastExit,
      nextStart: this.nextStartAt === undefined ? undefined : new Date(this.nextStartAt).toISOString(),
      message: this.message,
      notes: this.plan.notes,
    };
  }

  start(): void {
    if (this.stopping || this.child) return;
    const { plan, logFile } = this.options;
    const where = `${this.options.namespace}/${this.options.pod}/${plan.name}`;
    mkdirSync(dirname(logFile), { recursive: true, mode: 0o700 });
    rotate(logFile);
    const fd = openSync(logFile, 'a', 0o600);
    let child: ChildProcess;
    try {
      writeSync(fd, `--- ${new Date().toISOString()} kubegarden local runtime: starting ${plan.path} (restart ${this.restarts}) ---\n`);
      // Containers do not inherit the host's environment: only PATH, and what the spec says.
      child = spawn(plan.path, plan.args, {
        cwd: plan.workingDir,
        env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOSTNAME: this.options.pod, ...plan.env },
        stdio: ['ignore', fd, fd],
        // Its own process group: a Ctrl-C meant for the runtime's terminal does not reach it.
        detached: true,
      });
    } finally {
      closeSync(fd);
    }
    this.child = child;
    this.startedAt = Date.now();
    this.nextStartAt = undefined;
    this.message = undefined;
    let ended = false;
    const end = (code: number | null, signal: string | null, error?: Error) => {
      if (ended) return;
      ended = true;
      this.exited(child, code, signal, error);
    };
    child.once('spawn', () => {
      this.state = 'running';
      this.options.log(`started ${plan.binary} for ${where} (pid ${child.pid})`);
      this.startProbes(child);
      this.options.onChange();
    });
    child.once('error', (err) => end(null, null, err));
    child.once('exit', (code, signal) => end(code, signal));
  }

  private startProbes(child: ChildProcess): void {
    const { plan } = this.options;
    const live = () => this.child === child && !this.stopping;
    const startOthers = () => {
      if (!live()) return;
      if (plan.readinessProbe && !plan.readinessProbe.exec) {
        const readiness = new ProbeLoop(plan.readinessProbe, plan.ports, false, (passing, message) => {
          if (!live()) return;
          this.ready = passing;
          this.message = passing ? undefined : `readiness probe failed: ${message}`;
          this.options.onChange();
        });
        this.probes.push(readiness);
        readiness.start();
      } else {
        this.ready = true;
      }
      if (plan.livenessProbe && !plan.livenessProbe.exec) {
        const liveness = new ProbeLoop(plan.livenessProbe, plan.ports, true, (passing, message) => {
          if (!passing && live()) this.kill(`liveness probe failed: ${message}`);
        });
        this.probes.push(liveness);
        liveness.start();
      }
      this.options.onChange();
    };
    if (plan.startupProbe && !plan.startupProbe.exec) {
      const startup = new ProbeLoop(
        plan.startupProbe,
        plan.ports,
        false,
        (passing, message) => {
          if (!live()) return;
          if (passing) startOthers();
          else this.kill(`startup probe failed: ${message}`);
        },
        { startup: true },
      );
      this.probes.push(startup);
      startup.start();
    } else {
      startOthers();
    }
  }

  /** Stops a process that failed a probe; its exit restarts it like a crash. */
  private kill(reason: string): void {
    const child = this.child;
    if (!child?.pid) return;
    this.message = reason;
    this.killReason = reason;
    this.options.log(`${this.options.namespace}/${this.options.pod}/${this.plan.name}: ${reason}; restarting`);
    void stopProcess({ pid: child.pid, child }, this.options.graceMs);
  }

  private stopProbes(): void {
    for (const p of this.probes) p.stop();
    this.probes = [];
  }

  private exited(child: ChildProcess, code: number | null, signal: string | null, error?: Error): void {
    if (this.child !== child) return;
    this.child = undefined;
    this.ready = false;
    this.stopProbes();
    const reason = this.killReason;
    this.killReason = undefined;
    this.lastExit = { code, signal, at: new Date().toISOString(), ...(reason ? { reason } : {}) };
    const where = `${this.options.namespace}/${this.options.pod}/${this.plan.name}`;
    if (this.stopping) {
      this.state = 'terminated';
      this.options.onChange();
      return;
    }
    if (this.options.mode === 'init' && code === 0) {
      this.state = 'completed';
      this.options.log(`init container ${where} completed`);
      this.completion.resolve();
      this.options.onChange();
      return;
    }
    const ranMs = Date.now() - this.startedAt;
    if (ranMs >= this.options.backoff.resetAfterMs) this.delayMs = this.options.backoff.initialMs;
    const delay = this.delayMs;
    this.delayMs = Math.min(this.delayMs * 2, this.options.backoff.maxMs);
    const how = error
      ? `could not start: ${error.message}`
      : reason
        ? `was stopped (${reason})`
        : signal
          ? `was killed by ${signal}`
          : `exited with code ${code}`;
    this.message = `${how}; restarting in ${Math.round(delay / 1000)}s (log: ${this.options.logFile})`;
    this.options.log(`${this.plan.binary} for ${where} ${this.message}`);
    this.state = 'backoff';
    this.nextStartAt = Date.now() + delay;
    this.restartTimer = setTimeout(() => {
      this.restartTimer = undefined;
      if (this.stopping) return;
      this.restarts++;
      this.start();
    }, delay);
    this.options.onChange();
  }

  /** SIGTERM, then SIGKILL after the grace period; never restarts afterwards. */
  async stop(graceMs = this.options.graceMs): Promise<void> {
    this.stopping = true;
    this.stopProbes();
    if (this.restartTimer) clearTimeout(this.restartTimer);
    this.restartTimer = undefined;
    this.nextStartAt = undefined;
    const child = this.child;
    if (child?.pid !== undefined && child.exitCode === null && child.signalCode === null) {
      await stopProcess({ pid: child.pid, child }, graceMs);
    }
    this.child = undefined;
    this.ready = false;
    this.state = 'terminated';
    this.completion.resolve();
  }
}
