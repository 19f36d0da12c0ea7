// The local garden's kube-apiserver (the garden and the seed of the local
// provider) killed in the middle of a flow: the local supervisor restarts it
// with back-off, and kubegarden must either wait for it and finish (exit 0) or
// stop with one clear sentence (exit 9) that the next run resumes from.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { eventually, startLocalGarden, type LocalGarden } from './helpers.ts';

describe('the garden and seed API server restarted mid-flow (local provider)', function () {
  this.timeout(900_000);
  let g: LocalGarden;
  const report: string[] = [];

  before(async () => {
    g = await startLocalGarden('outage');
  });
  after(async () => {
    process.stderr.write(`      ${report.join('\n      ')}\n`);
    await g?.close();
  });

  async function apiServerPid(): Promise<number> {
    const status = JSON.parse((await g.cliOk(['local', 'status', '-o', 'json'])).stdout) as { processes: Array<{ name: string; owner?: string; pid: number; alive: boolean }> };
    const p = status.processes.find((x) => x.name === 'kube-apiserver' && !x.owner && x.alive);
    assert.ok(p, `the local garden's kube-apiserver runs: ${JSON.stringify(status.processes)}`);
    return p.pid;
  }

  /** Runs the command, kills the garden's API server when `step` starts; returns the run's outcome. */
  async function withOutage(what: string, args: string[], step: RegExp): Promise<{ exitCode: number | undefined; stderr: string }> {
    const pid = await apiServerPid();
    const run = g.spawn(args);
    let seen = '';
    let killed = false;
    run.stderr?.on('data', (chunk: Buffer) => {
      seen += chunk.toString();
      if (!killed && step.test(seen)) {
        killed = true;
        process.kill(pid, 'SIGKILL');
      }
    });
    const r = await run;
    assert.ok(killed, `${what}: the run reached ${step} before it ended:\n${seen.slice(-2000)}`);
    // The supervisor brings it back, under a new pid.
    try {
      await eventually('the garden API server restarted', async () => (await apiServerPid().catch(() => pid)) !== pid);
    } catch (err) {
      const log = await readFile(join(g.dir, 'supervisor.log'), 'utf8').catch(() => '(no supervisor log)');
      throw new Error(`${(err as Error).message}; the supervisor's log ends:\n${log.slice(-3000)}`);
    }
    return { exitCode: r.exitCode, stderr: seen };
  }

  /** Exit 0, or exit 9 with one sentence and a resumed run: either way the shoot ends Succeeded. */
  async function convergesAfter(what: string, outcome: { exitCode: number | undefined; stderr: string }, rerun: string[], name: string): Promise<void> {
    if (outcome.exitCode === 0) {
      report.push(`${what}: kubegarden waited for the API server and finished (exit 0)`);
    } else {
      assert.equal(outcome.exitCode, 9, `${what}: exit 0 or 9, not:\n${outcome.stderr.slice(-3000)}`);
      const errors = outcome.stderr.split('\n').filter((l) => l.startsWith('Error: '));
      assert.equal(errors.length, 1, outcome.stderr.slice(-3000));
      assert.match(errors[0]!, /^Error: Step "[^"]+" failed: [^\n]*(?:reach|answer)[^\n]*\.$/);
      report.push(`${what}: stopped with exit 9: ${errors[0]}`);
      await g.cliOk(rerun);
    }
    const shoot = await g.shoot(name);
    assert.equal(shoot.status.lastOperation.state, 'Succeeded', JSON.stringify(shoot.status));
    assert.ok(shoot.status.conditions?.every((c) => c.status === 'True'), JSON.stringify(shoot.status.conditions));
  }

  it('create: the API server killed while etcd is being deployed', async () => {
    const create = ['shoot', 'create', 'o1', '-p', 'local', '--provider', 'local', '--timeout', '5m'];
    const outcome = await withOutage('create', create, /Deploying etcd/);
    await convergesAfter('create, API server killed at "Deploying etcd"', outcome, create, 'o1');
  });

  it('reconcile: the API server killed while Terraform updates the worker pools', async () => {
    const reconcile = ['shoot', 'reconcile', 'o1', '-p', 'local', '--timeout', '5m'];
    const outcome = await withOutage('reconcile', reconcile, /Creating the worker pools with Terraform/);
    await convergesAfter('reconcile, API server killed at "Creating the worker pools"', outcome, reconcile, 'o1');
  });

  it('reconcile: the API server killed while waiting for the shoot API server', async () => {
    const reconcile = ['shoot', 'reconcile', 'o1', '-p', 'local', '--timeout', '5m'];
    const outcome = await withOutage('reconcile', reconcile, /Waiting for the shoot's API server to answer/);
    await convergesAfter('reconcile, API server killed at "Waiting for the shoot\'s API server"', outcome, reconcile, 'o1');
  });
});
