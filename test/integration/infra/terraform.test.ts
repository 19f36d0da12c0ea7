// The local template run by the real terraform, with its state in a real
// kube-apiserver (the seed): what the seed holds, what a re-run does, and what
// happens when runs collide, get killed, or are stopped.
import { strict as assert } from 'node:assert';
import { createHash } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { execa } from 'execa';
import { applyInfra, destroyInfra, forceUnlock, planInfra, readInfraOutputs, terraformWorkDir } from '../../../src/lib/infra/terraform.ts';
import { startProcess, stopProcess } from '../../../src/lib/local/cluster.ts';
import type { TerraformOptions } from '../../../src/lib/infra/terraform.ts';
import type { InfraSpec } from '../../../src/lib/infra/types.ts';
import type { KubegardenError } from '../../../src/lib/ui/errors.ts';
import { startTestCluster } from '../../helpers/testbed.ts';

const KUBECTL = '/usr/bin/kubectl';
const PRODUCT_LOCAL_TEMPLATE = fileURLToPath(new URL('../../../templates/terraform/local/', import.meta.url));
const SLOW_TF = fileURLToPath(new URL('../../fixtures/infra/test-only/slow.tf', import.meta.url));
const STATE_SECRET = 'tfstate-default-infra';
const STATE_LEASE = 'lock-tfstate-default-infra';
const USER_DATA = '#cloud-config\nhostname: worker\n';

function spec(name: string, patch: Partial<InfraSpec['workers'][number]> = {}): InfraSpec {
  return {
    provider: 'local',
    shootName: name,
    project: 'it',
    namespace: `shoot--it--${name}`,
    region: 'local',
    zones: ['local-1', 'local-2'],
    networks: { nodes: '10.250.0.0/16', pods: '100.96.0.0/11', services: '100.64.0.0/13' },
    workers: [
      {
        name: 'worker',
        machineType: 'local',
        minimum: 1,
        maximum: 3,
        maxSurge: 1,
        maxUnavailable: 0,
        zones: ['local-1', 'local-2'],
        labels: { 'kubegarden.io/pool': 'worker' },
        taints: [],
        userData: USER_DATA,
        kubernetesVersion: '1.34.1',
        ...patch,
      },
    ],
  };
}

/** Resolves when a line matching `pattern` has been printed. */
function lineWatcher(pattern: RegExp) {
  const lines: string[] = [];
  let seen!: () => void;
  const promise = new Promise<void>((resolve) => {
    seen = resolve;
  });
  return {
    lines,
    seen: promise,
    onLine: (line: string) => {
      lines.push(line);
      if (pattern.test(line)) seen();
    },
  };
}

describe('shoot infrastructure with Terraform, state in the seed', function () {
  this.timeout(180_000);

  let cluster: Awaited<ReturnType<typeof startTestCluster>>;
  let kubeconfig: string;
  let cacheRoot: string;
  let templatesRoot: string;

  const kubectl = (...args: string[]) => execa(KUBECTL, ['--kubeconfig', cluster.kubeconfigPath, ...args], { reject: false });

  async function createNamespace(namespace: string): Promise<void> {
    const result = await kubectl('create', 'namespace', namespace);
    assert.equal(result.exitCode, 0, result.stderr);
  }

  async function leaseHolder(namespace: string): Promise<string> {
    const result = await kubectl('-n', namespace, 'get', 'lease', STATE_LEASE, '-o', 'jsonpath={.spec.holderIdentity}');
    assert.equal(result.exitCode, 0, result.stderr);
    return result.stdout;
  }

  async function stateInSeed(namespace: string): Promise<{ labels: Record<string, string>; state: { resources: Array<{ instances: unknown[] }>; outputs: Record<string, unknown> } }> {
    const result = await kubectl('-n', namespace, 'get', 'secret', STATE_SECRET, '-o', 'json');
    assert.equal(result.exitCode, 0, `no state Secret ${STATE_SECRET} in ${namespace}: ${result.stderr}`);
    const secret = JSON.parse(result.stdout) as { metadata: { labels?: Record<string, string> }; data: { tfstate: string } };
    return { labels: secret.metadata.labels ?? {}, state: JSON.parse(gunzipSync(Buffer.from(secret.data.tfstate, 'base64')).toString('utf8')) };
  }

  function options(extra: Partial<TerraformOptions> = {}): TerraformOptions {
    return { seedName: 'seed', seedKubeconfig: kubeconfig, cacheRoot, templatesRoot, ...extra };
  }

  /** Starts an apply that sleeps `seconds` inside Terraform, and resolves once Terraform holds the lock and sleeps. */
  async function startSlowApply(shoot: InfraSpec, seconds: number, extra: Partial<TerraformOptions> = {}) {
    const watcher = lineWatcher(/Provisioning with 'local-exec'/);
    let applyPid: number | undefined;
    const running = applyInfra(shoot, options({
      env: { TF_VAR_test_delay_seconds: String(seconds) },
      onLine: watcher.onLine,
      onSpawn: (pid, args) => {
        if (args[0] === 'apply') applyPid = pid;
      },
      ...extra,
    }));
    // Keep a rejection from going unhandled while the test waits for the line.
    running.catch(() => undefined);
    await Promise.race([watcher.seen, running.then(() => assert.fail(`the slow apply ended early:\n${watcher.lines.join('\n')}`))]);
    assert.ok(applyPid, 'no terraform apply process was reported');
    return { running, pid: applyPid, lines: watcher.lines };
  }

  before(async () => {
    cluster = await startTestCluster('seed');
    kubeconfig = await readFile(cluster.kubeconfigPath, 'utf8');
    cacheRoot = await mkdtemp(join(tmpdir(), 'kubegarden-it-cache-'));
    // The product's local template plus a test-only slow resource.
    templatesRoot = await mkdtemp(join(tmpdir(), 'kubegarden-it-templates-'));
    await mkdir(join(templatesRoot, 'local'));
    for (const name of await readdir(PRODUCT_LOCAL_TEMPLATE)) await copyFile(join(PRODUCT_LOCAL_TEMPLATE, name), join(templatesRoot, 'local', name));
    await copyFile(SLOW_TF, join(templatesRoot, 'local', 'slow.tf'));
  });

  after(async () => {
    await cluster?.stop();
    if (cacheRoot) await rm(cacheRoot, { recursive: true, force: true });
    if (templatesRoot) await rm(templatesRoot, { recursive: true, force: true });
  });

  describe('a shoot applied, re-applied, changed and destroyed', () => {
    const shoot = spec('lifecycle');
    before(() => createNamespace(shoot.namespace));

    it('apply creates the infrastructure and keeps its state in the shoot\'s namespace', async () => {
      const kubeconfigs: Array<{ path: string; mode: number }> = [];
      const result = await applyInfra(shoot, options({
        onSpawn: (_pid, args) => {
          const path = args.find((arg) => arg.startsWith('-backend-config=config_path='))?.split('=').slice(2).join('=');
          if (path) kubeconfigs.push({ path, mode: statSync(path).mode & 0o777 });
        },
      }));
      // The seed's kubeconfig existed for the run only, readable by its owner only.
      assert.equal(kubeconfigs.length, 1);
      assert.equal(kubeconfigs[0]?.mode, 0o600);
      assert.equal(existsSync(kubeconfigs[0]?.path ?? ''), false);
      assert.deepEqual(result.changes, { added: 5, changed: 0, destroyed: 0 });
      const { labels, state } = await stateInSeed(shoot.namespace);
      assert.equal(labels.tfstate, 'true');
      assert.equal(state.resources.flatMap((resource) => resource.instances).length, 5);
      assert.equal(await leaseHolder(shoot.namespace), '', 'the state lock was not released');
    });

    it('returns typed outputs, the same ones a later read gives', async () => {
      const outputs = await readInfraOutputs(shoot, options());
      assert.equal(typeof outputs.networkId, 'string');
      assert.deepEqual(Object.keys(outputs.subnetIds).sort(), ['local-1', 'local-2']);
      assert.deepEqual(outputs.scalingGroups.worker && { ...outputs.scalingGroups.worker, id: '' }, {
        id: '',
        name: 'shoot--it--lifecycle-worker',
        minimum: 1,
        maximum: 3,
        zones: ['local-1', 'local-2'],
        machineType: 'local',
        userDataHash: createHash('sha256').update(USER_DATA).digest('hex'),
      });
    });

    it('a second apply and a plan change nothing', async () => {
      const again = await applyInfra(shoot, options());
      assert.deepEqual(again.changes, { added: 0, changed: 0, destroyed: 0 });
      const plan = await planInfra(shoot, options());
      assert.equal(plan.hasChanges, false);
      assert.match(plan.text, /No changes/);
    });

    it('a plan shows a changed pool, and apply makes the change', async () => {
      const bigger = spec('lifecycle', { maximum: 5 });
      const plan = await planInfra(bigger, options());
      assert.equal(plan.hasChanges, true);
      assert.deepEqual(plan.changes, { added: 0, changed: 1, destroyed: 0 });
      assert.match(plan.text, /maximum\s+= 3 -> 5/);
      const applied = await applyInfra(bigger, options());
      assert.equal(applied.outputs.scalingGroups.worker?.maximum, 5);
    });

    it('destroy removes every resource; the state Secret stays, with an empty state', async () => {
      const result = await destroyInfra(shoot, options());
      assert.deepEqual(result.changes, { added: 0, changed: 0, destroyed: 5 });
      await assert.rejects(readInfraOutputs(shoot, options()), { code: 'notFound' });
      // Terraform never deletes the kubernetes backend's Secret: it goes with the namespace.
      const { state } = await stateInSeed(shoot.namespace);
      assert.deepEqual(state.resources, []);
      assert.deepEqual(state.outputs, {});
    });
  });

  it('keeps credentials out of everything Terraform prints', async () => {
    const secret = 'kg-very-secret-token-4711';
    const shoot = spec('secrets', { labels: { leaked: secret } });
    await createNamespace(shoot.namespace);
    const lines: string[] = [];
    const plan = await planInfra(shoot, options({ credentials: { token: secret }, onLine: (line) => lines.push(line) }));
    assert.ok(plan.hasChanges);
    assert.ok(!lines.some((line) => line.includes(secret)), 'a streamed line carries the credential');
    assert.ok(!plan.text.includes(secret), 'the plan text carries the credential');
    assert.ok(lines.some((line) => line.includes('[redacted]')), 'the plan should have shown the (redacted) label');
  });

  describe('two runs of one shoot at once', () => {
    const shoot = spec('concurrent');
    before(() => createNamespace(shoot.namespace));

    it('the second fails at once, naming the lock and its holder', async () => {
      const first = await startSlowApply(shoot, 5);
      const err = await applyInfra(shoot, options()).then(
        () => assert.fail('the second apply should have been refused'),
        (e: KubegardenError) => e,
      );
      assert.equal(err.code, 'conflict');
      assert.match(err.message, /^The Terraform state of shoot it\/concurrent is locked by another operation \(lock [0-9a-f-]{36}, apply by \S+@\S+ since \S+\)\.$/);
      await first.running;
      assert.equal(await leaseHolder(shoot.namespace), '');
    });

    it('with a lock timeout, the second waits for the first and then runs', async () => {
      const first = await startSlowApply(shoot, 4);
      const second = await applyInfra(shoot, options({ lockTimeoutSeconds: 60 }));
      await first.running;
      assert.ok(second.outputs.scalingGroups.worker);
    });
  });

  describe('a terraform killed during apply', () => {
    const shoot = spec('killed');
    before(() => createNamespace(shoot.namespace));

    it('leaves the lock behind (the Lease never expires), and the next run releases it and succeeds', async () => {
      await applyInfra(shoot, options());
      const slow = await startSlowApply(shoot, 20);
      const lockId = await leaseHolder(shoot.namespace);
      assert.notEqual(lockId, '');
      // SIGKILL to terraform and its children, as a crash or an OOM kill would.
      process.kill(-slow.pid, 'SIGKILL');
      await assert.rejects(slow.running, { code: 'partial', message: /killed \(SIGKILL\)/ });
      assert.equal(await leaseHolder(shoot.namespace), lockId, 'a killed terraform cannot release its lock');

      const lines: string[] = [];
      const next = await applyInfra(shoot, options({ onLine: (line) => lines.push(line) }));
      assert.ok(next.outputs.scalingGroups.worker);
      assert.ok(lines.some((line) => line.includes(`the state lock ${lockId} was taken by terraform process ${slow.pid}`)), lines.join('\n'));
      assert.equal(await leaseHolder(shoot.namespace), '');
    });

    it('with a lock timeout, a stale lock is released at once instead of being waited out', async () => {
      const slow = await startSlowApply(shoot, 20);
      process.kill(-slow.pid, 'SIGKILL');
      await assert.rejects(slow.running, { code: 'partial' });
      const applies: Array<readonly string[]> = [];
      const lines: string[] = [];
      await applyInfra(shoot, options({ lockTimeoutSeconds: 600, onLine: (line) => lines.push(line), onSpawn: (_pid, args) => void (args[0] === 'apply' && applies.push(args)) }));
      assert.ok(lines.some((line) => line.includes(`terraform process ${slow.pid}`) && line.includes('releasing it')), lines.join('\n'));
      // The first attempt does not wait for the lock; the one after the release keeps the timeout for live holders.
      assert.equal(applies.length, 2, JSON.stringify(applies));
      assert.ok(!applies[0]!.some((a) => a.startsWith('-lock-timeout=')));
      assert.ok(applies[1]!.includes('-lock-timeout=600s'));
      assert.equal(await leaseHolder(shoot.namespace), '');
    });

    it('without recovery, names the lock, and forceUnlock releases it', async () => {
      const slow = await startSlowApply(shoot, 20);
      process.kill(-slow.pid, 'SIGKILL');
      await assert.rejects(slow.running, { code: 'partial' });
      const err = await applyInfra(shoot, options({ recoverStaleLocks: false })).then(
        () => assert.fail('the apply should have met the lock'),
        (e: KubegardenError) => e,
      );
      assert.equal(err.code, 'conflict');
      const lockId = /lock ([0-9a-f-]{36})/.exec(err.message)?.[1];
      assert.equal(lockId, await leaseHolder(shoot.namespace));
      await forceUnlock(shoot, lockId as string, options());
      assert.equal(await leaseHolder(shoot.namespace), '');
      await applyInfra(shoot, options());
    });
  });

  describe("the seed's API server gone while an apply holds the lock", () => {
    const shoot = spec('outage');
    before(() => createNamespace(shoot.namespace));

    async function restartApiServer(): Promise<void> {
      const apiserver = cluster.processes.find((p) => p.name === 'kube-apiserver')!;
      const restarted = startProcess(apiserver.name, apiserver.bin, apiserver.args, cluster.dir, false, apiserver.healthUrl);
      cluster.processes.splice(cluster.processes.indexOf(apiserver), 1, restarted);
      const deadline = Date.now() + 60_000;
      while ((await kubectl('get', '--raw', '/readyz')).exitCode !== 0) {
        if (Date.now() > deadline) assert.fail('the seed API server did not come back');
        await new Promise((r) => setTimeout(r, 500));
      }
    }

    it('the next run releases the lock Terraform could not, and saves the state Terraform could not before it goes on', async () => {
      await applyInfra(shoot, options());
      const slow = await startSlowApply(shoot, 6);
      const lockId = await leaseHolder(shoot.namespace);
      await stopProcess(cluster.processes.find((p) => p.name === 'kube-apiserver')!, 0);
      // Terraform finishes the resource, then can neither save the state nor release the lock.
      await assert.rejects(slow.running, { code: 'unreachable', message: /the seed's API server, which holds its state, did not answer \(connection refused\)\.$/ });
      const errored = join(terraformWorkDir(shoot, 'seed', cacheRoot), 'errored.tfstate');
      assert.ok(existsSync(errored), 'Terraform wrote the state it could not save to errored.tfstate');
      await restartApiServer();
      assert.equal(await leaseHolder(shoot.namespace), lockId, 'the lock is still held');
      const before = await stateInSeed(shoot.namespace);
      assert.equal(before.state.resources.some((r) => JSON.stringify(r).includes('"slow"')), false, 'the seed does not know the slow resource yet');

      const lines: string[] = [];
      const next = await applyInfra(shoot, options({ onLine: (line) => lines.push(line) }));
      assert.ok(lines.some((line) => line.includes(`the state lock ${lockId} was taken by terraform process ${slow.pid}`)), lines.join('\n'));
      assert.ok(lines.some((line) => line.includes("an earlier run could not save Terraform's state")), lines.join('\n'));
      // Terraform knew the slow resource from the saved state, and removed it (its count is 0 now):
      // without the saved state it would have known nothing of it, and leaked it.
      assert.deepEqual(next.changes, { added: 0, changed: 0, destroyed: 1 });
      assert.equal(existsSync(errored), false);
      assert.equal(existsSync(`${errored}.saved`), true);
      assert.equal(await leaseHolder(shoot.namespace), '');
      assert.equal((await planInfra(shoot, options())).hasChanges, false);
    });

    it('refuses to push an unsaved state over a newer one, naming the file', async () => {
      const errored = join(terraformWorkDir(shoot, 'seed', cacheRoot), 'errored.tfstate');
      // The state saved aside above is older than what the seed holds now.
      await copyFile(`${errored}.saved`, errored);
      const err = await applyInfra(shoot, options()).then(
        () => assert.fail('the apply should have been refused'),
        (e: KubegardenError) => e,
      );
      assert.equal(err.code, 'conflict');
      assert.equal(err.message, `The Terraform state of shoot it/outage changed after an earlier run failed to save its own, which is kept in ${errored}.`);
      assert.equal(await leaseHolder(shoot.namespace), '');
      await rm(errored);
      await applyInfra(shoot, options());
    });

    it('clears a working directory an earlier shoot of the same name left (another seed namespace), unsaved state and all', async () => {
      const workDir = terraformWorkDir(shoot, 'seed', cacheRoot);
      await applyInfra(shoot, options({ stateOwner: 'uid-of-the-old-namespace' }));
      // That shoot's namespace went away with an unsaved state left here; a new one of the same name comes.
      await copyFile(join(workDir, 'errored.tfstate.saved'), join(workDir, 'errored.tfstate'));
      const lines: string[] = [];
      await applyInfra(shoot, options({ stateOwner: 'uid-of-the-new-namespace', onLine: (line) => lines.push(line) }));
      assert.ok(lines.some((line) => line.includes('was left by an earlier shoot of the same name (seed namespace uid-of-the-old-namespace)')), lines.join('\n'));
      assert.equal(existsSync(join(workDir, 'errored.tfstate')), false);
      assert.equal(existsSync(join(workDir, 'errored.tfstate.saved')), false);
      assert.equal((await readFile(join(workDir, '.kubegarden-owner'), 'utf8')).trim(), 'uid-of-the-new-namespace');
      // Its own directory is kept between runs.
      await copyFile(join(workDir, 'main.tf'), join(workDir, 'kept.marker'));
      await applyInfra(shoot, options({ stateOwner: 'uid-of-the-new-namespace' }));
      assert.equal(existsSync(join(workDir, 'kept.marker')), true);
      await rm(join(workDir, 'kept.marker'));
    });
  });

  it('an aborted apply stops Terraform gracefully, and Terraform releases the lock', async () => {
    const shoot = spec('aborted');
    await createNamespace(shoot.namespace);
    const controller = new AbortController();
    const slow = await startSlowApply(shoot, 20, { signal: controller.signal });
    const abortedAt = Date.now();
    controller.abort();
    await assert.rejects(slow.running, { code: 'aborted' });
    assert.ok(Date.now() - abortedAt < 10_000, 'the apply did not stop promptly');
    assert.ok(slow.lines.some((line) => /Interrupt received|Gracefully shutting down/.test(line)), slow.lines.join('\n'));
    assert.equal(await leaseHolder(shoot.namespace), '', 'Terraform did not release the lock on SIGINT');
    await applyInfra(shoot, options());
  });
});
