// A local shoot's control plane, rendered, applied to a real seed and run by
// the local provider's runtime as processes: proof that the rendered flags are
// ones the binaries accept and that the components find each other.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeClient } from '../../../src/lib/kube/client.ts';
import type { LocalCluster } from '../../../src/lib/local/cluster.ts';
import { freePorts } from '../../../src/lib/local/ports.ts';
import { startRuntime, type Runtime } from '../../../src/lib/local/runtime/index.ts';
import { KubeSecretStore } from '../../../src/lib/pki/kube-store.ts';
import { reconcileCredentials } from '../../../src/lib/pki/reconcile.ts';
import { applyAll, controlPlaneComponents, controlPlaneValues, priorityClasses } from '../../../src/lib/controlplane/index.ts';
import type { ControlPlaneValues } from '../../../src/lib/controlplane/index.ts';
import { startTestCluster } from '../../helpers/testbed.ts';

describe('the control plane of a local shoot, run by the local runtime', function () {
  this.timeout(180_000);
  let seed: LocalCluster;
  let client: KubeClient;
  let runtime: Runtime | undefined;
  let stateDir: string;
  let values: ControlPlaneValues;

  before(async () => {
    seed = await startTestCluster('seed');
    client = await KubeClient.connect({ kubeconfig: seed.kubeconfigPath }, 'the seed');
    const [etcdClient, etcdPeer, etcdMetrics, kubeApiserver, kubeControllerManager, kubeScheduler] = (await freePorts(6)) as [number, number, number, number, number, number];
    values = controlPlaneValues({
      project: 'dev',
      shoot: 'local',
      provider: 'local',
      networking: { nodes: '10.250.0.0/16', pods: '100.96.0.0/11', services: '100.64.0.0/13' },
      endpoint: { host: '127.0.0.1', port: kubeApiserver },
      hostNetwork: { ports: { etcdClient, etcdPeer, etcdMetrics, kubeApiserver, kubeControllerManager, kubeScheduler } },
    });
    await client.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: values.namespace } });
    await reconcileCredentials(new KubeSecretStore(client, values.namespace), {
      shootName: values.shoot,
      namespace: values.namespace,
      servicesCIDR: values.networking.services,
      externalEndpoint: `127.0.0.1:${kubeApiserver}`,
      internalServer: values.endpoint.url,
      loopback: true,
    });
    stateDir = await mkdtemp(join(tmpdir(), 'kubegarden-cp-local-'));
    runtime = await startRuntime({ client, stateDir, log: (line) => process.stderr.write(`  [runtime] ${line}\n`) });
  });
  after(async () => {
    await runtime?.stop();
    client?.close();
    if (stateDir) await rm(stateDir, { recursive: true, force: true });
  });

  it('starts every component and each becomes ready', async () => {
    await applyAll(client, priorityClasses());
    for (const component of controlPlaneComponents(values)) {
      await component.deploy(client, values);
      await component.wait(client, values, { timeoutMs: 90_000 });
    }
    assert.deepEqual(controlPlaneComponents(values).map((c) => c.name), ['etcd-main', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler']);
  });

  it('goes away on destroy', async () => {
    const components = controlPlaneComponents(values).reverse();
    for (const component of components) await component.destroy(client, values);
    for (const component of components) await component.waitCleanup(client, values, { timeoutMs: 30_000 });
  });
});
