import { strict as assert } from 'node:assert';
import type { KubeObject } from '../../../src/lib/kube/client.ts';
import { manifestComponent, notReadyReason } from '../../../src/lib/system/component.ts';
import { reconcileSystem, systemComponents } from '../../../src/lib/system/index.ts';
import { fakeClient, key, values } from './fixtures.ts';

const deployment = (status: Record<string, number>, generation = 1): KubeObject => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'coredns', namespace: 'kube-system', generation },
  spec: { replicas: 2 },
  status,
});
const configMap: KubeObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'coredns', namespace: 'kube-system' } };
const FAST = { timeoutMs: 300, intervalMs: 10 };

describe('system components: lifecycle', () => {
  describe('deploy and destroy', () => {
    it('applies the manifests in order and deletes them in reverse', async () => {
      const client = fakeClient();
      const c = manifestComponent(client, { name: 'coredns', enabled: true, objects: [configMap, deployment({})] });
      await c.deploy();
      await c.destroy();
      assert.deepEqual(client.calls, ['apply ConfigMap coredns', 'apply Deployment coredns', 'delete Deployment coredns', 'delete ConfigMap coredns']);
    });

    it('a disabled component applies nothing but still destroys everything it may have left', async () => {
      const client = fakeClient();
      const c = manifestComponent(client, { name: 'dashboard', enabled: false, objects: [configMap] });
      assert.deepEqual(c.manifests, []);
      await c.deploy();
      assert.deepEqual(client.calls, []);
      await c.destroy();
      assert.deepEqual(client.calls, ['delete ConfigMap coredns']);
    });
  });

  describe('waiting', () => {
    it('waitApplied is satisfied once every object exists', async () => {
      const client = fakeClient();
      const c = manifestComponent(client, { name: 'coredns', enabled: true, objects: [configMap, deployment({})] }, FAST);
      await assert.rejects(c.waitApplied(), /Timed out .* the coredns objects to exist: ConfigMap kube-system\/coredns, Deployment kube-system\/coredns do not exist/);
      await c.deploy();
      await c.waitApplied();
    });

    it('waitReady waits for the workload to be rolled out and names what is missing', async () => {
      const client = fakeClient();
      const c = manifestComponent(client, { name: 'coredns', enabled: true, objects: [deployment({})] }, FAST);
      await c.deploy();
      await assert.rejects(c.waitReady(), /coredns to be ready: Deployment kube-system\/coredns has not been observed/);
      client.objects.set(key({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'coredns', namespace: 'kube-system' }), deployment({ observedGeneration: 1, updatedReplicas: 2, availableReplicas: 2 }));
      await c.waitReady();
    });

    it('wait is waitApplied for a local shoot (waitFor: applied) and waitReady otherwise', async () => {
      const client = fakeClient();
      const objects = [deployment({})];
      await manifestComponent(client, { name: 'coredns', enabled: true, objects }).deploy();
      await manifestComponent(client, { name: 'coredns', enabled: true, objects }, { ...FAST, waitFor: 'applied' }).wait();
      await assert.rejects(manifestComponent(client, { name: 'coredns', enabled: true, objects }, FAST).wait(), /to be ready/);
    });

    it('waitCleanup waits until every object is gone', async () => {
      const client = fakeClient();
      const c = manifestComponent(client, { name: 'coredns', enabled: true, objects: [configMap] }, FAST);
      await c.deploy();
      await assert.rejects(c.waitCleanup(), /ConfigMap kube-system\/coredns still exists/);
      await c.destroy();
      await c.waitCleanup();
    });

    it('tells ready from not ready for DaemonSets, Deployments and APIServices', () => {
      const ds = (status: Record<string, number>): KubeObject => ({ apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'kube-proxy', generation: 2 }, status });
      assert.match(notReadyReason(ds({ observedGeneration: 2, desiredNumberScheduled: 3, updatedNumberScheduled: 3, numberReady: 1 })) ?? '', /1 of 3 pods ready/);
      assert.equal(notReadyReason(ds({ observedGeneration: 2, desiredNumberScheduled: 3, updatedNumberScheduled: 3, numberReady: 3 })), undefined);
      assert.match(notReadyReason(deployment({ observedGeneration: 1, updatedReplicas: 2, availableReplicas: 1 })) ?? '', /1 of 2 replicas available/);
      const api = (s: string): KubeObject => ({ apiVersion: 'apiregistration.k8s.io/v1', kind: 'APIService', metadata: { name: 'v1beta1.metrics.k8s.io' }, status: { conditions: [{ type: 'Available', status: s, message: 'no endpoints' }] } });
      assert.match(notReadyReason(api('False')) ?? '', /is not available \(no endpoints\)/);
      assert.equal(notReadyReason(api('True')), undefined);
    });
  });

  describe('reconcileSystem', () => {
    it('deploys what is enabled and removes add-ons that were turned off', async () => {
      const client = fakeClient();
      const on = values({ addons: { metricsServer: true, dashboard: true } });
      const first = await reconcileSystem(client, on, { waitFor: 'applied', ...FAST });
      assert.deepEqual(first.deployed, ['bootstrap', 'kube-proxy', 'coredns', 'metrics-server', 'dashboard']);
      assert.ok(client.objects.has(key({ apiVersion: 'apiregistration.k8s.io/v1', kind: 'APIService', name: 'v1beta1.metrics.k8s.io' })));
      const second = await reconcileSystem(client, values({ addons: { dashboard: true } }), { waitFor: 'applied', ...FAST });
      assert.deepEqual(second.destroyed, ['vpn-shoot', 'metrics-server']);
      assert.ok(!client.objects.has(key({ apiVersion: 'apiregistration.k8s.io/v1', kind: 'APIService', name: 'v1beta1.metrics.k8s.io' })));
      assert.ok(client.objects.has(key({ apiVersion: 'v1', kind: 'Namespace', name: 'kubernetes-dashboard' })));
    });

    it('lists every component, disabled ones included, in deploy order', () => {
      assert.deepEqual(
        systemComponents(fakeClient(), values()).map((c) => `${c.name}:${c.enabled}`),
        ['bootstrap:true', 'kube-proxy:true', 'coredns:true', 'vpn-shoot:false', 'metrics-server:false', 'dashboard:false'],
      );
    });
  });
});
