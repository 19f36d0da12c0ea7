// Issue 6: the control plane of an `aws` shoot rendered and applied to the test
// bed's seed (a real kube-apiserver and etcd, with no kubelet, scheduler or
// controllers), checked object by object as the API server stores it; then
// waited for (which must fail, saying why), destroyed and waited away.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { KubeClient, type KubeObject, type ObjectRef } from '../../../src/lib/kube/client.ts';
import type { LocalCluster } from '../../../src/lib/local/cluster.ts';
import { KubeSecretStore } from '../../../src/lib/pki/kube-store.ts';
import { reconcileCredentials } from '../../../src/lib/pki/reconcile.ts';
import { CREDENTIAL_NAMES } from '../../../src/lib/pki/catalog.ts';
import { KubegardenError } from '../../../src/lib/ui/errors.ts';
import {
  PRIORITY_CLASS_NAME,
  PRIORITY_CLASS_VALUE,
  applyAll,
  controlPlaneComponents,
  controlPlaneValues,
  kubeApiserverComponent,
  priorityClasses,
  renderControlPlane,
} from '../../../src/lib/controlplane/index.ts';
import type { ControlPlaneValues } from '../../../src/lib/controlplane/index.ts';
import { LABEL_MANAGED_BY, LABEL_PROJECT, LABEL_ROLE, LABEL_SHOOT } from '../../../src/lib/api/types.ts';
import { refOf } from '../../../src/lib/kube/client.ts';
import { startTestCluster } from '../../helpers/testbed.ts';

interface Container {
  name: string;
  args: string[];
  ports: Array<{ name: string; containerPort: number }>;
  volumeMounts: Array<{ name: string; mountPath: string }>;
  readinessProbe?: { httpGet?: { path: string; port: string; scheme: string } };
}

interface Workload extends KubeObject {
  spec: {
    replicas: number;
    serviceName?: string;
    template: {
      metadata: { labels: Record<string, string>; annotations?: Record<string, string> };
      spec: {
        priorityClassName: string;
        hostNetwork?: boolean;
        containers: Container[];
        volumes: Array<{ name: string; secret?: { secretName: string; items: Array<{ key: string; path: string }> }; configMap?: { name: string } }>;
      };
    };
    volumeClaimTemplates?: Array<{ metadata: { name: string }; spec: { accessModes: string[]; resources: { requests: { storage: string } } } }>;
  };
}

interface Service extends KubeObject {
  spec: { type: string; clusterIP: string; ports: Array<{ name: string; port: number; targetPort: string; nodePort?: number }> };
}

const flagValue = (c: Container, name: string) => c.args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);

describe('the control plane of an aws shoot on a real seed', function () {
  this.timeout(180_000);
  let seed: LocalCluster;
  let client: KubeClient;
  let values: ControlPlaneValues;
  /** Secret name → its data keys, as the credential reconciler wrote them. */
  const secretKeys = new Map<string, Set<string>>();

  const get = async <T extends KubeObject>(kind: string, name: string, apiVersion = kind === 'Deployment' || kind === 'StatefulSet' ? 'apps/v1' : 'v1') => {
    const obj = await client.get<T>({ apiVersion, kind, name, namespace: values.namespace });
    assert.ok(obj, `${kind} ${name} exists in the seed`);
    return obj;
  };
  const container = (w: Workload) => {
    const c = w.spec.template.spec.containers[0];
    assert.ok(c);
    return c;
  };

  before(async () => {
    seed = await startTestCluster('seed');
    client = await KubeClient.connect({ kubeconfig: seed.kubeconfigPath }, 'the seed');
    const base = controlPlaneValues({
      project: 'dev',
      shoot: 'demo',
      provider: 'aws',
      purpose: 'production',
      networking: { nodes: '10.250.0.0/16', pods: '100.96.0.0/11', services: '100.64.0.0/13' },
      endpoint: { host: 'api.demo.dev.example.com', port: 443 },
    });
    await client.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: base.namespace, labels: { [LABEL_MANAGED_BY]: 'kubegarden' } } });
    const store = new KubeSecretStore(client, base.namespace);
    await reconcileCredentials(store, {
      shootName: base.shoot,
      namespace: base.namespace,
      servicesCIDR: base.networking.services,
      externalEndpoint: base.endpoint.host,
    });
    // What a flow does: a checksum of every Secret, so that a renewed certificate rolls its pods.
    const checksums: Record<string, string> = {};
    for (const name of CREDENTIAL_NAMES) {
      const secret = await store.get(name);
      assert.ok(secret, `the reconciler wrote Secret ${name}`);
      secretKeys.set(name, new Set(Object.keys(secret.data)));
      checksums[name] = createHash('sha256').update(JSON.stringify(Object.entries(secret.data).sort())).digest('hex');
    }
    values = { ...base, checksums };
    await applyAll(client, priorityClasses());
    for (const component of controlPlaneComponents(values)) await component.deploy(client, values);
  });
  after(async () => {
    await client?.delete({ apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', name: PRIORITY_CLASS_NAME }).catch(() => false);
    client?.close();
  });

  describe('as the seed stores it', () => {
    it('has every rendered object, labelled, in the shoot namespace', async () => {
      const rendered = renderControlPlane(values);
      assert.deepEqual(
        rendered.map((o) => `${o.kind}/${o.metadata.name}`),
        [
          'Service/etcd-main-client',
          'Service/etcd-main-peer',
          'PodDisruptionBudget/etcd-main',
          'StatefulSet/etcd-main',
          'ConfigMap/kube-apiserver-audit-policy',
          'Service/kube-apiserver',
          'PodDisruptionBudget/kube-apiserver',
          'Deployment/kube-apiserver',
          'Deployment/kube-controller-manager',
          'Deployment/kube-scheduler',
          'ConfigMap/vpn-seed-server-config',
          'Service/vpn-seed-server',
          'Deployment/vpn-seed-server',
        ],
      );
      for (const o of rendered) {
        const stored = await client.get(refOf(o));
        assert.ok(stored, `${o.kind} ${o.metadata.name}`);
        assert.equal(stored.metadata.namespace, 'shoot--dev--demo');
        assert.equal(stored.metadata.labels?.[LABEL_PROJECT], 'dev');
        assert.equal(stored.metadata.labels?.[LABEL_SHOOT], 'demo');
        assert.equal(stored.metadata.labels?.[LABEL_MANAGED_BY], 'kubegarden');
        assert.ok(stored.metadata.labels?.[LABEL_ROLE]);
      }
    });

    it('has the StatefulSet etcd-main with its claim template and TLS volumes', async () => {
      const sts = await get<Workload>('StatefulSet', 'etcd-main');
      assert.equal(sts.spec.replicas, 1);
      assert.equal(sts.spec.serviceName, 'etcd-main-peer');
      assert.deepEqual(
        sts.spec.volumeClaimTemplates?.map((t) => [t.metadata.name, t.spec.accessModes, t.spec.resources.requests.storage]),
        [['etcd-data', ['ReadWriteOnce'], '10Gi']],
      );
      const volumes = Object.fromEntries(sts.spec.template.spec.volumes.map((v) => [v.name, v.secret?.items.map((i) => i.key)]));
      assert.deepEqual(volumes, {
        'etcd-server': ['tls.crt', 'tls.key'],
        'etcd-peer': ['tls.crt', 'tls.key'],
        'ca-etcd': ['ca.crt'],
        'ca-etcd-peer': ['ca.crt'],
      });
      const c = container(sts);
      assert.equal(flagValue(c, 'client-cert-auth'), 'true');
      assert.equal(flagValue(c, 'peer-client-cert-auth'), 'true');
      assert.equal(flagValue(c, 'data-dir'), '/var/etcd/data/new.etcd');
      assert.equal(sts.spec.template.spec.priorityClassName, PRIORITY_CLASS_NAME);
      assert.equal(sts.spec.template.metadata.annotations?.['checksum/secret-etcd-server'], values.checksums['etcd-server']);
    });

    it('has the Services: LoadBalancers for kube-apiserver and the VPN, ClusterIP and headless for etcd', async () => {
      const api = await get<Service>('Service', 'kube-apiserver');
      assert.equal(api.spec.type, 'LoadBalancer');
      assert.deepEqual(api.spec.ports.map((p) => [p.name, p.port, p.targetPort]), [['https', 443, 'https']]);
      assert.ok(api.spec.ports[0]?.nodePort, 'the seed allocated a node port for the load balancer');
      const client_ = await get<Service>('Service', 'etcd-main-client');
      assert.equal(client_.spec.type, 'ClusterIP');
      assert.match(client_.spec.clusterIP, /^\d+\.\d+\.\d+\.\d+$/);
      const peer = await get<Service>('Service', 'etcd-main-peer');
      assert.equal(peer.spec.clusterIP, 'None');
      assert.equal((await get<Service>('Service', 'vpn-seed-server')).spec.type, 'LoadBalancer');
    });

    it('has the Deployments with the expected flags', async () => {
      const api = container(await get<Workload>('Deployment', 'kube-apiserver'));
      assert.equal(flagValue(api, 'etcd-servers'), 'https://etcd-main-client.shoot--dev--demo.svc:2379');
      assert.equal(flagValue(api, 'service-account-issuer'), 'https://api.demo.dev.example.com');
      assert.equal(flagValue(api, 'authorization-mode'), 'Node,RBAC');
      assert.equal(flagValue(api, 'encryption-provider-config'), '/srv/kubernetes/encryption-config/encryption-configuration.yaml');
      assert.equal(flagValue(api, 'endpoint-reconciler-type'), 'none');
      assert.deepEqual(api.readinessProbe?.httpGet, { path: '/readyz', port: 'https', scheme: 'HTTPS' });
      const kcm = container(await get<Workload>('Deployment', 'kube-controller-manager'));
      assert.equal(flagValue(kcm, 'cluster-cidr'), '100.96.0.0/11');
      assert.equal(flagValue(kcm, 'kubeconfig'), '/srv/kubernetes/kube-controller-manager/kubeconfig');
      assert.equal(flagValue(kcm, 'leader-elect'), 'false');
      const scheduler = container(await get<Workload>('Deployment', 'kube-scheduler'));
      assert.equal(flagValue(scheduler, 'kubeconfig'), '/srv/kubernetes/kube-scheduler/kubeconfig');
    });

    it('mounts only Secret keys the credential reconciler really wrote', async () => {
      let checked = 0;
      for (const kind of ['StatefulSet', 'Deployment']) {
        for (const w of await client.list<Workload>('apps/v1', kind, { namespace: values.namespace })) {
          for (const v of w.spec.template.spec.volumes) {
            if (!v.secret) continue;
            for (const item of v.secret.items) {
              assert.ok(secretKeys.get(v.secret.secretName)?.has(item.key), `${w.metadata.name} mounts ${v.secret.secretName}/${item.key}`);
              checked++;
            }
          }
        }
      }
      assert.ok(checked >= 25, `checked ${checked} keys`);
    });

    it('has the PodDisruptionBudgets and the PriorityClass', async () => {
      for (const name of ['etcd-main', 'kube-apiserver']) {
        const pdb = await get<KubeObject & { spec: { maxUnavailable: number; selector: { matchLabels: Record<string, string> } } }>('PodDisruptionBudget', name, 'policy/v1');
        assert.equal(pdb.spec.maxUnavailable, 1);
        assert.deepEqual(pdb.spec.selector.matchLabels, { [LABEL_ROLE]: name });
      }
      const pc = await client.get<KubeObject & { value: number }>({ apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', name: PRIORITY_CLASS_NAME });
      assert.equal(pc?.value, PRIORITY_CLASS_VALUE);
    });

    it('changes nothing when deployed a second time', async () => {
      const rendered = renderControlPlane(values);
      const before = await Promise.all(rendered.map((o) => client.get(refOf(o))));
      for (const component of controlPlaneComponents(values)) await component.deploy(client, values);
      const after = await Promise.all(rendered.map((o) => client.get(refOf(o))));
      assert.deepEqual(
        after.map((o) => o?.metadata.resourceVersion),
        before.map((o) => o?.metadata.resourceVersion),
      );
    });
  });

  describe('waiting', () => {
    it('fails for kube-apiserver with one sentence naming it and why', async () => {
      const err = await kubeApiserverComponent().wait(client, values, { timeoutMs: 2000 }).then(
        () => assert.fail('kube-apiserver cannot become ready without anything running its pods'),
        (e: unknown) => e,
      );
      assert.ok(err instanceof KubegardenError);
      assert.equal(err.code, 'timeout');
      assert.equal(
        err.message,
        'Timed out after 2s waiting for kube-apiserver of shoot dev/demo to be ready: Deployment kube-apiserver has 0/1 replicas ready and no status yet (nothing in the seed runs its pods: no kubelet or local runtime).',
      );
    });
  });

  describe('destroying', () => {
    it('removes every object and waits until they are gone', async () => {
      const components = controlPlaneComponents(values).reverse();
      for (const component of components) await component.destroy(client, values);
      for (const component of components) await component.waitCleanup(client, values, { timeoutMs: 30_000 });
      const left: ObjectRef[] = [];
      for (const o of renderControlPlane(values)) if (await client.get(refOf(o))) left.push(refOf(o));
      assert.deepEqual(left, []);
      // The credentials stay: they belong to the shoot, not to the components.
      assert.ok(await client.get({ apiVersion: 'v1', kind: 'Secret', name: 'ca', namespace: values.namespace }));
    });
  });
});
