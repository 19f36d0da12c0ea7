// Where the local garden keeps its data, and the state file its supervisor
// writes: which processes run with which pids, and whether it is ready.
import { randomUUID } from 'node:crypto';
import { readFile, rename, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { ClusterPorts } from './cluster.ts';

export function defaultLocalDir(): string {
  return process.env['KUBEGARDEN_LOCAL_DIR'] ?? join(process.env['XDG_STATE_HOME'] ?? join(homedir(), '.local', 'state'), 'kubegarden', 'local');
}

export interface ProcessState {
  name: string;
  pid: number;
  logFile: string;
  restarts: number;
  healthUrl?: string | undefined;
  /** Set for processes the runtime runs for shoot control planes. */
  owner?: string | undefined;
}

export interface LocalState {
  supervisorPid: number;
  phase: 'Starting' | 'Ready' | 'Failed' | 'Stopping';
  message?: string | undefined;
  ports?: ClusterPorts | undefined;
  server?: string | undefined;
  kubeconfig: string;
  version: string;
  processes: ProcessState[];
  updated: string;
}

export const paths = (dir: string) => ({
  dir,
  state: join(dir, 'state.json'),
  supervisorLog: join(dir, 'supervisor.log'),
  garden: join(dir, 'garden'),
  runtime: join(dir, 'runtime'),
  kubeconfig: join(dir, 'kubeconfig'),
});

export async function readState(dir: string): Promise<LocalState | undefined> {
  try {
    return JSON.parse(await readFile(paths(dir).state, 'utf8')) as LocalState;
  } catch {
    return undefined;
  }
}

export async function writeState(dir: string, state: LocalState): Promise<void> {
  const file = paths(dir).state;
  // A name of its own per write: the supervisor writes from a timer and on
  // every restart, and two writes sharing a temporary file would make one
  // of them fail its rename.
  const tmp = `${file}.${randomUUID()}.tmp`;
  await writeFile(tmp, JSON.stringify(state, null, 2), { mode: 0o600 });
  await rename(tmp, file);
}

export function isAlive(pid: number | undefined): boolean {
  if (!pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
