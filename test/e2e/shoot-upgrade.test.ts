// `kubegarden shoot upgrade` on the local provider, with real processes: a
// shoot created at 1.36.4 is upgraded to 1.37.2 (its API server binary, its
// controllers, kube-proxy's image and its machines' kubelets), keeps what was
// stored in it, and records the operation; refused upgrades change nothing.
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { KubeClient, type KubeObject } from '../../src/lib/kube/client.ts';
import { kubegarden, kubegardenOk } from '../helpers/cli.ts';

interface ShootJson {
  metadata: { resourceVersion: string; generation: number };
  spec: { kubernetes: { version: string }; provider: { workers: Array<{ name: string; kubernetesVersion?: string }> } };
  status: {
    lastOperation: { type: string; state: string; progress: number; description: string };
    conditions: Array<{ type: string; status: string }>;
    kubernetesVersion?: string;
  };
}

type NodeJson = KubeObject & { status: { conditions: Array<{ type: string; status: string }>; nodeInfo: { kubeletVersion: string } } };

const devBin = fileURLToPath(new URL('../../bin/dev.js', import.meta.url));

describe('shoot upgrade on the local provider (real processes end to end)', function () {
  this.timeout(600_000);
  const dir = join(tmpdir(), `kubegarden-upgrade-e2e-${process.pid}`);
  const kubeconfig = join(dir, 'kubeconfig');
  const admin = join(dir, 'u1.kubeconfig');
  const env = { KUBEGARDEN_LOCAL_DIR: dir, KUBECONFIG: kubeconfig };
  const cli = (args: string[]) => kubegarden(args, { env });
  const cliOk = (args: string[]) => kubegardenOk(args, { env });
  const shootJson = async (name: string) => JSON.parse((await cliOk(['shoot', 'get', name, '-p', 'local', '-o', 'json'])).stdout) as ShootJson;
  const kubectl = (...args: string[]) => execa('kubectl', ['--kubeconfig', admin, ...args]);
  let garden: KubeClient;

  before(async () => {
    await cliOk(['local', 'up']);
    garden = await KubeClient.connect({ kubeconfig }, 'the local garden');
    await cliOk(['shoot', 'create', 'u1', '-p', 'local', '--provider', 'local', '--kubernetes-version', '1.36.4', '--worker', 'name=pool,min=2,max=3', '--timeout', '5m']);
    await cliOk(['shoot', 'kubeconfig', 'u1', '-p', 'local', '--output-file', admin]);
  });
  after(async () => {
    garden?.close();
    await kubegarden(['local', 'down', '--purge'], { env });
    await rm(dir, { recursive: true, force: true });
  });

  /** Runs a refused upgrade: exit 7, the rule named, the Shoot not written and no lock left. */
  async function refused(shoot: string, args: string[], message: RegExp): Promise<void> {
    const before = await shootJson(shoot);
    const r = await cli(['shoot', 'upgrade', shoot, '-p', 'local', ...args]);
    assert.equal(r.exitCode, 7, r.stderr);
    assert.match(r.stderr, message);
    const after = await shootJson(shoot);
    assert.equal(after.metadata.resourceVersion, before.metadata.resourceVersion, 'the Shoot is not written');
    assert.equal(await garden.get({ apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', name: `shoot-${shoot}-lock`, namespace: 'garden-local' }), undefined, 'no lock is left');
  }

  describe('refused upgrades change nothing', () => {
    it('refuses a downgrade', async () => {
      await refused('u1', ['--kubernetes-version', '1.35.4', '--yes'], /^Error: Shoot "local\/u1" cannot be upgraded to 1\.35\.4: it runs 1\.36\.4, and a Kubernetes version is never lowered \(rule: no downgrade\); pass 1\.36\.4 or newer\.$/m);
    });

    it('refuses a version kubegarden does not provision', async () => {
      await refused('u1', ['--kubernetes-version', '1.38.0'], /^Error: Shoot "local\/u1" cannot be upgraded to 1\.38\.0: kubegarden does not provision it \(rule: supported versions only\); pass one of 1\.37\.2, 1\.36\.4, 1\.35\.4\.$/m);
    });

    it('refuses a worker pool newer than the control plane', async () => {
      await refused(
        'u1',
        ['--worker-pool', 'pool', '--kubernetes-version', '1.37.2'],
        /^Error: Worker pool "pool" of shoot "local\/u1" cannot be upgraded to 1\.37\.2: the control plane runs 1\.36\.4, and workers may never be newer \(rule: workers never newer than the control plane\); upgrade the control plane first with "kubegarden shoot upgrade u1 --project local --kubernetes-version 1\.37\.2"\.$/m,
      );
    });

    it('refuses two minors at once without a terminal unless --yes confirms the plan', async () => {
      // A Shoot recorded at 1.35.4 (this machine has no 1.35 binaries to run it): only the rules read it.
      const manifest = JSON.parse((await cliOk(['shoot', 'create', 'old', '-p', 'local', '--provider', 'local', '--kubernetes-version', '1.35.4', '--dry-run', '-o', 'json'])).stdout) as KubeObject;
      await garden.apply(manifest);
      await refused(
        'old',
        ['--kubernetes-version', '1.37.2'],
        /^Error: Shoot "local\/old" needs 2 upgrades to reach 1\.37\.2, one minor version at a time \(rule: one minor version at a time for the control plane\): 1\.35\.4 → 1\.36\.4 → 1\.37\.2; pass --yes to run this plan without a terminal\.$/m,
      );
      // The plan itself, printed by --dry-run, which changes nothing either.
      const dry = await cliOk(['shoot', 'upgrade', 'old', '-p', 'local', '--kubernetes-version', '1.37.2', '--dry-run', '-o', 'json']);
      assert.match(dry.stderr, /Upgrade plan for shoot "local\/old": 1\.35\.4 → 1\.36\.4 → 1\.37\.2 \(2 upgrades, one minor version at a time\)\./);
      assert.deepEqual((JSON.parse(dry.stdout) as { steps: string[] }).steps, ['1.36.4', '1.37.2']);
      await garden.delete({ apiVersion: 'kubegarden.io/v1alpha1', kind: 'Shoot', name: 'old', namespace: 'garden-local' });
    });
  });

  describe('from 1.36.4 to 1.37.2', () => {
    it('upgrades the control plane, kube-proxy and every kubelet, keeps the data, and records the operation', async () => {
      await kubectl('create', 'configmap', 'keep-me', '-n', 'default', '--from-literal=answer=42');
      const before = await shootJson('u1');
      assert.equal(before.status.kubernetesVersion, '1.36.4');

      // Watch the Shoot's status while the upgrade runs: the operation and its running steps.
      const run = execa(process.execPath, [devBin, 'shoot', 'upgrade', 'u1', '-p', 'local', '--kubernetes-version', '1.37.2', '--yes', '--timeout', '5m'], {
        env: { ...env, NO_COLOR: '1', CI: 'true' },
        reject: false,
      });
      const seen = new Set<string>();
      let finished = false;
      void run.finally(() => (finished = true));
      const watching = (async () => {
        while (!finished) {
          const s = await garden.get<KubeObject & ShootJson>({ apiVersion: 'kubegarden.io/v1alpha1', kind: 'Shoot', name: 'u1', namespace: 'garden-local' });
          const op = s?.status?.lastOperation;
          if (op?.type === 'Upgrade' && op.state === 'Processing') seen.add(op.description);
          await new Promise((r) => setTimeout(r, 250));
        }
      })();
      const result = await run;
      await watching;
      assert.equal(result.exitCode, 0, String(result.stderr));
      const stderr = String(result.stderr);
      assert.match(stderr, /Upgrade plan for shoot "local\/u1": 1\.36\.4 → 1\.37\.2\./);
      assert.match(stderr, /↓ Upgrading etcd \[SKIPPED: etcd 3\.6\.16-0 is the version 1\.37\.2 pairs with: left as it runs\]/);
      assert.match(stderr, /✔ Shoot API server v1\.37\.2 answers at https:\/\/127\.0\.0\.1:\d+/);
      assert.match(stderr, /✔ 2 machines replaced \(with 1 surge\)/);
      assert.match(stderr, /✔ Shoot "local\/u1" runs Kubernetes 1\.37\.2/);
      assert.ok([...seen].some((d) => /Upgrading kube-apiserver to 1\.37\.2/.test(d)), `the status showed the running steps: ${[...seen].join(' | ')}`);

      const version = JSON.parse((await kubectl('version', '-o', 'json')).stdout) as { serverVersion: { gitVersion: string } };
      assert.equal(version.serverVersion.gitVersion, 'v1.37.2');

      const nodes = (JSON.parse((await kubectl('get', 'nodes', '-o', 'json')).stdout) as { items: NodeJson[] }).items;
      assert.deepEqual(nodes.map((n) => n.metadata.name).sort(), ['u1-pool-0', 'u1-pool-1'], 'the surge machine is gone, Node included');
      for (const n of nodes) {
        assert.equal(n.status.conditions.find((c) => c.type === 'Ready')?.status, 'True', `${n.metadata.name} is Ready`);
        assert.equal(n.status.nodeInfo.kubeletVersion, 'v1.37.2', `${n.metadata.name} runs kubelet v1.37.2`);
      }
      assert.equal((await kubectl('get', 'daemonset', 'kube-proxy', '-n', 'kube-system', '-o', 'jsonpath={.spec.template.spec.containers[0].image}')).stdout, 'registry.k8s.io/kube-proxy:v1.37.2');
      assert.equal((await kubectl('get', 'configmap', 'keep-me', '-n', 'default', '-o', 'jsonpath={.data.answer}')).stdout, '42', 'etcd kept the data');

      const after = await shootJson('u1');
      assert.equal(after.spec.kubernetes.version, '1.37.2');
      assert.equal(after.status.kubernetesVersion, '1.37.2');
      assert.deepEqual([after.status.lastOperation.type, after.status.lastOperation.state, after.status.lastOperation.progress], ['Upgrade', 'Succeeded', 100]);
      assert.ok(after.status.conditions.every((c) => c.status === 'True'), JSON.stringify(after.status.conditions));
    });

    it('has nothing left to do when run again, and writes nothing', async () => {
      const before = await shootJson('u1');
      const again = await cliOk(['shoot', 'upgrade', 'u1', '-p', 'local', '--kubernetes-version', '1.37.2']);
      assert.match(again.stderr, /Shoot "local\/u1" runs Kubernetes 1\.37\.2 already: nothing to upgrade\./);
      assert.equal((await shootJson('u1')).metadata.resourceVersion, before.metadata.resourceVersion);
    });
  });
});
