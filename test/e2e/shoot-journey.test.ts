// A shoot's whole life in one go on the local provider, with real processes:
// create at 1.36.4 → a ConfigMap → upgrade to 1.37.2 → hibernate → wake up
// (the ConfigMap is still there) → rotate credentials (a kubeconfig from
// before is rejected after complete, a new one works) → delete (nothing left).
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { KubeClient } from '../../src/lib/kube/client.ts';
import { kubegarden, kubegardenOk } from '../helpers/cli.ts';

describe("a shoot's life from create to delete (real processes)", function () {
  this.timeout(1_200_000);
  const dir = join(tmpdir(), `kubegarden-journey-e2e-${process.pid}`);
  const kubeconfig = join(dir, 'kubeconfig');
  const env = { KUBEGARDEN_LOCAL_DIR: dir, KUBECONFIG: kubeconfig };
  const cliOk = (args: string[]) => kubegardenOk(args, { env });
  const shoot = ['-p', 'local', '--timeout', '5m'];
  const kubectl = (config: string, args: string[]) => execa('kubectl', ['--kubeconfig', config, ...args], { reject: false });
  const issue = async (file: string) => {
    await cliOk(['shoot', 'kubeconfig', 'trip', '-p', 'local', '--output-file', join(dir, file)]);
    return join(dir, file);
  };
  const configMap = async (config: string) => (await kubectl(config, ['get', 'configmap', 'luggage', '-o', 'jsonpath={.data.item}'])).stdout;

  before(() => cliOk(['local', 'up']));
  after(async () => {
    await kubegarden(['local', 'down', '--purge'], { env });
    await rm(dir, { recursive: true, force: true });
  });

  it('goes through upgrade, hibernation, credential rotation and deletion, keeping its data until the end', async () => {
    await cliOk(['shoot', 'create', 'trip', '--provider', 'local', '--kubernetes-version', '1.36.4', ...shoot]);
    const before = await issue('before.kubeconfig');
    assert.equal((await kubectl(before, ['create', 'configmap', 'luggage', '--from-literal=item=passport'])).exitCode, 0);

    await cliOk(['shoot', 'upgrade', 'trip', '--kubernetes-version', '1.37.2', '--yes', ...shoot]);
    const version = JSON.parse((await kubectl(before, ['version', '-o', 'json'])).stdout) as { serverVersion: { gitVersion: string } };
    assert.equal(version.serverVersion.gitVersion, 'v1.37.2');

    await cliOk(['shoot', 'hibernate', 'trip', ...shoot]);
    await cliOk(['shoot', 'wake-up', 'trip', ...shoot]);
    assert.equal(await configMap(before), 'passport', 'the ConfigMap survived upgrade and hibernation');

    await cliOk(['shoot', 'rotate-credentials', 'trip', '--phase', 'prepare', ...shoot]);
    assert.equal(await configMap(before), 'passport', 'during the rotation, kubeconfigs from before still work');
    await cliOk(['shoot', 'rotate-credentials', 'trip', '--phase', 'complete', ...shoot]);
    const rejected = await kubectl(before, ['get', 'configmap', 'luggage']);
    assert.notEqual(rejected.exitCode, 0, 'a kubeconfig from before the rotation is rejected after complete');
    assert.equal(await configMap(await issue('after.kubeconfig')), 'passport');

    await cliOk(['shoot', 'delete', 'trip', '-p', 'local', '--yes', '--timeout', '5m']);
    const seed = await KubeClient.connect({ kubeconfig }, 'the local seed');
    try {
      assert.equal(await seed.get({ apiVersion: 'v1', kind: 'Namespace', name: 'shoot--local--trip' }), undefined);
      assert.equal(await seed.get({ apiVersion: 'kubegarden.io/v1alpha1', kind: 'Shoot', name: 'trip', namespace: 'garden-local' }), undefined);
    } finally {
      seed.close();
    }
    const deadline = Date.now() + 90_000;
    for (;;) {
      const status = JSON.parse((await cliOk(['local', 'status', '-o', 'json'])).stdout) as { processes: Array<{ owner?: string; alive: boolean }> };
      if (!status.processes.some((p) => p.owner?.startsWith('shoot--local--trip/') && p.alive)) break;
      assert.ok(Date.now() < deadline, 'no process of the deleted shoot is left');
      await new Promise((r) => setTimeout(r, 1000));
    }
  });
});
