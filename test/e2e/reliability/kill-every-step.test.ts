// kubegarden SIGKILLed at every step of create, upgrade and delete, on the
// local provider with real processes. The steps come from the flow graphs
// themselves, so a step added later is killed at too. A completed operation
// cannot be interrupted again, so each flow is killed at successive steps of
// one operation: run 1 is killed when step 1 starts, the re-run when step 2
// starts, ..., and the last re-run completes. The outcome must be that of an
// uninterrupted run.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { execa } from 'execa';
import type { KubeObject } from '../../../src/lib/kube/client.ts';
import { createFlow } from '../../../src/lib/flows/create.ts';
import { deleteFlow } from '../../../src/lib/flows/delete.ts';
import { upgradeFlow } from '../../../src/lib/flows/upgrade.ts';
import { eventually, seedObjects, signalAt, startLocalGarden, type KillOutcome, type LocalGarden } from './helpers.ts';

const FROM = '1.36.4';
const TO = '1.37.2';

describe('kubegarden SIGKILLed at every step, then run again (local provider)', function () {
  this.timeout(1_800_000);
  let g: LocalGarden;
  const ns = 'shoot--local--k';
  const admin = () => join(g.dir, 'k.kubeconfig');
  const kubectl = (...args: string[]) => execa('kubectl', ['--kubeconfig', admin(), ...args]);
  const create = (name: string) => ['shoot', 'create', name, '-p', 'local', '--provider', 'local', '--kubernetes-version', FROM, '--worker', 'name=pool,min=1,max=2', '--timeout', '5m'];
  const upgrade = ['shoot', 'upgrade', 'k', '-p', 'local', '--kubernetes-version', TO, '--yes', '--timeout', '5m'];
  const report: string[] = [];

  before(async () => {
    g = await startLocalGarden('kill-every-step');
  });
  after(async () => {
    process.stderr.write(`      ${report.join('\n      ')}\n`);
    await g?.close();
  });

  /** Kills the command at each step in turn (a fresh run each time), then runs it to the end. */
  async function killAtEveryStep(
    what: string,
    args: string[],
    titles: Array<{ id: string; title: string }>,
    options: { onKilled?: (id: string) => Promise<void>; finalExitCodes?: number[] } = {},
  ): Promise<KillOutcome[]> {
    const outcomes: KillOutcome[] = [];
    const started = Date.now();
    for (const { id, title } of titles) {
      const outcome = await signalAt(g.spawn(args), title);
      assert.ok(outcome.reached, `${what}: the run reached step "${id}" (${title}) before it ended:\n${outcome.stderr.slice(-2000)}`);
      outcomes.push(outcome);
      if (outcome.killed) await options.onKilled?.(id);
    }
    const last = await g.cli(args);
    assert.ok((options.finalExitCodes ?? [0]).includes(last.exitCode), `${what}: the last run exited ${last.exitCode}:\n${last.stderr}`);
    const killed = outcomes.filter((o) => o.killed).length;
    report.push(
      `${what}: ${titles.length} kill points, ${killed} runs died of SIGKILL (${titles.length - killed} exited before the signal landed); final run exit ${last.exitCode}; ${Math.round((Date.now() - started) / 1000)} s in all`,
    );
    return outcomes;
  }

  it('create: killed when each step of createFlow() starts, converges to what an uninterrupted create makes', async () => {
    const steps = createFlow('Create').steps.map((s) => ({ id: s.id, title: s.title }));
    assert.ok(steps.length >= 14, 'the whole create graph');
    // Secrets written by a killed run are kept by every later run: none is regenerated.
    let secrets: Record<string, string> = {};
    await killAtEveryStep('create', create('k'), steps, {
      onKilled: async (id) => {
        const now = await seedObjects(g.client, ns);
        for (const [k, v] of Object.entries(secrets)) assert.equal(now[k], v, `${k} unchanged by the run killed at "${id}"`);
        secrets = Object.fromEntries(Object.entries(now).filter(([k]) => k.startsWith('Secret/') && !k.startsWith('Secret/machine-')));
      },
    });
    const cut = await g.shoot('k');
    assert.deepEqual([cut.status.lastOperation.type, cut.status.lastOperation.state, cut.status.lastOperation.progress], ['Create', 'Succeeded', 100]);
    assert.ok(cut.status.conditions?.every((c) => c.status === 'True'), JSON.stringify(cut.status.conditions));

    // The same command never interrupted, on a shoot of the same spec.
    await g.cliOk(create('ref'));
    const ref = await g.shoot('ref');
    assert.deepEqual(cut.spec, ref.spec, 'the same spec');
    const names = (o: Record<string, string>) => Object.keys(o).map((k) => k.replace(/^(Secret\/machine-)(k|ref)-/, '$1')).sort();
    const cutObjects = await seedObjects(g.client, ns);
    assert.deepEqual(names(cutObjects), names(await seedObjects(g.client, 'shoot--local--ref')), 'the same seed-side objects');
    assert.deepEqual(
      (await g.client.list('coordination.k8s.io/v1', 'Lease', { namespace: 'garden-local' })).map((l) => l.metadata.name).filter((n) => n.startsWith('shoot-k-')),
      [],
      'no lock left behind',
    );
    // Converged: one more run changes no Secret, no workload.
    await g.cliOk(['shoot', 'reconcile', 'k', '-p', 'local', '--timeout', '5m']);
    assert.deepEqual(await seedObjects(g.client, ns), cutObjects);
    await g.cliOk(['shoot', 'delete', 'ref', '-p', 'local', '--yes']);
  });

  it(`upgrade ${FROM} → ${TO}: killed when each step of upgradeFlow() starts, finishes with the data stored in the shoot`, async () => {
    await g.cliOk(['shoot', 'kubeconfig', 'k', '-p', 'local', '--output-file', admin(), '--expiration', '8h']);
    await kubectl('create', 'configmap', 'survivor', '--from-literal=answer=42');
    const steps = upgradeFlow({ version: TO }).steps.map((s) => ({ id: s.id, title: s.title }));
    assert.ok(steps.length >= 14, 'the whole upgrade graph');
    await killAtEveryStep('upgrade', upgrade, steps);
    const up = await g.shoot('k');
    assert.equal(up.spec.kubernetes.version, TO);
    assert.deepEqual([up.status.lastOperation.type, up.status.lastOperation.state], ['Upgrade', 'Succeeded']);
    assert.equal(up.status.kubernetesVersion, TO);
    const version = JSON.parse((await kubectl('version', '-o', 'json')).stdout) as { serverVersion: { gitVersion: string } };
    assert.equal(version.serverVersion.gitVersion, `v${TO}`);
    const nodes = JSON.parse((await kubectl('get', 'nodes', '-o', 'json')).stdout) as { items: Array<KubeObject & { status: { nodeInfo: { kubeletVersion: string } } }> };
    assert.deepEqual(nodes.items.map((n) => n.status.nodeInfo.kubeletVersion), [`v${TO}`]);
    assert.equal((await kubectl('get', 'configmap', 'survivor', '-o', 'jsonpath={.data.answer}')).stdout, '42', 'the data survived every interrupted upgrade');
  });

  it('the data survives hibernation and wake-up after the interrupted upgrade', async () => {
    await g.cliOk(['shoot', 'hibernate', 'k', '-p', 'local', '--timeout', '5m']);
    await eventually('no control-plane process of the hibernated shoot', async () => (await g.processes(ns)).length === 0);
    await g.cliOk(['shoot', 'wake-up', 'k', '-p', 'local', '--timeout', '5m']);
    assert.equal((await kubectl('get', 'configmap', 'survivor', '-o', 'jsonpath={.data.answer}')).stdout, '42');
  });

  it('delete: killed when each step of deleteFlow() starts, leaves nothing of the shoot', async () => {
    const steps = deleteFlow().steps.map((s) => ({ id: s.id, title: s.title }));
    assert.ok(steps.length >= 6, 'the whole delete graph');
    // Killed while removing the finalizer, the Shoot may be gone already: then the last run finds nothing (exit 4).
    await killAtEveryStep('delete', ['shoot', 'delete', 'k', '-p', 'local', '--yes'], steps, { finalExitCodes: [0, 4] });
    assert.equal((await g.cli(['shoot', 'get', 'k', '-p', 'local'])).exitCode, 4, 'the Shoot is gone');
    assert.equal(await g.client.get({ apiVersion: 'v1', kind: 'Namespace', name: ns }), undefined, 'the seed namespace is gone');
    assert.equal(await g.client.get({ apiVersion: 'v1', kind: 'Secret', name: 'tfstate-default-infra', namespace: ns }), undefined, 'the Terraform state is gone');
    await eventually('no process of the deleted shoot', async () => (await g.processes(ns)).length === 0);
    const orphans = (await g.client.list('v1', 'Secret', { namespace: 'garden-local' })).filter((s) => s.metadata.labels?.['kubegarden.io/shoot'] === 'k' || /(^|-)k(-|$)/.test(s.metadata.name));
    assert.deepEqual(orphans.map((s) => s.metadata.name), [], 'no Secret of the shoot left in its project namespace');
    assert.deepEqual((await g.client.list('coordination.k8s.io/v1', 'Lease', { namespace: 'garden-local' })).map((l) => l.metadata.name).filter((n) => n.startsWith('shoot-k-')), [], 'no lock left');
  });
});
