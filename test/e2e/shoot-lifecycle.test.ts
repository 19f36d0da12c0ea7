// The rest of a shoot's life on the local provider, with real processes:
// hibernate, wake up (its objects still there), delete (nothing of it left),
// delete interrupted at each step, and delete without Terraform state.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa, type ResultPromise } from 'execa';
import { terraformWorkDir } from '../../src/lib/infra/terraform.ts';
import { KubeClient } from '../../src/lib/kube/client.ts';
import { kubegarden, kubegardenOk } from '../helpers/cli.ts';

const devBin = fileURLToPath(new URL('../../bin/dev.js', import.meta.url));

describe('shoot hibernate, wake-up and delete on the local provider (real processes)', function () {
  this.timeout(900_000);
  const dir = join(tmpdir(), `kubegarden-lifecycle-e2e-${process.pid}`);
  const kubeconfig = join(dir, 'kubeconfig');
  const env = { KUBEGARDEN_LOCAL_DIR: dir, KUBECONFIG: kubeconfig };
  const cliOk = (args: string[]) => kubegardenOk(args, { env });
  let seed: KubeClient;

  before(async () => {
    await cliOk(['local', 'up']);
    seed = await KubeClient.connect({ kubeconfig }, 'the local seed');
  });
  after(async () => {
    seed?.close();
    await kubegarden(['local', 'down', '--purge'], { env });
    await rm(dir, { recursive: true, force: true });
  });

  /** Pids of the shoot's control-plane processes, as the local garden reports them. */
  async function shootProcesses(namespace: string): Promise<number[]> {
    const status = JSON.parse((await cliOk(['local', 'status', '-o', 'json'])).stdout) as { processes: Array<{ owner?: string; pid: number; alive: boolean }> };
    return status.processes.filter((p) => p.owner?.startsWith(`${namespace}/`) && p.alive).map((p) => p.pid);
  }

  async function eventually(what: string, check: () => Promise<boolean>, timeoutMs = 90_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!(await check())) {
      assert.ok(Date.now() < deadline, `timed out waiting: ${what}`);
      await new Promise((r) => setTimeout(r, 1000));
    }
  }

  it('hibernates a shoot (no machine, no control-plane process) and wakes it with its objects', async () => {
    await cliOk(['shoot', 'create', 'life', '-p', 'local', '--provider', 'local', '--timeout', '5m']);
    const admin = join(dir, 'life.kubeconfig');
    await cliOk(['shoot', 'kubeconfig', 'life', '-p', 'local', '--output-file', admin]);
    await execa('kubectl', ['--kubeconfig', admin, 'create', 'configmap', 'survivor', '--from-literal=answer=42']);

    await cliOk(['shoot', 'hibernate', 'life', '-p', 'local', '--timeout', '5m']);
    const asleep = JSON.parse((await cliOk(['shoot', 'get', 'life', '-p', 'local', '-o', 'json'])).stdout) as { status: { hibernated: boolean; lastOperation: { type: string; state: string } } };
    assert.equal(asleep.status.hibernated, true);
    assert.deepEqual([asleep.status.lastOperation.type, asleep.status.lastOperation.state], ['Hibernate', 'Succeeded']);
    assert.deepEqual(await seed.list('v1', 'Secret', { namespace: 'shoot--local--life', labelSelector: 'kubegarden.io/machine=simulated' }), []);
    await eventually('no control-plane process of the hibernated shoot', async () => (await shootProcesses('shoot--local--life')).length === 0);

    await cliOk(['shoot', 'wake-up', 'life', '-p', 'local', '--timeout', '5m']);
    await cliOk(['shoot', 'kubeconfig', 'life', '-p', 'local', '--output-file', admin]);
    const value = await execa('kubectl', ['--kubeconfig', admin, 'get', 'configmap', 'survivor', '-o', 'jsonpath={.data.answer}']);
    assert.equal(value.stdout, '42');
    const awake = JSON.parse((await cliOk(['shoot', 'get', 'life', '-p', 'local', '-o', 'json'])).stdout) as { status: { hibernated: boolean; conditions: Array<{ status: string }> } };
    assert.equal(awake.status.hibernated, false);
    assert.ok(awake.status.conditions.every((c) => c.status === 'True'));
  });

  it('needs --yes without a terminal, then deletes everything: Shoot, seed namespace, Terraform state, processes', async () => {
    const refused = await kubegarden(['shoot', 'delete', 'life', '-p', 'local'], { env });
    assert.equal(refused.exitCode, 2);
    assert.match(refused.stderr, /needs a confirmation and there is no terminal to ask on: pass --yes/);

    await cliOk(['shoot', 'delete', 'life', '-p', 'local', '--yes']);
    assert.equal((await kubegarden(['shoot', 'get', 'life', '-p', 'local'], { env })).exitCode, 4);
    assert.equal(await seed.get({ apiVersion: 'v1', kind: 'Namespace', name: 'shoot--local--life' }), undefined);
    assert.equal(await seed.get({ apiVersion: 'v1', kind: 'Secret', name: 'tfstate-default-infra', namespace: 'shoot--local--life' }), undefined);
    assert.equal(existsSync(terraformWorkDir({ namespace: 'shoot--local--life' }, 'local')), false, "the shoot's Terraform working directory on this machine is gone");
    await eventually('no process of the deleted shoot', async () => (await shootProcesses('shoot--local--life')).length === 0);
  });

  it('completes a delete interrupted at each step when run again', async () => {
    await cliOk(['shoot', 'create', 'cut', '-p', 'local', '--provider', 'local', '--timeout', '5m']);
    const steps = [/Deleting load balancers/, /Stopping the machines/, /Deleting the control plane/, /Destroying the infrastructure/, /Deleting the shoot namespace/];
    for (const step of steps) {
      const run = execa(process.execPath, [devBin, 'shoot', 'delete', 'cut', '-p', 'local', '--yes'], { env: { ...env, CI: 'true', NO_COLOR: '1' }, reject: false });
      await killWhen(run, step);
    }
    await cliOk(['shoot', 'delete', 'cut', '-p', 'local', '--yes']);
    assert.equal((await kubegarden(['shoot', 'get', 'cut', '-p', 'local'], { env })).exitCode, 4);
    assert.equal(await seed.get({ apiVersion: 'v1', kind: 'Namespace', name: 'shoot--local--cut' }), undefined);
  });

  it('deletes a shoot whose Terraform state is missing, warning what may be left behind', async () => {
    await cliOk(['shoot', 'create', 'lost', '-p', 'local', '--provider', 'local', '--timeout', '5m']);
    await seed.delete({ apiVersion: 'v1', kind: 'Secret', name: 'tfstate-default-infra', namespace: 'shoot--local--lost' });
    const r = await cliOk(['shoot', 'delete', 'lost', '-p', 'local', '--yes']);
    assert.match(r.stderr, /Warning: the Terraform state of shoot "local\/lost" is missing: if its network or machines were ever created, they are left behind in the cloud/);
    assert.equal((await kubegarden(['shoot', 'get', 'lost', '-p', 'local'], { env })).exitCode, 4);
  });
});

/** SIGKILL once the run's progress reaches a step (or let it finish if it never does). */
async function killWhen(run: ResultPromise, pattern: RegExp): Promise<void> {
  let seen = '';
  let sent = false;
  run.stderr?.on('data', (chunk: Buffer) => {
    seen += chunk.toString();
    if (!sent && pattern.test(seen)) {
      sent = true;
      run.kill('SIGKILL');
    }
  });
  await run.catch(() => undefined);
}
