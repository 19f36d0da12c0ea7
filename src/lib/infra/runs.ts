// Run records: how kubegarden tells a state lock left behind by a killed
// Terraform from one held by a Terraform that is still working.
//
// The kubernetes backend locks with a Lease that has no duration: it never
// expires. Terraform's lock info names only user@host, an ID and a time, not
// a process. So while a terraform process runs, kubegarden keeps a small file
// in the shoot's working directory with the process ID, when it started, and
// a heartbeat. A lock whose holder is user@this-host, created while a
// recorded process ran, and whose process no longer exists, is stale.
import { randomUUID } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { hostname, userInfo } from 'node:os';
import { basename, join } from 'node:path';
import type { LockInfo } from './diagnostics.ts';

export interface RunRecord {
  pid: number;
  /** The binary's path, to tell the process from an unrelated one that got its PID. */
  binary: string;
  command: string;
  /** user@host, as Terraform writes it into the lock's Who. */
  who: string;
  startedAt: string;
  heartbeatAt: string;
  /** Set when the process died of a signal, or exited without releasing its lock, while kubegarden watched it. */
  exitedAt?: string;
}

const RUNS_DIR = '.kubegarden-runs';
const HEARTBEAT_MS = 5_000;
/** Clock slack between the lock's Created and our own timestamps. */
const SLACK_MS = 15_000;
const PRUNE_AFTER_MS = 30 * 24 * 3600 * 1000;

export function terraformWho(): string {
  let user = 'unknown';
  try {
    user = userInfo().username;
  } catch {
    // no passwd entry: Terraform then fails to name the user too
  }
  return `${user}@${hostname()}`;
}

export interface RunHandle {
  /**
   * Record how the process ended: a normal exit removes the record. With
   * `lockLeft` (Terraform said it could not release its lock, e.g. the
   * seed's API server went away mid-run) the record stays, as for a kill.
   */
  finish(exit: { exitCode: number | undefined; signal: string | undefined; lockLeft?: boolean }): Promise<void>;
}

export async function startRun(workDir: string, pid: number, binary: string, command: string): Promise<RunHandle> {
  const dir = join(workDir, RUNS_DIR);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const file = join(dir, `${pid}.json`);
  const now = new Date().toISOString();
  const record: RunRecord = { pid, binary, command, who: terraformWho(), startedAt: now, heartbeatAt: now };
  await writeAtomic(file, record);
  let writing: Promise<void> = Promise.resolve();
  const timer = setInterval(() => {
    record.heartbeatAt = new Date().toISOString();
    writing = writing.then(() => writeAtomic(file, record)).catch(() => undefined);
  }, HEARTBEAT_MS);
  timer.unref();
  return {
    async finish(exit) {
      clearInterval(timer);
      await writing;
      if (exit.exitCode !== undefined && !exit.lockLeft) {
        await rm(file, { force: true });
        return;
      }
      // Killed, or its unlock failed: whatever lock it held is still there; keep the evidence.
      record.exitedAt = new Date().toISOString();
      await writeAtomic(file, record);
    },
  };
}

export async function readRuns(workDir: string): Promise<RunRecord[]> {
  const dir = join(workDir, RUNS_DIR);
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return [];
  }
  const records: RunRecord[] = [];
  for (const name of names.filter((n) => /^\d+\.json$/.test(n))) {
    try {
      const record = JSON.parse(await readFile(join(dir, name), 'utf8')) as RunRecord;
      if (Date.now() - Date.parse(record.heartbeatAt) > PRUNE_AFTER_MS) {
        await rm(join(dir, name), { force: true });
        continue;
      }
      records.push(record);
    } catch {
      // a record being written or damaged: not evidence of anything
    }
  }
  return records;
}

export async function forgetRun(workDir: string, pid: number): Promise<void> {
  await rm(join(workDir, RUNS_DIR, `${pid}.json`), { force: true });
}

/**
 * The recorded run that took this lock, if its process is gone; undefined
 * when the lock is not provably stale (another host or user, no matching
 * record, or the process still runs).
 */
export async function staleLockHolder(workDir: string, lock: LockInfo, isAlive: (record: RunRecord) => Promise<boolean> = processAlive): Promise<RunRecord | undefined> {
  if (!lock.created || lock.who !== terraformWho()) return undefined;
  const created = lock.created.getTime();
  const candidates = (await readRuns(workDir)).filter((record) => {
    const start = Date.parse(record.startedAt) - SLACK_MS;
    const end = Date.parse(record.exitedAt ?? record.heartbeatAt) + SLACK_MS;
    return record.who === lock.who && start <= created && created <= end;
  });
  // The latest run that started before the lock was taken is its taker.
  candidates.sort((a, b) => Date.parse(b.startedAt) - Date.parse(a.startedAt));
  const holder = candidates[0];
  if (!holder) return undefined;
  return (await isAlive(holder)) ? undefined : holder;
}

/** Whether the recorded process still exists (and is still that binary, where /proc says). */
export async function processAlive(record: RunRecord): Promise<boolean> {
  try {
    process.kill(record.pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
  if (process.platform !== 'linux') return true;
  try {
    const stat = await readFile(`/proc/${record.pid}/stat`, 'utf8');
    // Field 3, after the parenthesised command name: Z is a zombie, X dead.
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    if (state === 'Z' || state === 'X') return false;
    const cmdline = await readFile(`/proc/${record.pid}/cmdline`, 'utf8');
    const argv0 = cmdline.split('\0')[0] ?? '';
    return basename(argv0) === basename(record.binary);
  } catch {
    return false;
  }
}

async function writeAtomic(file: string, record: RunRecord): Promise<void> {
  const tmp = `${file}.${randomUUID()}.tmp`;
  await writeFile(tmp, `${JSON.stringify(record)}\n`, { mode: 0o600 });
  await rename(tmp, file);
}
