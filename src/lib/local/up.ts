// `local up`, `local status` and `local down`: a real garden that is also a
// seed on this machine, kept running by a supervisor in the background.
import { spawn } from 'node:child_process';
import { openSync, existsSync } from 'node:fs';
import { mkdir, readFile, rm } from 'node:fs/promises';
import http from 'node:http';
import { join } from 'node:path';
import { ensureAssets } from './assets.ts';
import { adminAgent, probe, stopProcess, type ClusterPki } from './cluster.ts';
import { isAlive, paths, readState, type LocalState } from './state.ts';
import { KubegardenError } from '../ui/errors.ts';
import type { Step } from '../ui/tasks.ts';

export const LOCAL_PROJECT = 'local';
export const LOCAL_SEED = 'local';

export interface UpContext {
  dir: string;
  /** The CLI script that started us, to start the supervisor with. */
  entry: string;
  started?: boolean;
  state?: LocalState;
  changed?: string[];
}

async function readyState(dir: string): Promise<LocalState | undefined> {
  const state = await readState(dir);
  if (!state || state.phase !== 'Ready' || !isAlive(state.supervisorPid) || !state.server) return undefined;
  const pki = await readPki(dir);
  const ok = pki ? (await probe(`${state.server}/readyz`, adminAgent(pki))) === 200 : false;
  return ok ? state : undefined;
}

async function readPki(dir: string): Promise<ClusterPki | undefined> {
  try {
    return JSON.parse(await readFile(join(paths(dir).garden, 'pki.json'), 'utf8')) as ClusterPki;
  } catch {
    return undefined;
  }
}

async function tail(file: string, n = 15): Promise<string> {
  try {
    return (await readFile(file, 'utf8')).trimEnd().split('\n').slice(-n).join('\n');
  } catch {
    return '';
  }
}

async function startSupervisor(ctx: UpContext, timeoutMs: number): Promise<LocalState> {
  const p = paths(ctx.dir);
  const out = openSync(p.supervisorLog, 'a');
  const child = spawn(process.execPath, [ctx.entry, 'local', 'supervise', '--dir', ctx.dir], { detached: true, stdio: ['ignore', out, out] });
  child.unref();
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const state = await readState(ctx.dir);
    if (state && state.supervisorPid === child.pid) {
      if (state.phase === 'Ready') return state;
      if (state.phase === 'Failed') {
        throw new KubegardenError('unexpected', `The local garden failed to start: ${state.message ?? 'see the log'}; the log ${p.supervisorLog} ends:\n${await tail(p.supervisorLog)}`);
      }
    }
    if (!isAlive(child.pid)) {
      throw new KubegardenError('unexpected', `The local garden's supervisor exited during start; the log ${p.supervisorLog} ends:\n${await tail(p.supervisorLog)}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new KubegardenError('timeout', `The local garden did not become ready within ${timeoutMs / 1000}s: see ${p.supervisorLog}.`);
}

export function upSteps(): Array<Step<UpContext>> {
  return [
    {
      title: 'Find or build the Kubernetes and etcd binaries',
      run: async (_ctx, report) => {
        const assets = await ensureAssets(undefined, (line) => report(line));
        return `Kubernetes binaries in ${join(assets['kube-apiserver'], '..')}`;
      },
    },
    {
      title: 'Start etcd, kube-apiserver and kube-controller-manager',
      run: async (ctx) => {
        await mkdir(ctx.dir, { recursive: true, mode: 0o700 });
        const running = await readyState(ctx.dir);
        if (running) {
          ctx.state = running;
          return `Local garden already running at ${running.server} (supervisor pid ${running.supervisorPid})`;
        }
        const previous = await readState(ctx.dir);
        if (previous && isAlive(previous.supervisorPid)) await stopProcess({ pid: previous.supervisorPid }, 20_000);
        ctx.state = await startSupervisor(ctx, 180_000);
        ctx.started = true;
        return `Local garden started at ${ctx.state.server} (supervisor pid ${ctx.state.supervisorPid})`;
      },
    },
    {
      title: 'Install the kubegarden API, project "local" and seed "local"',
      run: async (ctx) => {
        const { KubeClient } = await import('../kube/client.ts');
        const { initGarden } = await import('../garden/init.ts');
        const { createProject } = await import('../garden/projects.ts');
        const { registerSeed } = await import('../garden/seeds.ts');
        const kubeconfig = paths(ctx.dir).kubeconfig;
        const garden = await KubeClient.connect({ kubeconfig }, 'the local garden');
        try {
          const init = await initGarden(garden);
          const project = await createProject(garden, LOCAL_PROJECT, { description: 'Shoots on this machine' });
          const seed = await registerSeed(garden, {
            name: LOCAL_SEED,
            seedKubeconfig: { kubeconfig },
            provider: 'local',
            region: 'local',
            zones: ['local'],
            // The seed's own service range is the test bed's 10.0.0.0/24: keep the defaults clear of it.
            networks: { nodes: '172.18.0.0/16', pods: '10.1.0.0/16', services: '10.0.0.0/24' },
          });
          ctx.changed = [
            ...init.changes.filter((c) => c.change !== 'unchanged').map((c) => `${c.kind} ${c.name} ${c.change}`),
            ...(project.change !== 'unchanged' ? [`project local ${project.change}`] : []),
            ...(seed.change !== 'unchanged' ? [`seed local ${seed.change}`] : []),
          ];
          return ctx.changed.length ? `Garden API, project "local" and seed "local": ${ctx.changed.length} changes` : 'Garden API, project "local" and seed "local" are up to date';
        } finally {
          garden.close();
        }
      },
    },
  ];
}

export interface ProcessStatus {
  name: string;
  pid: number;
  alive: boolean;
  healthy: boolean | undefined;
  restarts: number;
  owner: string | undefined;
  logFile: string;
}

export interface LocalStatus {
  dir: string;
  running: boolean;
  phase: string;
  server: string | undefined;
  kubeconfig: string | undefined;
  supervisorPid: number | undefined;
  processes: ProcessStatus[];
}

export async function localStatus(dir: string): Promise<LocalStatus> {
  const state = await readState(dir);
  const supervisorAlive = isAlive(state?.supervisorPid);
  const pki = await readPki(dir);
  const processes: ProcessStatus[] = [];
  for (const proc of supervisorAlive ? (state?.processes ?? []) : []) {
    const alive = isAlive(proc.pid);
    let healthy: boolean | undefined;
    if (alive && proc.healthUrl) {
      const agent = proc.healthUrl.startsWith('https:') && pki ? adminAgent(pki) : new http.Agent();
      healthy = (await probe(proc.healthUrl, agent)) === 200;
    } else healthy = alive ? undefined : false;
    processes.push({ name: proc.name, pid: proc.pid, alive, healthy, restarts: proc.restarts, owner: proc.owner, logFile: proc.logFile });
  }
  return {
    dir,
    running: supervisorAlive && state?.phase === 'Ready',
    phase: supervisorAlive ? (state?.phase ?? 'Unknown') : state ? 'Stopped' : 'NotCreated',
    server: state?.server,
    kubeconfig: state && existsSync(state.kubeconfig) ? state.kubeconfig : undefined,
    supervisorPid: supervisorAlive ? state?.supervisorPid : undefined,
    processes,
  };
}

export interface DownResult {
  dir: string;
  stopped: string[];
  purged: boolean;
}

export async function localDown(dir: string, options: { purge?: boolean } = {}): Promise<DownResult> {
  const state = await readState(dir);
  const stopped: string[] = [];
  if (state && isAlive(state.supervisorPid)) {
    // The supervisor stops what it started; anything still alive afterwards is killed.
    await stopProcess({ pid: state.supervisorPid }, 30_000);
    stopped.push(`supervisor (pid ${state.supervisorPid})`);
  }
  const leftovers = [...(state?.processes ?? []).map((p) => ({ name: p.name, pid: p.pid })), ...(await runtimePids(dir))];
  for (const proc of leftovers) {
    if (isAlive(proc.pid)) {
      await stopProcess({ pid: proc.pid }, 5000);
      stopped.push(`${proc.name} (pid ${proc.pid})`);
    }
  }
  if (options.purge) await rm(dir, { recursive: true, force: true });
  return { dir, stopped, purged: Boolean(options.purge) };
}

async function runtimePids(dir: string): Promise<Array<{ name: string; pid: number }>> {
  try {
    const raw = JSON.parse(await readFile(join(paths(dir).runtime, 'runtime-pids.json'), 'utf8')) as unknown;
    const list = Array.isArray(raw) ? raw : Object.values(raw as Record<string, unknown>);
    return list
      .map((e) => (typeof e === 'number' ? { name: 'process', pid: e } : { name: String((e as { name?: string }).name ?? 'process'), pid: Number((e as { pid?: number }).pid) }))
      .filter((e) => Number.isInteger(e.pid) && e.pid > 0);
  } catch {
    return [];
  }
}
