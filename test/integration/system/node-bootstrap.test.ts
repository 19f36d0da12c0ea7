// Machines join a shoot the way real ones do, against real processes: a
// kube-apiserver with Node,RBAC + NodeRestriction + bootstrap-token auth and a
// kube-controller-manager that approves and signs kubelet CSRs with the client CA.
// Then the system components are applied to the same API server.
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { KubeObject } from '../../../src/lib/kube/client.ts';
import { waitFor } from '../../../src/lib/kube/wait.ts';
import { renderCloudConfig } from '../../../src/lib/machines/cloud-config.ts';
import { reconcileMachines, startSimulatedMachine, type SimulatedMachine } from '../../../src/lib/machines/simulator.ts';
import { generateBootstrapToken } from '../../../src/lib/pki/material.ts';
import { bootstrapComponent } from '../../../src/lib/system/bootstrap.ts';
import { clusterDnsIP, reconcileSystem, systemValues, type SystemValues } from '../../../src/lib/system/index.ts';
import { KubegardenError } from '../../../src/lib/ui/errors.ts';
import { startShootControlPlane, type ShootControlPlane } from './shoot-control-plane.ts';

type Csr = KubeObject & {
  spec: { username: string; signerName: string; usages: string[] };
  status?: { certificate?: string; conditions?: Array<{ type: string; status: string; reason?: string }> };
};
type Node = KubeObject & {
  spec: { taints?: Array<{ key: string; value?: string; effect: string }> };
  status: { conditions?: Array<{ type: string; status: string; reason?: string; message?: string }>; nodeInfo?: { kubeletVersion?: string } };
};
type Lease = KubeObject & { spec: { renewTime?: string; holderIdentity?: string } };

const SERVICES = '100.64.0.0/13';
const PODS = '100.96.0.0/11';
const POOL = {
  name: 'blue',
  labels: { team: 'blue', 'example.com/tier': 'backend' },
  taints: [{ key: 'dedicated', value: 'blue', effect: 'NoSchedule' as const }],
};
const FAST = { leaseIntervalMs: 1500, statusIntervalMs: 5000, bootstrapTimeoutMs: 60_000 };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('simulated machines join a shoot by TLS bootstrapping (real kube-apiserver and kube-controller-manager)', function () {
  this.timeout(180_000);
  let cp: ShootControlPlane;
  let values: SystemValues;
  let cloudConfig: string;
  const machines: SimulatedMachine[] = [];
  const logs: string[] = [];
  const log = (line: string) => logs.push(line);

  const readyCondition = (node: Node | undefined) => node?.status.conditions?.find((c) => c.type === 'Ready');
  const lease = (name: string) => cp.admin.get<Lease>({ apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', name, namespace: 'kube-node-lease' });
  const node = (name: string) => cp.admin.get<Node>({ apiVersion: 'v1', kind: 'Node', name });
  const csrs = () => cp.admin.list<Csr>('certificates.k8s.io/v1', 'CertificateSigningRequest');

  before(async () => {
    cp = await startShootControlPlane('demo', { servicesCidr: SERVICES, nodeMonitorGracePeriod: '12s' });
    values = systemValues({
      shoot: 'demo',
      project: 'dev',
      kubernetesVersion: '1.37.2',
      networking: { pods: PODS, services: SERVICES, nodes: '10.250.0.0/16' },
      apiServerUrl: cp.server,
      caPem: cp.ca.certPem,
      bootstrapToken: generateBootstrapToken(new Date(), 3600),
      kubeProxyKubeconfig: cp.userKubeconfig('system:kube-proxy'),
      addons: { metricsServer: true, dashboard: true },
    });
    const bootstrap = bootstrapComponent(cp.admin, values, { timeoutMs: 30_000, intervalMs: 500 });
    await bootstrap.deploy();
    await bootstrap.waitApplied();
    cloudConfig = renderCloudConfig({
      kubernetesVersion: values.kubernetesVersion,
      apiServerUrl: cp.server,
      caPem: cp.ca.certPem,
      clientCaPem: cp.clientCa.certPem,
      bootstrapToken: values.bootstrapToken,
      pool: POOL,
      clusterDns: clusterDnsIP(SERVICES),
      clusterDomain: values.clusterDomain,
    });
  });

  after(async () => {
    for (const m of machines) await m.stop().catch(() => {});
    await cp?.stop();
  });

  it('two machines get client certificates that the controller manager approved and signed', async () => {
    const started = await Promise.all(
      ['blue-1', 'blue-2'].map((name) => startSimulatedMachine({ name, cloudConfig, stateDir: join(cp.dir, 'machines', name), log, ...FAST })),
    );
    machines.push(...started);
    const clientCa = new X509Certificate(cp.clientCa.certPem);
    for (const m of started) {
      assert.equal(m.joinedWith, 'csr');
      assert.ok(m.csrName);
      const csr = await cp.admin.get<Csr>({ apiVersion: 'certificates.k8s.io/v1', kind: 'CertificateSigningRequest', name: m.csrName });
      assert.ok(csr, `CSR ${m.csrName} exists`);
      assert.equal(csr.spec.username, `system:bootstrap:${values.bootstrapToken.id}`, 'requested with the bootstrap token');
      assert.equal(csr.spec.signerName, 'kubernetes.io/kube-apiserver-client-kubelet');
      const approved = csr.status?.conditions?.find((c) => c.type === 'Approved');
      assert.equal(approved?.status, 'True');
      assert.equal(approved?.reason, 'AutoApproved', 'approved by the csrapproving controller');
      const cert = new X509Certificate(Buffer.from(csr.status?.certificate ?? '', 'base64').toString('utf8'));
      assert.ok(cert.verify(clientCa.publicKey), 'signed with the client CA by the csrsigning controller');
      assert.match(cert.subject, new RegExp(`CN=system:node:${m.name}`));
      assert.match(cert.subject, /O=system:nodes/);
      assert.ok(existsSync(join(cp.dir, 'machines', m.name, 'pki', 'kubelet-client.crt')), 'certificate persisted');
    }
  });

  it('lists both nodes Ready with the pool labels, the simulated label and the taint', async () => {
    const nodes = await cp.admin.list<Node>('v1', 'Node');
    assert.deepEqual(nodes.map((n) => n.metadata.name).sort(), ['blue-1', 'blue-2']);
    for (const n of nodes) {
      const ready = readyCondition(n);
      assert.equal(ready?.status, 'True');
      assert.equal(ready?.reason, 'KubeletReady');
      assert.match(ready?.message ?? '', /simulated by kubegarden's local provider/);
      assert.equal(n.metadata.labels?.['worker.kubegarden.io/pool'], 'blue');
      assert.equal(n.metadata.labels?.['team'], 'blue');
      assert.equal(n.metadata.labels?.['example.com/tier'], 'backend');
      assert.equal(n.metadata.labels?.['node.kubegarden.io/simulated'], 'true');
      assert.ok(n.spec.taints?.some((t) => t.key === 'dedicated' && t.value === 'blue' && t.effect === 'NoSchedule'), 'pool taint registered');
      assert.equal(n.status.nodeInfo?.kubeletVersion, 'v1.37.2');
    }
  });

  it('renews the nodes\' Leases', async () => {
    for (const name of ['blue-1', 'blue-2']) {
      const first = (await lease(name))?.spec.renewTime;
      assert.ok(first, `Lease ${name} exists`);
      await waitFor(
        async () => {
          const now = (await lease(name))?.spec.renewTime;
          return now && now !== first ? { ready: true, value: now } : { ready: false, reason: `still ${first}` };
        },
        { what: `Lease ${name} to be renewed`, timeoutMs: 10_000, intervalMs: 300 },
      );
    }
  });

  it('refuses a machine with a wrong bootstrap token, clearly, and registers nothing', async () => {
    const before = (await csrs()).length;
    const wrong = renderCloudConfig({
      kubernetesVersion: '1.37.2',
      apiServerUrl: cp.server,
      caPem: cp.ca.certPem,
      bootstrapToken: 'abcdef.0123456789abcdef',
      pool: POOL,
      clusterDns: clusterDnsIP(SERVICES),
      clusterDomain: 'cluster.local',
    });
    await assert.rejects(startSimulatedMachine({ name: 'intruder', cloudConfig: wrong, stateDir: join(cp.dir, 'machines', 'intruder'), log, ...FAST }), (err: unknown) => {
      assert.ok(err instanceof KubegardenError);
      assert.equal(err.code, 'forbidden');
      assert.match(err.message, /Machine "intruder" cannot join: the API server at .* rejected its bootstrap token \(401 Unauthorized\)/);
      assert.ok(!err.message.includes('0123456789abcdef'), 'the token is not printed');
      return true;
    });
    assert.equal(await node('intruder'), undefined);
    assert.equal((await csrs()).length, before);
  });

  it('a restarted machine reuses its persisted certificate: no new CSR', async () => {
    const before = (await csrs()).length;
    const old = machines.splice(1, 1)[0]!;
    await old.stop();
    const again = await startSimulatedMachine({ name: 'blue-2', cloudConfig, stateDir: join(cp.dir, 'machines', 'blue-2'), log, ...FAST });
    machines.push(again);
    assert.equal(again.joinedWith, 'persisted');
    assert.equal(again.csrName, undefined);
    assert.equal((await csrs()).length, before);
    assert.equal(readyCondition(await node('blue-2'))?.status, 'True');
  });

  it('stop() ends the heartbeats: the Lease is no longer renewed and the node controller marks the node NotReady', async () => {
    const m = machines.find((x) => x.name === 'blue-1')!;
    await m.stop();
    const last = (await lease('blue-1'))?.spec.renewTime;
    await sleep(FAST.leaseIntervalMs * 3);
    assert.equal((await lease('blue-1'))?.spec.renewTime, last, 'Lease not renewed after stop()');
    const status = await waitFor(
      async () => {
        const ready = readyCondition(await node('blue-1'));
        return ready && ready.status !== 'True' ? { ready: true, value: ready.status } : { ready: false, reason: `Ready is ${ready?.status}` };
      },
      { what: 'node blue-1 to become NotReady', timeoutMs: 60_000, intervalMs: 1000 },
    );
    assert.equal(status, 'Unknown');
    assert.equal(readyCondition(await node('blue-2'))?.status, 'True', 'the running machine stays Ready');
  });

  it('reconcileMachines starts, keeps and removes machines to match the desired list', async () => {
    const running = new Map<string, SimulatedMachine>();
    const stateRoot = join(cp.dir, 'fleet');
    const first = await reconcileMachines([{ name: 'fleet-1', cloudConfig }], { running, stateRoot, log, machineOptions: FAST });
    assert.deepEqual(first.started, ['fleet-1']);
    assert.equal(readyCondition(await node('fleet-1'))?.status, 'True');
    assert.deepEqual((await reconcileMachines([{ name: 'fleet-1', cloudConfig }], { running, stateRoot, log, machineOptions: FAST })).kept, ['fleet-1']);
    const changed = cloudConfig.replace('--node-labels=', '--node-labels=release=2,');
    const restarted = await reconcileMachines([{ name: 'fleet-1', cloudConfig: changed }], { running, stateRoot, log, machineOptions: FAST });
    assert.deepEqual(restarted.restarted, ['fleet-1']);
    assert.equal(running.get('fleet-1')?.joinedWith, 'persisted', 'same cluster: the certificate is kept');
    const second = await reconcileMachines([], { running, stateRoot, log, machineOptions: FAST, client: cp.admin });
    assert.deepEqual(second.removed, ['fleet-1']);
    assert.equal(running.size, 0);
    assert.equal(await node('fleet-1'), undefined, 'the Node of a removed machine is deleted');
  });

  describe('system components on the same API server', () => {
    it('applies kube-proxy, CoreDNS and the enabled add-ons (objects exist; a local shoot waits for no readiness)', async () => {
      const result = await reconcileSystem(cp.admin, values, { waitFor: 'applied', timeoutMs: 30_000, intervalMs: 500 });
      assert.deepEqual(result.deployed, ['bootstrap', 'kube-proxy', 'coredns', 'metrics-server', 'dashboard']);
      assert.deepEqual(result.destroyed, ['vpn-shoot']);
      const get = (apiVersion: string, kind: string, name: string, namespace?: string) => cp.admin.get<KubeObject & { spec?: Record<string, unknown>; data?: Record<string, string> }>({ apiVersion, kind, name, namespace });
      assert.ok(await get('apps/v1', 'DaemonSet', 'kube-proxy', 'kube-system'));
      const proxyConfig = await get('v1', 'ConfigMap', 'kube-proxy-config', 'kube-system');
      assert.match(proxyConfig?.data?.['config.conf'] ?? '', /clusterCIDR: 100\.96\.0\.0\/11/);
      assert.ok(await get('apps/v1', 'Deployment', 'coredns', 'kube-system'));
      const dns = await get('v1', 'Service', 'kube-dns', 'kube-system');
      assert.equal(dns?.spec?.['clusterIP'], '100.64.0.10');
      assert.ok(await get('apiregistration.k8s.io/v1', 'APIService', 'v1beta1.metrics.k8s.io'));
      assert.ok(await get('rbac.authorization.k8s.io/v1', 'ClusterRole', 'system:aggregated-metrics-reader'));
      assert.ok(await get('apps/v1', 'Deployment', 'kubernetes-dashboard', 'kubernetes-dashboard'));
      assert.equal(await get('apps/v1', 'Deployment', 'vpn-shoot', 'kube-system'), undefined);
    });

    it('re-applying changes nothing, and disabled add-ons are removed on the next reconcile', async () => {
      const corefile = () => cp.admin.get({ apiVersion: 'v1', kind: 'ConfigMap', name: 'coredns', namespace: 'kube-system' });
      const before = (await corefile())?.metadata.resourceVersion;
      const result = await reconcileSystem(cp.admin, { ...values, addons: { metricsServer: false, dashboard: false } }, { waitFor: 'applied', timeoutMs: 90_000, intervalMs: 500 });
      assert.deepEqual(result.destroyed, ['vpn-shoot', 'metrics-server', 'dashboard']);
      assert.equal((await corefile())?.metadata.resourceVersion, before, 'an unchanged object is not rewritten');
      assert.equal(await cp.admin.get({ apiVersion: 'apiregistration.k8s.io/v1', kind: 'APIService', name: 'v1beta1.metrics.k8s.io' }), undefined);
      assert.equal(await cp.admin.get({ apiVersion: 'v1', kind: 'Namespace', name: 'kubernetes-dashboard' }), undefined);
      assert.ok(await cp.admin.get({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'coredns', namespace: 'kube-system' }), 'CoreDNS stays');
    });
  });
});
