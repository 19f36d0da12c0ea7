// The test bed: real etcd + kube-apiserver processes, one pair per simulated
// cluster, so a test can have a garden and a separate seed. Processes are
// stopped when the run ends, even when tests fail; a run that was killed
// leaves a pid file that the next run uses to clean up after it.
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureAssets } from '../../src/lib/local/assets.ts';
import { startLocalCluster, stopProcess, type LocalCluster } from '../../src/lib/local/cluster.ts';

const ROOT = join(tmpdir(), 'kubegarden-test');
const RUN_DIR = join(ROOT, `run-${process.pid}`);
const live = new Set<LocalCluster>();

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Kills what runs of killed test processes left behind. */
function reapOrphans(): void {
  if (!existsSync(ROOT)) return;
  for (const entry of readdirSync(ROOT)) {
    const m = /^run-(\d+)$/.exec(entry);
    if (!m || Number(m[1]) === process.pid || alive(Number(m[1]))) continue;
    const pidFile = join(ROOT, entry, 'pids');
    if (existsSync(pidFile)) {
      for (const pid of readFileSync(pidFile, 'utf8').split('\n').filter(Boolean).map(Number)) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          /* gone */
        }
      }
    }
    rmSync(join(ROOT, entry), { recursive: true, force: true });
  }
}

let reaped = false;
let counter = 0;

export interface TestClusterOptions {
  controllerManager?: boolean;
}

export async function startTestCluster(name: string, options: TestClusterOptions = {}): Promise<LocalCluster> {
  if (!reaped) {
    reapOrphans();
    reaped = true;
  }
  const assets = await ensureAssets(undefined, (line) => process.stderr.write(`  [assets] ${line}\n`));
  const dir = join(RUN_DIR, `${name}-${++counter}`);
  await mkdir(dir, { recursive: true });
  const cluster = await startLocalCluster({ dir, name, assets, controllerManager: options.controllerManager ?? false });
  live.add(cluster);
  await writeFile(join(RUN_DIR, 'pids'), [...live].flatMap((c) => c.processes.map((p) => p.pid)).join('\n') + '\n');
  const stop = cluster.stop;
  cluster.stop = async () => {
    live.delete(cluster);
    await stop();
  };
  return cluster;
}

export async function stopAllTestClusters(): Promise<void> {
  for (const c of [...live]) await c.stop();
  rmSync(RUN_DIR, { recursive: true, force: true });
}

// Last resort on abrupt exits of the mocha process itself.
process.once('exit', () => {
  for (const c of live) for (const p of c.processes) void stopProcess(p, 0);
});
