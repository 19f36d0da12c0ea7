import { strict as assert } from 'node:assert';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LockInfo } from '../../../src/lib/infra/diagnostics.ts';
import { processAlive, readRuns, staleLockHolder, startRun, terraformWho } from '../../../src/lib/infra/runs.ts';

function lockAt(created: Date, who = terraformWho()): LockInfo {
  return { id: 'abc', operation: 'OperationTypeApply', who, version: '1.11.4', created, createdText: '' };
}

describe('telling a stale state lock from a held one', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kubegarden-runs-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('forgets a run that ended normally', async () => {
    const run = await startRun(dir, 4242, '/usr/bin/terraform', 'apply');
    assert.equal((await readRuns(dir)).length, 1);
    await run.finish({ exitCode: 0, signal: undefined });
    assert.deepEqual(await readRuns(dir), []);
  });

  it('finds the killed run that took the lock', async () => {
    const run = await startRun(dir, 4242, '/usr/bin/terraform', 'apply');
    await run.finish({ exitCode: undefined, signal: 'SIGKILL' });
    const holder = await staleLockHolder(dir, lockAt(new Date()), async () => false);
    assert.equal(holder?.pid, 4242);
    assert.ok(holder?.exitedAt);
  });

  it('keeps the run that exited without releasing its lock (its state backend went away), and finds it as the holder', async () => {
    const run = await startRun(dir, 4243, '/usr/bin/terraform', 'apply');
    await run.finish({ exitCode: 1, signal: undefined, lockLeft: true });
    const holder = await staleLockHolder(dir, lockAt(new Date()), async () => false);
    assert.equal(holder?.pid, 4243);
    assert.ok(holder?.exitedAt);
    const other = await startRun(dir, 4244, '/usr/bin/terraform', 'apply');
    await other.finish({ exitCode: 1, signal: undefined, lockLeft: false });
    assert.deepEqual((await readRuns(dir)).map((r) => r.pid), [4243]);
  });

  it('leaves a lock alone while its process runs', async () => {
    await startRun(dir, 4242, '/usr/bin/terraform', 'apply');
    assert.equal(await staleLockHolder(dir, lockAt(new Date()), async () => true), undefined);
  });

  it('leaves a lock alone that someone else took (another host or user, or no run of ours at that time)', async () => {
    const run = await startRun(dir, 4242, '/usr/bin/terraform', 'apply');
    await run.finish({ exitCode: undefined, signal: 'SIGKILL' });
    assert.equal(await staleLockHolder(dir, lockAt(new Date(), 'alice@elsewhere'), async () => false), undefined);
    assert.equal(await staleLockHolder(dir, lockAt(new Date(Date.now() + 3600_000)), async () => false), undefined);
    assert.equal(await staleLockHolder(dir, lockAt(new Date(Date.now() - 3600_000)), async () => false), undefined);
  });

  it('knows a live process from a dead one', async () => {
    assert.equal(await processAlive({ pid: process.pid, binary: process.execPath, command: 'x', who: '', startedAt: '', heartbeatAt: '' }), true);
    assert.equal(await processAlive({ pid: 2 ** 22 + 17, binary: '/usr/bin/terraform', command: 'x', who: '', startedAt: '', heartbeatAt: '' }), false);
    // A PID now used by another program is not the terraform that took the lock.
    if (process.platform === 'linux') {
      assert.equal(await processAlive({ pid: process.pid, binary: '/usr/bin/terraform', command: 'x', who: '', startedAt: '', heartbeatAt: '' }), false);
    }
    assert.deepEqual(await readdir(dir), []);
  });
});
