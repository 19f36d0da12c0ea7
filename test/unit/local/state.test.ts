import { strict as assert } from 'node:assert';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readState, writeState, type LocalState } from '../../../src/lib/local/state.ts';

describe('the local garden state file', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kubegarden-state-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('takes overlapping writes from one process (the supervisor timer and a restart), and keeps the last whole', async () => {
    const states = Array.from({ length: 20 }, (_, i): LocalState => ({
      supervisorPid: process.pid,
      phase: 'Ready',
      kubeconfig: join(dir, 'kubeconfig'),
      version: '1.37.2',
      processes: [{ name: 'kube-apiserver', pid: 1000 + i, logFile: '', restarts: i }],
      updated: new Date().toISOString(),
    }));
    await Promise.all(states.map((s) => writeState(dir, s)));
    const read = await readState(dir);
    assert.equal(read?.phase, 'Ready');
    assert.ok(states.some((s) => JSON.stringify(s) === JSON.stringify(read)));
    assert.deepEqual((await readdir(dir)).filter((n) => n.endsWith('.tmp')), []);
  });
});
