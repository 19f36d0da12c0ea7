// The lifecycle every component shares, against a fake seed: a plain object
// that keeps objects in a map, so deploy, wait, destroy and waitCleanup are
// specified by what a cluster would hold and say.
import assert from 'node:assert/strict';
import { kubeApiserverComponent } from '../../../src/lib/controlplane/kube-apiserver.ts';
import { workloadNotReady } from '../../../src/lib/controlplane/component.ts';
import type { ComponentClient } from '../../../src/lib/controlplane/component.ts';
import { etcdComponent } from '../../../src/lib/controlplane/etcd.ts';
import type { KubeObject, ObjectRef } from '../../../src/lib/kube/client.ts';
import { KubegardenError } from '../../../src/lib/ui/errors.ts';
import { awsValues } from './fixtures.ts';

class FakeSeed {
  readonly objects = new Map<string, KubeObject>();
  readonly calls: string[] = [];
  static key(ref: ObjectRef): string {
    return `${ref.kind}/${ref.namespace ?? ''}/${ref.name}`;
  }
  client(): ComponentClient {
    return {
      get: async <T extends KubeObject>(ref: ObjectRef) => this.objects.get(FakeSeed.key(ref)) as T | undefined,
      apply: async <T extends KubeObject>(obj: KubeObject) => {
        this.calls.push(`apply ${obj.kind}/${obj.metadata.name}`);
        const stored = { ...structuredClone(obj), metadata: { ...obj.metadata, generation: 1 } };
        this.objects.set(FakeSeed.key({ ...obj, name: obj.metadata.name, namespace: obj.metadata.namespace }), stored);
        return stored as T;
      },
      delete: async (ref: ObjectRef) => {
        this.calls.push(`delete ${ref.kind}/${ref.name}`);
        return this.objects.delete(FakeSeed.key(ref));
      },
      list: async () => [],
    };
  }
  setStatus(kind: string, namespace: string, name: string, status: Record<string, unknown>): void {
    const obj = this.objects.get(FakeSeed.key({ apiVersion: 'apps/v1', kind, namespace, name }));
    if (obj === undefined) throw new Error(`no ${kind} ${name}`);
    obj['status'] = status;
  }
}

async function rejection(promise: Promise<unknown>): Promise<KubegardenError> {
  try {
    await promise;
  } catch (err) {
    assert.ok(err instanceof KubegardenError, `expected a KubegardenError, got ${String(err)}`);
    return err;
  }
  assert.fail('expected a rejection');
}

const FAST = { waitTimeoutMs: 60, cleanupTimeoutMs: 60, intervalMs: 10 };

describe('control-plane component lifecycle', () => {
  const values = awsValues();
  const ns = values.namespace;

  it('deploy applies the configuration before the workload that mounts it', async () => {
    const seed = new FakeSeed();
    await kubeApiserverComponent(FAST).deploy(seed.client(), values);
    assert.deepEqual(seed.calls, [
      'apply ConfigMap/kube-apiserver-audit-policy',
      'apply Service/kube-apiserver',
      'apply PodDisruptionBudget/kube-apiserver',
      'apply Deployment/kube-apiserver',
    ]);
  });

  it('wait fails with one sentence naming the component and why, when nothing runs its pods', async () => {
    const seed = new FakeSeed();
    const component = kubeApiserverComponent(FAST);
    await component.deploy(seed.client(), values);
    const err = await rejection(component.wait(seed.client(), values));
    assert.equal(err.code, 'timeout');
    assert.match(err.message, /^Timed out after 60ms waiting for kube-apiserver of shoot dev\/demo to be ready: Deployment kube-apiserver has 0\/1 replicas ready and no status yet \(nothing in the seed runs its pods: no kubelet or local runtime\)\.$/);
  });

  it('wait says what a not-yet-deployed component lacks', async () => {
    const err = await rejection(kubeApiserverComponent(FAST).wait(new FakeSeed().client(), values));
    assert.match(err.message, /Deployment kube-apiserver does not exist \(deploy it first\)/);
  });

  it('wait resolves once every replica is updated and ready', async () => {
    const seed = new FakeSeed();
    const component = etcdComponent(FAST);
    await component.deploy(seed.client(), values);
    seed.setStatus('StatefulSet', ns, 'etcd-main', { observedGeneration: 1, replicas: 1, readyReplicas: 1, updatedReplicas: 1 });
    await component.wait(seed.client(), values);
  });

  it('wait honours a shorter timeout given to it', async () => {
    const seed = new FakeSeed();
    const component = etcdComponent({ ...FAST, waitTimeoutMs: 60_000 });
    await component.deploy(seed.client(), values);
    const started = Date.now();
    const err = await rejection(component.wait(seed.client(), values, { timeoutMs: 30 }));
    assert.ok(Date.now() - started < 5000);
    assert.match(err.message, /StatefulSet etcd-main has 0\/1 replicas ready/);
  });

  it('wait stops when aborted', async () => {
    const seed = new FakeSeed();
    const component = etcdComponent({ ...FAST, waitTimeoutMs: 60_000 });
    await component.deploy(seed.client(), values);
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 20);
    const err = await rejection(component.wait(seed.client(), values, { signal: controller.signal }));
    assert.equal(err.code, 'aborted');
  });

  it('destroy deletes in reverse order, and waitCleanup resolves once everything is gone', async () => {
    const seed = new FakeSeed();
    const component = kubeApiserverComponent(FAST);
    await component.deploy(seed.client(), values);
    seed.calls.length = 0;
    await component.destroy(seed.client(), values);
    assert.deepEqual(seed.calls, [
      'delete Deployment/kube-apiserver',
      'delete PodDisruptionBudget/kube-apiserver',
      'delete Service/kube-apiserver',
      'delete ConfigMap/kube-apiserver-audit-policy',
    ]);
    await component.waitCleanup(seed.client(), values);
  });

  it('waitCleanup names what is left and the finalizers holding it', async () => {
    const seed = new FakeSeed();
    const component = etcdComponent(FAST);
    await component.deploy(seed.client(), values);
    await seed.client().apply({
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: { name: 'etcd-data-etcd-main-0', namespace: ns, finalizers: ['kubernetes.io/pvc-protection'] },
    });
    const err = await rejection(component.waitCleanup(seed.client(), values));
    assert.match(err.message, /waiting for etcd-main of shoot dev\/demo to be deleted: .*PersistentVolumeClaim etcd-data-etcd-main-0 \(held by finalizers kubernetes\.io\/pvc-protection\) still exist\.$/);
  });

  describe('workloadNotReady', () => {
    const w = (spec: Record<string, unknown>, status?: Record<string, unknown>, generation = 2): KubeObject & { spec: { replicas?: number } } => ({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'kube-apiserver', generation },
      spec,
      ...(status ? { status } : {}),
    });
    const cases: Array<[string, ReturnType<typeof w>, string | undefined]> = [
      ['ready', w({ replicas: 1 }, { observedGeneration: 2, replicas: 1, readyReplicas: 1, updatedReplicas: 1 }), undefined],
      ['scaled to zero with no status', w({ replicas: 0 }), undefined],
      ['an old generation', w({ replicas: 1 }, { observedGeneration: 1, replicas: 1, readyReplicas: 1, updatedReplicas: 1 }), 'Deployment kube-apiserver has not picked up its latest change yet'],
      [
        'not ready, with the controller’s reason',
        w({ replicas: 1 }, { observedGeneration: 2, replicas: 1, conditions: [{ type: 'Available', status: 'False', message: 'Deployment does not have minimum availability.' }] }),
        'Deployment kube-apiserver has 0/1 replicas ready (Deployment does not have minimum availability)',
      ],
      ['ready but old', w({ replicas: 2 }, { observedGeneration: 2, replicas: 3, readyReplicas: 2, updatedReplicas: 1 }), 'Deployment kube-apiserver has 1/2 replicas updated to its latest template'],
      ['surplus left', w({ replicas: 0 }, { observedGeneration: 2, replicas: 1, readyReplicas: 1, updatedReplicas: 0 }), 'Deployment kube-apiserver still has 1 replicas, scaling down to 0'],
    ];
    for (const [title, workload, expected] of cases) {
      it(title, () => assert.equal(workloadNotReady(workload), expected));
    }
  });
});
