// `kubegarden local up/status/down` as a newcomer runs them: a real garden
// that is also a seed, in the background, surviving the command that started it.
import assert from 'node:assert/strict';
import { readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { kubegarden, kubegardenOk } from '../helpers/cli.ts';

interface State {
  supervisorPid: number;
  processes: Array<{ name: string; pid: number }>;
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('local up / status / down (real processes)', function () {
  this.timeout(300_000);
  const dir = join(tmpdir(), `kubegarden-local-e2e-${process.pid}`);
  const env = { KUBEGARDEN_LOCAL_DIR: dir };
  const kubectl = (args: string[]) => execa('kubectl', ['--kubeconfig', join(dir, 'kubeconfig'), ...args]);
  const state = async () => JSON.parse(await readFile(join(dir, 'state.json'), 'utf8')) as State;

  after(async () => {
    await kubegarden(['local', 'down', '--purge'], { env });
    await rm(dir, { recursive: true, force: true });
  });

  it('starts a garden that kubectl can use, with the API, the project and the seed', async () => {
    const up = await kubegardenOk(['local', 'up'], { env });
    assert.equal(up.stdout, `${join(dir, 'kubeconfig')}\n`);
    assert.match(up.stderr, /Local garden started at https:\/\/127\.0\.0\.1:\d+/);
    assert.match(up.stderr, /export KUBECONFIG=/);
    const seeds = await kubectl(['get', 'seeds,crds', '-o', 'name']);
    assert.deepEqual(seeds.stdout.split('\n').sort(), [
      'customresourcedefinition.apiextensions.k8s.io/seeds.kubegarden.io',
      'customresourcedefinition.apiextensions.k8s.io/shoots.kubegarden.io',
      'seed.kubegarden.io/local',
    ]);
    const ready = await kubectl(['get', 'seed', 'local', '-o', 'jsonpath={.status.conditions[0].status}']);
    assert.equal(ready.stdout, 'True');
    const status = JSON.parse((await kubegardenOk(['local', 'status', '-o', 'json'], { env })).stdout) as { running: boolean; processes: Array<{ name: string; alive: boolean; healthy?: boolean }> };
    assert.equal(status.running, true);
    const byName = Object.fromEntries(status.processes.map((p) => [p.name, p]));
    assert.equal(byName['etcd']?.healthy, true);
    assert.equal(byName['kube-apiserver']?.healthy, true);
    assert.equal(byName['kube-controller-manager']?.alive, true);
  });

  it('changes nothing when run again: same processes, no object changed', async () => {
    const before = await state();
    const again = await kubegardenOk(['local', 'up'], { env });
    assert.match(again.stderr, /already running/);
    assert.match(again.stderr, /are up to date/);
    assert.match(again.stderr, /already up: nothing changed/);
    const after = await state();
    assert.equal(after.supervisorPid, before.supervisorPid);
    assert.deepEqual(after.processes.map((p) => p.pid), before.processes.map((p) => p.pid));
  });

  it('stops every process on down, and brings the same garden back with its data on up', async () => {
    await kubectl(['create', 'configmap', 'keep-me', '-n', 'garden-local', '--from-literal=answer=42']);
    const before = await state();
    const pids = [before.supervisorPid, ...before.processes.map((p) => p.pid)];
    assert.ok(pids.every(alive));
    const down = await kubegardenOk(['local', 'down'], { env });
    assert.match(down.stderr, /Local garden stopped/);
    assert.deepEqual(pids.filter(alive), []);
    const status = JSON.parse((await kubegardenOk(['local', 'status', '-o', 'json'], { env })).stdout) as { running: boolean; phase: string };
    assert.equal(status.running, false);

    await kubegardenOk(['local', 'up'], { env });
    const value = await kubectl(['get', 'configmap', 'keep-me', '-n', 'garden-local', '-o', 'jsonpath={.data.answer}']);
    assert.equal(value.stdout, '42');
  });
});
