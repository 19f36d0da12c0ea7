// --no-wait: the operation runs in a detached kubegarden process (its output
// in a log file), and the command returns once that process holds the
// shoot's lock, i.e. once the operation is recorded. `shoot get` follows it.
import { spawn } from 'node:child_process';
import { mkdir, open, readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { KubeClient, KubeObject } from '../kube/client.ts';
import { KubegardenError } from '../ui/errors.ts';

export function operationLogDir(): string {
  return join(process.env['XDG_STATE_HOME'] ?? join(homedir(), '.local', 'state'), 'kubegarden', 'operations');
}

export interface BackgroundOperation {
  pid: number;
  logFile: string;
}

/** Starts `argv` (a kubegarden command line) detached and waits until it holds the shoot's lock. */
export async function startInBackground(garden: KubeClient, project: string, shoot: string, argv: string[], timeoutMs = 60_000): Promise<BackgroundOperation> {
  const { readShootLock } = await import('../flows/lock.ts');
  await mkdir(operationLogDir(), { recursive: true, mode: 0o700 });
  const logFile = join(operationLogDir(), `${project}--${shoot}.log`);
  const out = await open(logFile, 'a', 0o600);
  const child = spawn(process.execPath, [process.argv[1] ?? '', ...argv], {
    detached: true,
    stdio: ['ignore', out.fd, out.fd],
    env: { ...process.env, CI: 'true', NO_COLOR: '1' },
  });
  child.unref();
  await out.close();
  let exited: number | null | undefined;
  child.once('exit', (code) => (exited = code));
  const startedAt = Date.now();
  const deadline = startedAt + timeoutMs;
  while (Date.now() < deadline) {
    const holder = await readShootLock(garden, project, shoot);
    if (holder && holder.identity.includes(` pid ${child.pid} `)) {
      // Recorded means visible in the Shoot's status, not just locked.
      const current = await garden.get<KubeObject & { status?: { lastOperation?: { state?: string; lastUpdateTime?: string } } }>({
        apiVersion: 'kubegarden.io/v1alpha1',
        kind: 'Shoot',
        name: shoot,
        namespace: `garden-${project}`,
      });
      const op = current?.status?.lastOperation;
      if (op?.lastUpdateTime && Date.parse(op.lastUpdateTime) >= startedAt - 1000) return { pid: child.pid!, logFile };
    }
    if (exited !== undefined) {
      const tail = (await readFile(logFile, 'utf8').catch(() => '')).trimEnd().split('\n').filter((l) => l.startsWith('Error:')).pop();
      throw new KubegardenError(exited === 0 ? 'unexpected' : 'conflict', `The background operation on shoot "${project}/${shoot}" ended before it started (exit ${exited}): ${tail?.replace(/^Error: /, '') ?? `see ${logFile}`}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new KubegardenError('timeout', `The background operation on shoot "${project}/${shoot}" did not take the shoot's lock within ${timeoutMs / 1000}s: see ${logFile}.`);
}
