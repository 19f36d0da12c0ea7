// `kubegarden shoot create` from nothing, on the local provider: a real garden
// and seed, a shoot control plane run as real processes, Terraform through the
// real binary, and simulated machines that join through TLS bootstrapping.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { fileURLToPath } from 'node:url';
import { KubeClient, type KubeObject } from '../../src/lib/kube/client.ts';
import { kubegarden, kubegardenOk } from '../helpers/cli.ts';

interface ShootJson {
  status: {
    lastOperation: { type: string; state: string; progress: number };
    conditions: Array<{ type: string; status: string }>;
    endpoint: string;
    seedName: string;
    lastErrors?: Array<{ description: string; step?: string }>;
  };
}

const devBin = fileURLToPath(new URL('../../bin/dev.js', import.meta.url));

describe('shoot create on the local provider (real processes end to end)', function () {
  this.timeout(900_000);
  const dir = join(tmpdir(), `kubegarden-shoot-e2e-${process.pid}`);
  const kubeconfig = join(dir, 'kubeconfig');
  const env = { KUBEGARDEN_LOCAL_DIR: dir, KUBECONFIG: kubeconfig };
  const cli = (args: string[]) => kubegarden(args, { env });
  const cliOk = (args: string[]) => kubegardenOk(args, { env });
  const shootJson = async (name: string) => JSON.parse((await cliOk(['shoot', 'get', name, '-p', 'local', '-o', 'json'])).stdout) as ShootJson;
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

  /**
   * What a shoot is in the seed: the data of its Secrets and ConfigMaps, the
   * spec of its workloads, and the pid of every control-plane process. A
   * rotated Secret, a rolled workload or a restarted process would show; the
   * local runtime's status writes and server-side apply's bookkeeping do not.
   */
  async function seedState(namespace: string): Promise<Record<string, string>> {
    const kinds: Array<[string, string]> = [['v1', 'Secret'], ['v1', 'ConfigMap'], ['apps/v1', 'Deployment'], ['apps/v1', 'StatefulSet']];
    const state: Record<string, string> = {};
    for (const [apiVersion, kind] of kinds) {
      for (const o of await seed.list<KubeObject & { data?: unknown; spec?: unknown }>(apiVersion, kind, { namespace })) {
        // Terraform rewrites its state Secret on every apply, even without changes: it is Terraform's, not a shoot resource.
        if (o.metadata.name.startsWith('tfstate-')) continue;
        state[`${kind}/${o.metadata.name}`] = createHash('sha256').update(JSON.stringify(o.data ?? o.spec ?? null)).digest('hex').slice(0, 16);
      }
    }
    const status = JSON.parse((await cliOk(['local', 'status', '-o', 'json'])).stdout) as { processes: Array<{ owner?: string; name: string; pid: number }> };
    for (const p of status.processes) if (p.owner?.startsWith(`${namespace}/`)) state[`process/${p.name}`] = String(p.pid);
    return state;
  }

  describe('from nothing', () => {
    it('creates a shoot whose API server answers, with nodes Ready and the Shoot Succeeded', async () => {
      const r = await cliOk(['shoot', 'create', 'demo', '--project', 'local', '--provider', 'local', '--worker', 'name=pool,min=2,max=3', '--timeout', '5m']);
      assert.match(r.stderr, /✔ Deployed etcd: ready/);
      assert.match(r.stderr, /✔ Shoot API server v1\.37\.2 answers at https:\/\/127\.0\.0\.1:\d+/);
      assert.match(r.stderr, /Shoot "local\/demo" is ready at https:\/\/127\.0\.0\.1:\d+/);

      const shoot = await shootJson('demo');
      assert.equal(shoot.status.lastOperation.type, 'Create');
      assert.equal(shoot.status.lastOperation.state, 'Succeeded');
      assert.equal(shoot.status.lastOperation.progress, 100);
      assert.equal(shoot.status.seedName, 'local');
      assert.deepEqual(
        shoot.status.conditions.map((c) => [c.type, c.status]).sort(),
        [['APIServerAvailable', 'True'], ['ControlPlaneHealthy', 'True'], ['EveryNodeReady', 'True'], ['SystemComponentsHealthy', 'True']],
      );

      const admin = join(dir, 'demo.kubeconfig');
      await cliOk(['shoot', 'kubeconfig', 'demo', '-p', 'local', '--output-file', admin]);
      const version = await execa('kubectl', ['--kubeconfig', admin, 'version', '-o', 'json']);
      assert.equal((JSON.parse(version.stdout) as { serverVersion: { gitVersion: string } }).serverVersion.gitVersion, 'v1.37.2');

      const nodes = JSON.parse((await execa('kubectl', ['--kubeconfig', admin, 'get', 'nodes', '-o', 'json'])).stdout) as {
        items: Array<KubeObject & { status: { conditions: Array<{ type: string; status: string }> } }>;
      };
      assert.deepEqual(nodes.items.map((n) => n.metadata.name).sort(), ['demo-pool-0', 'demo-pool-1']);
      for (const n of nodes.items) {
        assert.equal(n.status.conditions.find((c) => c.type === 'Ready')?.status, 'True');
        assert.equal(n.metadata.labels?.['node.kubegarden.io/simulated'], 'true');
        assert.equal(n.metadata.labels?.['worker.kubegarden.io/pool'], 'pool');
      }

      const kubeSystem = (kind: string) => execa('kubectl', ['--kubeconfig', admin, 'get', kind, '-n', 'kube-system', '-o', 'name']).then((x) => x.stdout.split('\n'));
      assert.ok((await kubeSystem('daemonset')).includes('daemonset.apps/kube-proxy'));
      assert.ok((await kubeSystem('deployment')).includes('deployment.apps/coredns'));
      assert.ok((await kubeSystem('secret')).some((s) => /^secret\/bootstrap-token-[a-z0-9]{6}$/.test(s)));
      const dns = await execa('kubectl', ['--kubeconfig', admin, 'get', 'service', 'kube-dns', '-n', 'kube-system', '-o', 'jsonpath={.spec.clusterIP}']);
      assert.equal(dns.stdout, '100.64.0.10');

      const state = await seed.get({ apiVersion: 'v1', kind: 'Secret', name: 'tfstate-default-infra', namespace: 'shoot--local--demo' });
      assert.ok(state, 'Terraform state is kept in the seed');
    });

    it('changes nothing when create or reconcile run again on the Succeeded shoot', async () => {
      const before = await seedState('shoot--local--demo');
      const again = await cliOk(['shoot', 'create', 'demo', '--project', 'local', '--provider', 'local', '--worker', 'name=pool,min=2,max=3', '--timeout', '5m']);
      assert.match(again.stderr, /Credentials are current \(none changed\)/);
      const reconcile = await cliOk(['shoot', 'reconcile', 'demo', '--project', 'local', '--timeout', '5m']);
      assert.match(reconcile.stderr, /reconciled/);
      assert.deepEqual(await seedState('shoot--local--demo'), before, 'no Secret rotated, no workload rolled');
      const plan = await cliOk(['shoot', 'plan', 'demo', '-p', 'local']);
      assert.match(plan.stderr, /No changes: the infrastructure matches the shoot\./);
      const exported = join(dir, 'demo-terraform');
      await cliOk(['shoot', 'plan', 'demo', '-p', 'local', '--export', exported]);
      const { stat, readFile } = await import('node:fs/promises');
      assert.equal((await stat(join(exported, 'terraform.tfvars.json'))).mode & 0o777, 0o600);
      assert.match(await readFile(join(exported, 'main.tf'), 'utf8'), /terraform_data/);
      assert.equal((await shootJson('demo')).status.lastOperation.state, 'Succeeded');
    });

    it('refuses a second concurrent operation on the same shoot, naming the holder of the lock', async () => {
      const first = execa(process.execPath, [devBin, 'shoot', 'reconcile', 'demo', '-p', 'local', '--quiet'], { env: { ...env, NO_COLOR: '1', CI: 'true' }, reject: false });
      await waitForLease(seed, 'garden-local', 'shoot-demo-lock');
      const second = await cli(['shoot', 'reconcile', 'demo', '-p', 'local']);
      assert.equal(second.exitCode, 5);
      assert.match(second.stderr, new RegExp(`Shoot "local/demo" is locked by \\S+@\\S+ pid ${first.pid} \\(Reconcile\\)`));
      assert.equal((await first).exitCode, 0);
    });
  });

  describe('--no-wait', () => {
    it('records the create, returns, and the operation finishes in the background', async () => {
      const r = await cliOk(['shoot', 'create', 'later', '-p', 'local', '--provider', 'local', '--no-wait', '-o', 'json']);
      const bg = JSON.parse(r.stdout) as { pid: number; logFile: string };
      assert.ok(bg.pid > 0);
      const recorded = await shootJson('later');
      assert.equal(recorded.status.lastOperation.type, 'Create');
      // shoot wait follows it, with the phase and elapsed time on stderr, until it is ready.
      const waited = await cliOk(['shoot', 'wait', 'later', '-p', 'local', '--for', 'ready', '--timeout', '5m']);
      assert.match(waited.stderr, /is ready/);
      assert.equal((await shootJson('later')).status.lastOperation.state, 'Succeeded');

      // The same for a deletion: recorded, returned, followed until the Shoot is gone.
      const del = await cliOk(['shoot', 'delete', 'later', '-p', 'local', '--yes', '--no-wait']);
      assert.match(del.stderr, /Follow it with: kubegarden shoot wait later --project local --for deleted/);
      await cliOk(['shoot', 'wait', 'later', '-p', 'local', '--for', 'deleted', '--timeout', '5m']);
      assert.equal((await cli(['shoot', 'get', 'later', '-p', 'local'])).exitCode, 4);
    });
  });

  describe('interrupted, then run again', () => {
    const create = ['shoot', 'create', 'cut', '--project', 'local', '--provider', 'local', '--timeout', '5m'];

    it('converges after SIGKILL at successive steps and after Ctrl-C', async () => {
      const killPoints = [/Generating certificates/, /Deploying etcd/, /Waiting for the shoot's API server/, /Creating the worker pools/, /Waiting for the nodes/];
      for (const point of killPoints) {
        const run = execa(process.execPath, [devBin, ...create], { env: { ...env, NO_COLOR: '1', CI: 'true' }, reject: false });
        const reached = await killWhen(run, point, 'SIGKILL');
        assert.ok(reached, `the run reached ${point} before it was killed`);
      }
      const interrupted = execa(process.execPath, [devBin, ...create], { env: { ...env, NO_COLOR: '1', CI: 'true' }, reject: false });
      assert.ok(await killWhen(interrupted, /Deploying kube-apiserver|Creating the worker pools|Waiting for the nodes/, 'SIGINT'));
      const result = await interrupted;
      assert.equal(result.exitCode, 130, String(result.stderr));
      const aborted = await shootJson('cut');
      assert.equal(aborted.status.lastOperation.state, 'Aborted', `${JSON.stringify(aborted.status.lastOperation)}\n${String(result.stderr).slice(-1500)}`);

      await cliOk(create);
      const shoot = await shootJson('cut');
      assert.equal(shoot.status.lastOperation.state, 'Succeeded');
      assert.equal(shoot.status.lastOperation.progress, 100);
      assert.ok(shoot.status.conditions.every((c) => c.status === 'True'));
      // Same outcome as an uninterrupted create: one of each control-plane workload, one machine.
      const deployments = await seed.list('apps/v1', 'Deployment', { namespace: 'shoot--local--cut' });
      assert.deepEqual(deployments.map((d) => d.metadata.name).sort(), ['kube-apiserver', 'kube-controller-manager', 'kube-scheduler']);
      const machines = await seed.list('v1', 'Secret', { namespace: 'shoot--local--cut', labelSelector: 'kubegarden.io/machine=simulated' });
      assert.equal(machines.length, 1);
    });
  });
});

async function waitForLease(client: KubeClient, namespace: string, name: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const lease = await client.get<KubeObject & { spec?: { holderIdentity?: string } }>({ apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', name, namespace });
    if (lease?.spec?.holderIdentity) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`lease ${namespace}/${name} never appeared`);
}

/** Sends a signal once the run's progress output reaches a step; resolves whether it got there. */
async function killWhen(run: ResultPromise, pattern: RegExp, signal: NodeJS.Signals): Promise<boolean> {
  let seen = '';
  let sent = false;
  const reached = await new Promise<boolean>((resolve) => {
    run.stderr?.on('data', (chunk: Buffer) => {
      seen += chunk.toString();
      // Once: a second SIGINT means "exit at once".
      if (!sent && pattern.test(seen)) {
        sent = true;
        run.kill(signal);
        resolve(true);
      }
    });
    void run.then(() => resolve(false), () => resolve(false));
  });
  await run.catch(() => undefined);
  return reached;
}
