// The supervisor of a local garden: a background process (started by
// `local up`, detached from the terminal) that runs etcd, kube-apiserver and
// kube-controller-manager, restarts them with back-off when they crash, runs
// the runtime that turns shoot control planes into processes, and records all
// of it in the state file. SIGTERM stops everything it started.
import { copyFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DEFAULT_KUBERNETES_VERSION } from '../api/versions.ts';
import { findAssets } from './assets.ts';
import { setUserAgent } from '../kube/user-agent.ts';
import { startLocalCluster, startProcess, stopProcess, type LocalCluster, type ManagedProcess } from './cluster.ts';
import { paths, readState, writeState, type LocalState, type ProcessState } from './state.ts';
import type { SimulatedMachine } from '../machines/simulator.ts';

interface RuntimeHandle {
  stop(): Promise<void>;
  processes?: () => Array<{ pid: number; logFile?: string; name?: string; namespace?: string; pod?: string; container?: string; restarts?: number }>;
}

export async function runSupervisor(dir: string): Promise<void> {
  const p = paths(dir);
  const log = (line: string) => process.stderr.write(`${new Date().toISOString()} ${line}\n`);
  const previous = await readState(dir);
  const restarts = new Map<string, number>();
  let cluster: LocalCluster | undefined;
  let runtime: RuntimeHandle | undefined;
  let machines: { stop(): Promise<void> } | undefined;
  let stopping = false;

  const state = (phase: LocalState['phase'], message?: string): LocalState => ({
    supervisorPid: process.pid,
    phase,
    message,
    ports: cluster?.ports ?? previous?.ports,
    server: cluster?.server,
    kubeconfig: p.kubeconfig,
    version: DEFAULT_KUBERNETES_VERSION,
    processes: [
      ...(cluster?.processes ?? []).map(
        (m): ProcessState => ({ name: m.name, pid: m.pid, logFile: m.logFile, restarts: restarts.get(m.name) ?? 0, healthUrl: m.healthUrl }),
      ),
      ...(runtime?.processes?.() ?? []).map(
        (r): ProcessState => ({
          name: r.container ?? r.name ?? 'process',
          pid: r.pid,
          logFile: r.logFile ?? '',
          restarts: r.restarts ?? 0,
          owner: r.namespace ? `${r.namespace}/${r.pod ?? ''}` : undefined,
        }),
      ),
    ],
    updated: new Date().toISOString(),
  });

  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log(`received ${signal}: stopping`);
    await writeState(dir, state('Stopping')).catch(() => {});
    await machines?.stop().catch((err: unknown) => log(`machines stop failed: ${String(err)}`));
    await runtime?.stop().catch((err: unknown) => log(`runtime stop failed: ${String(err)}`));
    if (cluster) for (const proc of [...cluster.processes].reverse()) await stopProcess(proc);
    await writeState(dir, { ...state('Stopping', 'stopped'), processes: [] }).catch(() => {});
    log('stopped');
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGHUP', () => {}); // the terminal closing is not a reason to stop
  // The supervisor is what restarts everything else: a stray rejection is
  // logged, never a reason to stop supervising.
  process.on('unhandledRejection', (reason) => log(`unhandled rejection (kept running): ${reason instanceof Error ? (reason.stack ?? reason.message) : String(reason)}`));

  try {
    const assets = await findAssets();
    if (!assets) throw new Error('the Kubernetes binaries are missing (local up builds them before starting the supervisor)');
    await writeState(dir, state('Starting'));
    setUserAgent('kubegarden-local-supervisor');
    const auditLog = process.env['KUBEGARDEN_LOCAL_AUDIT_LOG'] || undefined;
    cluster = await startLocalCluster({ dir: p.garden, name: 'local', assets, controllerManager: true, ports: previous?.ports, auditLog });
    await copyFile(cluster.kubeconfigPath, p.kubeconfig);
    for (const proc of cluster.processes) watch(proc);
    runtime = await startRuntime(cluster, dir, log);
    machines = await startMachineLoop(cluster, dir, log);
    await writeState(dir, state('Ready'));
    log(`ready at ${cluster.server}`);
  } catch (err) {
    log(`start failed: ${(err as Error).message}`);
    await writeState(dir, state('Failed', (err as Error).message));
    if (cluster) for (const proc of [...cluster.processes].reverse()) await stopProcess(proc);
    process.exit(1);
  }

  // Keep the state file current (runtime processes come and go).
  setInterval(() => {
    if (!stopping) void writeState(dir, state('Ready')).catch(() => {});
  }, 2000);

  function watch(proc: ManagedProcess): void {
    proc.child.once('exit', (code, signal) => {
      if (stopping || !cluster) return;
      const n = (restarts.get(proc.name) ?? 0) + 1;
      restarts.set(proc.name, n);
      const delay = Math.min(1000 * 2 ** Math.min(n - 1, 5), 30_000);
      log(`${proc.name} exited (code ${code}, signal ${signal}); restart ${n} in ${delay}ms`);
      setTimeout(() => {
        if (stopping || !cluster) return;
        const next = startProcess(proc.name, proc.bin, proc.args, p.garden, false, proc.healthUrl);
        const i = cluster.processes.indexOf(proc);
        if (i >= 0) cluster.processes[i] = next;
        watch(next);
        void writeState(dir, state('Ready')).catch((err: unknown) => log(`writing the state file failed: ${String(err)}`));
      }, delay);
    });
  }
}

async function startRuntime(cluster: LocalCluster, dir: string, log: (line: string) => void): Promise<RuntimeHandle | undefined> {
  const { KubeClient } = await import('../kube/client.ts');
  const client = await KubeClient.connect({ kubeconfig: cluster.kubeconfigPath }, 'the local seed');
  const runtime = await import('./runtime/index.ts');
  const handle = await runtime.startRuntime({ client, stateDir: paths(dir).runtime, log: (l: string) => log(`runtime: ${l}`) });
  return {
    processes: handle.processes,
    async stop() {
      await handle.stop();
      client.close();
    },
  };
}

/**
 * The local provider's "cloud": machines of shoot scaling groups are declared
 * as Secrets (label kubegarden.io/machine=simulated, holding the cloud-config)
 * in shoot namespaces; this loop boots a simulated machine for each and stops
 * those whose Secret is gone.
 */
async function startMachineLoop(cluster: LocalCluster, dir: string, log: (line: string) => void): Promise<{ stop(): Promise<void> }> {
  const { KubeClient } = await import('../kube/client.ts');
  const { reconcileMachines } = await import('../machines/simulator.ts');
  const client = await KubeClient.connect({ kubeconfig: cluster.kubeconfigPath }, 'the local seed');
  const running = new Map<string, SimulatedMachine>();
  let stopped = false;
  let busy = false;
  let lastError = '';
  const tick = async () => {
    if (stopped || busy) return;
    busy = true;
    try {
      const secrets = await client.list<{ apiVersion: string; kind: string; metadata: { name: string; namespace?: string; annotations?: Record<string, string> }; data?: Record<string, string> }>(
        'v1',
        'Secret',
        { labelSelector: 'kubegarden.io/machine=simulated' },
      );
      const desired = secrets
        .filter((s) => s.metadata.namespace?.startsWith('shoot--') && s.data?.['cloud-config'])
        .map((s) => ({ name: s.metadata.annotations?.['kubegarden.io/machine-name'] ?? s.metadata.name, cloudConfig: Buffer.from(s.data!['cloud-config']!, 'base64').toString('utf8') }));
      const result = await reconcileMachines(desired, { running, stateRoot: join(dir, 'machines'), log: (l) => log(`machines: ${l}`) });
      for (const f of result.failed) log(`machines: ${f.name} failed to start: ${f.error.message}`);
      if (result.started.length || result.removed.length || result.restarted.length) {
        log(`machines: started ${result.started.join(', ') || '-'}; restarted ${result.restarted.join(', ') || '-'}; removed ${result.removed.join(', ') || '-'}`);
      }
      lastError = '';
    } catch (err) {
      const message = (err as Error).message;
      if (message !== lastError) log(`machines: ${message}`);
      lastError = message;
    } finally {
      busy = false;
    }
  };
  const timer = setInterval(() => void tick(), 2000);
  void tick();
  return {
    async stop() {
      stopped = true;
      clearInterval(timer);
      await Promise.all([...running.values()].map((m) => m.stop().catch(() => {})));
      client.close();
    },
  };
}
