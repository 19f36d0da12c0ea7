// The upgrade flow of a shoot: one Kubernetes minor (or patch) step, as a
// graph of steps. It reuses the create flow's steps (the same ids, the same
// idempotent work) and reads the version from the Shoot, whose spec the
// operation updates before the flow starts; so an interrupted upgrade resumes
// by running the same command again, or `shoot reconcile`.
//
//   namespace ─ endpoint ─ credentials ─ observe ─ etcd ─ kube-apiserver ─ api-ready ─┬─ kcm ───────┬─ system ─ workers ─────┐
//                        (etcd is skipped when its version stays)                     └─ scheduler ─┴─ control-plane-healthy ┴─ machines ─ nodes
//
// With --worker-pool only the workers move:
//
//   namespace ── endpoint ── credentials ── api-ready ── workers ── machines ── nodes
//
// Machines. On a cloud, Terraform changes the scaling group's launch
// template (the cloud-config carries the kubelet version) and the cloud rolls
// its machines within the pool's maxSurge and maxUnavailable, which the
// templates pass on. On the local provider this flow rolls them itself, pool
// by pool: a machine is upgraded in place (its Secret gets the new
// cloud-config; the supervisor restarts it with the same name and
// certificate, and its Node reports the new kubelet version), at most
// maxUnavailable + (surge machines) at a time; when maxUnavailable is 0, up to
// maxSurge extra machines of the new version join first and leave at the end,
// so the pool never has fewer than its minimum of Ready machines.
import { LABEL_SHOOT, type Shoot } from '../api/types.ts';
import { describeSteps, planUpgrade, type UpgradePlan, type UpgradeRequest, type UpgradeSubject } from '../api/upgrade.ts';
import type { ShootObject } from '../garden/shoots.ts';
import type { KubeClient, KubeObject } from '../kube/client.ts';
import type { RunOptions } from '../shoots/operate.ts';
import { waitFor } from '../kube/wait.ts';
import { conflict, invalid } from '../ui/errors.ts';
import { applyLocalMachines, createFlow, MACHINE_LABEL } from './create.ts';
import { POOL_LABEL } from '../machines/cloud-config.ts';
import { Flow, type FlowStep, type StepIO } from './graph.ts';
import { controlPlaneValuesFor, infraSpecFor, isLocal, type ShootContext } from './shoot-context.ts';

// Set by create.ts's applyLocalMachines, read by the local supervisor.
const MACHINE_NAME_ANNOTATION = 'kubegarden.io/machine-name';

export interface UpgradeFlowTarget {
  /** The version this run brings the control plane, or the pool, to. */
  version: string;
  /** Only this worker pool. */
  pool?: string | undefined;
}

/** What the observe step saw, for the steps after it to decide on. */
const observed = new WeakMap<ShootContext, { etcd: 'current' | 'changed' | 'missing'; etcdImage: string }>();

export function upgradeFlow(target: UpgradeFlowTarget): Flow<ShootContext> {
  const v = target.version;
  const base = createFlow('Reconcile');
  const flow = new Flow<ShootContext>(target.pool ? `shoot upgrade of worker pool ${target.pool} to ${v}` : `shoot upgrade to ${v}`);
  const from = (id: string): FlowStep<ShootContext> => {
    const step = base.step(id);
    if (!step) throw new Error(`the create flow has no step "${id}" for the upgrade flow to reuse`);
    return step;
  };
  /** A step of the create flow, with the upgrade's title and place in the graph. */
  const reuse = (id: string, changes: Partial<FlowStep<ShootContext>> & { done?: string } = {}) => {
    const { done, ...rest } = changes;
    const step = from(id);
    return flow.add({
      ...step,
      ...rest,
      run: async (ctx, io) => {
        const result = await step.run(ctx, io);
        return done ?? result;
      },
    });
  };

  reuse('namespace');
  reuse('endpoint');
  reuse('credentials');

  if (target.pool === undefined) {
    flow.add({
      id: 'observe',
      title: 'Reading the versions the control plane runs',
      dependsOn: ['credentials'],
      weight: 0.2,
      run: async (ctx, io) => {
        const { etcd, kubeApiserver } = await import('../controlplane/index.ts');
        const values = await controlPlaneValuesFor(ctx);
        const etcdImage = await liveImage(ctx.seedClient, etcd.render(values), io.signal);
        const apiImage = await liveImage(ctx.seedClient, kubeApiserver.render(values), io.signal);
        const etcdState = etcdImage === undefined ? 'missing' : etcdImage === values.images.etcd ? 'current' : 'changed';
        observed.set(ctx, { etcd: etcdState, etcdImage: values.images.etcd });
        return `kube-apiserver runs ${tagOf(apiImage) ?? 'nothing yet'}, etcd ${tagOf(etcdImage) ?? 'nothing yet'}; upgrading to ${v}`;
      },
    });
    reuse('etcd', {
      title: 'Upgrading etcd',
      dependsOn: ['observe'],
      skip: (ctx) => (observed.get(ctx)?.etcd === 'current' ? `etcd ${tagOf(observed.get(ctx)!.etcdImage)} is the version ${v} pairs with: left as it runs` : false),
      done: 'etcd upgraded: ready',
    });
    reuse('kube-apiserver', { title: `Upgrading kube-apiserver to ${v}`, dependsOn: ['etcd'], done: `kube-apiserver ${v}: ready` });
    const apiReady = from('api-ready');
    flow.add({
      ...apiReady,
      title: `Waiting for the shoot's API server to answer as v${v}`,
      dependsOn: ['kube-apiserver'],
      run: async (ctx, io) => {
        await apiReady.run(ctx, io);
        const version = await waitFor(
          async () => {
            const got = (await ctx.shootClient!.version(io.signal)).gitVersion;
            return got === `v${v}` ? { ready: true, value: got } : { ready: false, reason: `it answers as ${got}` };
          },
          { what: `the API server of shoot "${ctx.project}/${ctx.name}" to answer as v${v}`, timeoutMs: ctx.options.timeoutMs, intervalMs: 1000, signal: io.signal },
        );
        ctx.recorder.setCondition('APIServerAvailable', 'True', 'HealthzRequestSucceeded', `API server ${version} answers at ${ctx.endpoint!.url}`);
        return `Shoot API server ${version} answers at ${ctx.endpoint!.url}`;
      },
    });
    reuse('kube-controller-manager', { title: `Upgrading kube-controller-manager to ${v}`, dependsOn: ['api-ready'], done: `kube-controller-manager ${v}: ready` });
    reuse('kube-scheduler', { title: `Upgrading kube-scheduler to ${v}`, dependsOn: ['api-ready'], done: `kube-scheduler ${v}: ready` });
    reuse('control-plane-healthy');
    reuse('system', { title: `Upgrading kube-proxy to ${v} with the other system components`, dependsOn: ['kube-controller-manager', 'kube-scheduler'] });
    reuse('workers', { title: `Updating the worker pools' cloud-config to ${v} with Terraform`, dependsOn: ['system'] });
  } else {
    reuse('api-ready', { dependsOn: ['credentials'] });
    reuse('workers', { title: `Updating worker pool ${target.pool}'s cloud-config to ${v} with Terraform`, dependsOn: ['api-ready'] });
  }

  const machines = from('machines');
  flow.add({
    id: 'machines',
    title: target.pool ? `Replacing the machines of worker pool ${target.pool}` : 'Replacing the machines of the worker pools',
    dependsOn: target.pool ? ['workers'] : ['workers', 'control-plane-healthy'],
    weight: 3,
    skip: (ctx) => (isLocal(ctx) ? false : "the cloud rolls each scaling group's machines within the pool's maxSurge and maxUnavailable"),
    run: async (ctx, io) => {
      const before = (await declaredMachines(ctx)).map((m) => m.name);
      const rolled = await rollLocalMachines(ctx, io);
      // The exact set of machines at the end (pools resized, machines missing, surge ones gone): the create flow's own step.
      await machines.run(ctx, io);
      const after = new Set((await declaredMachines(ctx)).map((m) => m.name));
      // Machines that left, surge ones included (also those of an interrupted run), take their Nodes with them.
      await deleteNodes(ctx, [...new Set([...before, ...rolled.surge])].filter((name) => !after.has(name)), io.signal);
      return rolled.summary;
    },
  });

  flow.add({
    id: 'nodes',
    title: target.pool ? `Waiting for the nodes of worker pool ${target.pool} to be Ready with kubelet v${v}` : `Waiting for the nodes to be Ready with their kubelet version`,
    dependsOn: ['machines'],
    weight: 2,
    run: async (ctx, io) => {
      const pools = expectedPools(ctx);
      const summary = await waitFor(
        async () => {
          const nodes = await ctx.shootClient!.list<NodeObject>('v1', 'Node');
          const problems: string[] = [];
          let ready = 0;
          for (const pool of pools) {
            const readyNodes = nodes.filter((n) => n.metadata.labels?.[POOL_LABEL] === pool.name && isReady(n));
            const behind = readyNodes.filter((n) => n.status?.nodeInfo?.kubeletVersion !== `v${pool.version}`);
            const current = readyNodes.length - behind.length;
            ready += readyNodes.length;
            if (current < pool.minimum) problems.push(`${current} of ${pool.minimum} nodes of pool ${pool.name} are Ready with kubelet v${pool.version}`);
            if (behind.length > 0) problems.push(`${behind.map((n) => n.metadata.name).join(', ')} of pool ${pool.name} still ${behind.length === 1 ? 'runs' : 'run'} another kubelet version`);
          }
          io.log(problems.join('; ') || `${ready} nodes Ready`);
          return problems.length === 0 ? { ready: true, value: ready } : { ready: false, reason: problems.join('; ') };
        },
        { what: `the nodes of shoot "${ctx.project}/${ctx.name}" to run their new kubelet version`, timeoutMs: ctx.options.timeoutMs, intervalMs: 2000, signal: io.signal },
      );
      ctx.nodes = summary;
      ctx.recorder.setCondition('EveryNodeReady', 'True', 'EveryNodeReady', `${summary} ${summary === 1 ? 'node is' : 'nodes are'} Ready`);
      return `${summary} ${summary === 1 ? 'node' : 'nodes'} Ready: ${pools.map((p) => `${p.name} on kubelet v${p.version}`).join(', ') || 'no pools'}`;
    },
  });
  return flow;
}

// ---- machines of the local provider -----------------------------------------

export interface RollingPlan {
  /** Extra machines of the new version that join before the first batch and leave after the last. */
  surge: number;
  /** Machines upgraded together; each batch waits for the one before. */
  batches: string[][];
}

/**
 * How a pool's outdated machines are replaced within its budget: at most
 * `unavailable` machines below the pool's size and at most `surge` above it
 * at any time. A machine being upgraded counts as unavailable; surge machines
 * are used only where the unavailable budget does not cover the machines to
 * replace. Both 0 would never finish: it is read as a surge of 1.
 */
export function rollingBatches(outdated: readonly string[], budget: { surge: number; unavailable: number }): RollingPlan {
  const unavailable = Math.max(0, budget.unavailable);
  const maxSurge = budget.surge <= 0 && unavailable === 0 ? 1 : Math.max(0, budget.surge);
  if (outdated.length === 0) return { surge: 0, batches: [] };
  const surge = Math.min(maxSurge, Math.max(0, outdated.length - unavailable));
  const size = Math.max(1, unavailable + surge);
  const batches: string[][] = [];
  for (let i = 0; i < outdated.length; i += size) batches.push(outdated.slice(i, i + size));
  return { surge, batches };
}

interface DeclaredMachine {
  name: string;
  pool: string;
  cloudConfig: string;
}

type NodeObject = KubeObject & {
  status?: { conditions?: Array<{ type: string; status: string }>; nodeInfo?: { kubeletVersion?: string; bootID?: string } };
};

function isReady(node: NodeObject): boolean {
  return node.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}

/** Every pool with the version its kubelets should report and how many must be Ready. */
function expectedPools(ctx: ShootContext): Array<{ name: string; version: string; minimum: number }> {
  if (ctx.shoot.spec.hibernation?.enabled) return [];
  return ctx.shoot.spec.provider.workers.map((w) => ({ name: w.name, version: w.kubernetesVersion ?? ctx.shoot.spec.kubernetes.version, minimum: w.minimum }));
}

/** The machines the shoot has declared in its seed namespace, as the supervisor reads them. */
async function declaredMachines(ctx: ShootContext): Promise<DeclaredMachine[]> {
  const secrets = await ctx.seedClient.list<KubeObject & { data?: Record<string, string> }>('v1', 'Secret', {
    namespace: ctx.namespace,
    labelSelector: `${MACHINE_LABEL}=simulated,${LABEL_SHOOT}=${ctx.name}`,
  });
  return secrets
    .map((s) => ({
      name: s.metadata.annotations?.[MACHINE_NAME_ANNOTATION] ?? s.metadata.name.replace(/^machine-/, ''),
      pool: s.metadata.labels?.[POOL_LABEL] ?? '',
      cloudConfig: Buffer.from(s.data?.['cloud-config'] ?? '', 'base64').toString('utf8'),
    }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** Rolls every pool whose machines booted from another cloud-config than Terraform's now, within the pool's budget. */
async function rollLocalMachines(ctx: ShootContext, io: StepIO): Promise<{ summary: string; surge: string[] }> {
  if (ctx.shoot.spec.hibernation?.enabled) return { summary: 'Hibernated: no machines to replace', surge: [] };
  const { rollingBudget } = await import('../infra/spec.ts');
  const spec = await infraSpecFor(ctx, true);
  let declared = await declaredMachines(ctx);
  const surgeNames: string[] = [];
  const done: string[] = [];
  const total = spec.workers.reduce((n, pool) => n + declared.filter((m) => m.pool === pool.name && m.cloudConfig !== pool.userData).length, 0);
  for (const pool of spec.workers) {
    const outdated = declared.filter((m) => m.pool === pool.name && m.cloudConfig !== pool.userData).map((m) => m.name);
    if (outdated.length === 0) continue;
    const budget = rollingBudget(pool);
    const plan = rollingBatches(outdated, budget);
    io.log(`pool ${pool.name}: ${outdated.length} to replace, ${plan.batches.length} ${plan.batches.length === 1 ? 'batch' : 'batches'} (max surge ${budget.surge}, max unavailable ${budget.unavailable})`);
    // Surge machines are named per pool, so a run after an interrupted one finds those it left (declared already).
    const surge: DeclaredMachine[] = Array.from({ length: plan.surge }, (_, k) => ({ name: `${ctx.name}-${pool.name}-surge-${k}`, pool: pool.name, cloudConfig: pool.userData }));
    const isSurge = (m: { name: string }) => surge.some((x) => x.name === m.name);
    const machines = () => [...declared.filter((m) => !isSurge(m)), ...surge];
    surgeNames.push(...surge.map((m) => m.name));
    if (surge.length > 0) {
      await applyLocalMachines(ctx, machines(), io.signal);
      await waitForMachines(ctx, surge.map((m) => m.name), pool.kubernetesVersion, new Map(), io);
      io.log(`pool ${pool.name}: ${surge.map((m) => m.name).join(', ')} joined as surge`);
    }
    for (const batch of plan.batches) {
      const boots = await bootIds(ctx, batch, io.signal);
      for (const m of declared) if (batch.includes(m.name)) m.cloudConfig = pool.userData;
      await applyLocalMachines(ctx, machines(), io.signal);
      await waitForMachines(ctx, batch, pool.kubernetesVersion, boots, io);
      done.push(...batch);
      io.log(`pool ${pool.name}: ${batch.join(', ')} ${batch.length === 1 ? 'runs' : 'run'} kubelet v${pool.kubernetesVersion} (${done.length} of ${total})`);
      io.progress(done.length / Math.max(total, 1));
    }
    // The pool's surge machines leave before the next pool rolls (their Nodes are deleted at the end of the step).
    if (surge.length > 0) {
      declared = declared.filter((m) => !isSurge(m));
      await applyLocalMachines(ctx, declared, io.signal);
    }
  }
  const summary = done.length === 0 ? 'Every machine runs its pool\'s cloud-config already' : `${done.length} ${done.length === 1 ? 'machine' : 'machines'} replaced${surgeNames.length ? ` (with ${surgeNames.length} surge)` : ''}`;
  return { summary, surge: surgeNames };
}

async function bootIds(ctx: ShootContext, names: readonly string[], signal: AbortSignal): Promise<Map<string, string | undefined>> {
  const out = new Map<string, string | undefined>();
  for (const name of names) {
    const node = await ctx.shootClient!.get<NodeObject>({ apiVersion: 'v1', kind: 'Node', name }, signal);
    out.set(name, node?.status?.nodeInfo?.bootID);
  }
  return out;
}

/** Until each machine's Node is Ready with the kubelet version, booted anew (another bootID) where it ran before. */
async function waitForMachines(ctx: ShootContext, names: readonly string[], version: string, bootedBefore: Map<string, string | undefined>, io: StepIO): Promise<void> {
  await waitFor(
    async () => {
      const pending: string[] = [];
      for (const name of names) {
        const node = await ctx.shootClient!.get<NodeObject>({ apiVersion: 'v1', kind: 'Node', name }, io.signal);
        const info = node?.status?.nodeInfo;
        const rebooted = bootedBefore.get(name) === undefined || info?.bootID !== bootedBefore.get(name);
        if (!node || !isReady(node) || info?.kubeletVersion !== `v${version}` || !rebooted) pending.push(name);
      }
      return pending.length === 0 ? { ready: true, value: undefined } : { ready: false, reason: `${pending.join(', ')} ${pending.length === 1 ? 'is' : 'are'} not Ready with kubelet v${version} yet` };
    },
    { what: `machines ${names.join(', ')} of shoot "${ctx.project}/${ctx.name}" to run kubelet v${version}`, timeoutMs: ctx.options.timeoutMs, intervalMs: 1000, signal: io.signal },
  );
}

/**
 * The Nodes of machines that are gone: the local "cloud" has no node
 * lifecycle controller to delete them. A machine still heartbeating for a
 * moment cannot register its Node again (it registers only when it boots).
 */
async function deleteNodes(ctx: ShootContext, names: readonly string[], signal: AbortSignal): Promise<void> {
  for (const name of names) {
    await ctx.shootClient!.delete({ apiVersion: 'v1', kind: 'Node', name }, { signal });
    await ctx.shootClient!.delete({ apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', name, namespace: 'kube-node-lease' }, { signal });
  }
}

async function liveImage(seed: KubeClient, rendered: KubeObject[], signal: AbortSignal): Promise<string | undefined> {
  const workload = rendered.find((o) => o.kind === 'StatefulSet' || o.kind === 'Deployment');
  if (!workload) return undefined;
  type Workload = KubeObject & { spec?: { template?: { spec?: { containers?: Array<{ name: string; image?: string }> } } } };
  const wanted = (workload as Workload).spec?.template?.spec?.containers?.[0]?.name;
  const live = await seed.get<Workload>({ apiVersion: workload.apiVersion, kind: workload.kind, name: workload.metadata.name, namespace: workload.metadata.namespace }, signal);
  return live?.spec?.template?.spec?.containers?.find((c) => c.name === wanted)?.image;
}

function tagOf(image: string | undefined): string | undefined {
  if (!image) return undefined;
  const colon = image.lastIndexOf(':');
  return colon > image.lastIndexOf('/') ? image.slice(colon + 1) : image;
}

// ---- the operation ------------------------------------------------------------

export interface PlannedUpgrade {
  project: string;
  name: string;
  shoot: ShootObject;
  subject: UpgradeSubject;
  plan: UpgradePlan;
}

/** Reads the Shoot and checks the request against the upgrade rules; writes nothing. */
export async function planShootUpgrade(garden: KubeClient, project: string, name: string, request: UpgradeRequest): Promise<PlannedUpgrade> {
  const { getShoot } = await import('../garden/shoots.ts');
  const shoot = await getShoot(garden, project, name);
  const who = `Shoot "${project}/${name}"`;
  if (shoot.metadata.deletionTimestamp) throw conflict(`${who} is being deleted, so it cannot be upgraded: wait until it is gone, or create it again.`);
  const subject: UpgradeSubject = {
    project,
    name,
    specVersion: shoot.spec.kubernetes.version,
    observedVersion: shoot.status?.kubernetesVersion,
    workers: shoot.spec.provider.workers.map((w) => ({ name: w.name, kubernetesVersion: w.kubernetesVersion })),
  };
  const plan = planUpgrade(subject, request);
  if (shoot.spec.hibernation?.enabled && (plan.kind === 'worker-pool' || plan.steps.length > 0)) {
    throw invalid(`${who} is hibernated, so its control plane cannot be upgraded: wake it up (spec.hibernation.enabled false, then "kubegarden shoot reconcile ${name} --project ${project}") and upgrade it then.`);
  }
  return { project, name, shoot, subject, plan };
}

/** The plan in a few lines, printed before it starts. */
export function describePlan(planned: PlannedUpgrade): string {
  const { plan } = planned;
  const who = `shoot "${planned.project}/${planned.name}"`;
  if (plan.kind === 'worker-pool') {
    return `Upgrade plan for worker pool "${plan.pool}" of ${who}: ${describeSteps(plan)} (the control plane runs ${plan.controlPlane}); its machines are replaced within the pool's maxSurge and maxUnavailable.`;
  }
  const lines = [
    `Upgrade plan for ${who}: ${describeSteps(plan)}${plan.steps.length > 1 ? ` (${plan.steps.length} upgrades, one minor version at a time)` : ''}.`,
    `Each upgrade: etcd (if its version changes) → kube-apiserver → kube-controller-manager and kube-scheduler → system components → worker pools, machines replaced within maxSurge and maxUnavailable.`,
  ];
  if (plan.resumes) lines.push(`The first upgrade finishes the interrupted one to ${planned.subject.specVersion}.`);
  for (const p of plan.pinnedPools) lines.push(`Worker pool "${p.name}" keeps its own version ${p.version}.`);
  return lines.join('\n');
}

/** The versions the plan's runs bring the control plane (or the pool) to, one flow each. */
export function upgradeRuns(plan: UpgradePlan): UpgradeFlowTarget[] {
  return plan.kind === 'worker-pool' ? [{ version: plan.to, pool: plan.pool }] : plan.steps.map((version) => ({ version }));
}

/** The Shoot as the operation records it when it starts: the new version in the spec, or in the pool's. */
export function upgradedShoot(shoot: ShootObject, target: UpgradeFlowTarget): Shoot {
  const spec = structuredClone(shoot.spec);
  if (target.pool === undefined) spec.kubernetes.version = target.version;
  else for (const w of spec.provider.workers) if (w.name === target.pool) w.kubernetesVersion = target.version;
  const { name, namespace, labels, annotations, resourceVersion } = shoot.metadata;
  return {
    apiVersion: shoot.apiVersion,
    kind: 'Shoot',
    // The resourceVersion makes the write conditional: a Shoot changed since it was checked is not overwritten.
    metadata: { name, ...(namespace ? { namespace } : {}), ...(labels ? { labels } : {}), ...(annotations ? { annotations } : {}), ...(resourceVersion ? { resourceVersion } : {}) },
    spec,
  };
}

export interface UpgradeResult {
  shoot: ShootObject;
  runs: Array<{ version: string; durationMs: number }>;
  durationMs: number;
}

/**
 * Runs the plan: one Upgrade operation per step, each under the shoot's lock,
 * recording the step's version in the Shoot before its flow starts.
 */
export async function runShootUpgrade(
  garden: KubeClient,
  planned: PlannedUpgrade,
  options: RunOptions & { onRun?: ((target: UpgradeFlowTarget, index: number, count: number) => void) | undefined },
): Promise<UpgradeResult> {
  const { runShootOperation } = await import('../shoots/operate.ts');
  const { getShoot } = await import('../garden/shoots.ts');
  const targets = upgradeRuns(planned.plan);
  const runs: UpgradeResult['runs'] = [];
  let shoot = planned.shoot;
  const started = Date.now();
  for (const [i, target] of targets.entries()) {
    if (i > 0) shoot = await getShoot(garden, planned.project, planned.name, options.signal);
    options.onRun?.(target, i, targets.length);
    const result = await runShootOperation(garden, planned.project, planned.name, 'Upgrade', upgradeFlow(target), { ...options, forceUnlock: i === 0 && options.forceUnlock, record: upgradedShoot(shoot, target) });
    runs.push({ version: target.version, durationMs: result.durationMs });
    shoot = result.shoot ?? shoot;
  }
  return { shoot, runs, durationMs: Date.now() - started };
}
