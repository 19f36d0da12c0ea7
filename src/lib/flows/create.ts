// The create (and reconcile) flow of a shoot, as a graph of steps. Every step
// is idempotent and decides from what it observes, so running the flow again
// resumes where it stopped and changes nothing on a healthy shoot.
//
//   namespace ─┬─ endpoint ── credentials ─┬─ etcd ── kube-apiserver ── api-ready ─┬─ kcm
//              └─ infrastructure ──────────┤                                       ├─ scheduler
//                                          │                                       └─ system ──┐
//                                          └──────────────────────────── workers ◄─────────────┘
//                                                                          └─ machines ── nodes
import { LABEL_SHOOT, LABEL_PROJECT, managedLabels, LABEL_ROLE } from '../api/types.ts';
import type { KubeObject } from '../kube/client.ts';
import { waitFor } from '../kube/wait.ts';
import { Flow } from './graph.ts';
import {
  controlPlaneValuesFor,
  infraSpecFor,
  isLocal,
  requireCredentials,
  secretChecksums,
  systemValuesFor,
  TERRAFORM_RETRIES,
  terraformOptions,
  terraformRetryable,
  type ShootContext,
} from './shoot-context.ts';

export const MACHINE_LABEL = 'kubegarden.io/machine';

const hibernated = (ctx: ShootContext): string | false => (ctx.shoot.spec.hibernation?.enabled ? 'the shoot is hibernated' : false);


export function createFlow(operation: 'Create' | 'Reconcile' = 'Create'): Flow<ShootContext> {
  const flow = new Flow<ShootContext>(operation === 'Create' ? 'shoot create' : 'shoot reconcile');

  flow.add({
    id: 'namespace',
    title: 'Preparing the shoot namespace in the seed',
    retries: 3,
    run: async (ctx, io) => {
      const { priorityClasses } = await import('../controlplane/priority.ts');
      for (const pc of priorityClasses()) await ctx.seedClient.apply(pc, io.signal);
      const { object, change } = await ctx.seedClient.applyAndDiff(
        {
          apiVersion: 'v1',
          kind: 'Namespace',
          metadata: { name: ctx.namespace, labels: managedLabels({ [LABEL_PROJECT]: ctx.project, [LABEL_SHOOT]: ctx.name, [LABEL_ROLE]: 'shoot-control-plane' }) },
        },
        io.signal,
      );
      ctx.namespaceUid = object.metadata.uid;
      return `Namespace ${ctx.namespace} in seed "${ctx.seed.metadata.name}" (${change})`;
    },
  });

  flow.add({
    id: 'endpoint',
    title: "Choosing the shoot API server's endpoint",
    dependsOn: ['namespace'],
    retries: 3,
    run: async (ctx, io) => {
      if (isLocal(ctx)) {
        // The local seed runs the control plane from binaries of the shoot's version: build them once if missing.
        const { ensureAssets } = await import('../local/assets.ts');
        await ensureAssets(ctx.shoot.spec.kubernetes.version, (line) => io.log(line));
        const { allocateLocalPorts, CONTROL_PLANE_PORTS } = await import('../local/provider.ts');
        ctx.ports = await allocateLocalPorts(ctx.seedClient, ctx.namespace, CONTROL_PLANE_PORTS, io.signal);
        ctx.endpoint = { host: '127.0.0.1', port: ctx.ports.kubeApiserver, url: `https://127.0.0.1:${ctx.ports.kubeApiserver}` };
      } else {
        ctx.endpoint = await loadBalancerEndpoint(ctx, io);
      }
      ctx.recorder.update({ endpoint: ctx.endpoint.url, seedName: ctx.seed.metadata.name });
      return `API server endpoint ${ctx.endpoint.url}`;
    },
  });

  flow.add({
    id: 'credentials',
    title: 'Generating certificates, keys and tokens',
    dependsOn: ['endpoint'],
    retries: 2,
    run: async (ctx, io) => {
      const { reconcileCredentials } = await import('../pki/reconcile.ts');
      const { KubeSecretStore } = await import('../pki/kube-store.ts');
      const store = await new KubeSecretStore(ctx.seedClient, ctx.namespace).preload(ctx.seedClient);
      const { credentials, report } = await reconcileCredentials(store, {
        shootName: ctx.name,
        namespace: ctx.namespace,
        servicesCIDR: ctx.shoot.spec.networking.services,
        externalEndpoint: `${ctx.endpoint!.host}:${ctx.endpoint!.port}`,
        ...(isLocal(ctx) ? { loopback: true, internalServer: ctx.endpoint!.url } : {}),
      });
      ctx.credentials = credentials;
      ctx.checksums = await secretChecksums(ctx.seedClient, ctx.namespace, ctx.name);
      const changed = report.filter((r) => r.action !== 'kept');
      for (const c of changed) io.log(`${c.name}: ${c.action} (${c.reason})`);
      return changed.length === 0 ? 'Credentials are current (none changed)' : `Credentials: ${changed.length} of ${report.length} written`;
    },
  });

  flow.add({
    id: 'infrastructure',
    title: 'Creating the network with Terraform',
    dependsOn: ['namespace'],
    weight: 3,
    retries: TERRAFORM_RETRIES,
    retryable: terraformRetryable,
    run: async (ctx, io) => {
      const { applyInfra } = await import('../infra/terraform.ts');
      const { outputs } = await applyInfra(await infraSpecFor(ctx, false), await terraformOptions(ctx, io));
      ctx.infra = outputs;
      return `Network ${outputs.networkId}`;
    },
  });

  const STEP_IDS = { etcd: 'etcd', kubeApiserver: 'kube-apiserver', kubeControllerManager: 'kube-controller-manager', kubeScheduler: 'kube-scheduler' } as const;
  const deployControlPlane = (component: keyof typeof STEP_IDS, title: string, deps: string[]) =>
    flow.add({
      id: STEP_IDS[component],
      title,
      dependsOn: deps,
      weight: 2,
      run: async (ctx, io) => {
        const cp = await import('../controlplane/index.ts');
        const values = await controlPlaneValuesFor(ctx);
        await cp[component].deploy(ctx.seedClient, values, io.signal);
        io.log(`waiting for ${cp[component].name} to be ready`);
        await cp[component].wait(ctx.seedClient, values, { signal: io.signal, timeoutMs: ctx.options.timeoutMs });
        return `${title.replace(/^Deploying/, 'Deployed')}: ready`;
      },
    });

  deployControlPlane('etcd', 'Deploying etcd', ['credentials']);
  deployControlPlane('kubeApiserver', 'Deploying kube-apiserver', ['etcd']);

  flow.add({
    id: 'api-ready',
    title: "Waiting for the shoot's API server to answer",
    dependsOn: ['kube-apiserver'],
    skip: hibernated,
    run: async (ctx, io) => {
      const { issueAdminKubeconfig } = await import('../pki/kubeconfig.ts');
      const { parseKubeconfig } = await import('../kube/kubeconfig.ts');
      const { KubeClient } = await import('../kube/client.ts');
      const creds = requireCredentials(ctx);
      const { kubeconfig } = await issueAdminKubeconfig(creds.cas, { server: ctx.endpoint!.url, user: 'kubegarden-flow', expirationSeconds: 3600, clusterName: ctx.namespace });
      const label = `shoot "${ctx.project}/${ctx.name}"`;
      const client = await KubeClient.fromResolved(parseKubeconfig(kubeconfig, label), label);
      const version = await waitFor(
        async () => {
          const v = await client.version(io.signal);
          return { ready: true, value: v.gitVersion };
        },
        { what: `the API server of shoot "${ctx.project}/${ctx.name}" at ${ctx.endpoint!.url} to answer`, timeoutMs: ctx.options.timeoutMs, intervalMs: 1000, signal: io.signal },
      );
      ctx.shootClient = client;
      ctx.recorder.setCondition('APIServerAvailable', 'True', 'HealthzRequestSucceeded', `API server ${version} answers at ${ctx.endpoint!.url}`);
      return `Shoot API server ${version} answers at ${ctx.endpoint!.url}`;
    },
  });

  deployControlPlane('kubeControllerManager', 'Deploying kube-controller-manager', ['api-ready']);
  deployControlPlane('kubeScheduler', 'Deploying kube-scheduler', ['api-ready']);

  flow.add({
    id: 'system',
    title: 'Deploying kube-proxy, CoreDNS, the bootstrap token and add-ons into the shoot',
    dependsOn: ['api-ready'],
    skip: hibernated,
    weight: 2,
    run: async (ctx, io) => {
      const { reconcileSystem } = await import('../system/index.ts');
      // Nothing runs containers on the local provider's simulated nodes: there,
      // system workloads are applied but cannot become ready.
      const result = await reconcileSystem(ctx.shootClient!, await systemValuesFor(ctx), {
        signal: io.signal,
        waitFor: isLocal(ctx) ? 'applied' : 'ready',
        timeoutMs: ctx.options.timeoutMs,
      });
      ctx.recorder.setCondition(
        'SystemComponentsHealthy',
        'True',
        isLocal(ctx) ? 'SystemComponentsApplied' : 'SystemComponentsRunning',
        isLocal(ctx) ? `applied: ${result.deployed.join(', ')} (the local provider runs no containers on nodes)` : `running: ${result.deployed.join(', ')}`,
      );
      return `System components: ${result.deployed.join(', ')}${result.destroyed.length ? `; removed ${result.destroyed.join(', ')}` : ''}`;
    },
  });

  flow.add({
    id: 'control-plane-healthy',
    title: 'Checking the control plane',
    dependsOn: ['kube-controller-manager', 'kube-scheduler'],
    skip: hibernated,
    weight: 0.2,
    run: async (ctx) => {
      ctx.recorder.setCondition('ControlPlaneHealthy', 'True', 'ControlPlaneRunning', 'etcd, kube-apiserver, kube-controller-manager and kube-scheduler are ready');
    },
  });

  flow.add({
    id: 'workers',
    title: 'Creating the worker pools with Terraform',
    dependsOn: ['infrastructure', 'system', 'credentials'],
    weight: 3,
    retries: TERRAFORM_RETRIES,
    retryable: terraformRetryable,
    run: async (ctx, io) => {
      const { applyInfra } = await import('../infra/terraform.ts');
      const { outputs } = await applyInfra(await infraSpecFor(ctx, true), await terraformOptions(ctx, io));
      ctx.infra = outputs;
      const groups = Object.entries(outputs.scalingGroups);
      return `Worker pools: ${groups.map(([pool, g]) => `${pool} (${g.minimum}-${g.maximum} ${g.machineType})`).join(', ') || 'none'}`;
    },
  });

  flow.add({
    id: 'machines',
    title: 'Starting the machines of the scaling groups',
    dependsOn: ['workers', 'kube-controller-manager'],
    skip: (ctx) => (isLocal(ctx) ? false : 'the cloud starts machines from the scaling groups'),
    run: async (ctx, io) => {
      const desired = await localMachines(ctx);
      await applyLocalMachines(ctx, desired, io.signal);
      return `${desired.length} simulated ${desired.length === 1 ? 'machine' : 'machines'} declared`;
    },
  });

  flow.add({
    id: 'nodes',
    title: 'Waiting for the nodes to join and be Ready',
    dependsOn: ['machines', 'control-plane-healthy'],
    skip: hibernated,
    weight: 2,
    run: async (ctx, io) => {
      const expected = ctx.shoot.spec.hibernation?.enabled ? 0 : ctx.shoot.spec.provider.workers.reduce((n, w) => n + w.minimum, 0);
      const ready = await waitFor(
        async () => {
          const nodes = await ctx.shootClient!.list<KubeObject & { status?: { conditions?: Array<{ type: string; status: string }> } }>('v1', 'Node');
          const readyNodes = nodes.filter((n) => n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'));
          io.log(`${readyNodes.length}/${expected} nodes Ready`);
          return readyNodes.length >= expected ? { ready: true, value: readyNodes.length } : { ready: false, reason: `${readyNodes.length} of ${expected} nodes are Ready` };
        },
        { what: `the nodes of shoot "${ctx.project}/${ctx.name}"`, timeoutMs: ctx.options.timeoutMs, intervalMs: 2000, signal: io.signal },
      );
      ctx.nodes = ready;
      ctx.recorder.setCondition('EveryNodeReady', 'True', 'EveryNodeReady', `${ready} ${ready === 1 ? 'node is' : 'nodes are'} Ready`);
      return `${ready} ${ready === 1 ? 'node' : 'nodes'} Ready`;
    },
  });

  flow.add({
    id: 'hibernation',
    title: 'Recording whether the shoot is hibernated',
    dependsOn: ['nodes'],
    weight: 0.1,
    run: async (ctx) => {
      const asleep = Boolean(ctx.shoot.spec.hibernation?.enabled);
      ctx.recorder.update({ hibernated: asleep });
      if (asleep) {
        for (const type of ['APIServerAvailable', 'ControlPlaneHealthy', 'SystemComponentsHealthy', 'EveryNodeReady']) {
          ctx.recorder.setCondition(type, 'False', 'Hibernated', 'the shoot is hibernated: its workers are gone and its control plane is scaled to zero, etcd keeps its data');
        }
      }
      return asleep ? 'Shoot is hibernated: no machines, control plane scaled to zero, etcd data kept' : 'Shoot is awake';
    },
  });

  return flow;
}

/** For a cloud seed, the kube-apiserver Service of type LoadBalancer decides the endpoint; wait for its address. */
async function loadBalancerEndpoint(ctx: ShootContext, io: { signal: AbortSignal; log(line: string): void }) {
  const { kubeApiserver } = await import('../controlplane/index.ts');
  const values = await controlPlaneValuesFor({ ...ctx, endpoint: { host: 'pending.invalid', port: 443, url: 'https://pending.invalid' } });
  const service = kubeApiserver.render(values).find((o) => o.kind === 'Service');
  if (!service) throw new Error('kube-apiserver renders no Service');
  await ctx.seedClient.apply(service, io.signal);
  io.log('waiting for the load balancer to get an address');
  return waitFor(
    async () => {
      const svc = await ctx.seedClient.get<KubeObject & { status?: { loadBalancer?: { ingress?: Array<{ ip?: string; hostname?: string }> } } }>(
        { apiVersion: 'v1', kind: 'Service', name: service.metadata.name, namespace: ctx.namespace },
        io.signal,
      );
      const ingress = svc?.status?.loadBalancer?.ingress?.[0];
      const host = ingress?.hostname ?? ingress?.ip;
      return host ? { ready: true, value: { host, port: 443, url: `https://${host}` } } : { ready: false, reason: 'the load balancer has no address yet' };
    },
    { what: `the load balancer of shoot "${ctx.project}/${ctx.name}"`, timeoutMs: ctx.options.timeoutMs, intervalMs: 2000, signal: io.signal },
  );
}

interface LocalMachine {
  name: string;
  pool: string;
  cloudConfig: string;
}

/** The local provider's scaling groups: each pool's minimum, as machines named <shoot>-<pool>-<n>. */
async function localMachines(ctx: ShootContext): Promise<LocalMachine[]> {
  const spec = await infraSpecFor(ctx, true);
  const machines: LocalMachine[] = [];
  if (ctx.shoot.spec.hibernation?.enabled) return machines;
  for (const pool of spec.workers) {
    for (let i = 0; i < pool.minimum; i++) machines.push({ name: `${ctx.name}-${pool.name}-${i}`, pool: pool.name, cloudConfig: pool.userData });
  }
  return machines;
}

/** Declares the machines as Secrets in the shoot namespace; the local seed's supervisor boots them. Extra ones are removed. */
export async function applyLocalMachines(ctx: ShootContext, desired: LocalMachine[], signal: AbortSignal): Promise<void> {
  for (const m of desired) {
    await ctx.seedClient.apply(
      {
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: `machine-${m.name}`, namespace: ctx.namespace, labels: managedLabels({ [MACHINE_LABEL]: 'simulated', [LABEL_SHOOT]: ctx.name, 'worker.kubegarden.io/pool': m.pool }), annotations: { 'kubegarden.io/machine-name': m.name } },
        type: 'Opaque',
        stringData: { 'cloud-config': m.cloudConfig },
      },
      signal,
    );
  }
  const existing = await ctx.seedClient.list('v1', 'Secret', { namespace: ctx.namespace, labelSelector: `${MACHINE_LABEL}=simulated` });
  const wanted = new Set(desired.map((m) => `machine-${m.name}`));
  for (const s of existing) if (!wanted.has(s.metadata.name)) await ctx.seedClient.delete({ apiVersion: 'v1', kind: 'Secret', name: s.metadata.name, namespace: ctx.namespace }, { signal });
}
