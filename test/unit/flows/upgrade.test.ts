// The upgrade flow as data (its steps and their order), what it records in
// the Shoot, and how it replaces the local provider's machines within a
// pool's budget, against a fake seed and shoot whose "supervisor" restarts a
// machine when its cloud-config changes.
import assert from 'node:assert/strict';
import type { ShootObject } from '../../../src/lib/garden/shoots.ts';
import type { KubeObject, ListOptions, ObjectRef } from '../../../src/lib/kube/client.ts';
import { parseCloudConfig } from '../../../src/lib/machines/cloud-config.ts';
import { describePlan, rollingBatches, upgradedShoot, upgradeFlow, upgradeRuns, type PlannedUpgrade } from '../../../src/lib/flows/upgrade.ts';
import type { ShootContext } from '../../../src/lib/flows/shoot-context.ts';
import type { StepIO } from '../../../src/lib/flows/graph.ts';
import { planUpgrade } from '../../../src/lib/api/upgrade.ts';
import type { Worker } from '../../../src/lib/api/types.ts';

const deps = (flow: ReturnType<typeof upgradeFlow>, id: string) => [...(flow.step(id)?.dependsOn ?? [])].sort();

describe('upgrade flow', () => {
  describe('of the control plane', () => {
    const flow = upgradeFlow({ version: '1.37.2' });

    it('moves etcd, then kube-apiserver, then the controllers, then the system components, then the workers', () => {
      assert.deepEqual(
        flow.steps.map((s) => s.id),
        ['namespace', 'endpoint', 'credentials', 'observe', 'etcd', 'kube-apiserver', 'api-ready', 'kube-controller-manager', 'kube-scheduler', 'control-plane-healthy', 'system', 'workers', 'machines', 'nodes'],
      );
      assert.deepEqual(deps(flow, 'etcd'), ['observe']);
      assert.deepEqual(deps(flow, 'kube-apiserver'), ['etcd']);
      assert.deepEqual(deps(flow, 'api-ready'), ['kube-apiserver']);
      assert.deepEqual(deps(flow, 'kube-controller-manager'), ['api-ready']);
      assert.deepEqual(deps(flow, 'kube-scheduler'), ['api-ready']);
      assert.deepEqual(deps(flow, 'system'), ['kube-controller-manager', 'kube-scheduler']);
      assert.deepEqual(deps(flow, 'workers'), ['system']);
      assert.deepEqual(deps(flow, 'machines'), ['control-plane-healthy', 'workers']);
      assert.deepEqual(deps(flow, 'nodes'), ['machines']);
      assert.deepEqual(flow.levels()[7], ['kube-controller-manager', 'kube-scheduler']);
    });

    it('titles each step as progress towards the version', () => {
      assert.equal(flow.step('kube-apiserver')?.title, 'Upgrading kube-apiserver to 1.37.2');
      assert.equal(flow.step('api-ready')?.title, "Waiting for the shoot's API server to answer as v1.37.2");
      assert.equal(flow.step('system')?.title, 'Upgrading kube-proxy to 1.37.2 with the other system components');
      assert.match(flow.describe(), /^Flow "shoot upgrade to 1\.37\.2": 14 steps/);
    });

    it('leaves etcd alone when its version does not change, and upgrades it when it does', async () => {
      const observe = flow.step('observe')!;
      const etcd = flow.step('etcd')!;
      for (const [image, skipped] of [['registry.k8s.io/etcd:3.6.16-0', true], ['registry.k8s.io/etcd:3.5.21-0', false]] as const) {
        const ctx = cloudContext(image);
        const note = await observe.run(ctx, io());
        assert.match(String(note), /kube-apiserver runs v1\.36\.4/);
        const reason = etcd.skip!(ctx);
        if (skipped) assert.match(String(reason), /^etcd 3\.6\.16-0 is the version 1\.37\.2 pairs with/);
        else assert.equal(reason, false);
      }
    });

    it('leaves the machines of a cloud to the cloud, which rolls them within the budget Terraform passes on', () => {
      assert.match(String(flow.step('machines')!.skip!(cloudContext('x'))), /the cloud rolls each scaling group's machines within the pool's maxSurge and maxUnavailable/);
    });
  });

  describe('of one worker pool', () => {
    const flow = upgradeFlow({ version: '1.36.4', pool: 'blue' });

    it('touches no part of the control plane', () => {
      assert.deepEqual(
        flow.steps.map((s) => s.id),
        ['namespace', 'endpoint', 'credentials', 'api-ready', 'workers', 'machines', 'nodes'],
      );
      assert.equal(flow.name, 'shoot upgrade of worker pool blue to 1.36.4');
      assert.equal(flow.step('machines')?.title, 'Replacing the machines of worker pool blue');
    });
  });

  describe('the plan as runs', () => {
    it('is one run per one-minor step, or one run for a pool', () => {
      const subject = { project: 'local', name: 'u1', specVersion: '1.35.4', observedVersion: '1.35.4', workers: [{ name: 'pool' }] };
      assert.deepEqual(upgradeRuns(planUpgrade(subject, { version: '1.37.2' })), [{ version: '1.36.4' }, { version: '1.37.2' }]);
      assert.deepEqual(upgradeRuns(planUpgrade(subject, { version: '1.35.4', pool: 'pool' })), [{ version: '1.35.4', pool: 'pool' }]);
    });

    it('is printed before it starts', () => {
      const subject = { project: 'local', name: 'u1', specVersion: '1.36.4', observedVersion: '1.35.4', workers: [{ name: 'pool' }, { name: 'old', kubernetesVersion: '1.35.4' }] };
      const planned = { project: 'local', name: 'u1', subject, plan: planUpgrade(subject, { version: '1.37.2' }) } as unknown as PlannedUpgrade;
      const text = describePlan(planned);
      assert.match(text, /^Upgrade plan for shoot "local\/u1": 1\.35\.4 → 1\.36\.4 → 1\.37\.2 \(2 upgrades, one minor version at a time\)\.$/m);
      assert.match(text, /^The first upgrade finishes the interrupted one to 1\.36\.4\.$/m);
      assert.match(text, /^Worker pool "old" keeps its own version 1\.35\.4\.$/m);
    });
  });

  describe('what the operation records in the Shoot when it starts', () => {
    const shoot = {
      apiVersion: 'kubegarden.io/v1alpha1',
      kind: 'Shoot',
      metadata: { name: 'u1', namespace: 'garden-local', resourceVersion: '42', uid: 'x', generation: 3, managedFields: [{}], labels: { a: 'b' } },
      spec: { kubernetes: { version: '1.36.4' }, provider: { type: 'local', region: 'local', workers: [{ name: 'pool', minimum: 1 }, { name: 'blue', minimum: 1 }] } },
      status: { kubernetesVersion: '1.36.4' },
    } as unknown as ShootObject;

    it('is the new version in the spec, conditional on the Shoot not having changed since it was checked', () => {
      const recorded = upgradedShoot(shoot, { version: '1.37.2' });
      assert.equal(recorded.spec.kubernetes.version, '1.37.2');
      assert.deepEqual(recorded.metadata, { name: 'u1', namespace: 'garden-local', labels: { a: 'b' }, resourceVersion: '42' });
      assert.equal('status' in recorded, false);
      assert.equal(shoot.spec.kubernetes.version, '1.36.4', 'the Shoot read is not changed');
    });

    it("is the pool's own version for --worker-pool, the control plane's untouched", () => {
      const recorded = upgradedShoot(shoot, { version: '1.36.4', pool: 'blue' });
      assert.equal(recorded.spec.kubernetes.version, '1.36.4');
      assert.deepEqual(recorded.spec.provider.workers.map((w) => [w.name, w.kubernetesVersion]), [['pool', undefined], ['blue', '1.36.4']]);
    });
  });
});

describe('rollingBatches', () => {
  const names = ['m0', 'm1', 'm2'];
  it('with no unavailable budget, adds a surge machine and replaces one at a time', () => {
    assert.deepEqual(rollingBatches(names, { surge: 1, unavailable: 0 }), { surge: 1, batches: [['m0'], ['m1'], ['m2']] });
  });
  it('with an unavailable budget and no surge, replaces that many at a time', () => {
    assert.deepEqual(rollingBatches(names, { surge: 0, unavailable: 2 }), { surge: 0, batches: [['m0', 'm1'], ['m2']] });
  });
  it('surges only where the unavailable budget does not cover the machines', () => {
    assert.deepEqual(rollingBatches(names, { surge: 5, unavailable: 1 }), { surge: 2, batches: [['m0', 'm1', 'm2']] });
    assert.deepEqual(rollingBatches(['m0'], { surge: 1, unavailable: 1 }), { surge: 0, batches: [['m0']] });
  });
  it('reads a budget of nothing as a surge of one, and has nothing to do for no machines', () => {
    assert.deepEqual(rollingBatches(names, { surge: 0, unavailable: 0 }), { surge: 1, batches: [['m0'], ['m1'], ['m2']] });
    assert.deepEqual(rollingBatches([], { surge: 1, unavailable: 0 }), { surge: 0, batches: [] });
  });
});

describe('replacing the machines of the local provider', function () {
  this.timeout(20_000);

  for (const budget of [{ maxSurge: 1, maxUnavailable: 0 }, { maxSurge: 0, maxUnavailable: 1 }, { maxSurge: 2, maxUnavailable: 1 }]) {
    it(`stays within maxSurge ${budget.maxSurge} and maxUnavailable ${budget.maxUnavailable}, and ends with every machine on the new kubelet`, async () => {
      const world = new LocalWorld({ name: 'pool', minimum: 3, ...budget });
      await world.boot('1.36.4');
      const ctx = world.context('1.37.2');
      const flow = upgradeFlow({ version: '1.37.2' });
      const lines: string[] = [];
      await flow.step('machines')!.run(ctx, io(lines));
      const done = await flow.step('nodes')!.run(ctx, io());
      world.tick();

      assert.equal(done, '3 nodes Ready: pool on kubelet v1.37.2');
      assert.deepEqual(world.nodeVersions(), { 'u1-pool-0': 'v1.37.2', 'u1-pool-1': 'v1.37.2', 'u1-pool-2': 'v1.37.2' }, 'surge nodes are gone');
      assert.deepEqual([...world.secrets.keys()].sort(), ['machine-u1-pool-0', 'machine-u1-pool-1', 'machine-u1-pool-2']);
      assert.ok(world.lowestAvailable >= 3 - budget.maxUnavailable, `at least ${3 - budget.maxUnavailable} machines available throughout (lowest ${world.lowestAvailable})`);
      assert.ok(world.mostMachines <= 3 + budget.maxSurge, `at most ${3 + budget.maxSurge} machines throughout (most ${world.mostMachines})`);
      assert.equal(world.restarts, 3, 'each machine restarted once');
      assert.ok(lines.some((l) => /pool pool: 3 to replace/.test(l)), lines.join('\n'));
    });
  }

  it('run again after an interruption, finishes the roll and removes the surge machine the first run left, Node included', async () => {
    const world = new LocalWorld({ name: 'pool', minimum: 2, maxSurge: 1, maxUnavailable: 0 });
    await world.boot('1.36.4');
    const ctx = world.context('1.37.2');
    // The first run got as far as its surge machine and the first machine, then was killed.
    const { applyLocalMachines } = await import('../../../src/lib/flows/create.ts');
    const { infraSpecFor } = await import('../../../src/lib/flows/shoot-context.ts');
    const userData = (await infraSpecFor(ctx, true)).workers[0]!.userData;
    const old = [...world.secrets.values()].map((s) => ({ name: s.metadata.annotations!['kubegarden.io/machine-name']!, pool: 'pool', cloudConfig: Buffer.from(s.data!['cloud-config']!, 'base64').toString('utf8') }));
    await applyLocalMachines(ctx, [...old.map((m) => (m.name === 'u1-pool-0' ? { ...m, cloudConfig: userData } : m)), { name: 'u1-pool-surge-0', pool: 'pool', cloudConfig: userData }], new AbortController().signal);
    world.tick();

    await upgradeFlow({ version: '1.37.2' }).step('machines')!.run(ctx, io());
    world.tick();
    assert.deepEqual(world.nodeVersions(), { 'u1-pool-0': 'v1.37.2', 'u1-pool-1': 'v1.37.2' });
    assert.equal(world.restarts, 2, 'u1-pool-0 by the first run, u1-pool-1 by the second');
  });

  it('changes nothing when every machine runs its cloud-config already', async () => {
    const world = new LocalWorld({ name: 'pool', minimum: 2, maxSurge: 1, maxUnavailable: 0 });
    await world.boot('1.37.2');
    const result = await upgradeFlow({ version: '1.37.2' }).step('machines')!.run(world.context('1.37.2'), io());
    world.tick();
    assert.equal(result, "Every machine runs its pool's cloud-config already");
    assert.equal(world.restarts, 0);
    assert.equal(world.mostMachines, 2);
  });
});

// ---- fakes --------------------------------------------------------------------

function io(lines: string[] = []): StepIO {
  return { signal: new AbortController().signal, log: (l) => lines.push(l), progress: () => {} };
}

const CA = '-----BEGIN CERTIFICATE-----\nQ0E=\n-----END CERTIFICATE-----\n';
const credentials = {
  cas: { ca: { bundlePem: CA }, 'ca-client': { bundlePem: CA } },
  bootstrapToken: { id: 'abcdef', secret: '0123456789abcdef', token: 'abcdef.0123456789abcdef', expiration: new Date(Date.now() + 3600_000) },
};

function shootOf(version: string, provider: string, workers: Worker[]): ShootObject {
  return {
    apiVersion: 'kubegarden.io/v1alpha1',
    kind: 'Shoot',
    metadata: { name: 'u1', namespace: 'garden-local' },
    spec: {
      provider: { type: provider, region: provider, zones: ['a'], workers },
      kubernetes: { version },
      networking: { nodes: '10.250.0.0/16', pods: '100.96.0.0/11', services: '100.64.0.0/13' },
    },
  } as unknown as ShootObject;
}

/** A cloud shoot whose seed runs etcd with `etcdImage` and kube-apiserver 1.36.4. */
function cloudContext(etcdImage: string): ShootContext {
  const images: Record<string, string> = { StatefulSet: etcdImage, Deployment: 'registry.k8s.io/kube-apiserver:v1.36.4' };
  const seedClient = {
    get: async (ref: ObjectRef) => ({ apiVersion: ref.apiVersion, kind: ref.kind, metadata: { name: ref.name }, spec: { template: { spec: { containers: [{ name: ref.kind === 'StatefulSet' ? 'etcd' : 'kube-apiserver', image: images[ref.kind] }] } } } }),
  };
  return {
    project: 'dev',
    name: 'u1',
    namespace: 'shoot--dev--u1',
    shoot: shootOf('1.37.2', 'aws', [{ name: 'pool', machineType: 'm5.large', minimum: 1, maximum: 2 }]),
    endpoint: { host: 'api.u1.example.com', port: 443, url: 'https://api.u1.example.com' },
    seedClient,
    options: { timeoutMs: 1000 },
  } as unknown as ShootContext;
}

type Obj = KubeObject & { data?: Record<string, string>; stringData?: Record<string, string>; status?: Record<string, unknown> };

/**
 * The local provider's world: machine Secrets in the seed, and a supervisor
 * that, when anyone looks at the shoot (tick), starts, restarts and stops
 * machines to match them, as the real one does every two seconds. Between a
 * Secret's change and the next tick the machine counts as unavailable.
 */
class LocalWorld {
  readonly secrets = new Map<string, Obj>();
  readonly nodes = new Map<string, Obj>();
  private readonly running = new Map<string, string>();
  private boots = 0;
  restarts = 0;
  lowestAvailable = Infinity;
  mostMachines = 0;
  private readonly pool: Worker;

  constructor(pool: { name: string; minimum: number; maxSurge: number; maxUnavailable: number }) {
    this.pool = { machineType: 'local', maximum: pool.minimum + 2, ...pool };
  }

  /** Declares and boots the pool's machines at a version, as shoot create left them. */
  async boot(version: string): Promise<void> {
    const ctx = this.context(version);
    const machines = upgradeFlow({ version }).step('machines')!;
    await machines.run(ctx, io());
    this.tick();
    this.lowestAvailable = Infinity;
    this.mostMachines = 0;
    this.restarts = 0;
  }

  context(version: string): ShootContext {
    return {
      project: 'local',
      name: 'u1',
      namespace: 'shoot--local--u1',
      shoot: shootOf(version, 'local', [this.pool]),
      endpoint: { host: '127.0.0.1', port: 6443, url: 'https://127.0.0.1:6443' },
      credentials,
      seedClient: this.seedClient(),
      shootClient: this.shootClient(),
      recorder: { setCondition: () => {}, update: () => {} },
      options: { timeoutMs: 5000 },
    } as unknown as ShootContext;
  }

  nodeVersions(): Record<string, string> {
    return Object.fromEntries([...this.nodes].map(([name, n]) => [name, String((n.status?.['nodeInfo'] as { kubeletVersion: string }).kubeletVersion)]));
  }

  tick(): void {
    const wanted = new Map([...this.secrets.values()].map((s) => [s.metadata.annotations!['kubegarden.io/machine-name']!, Buffer.from(s.data!['cloud-config']!, 'base64').toString('utf8')]));
    const available = [...this.running].filter(([name, config]) => wanted.get(name) === config).length;
    this.lowestAvailable = Math.min(this.lowestAvailable, available);
    this.mostMachines = Math.max(this.mostMachines, new Set([...wanted.keys(), ...this.running.keys()]).size);
    for (const name of [...this.running.keys()]) {
      if (!wanted.has(name)) {
        this.running.delete(name);
        const node = this.nodes.get(name);
        if (node) node.status = { ...node.status, conditions: [{ type: 'Ready', status: 'Unknown' }] };
      }
    }
    for (const [name, config] of wanted) {
      if (this.running.get(name) === config) continue;
      if (this.running.has(name)) this.restarts++;
      this.running.set(name, config);
      const parsed = parseCloudConfig(config);
      this.nodes.set(name, {
        apiVersion: 'v1',
        kind: 'Node',
        metadata: { name, labels: parsed.labels },
        status: { conditions: [{ type: 'Ready', status: 'True' }], nodeInfo: { kubeletVersion: `v${parsed.kubernetesVersion}`, bootID: `boot-${++this.boots}` } },
      });
    }
  }

  private seedClient() {
    const matches = (o: Obj, options: ListOptions) =>
      (options.labelSelector ?? '').split(',').filter(Boolean).every((term) => {
        const [k, v] = term.split('=');
        return o.metadata.labels?.[k!] === v;
      });
    return {
      apply: async (obj: Obj) => {
        assert.equal(obj.kind, 'Secret');
        const data = Object.fromEntries(Object.entries(obj.stringData ?? {}).map(([k, v]) => [k, Buffer.from(v).toString('base64')]));
        this.secrets.set(obj.metadata.name, { ...obj, data });
        return obj;
      },
      list: async (_apiVersion: string, _kind: string, options: ListOptions = {}) => [...this.secrets.values()].filter((s) => matches(s, options)),
      delete: async (ref: ObjectRef) => this.secrets.delete(ref.name),
    };
  }

  private shootClient() {
    return {
      get: async (ref: ObjectRef) => {
        this.tick();
        return ref.kind === 'Node' ? structuredClone(this.nodes.get(ref.name)) : undefined;
      },
      list: async () => {
        this.tick();
        return [...this.nodes.values()].map((n) => structuredClone(n));
      },
      delete: async (ref: ObjectRef) => (ref.kind === 'Node' ? this.nodes.delete(ref.name) : true),
    };
  }
}
