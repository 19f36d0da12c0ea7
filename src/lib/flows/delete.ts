// The delete flow of a shoot. Cloud resources that the shoot's own workloads
// created (load balancers, volumes) block Terraform's destroy, so they go
// first, through the shoot's API while it still answers; then the control
// plane, the infrastructure, the seed namespace and finally the finalizer.
// Every step observes what is left and skips what is already gone, so an
// interrupted delete resumes.
import { API_VERSION, projectNamespace } from '../api/types.ts';
import type { KubeClient, KubeObject } from '../kube/client.ts';
import { waitFor } from '../kube/wait.ts';
import { SHOOT_FINALIZER } from '../shoots/finalizer.ts';
import { KubegardenError } from '../ui/errors.ts';
import { Flow } from './graph.ts';
import { controlPlaneValuesFor, infraSpecFor, isLocal, TERRAFORM_RETRIES, terraformOptions, terraformRetryable, type ShootContext } from './shoot-context.ts';

const CLEANUP_TIMEOUT_MS = 120_000;

export function deleteFlow(): Flow<ShootContext> {
  const flow = new Flow<ShootContext>('shoot delete');

  flow.add({
    id: 'mark',
    title: 'Marking the shoot as being deleted',
    retries: 3,
    run: async (ctx, io) => {
      await ctx.garden.delete({ apiVersion: API_VERSION, kind: 'Shoot', name: ctx.name, namespace: projectNamespace(ctx.project) }, { signal: io.signal });
      ctx.seedReachable = await answers(ctx.seedClient, io.signal);
      if (!ctx.seedReachable) warn(ctx, io, `seed "${ctx.seed.metadata.name}" does not answer: the shoot's control plane, its Terraform state and its namespace in the seed are left behind there`);
      return ctx.seedReachable ? 'Shoot marked for deletion' : 'Shoot marked for deletion (its seed does not answer)';
    },
  });

  flow.add({
    id: 'shoot-resources',
    title: 'Deleting load balancers, volumes, webhooks and foreign CRDs in the shoot',
    dependsOn: ['mark'],
    skip: (ctx) => (ctx.seedReachable ? false : 'the seed does not answer'),
    run: async (ctx, io) => {
      const apiserver = await ctx.seedClient.get({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'kube-apiserver', namespace: ctx.namespace }, io.signal);
      // A resumed delete finds the control plane already gone: this step ran before it went.
      if (!apiserver) return 'The control plane is already gone';
      const shoot = await shootAdminClient(ctx, io.signal);
      if (!shoot) {
        warn(ctx, io, `the API server of shoot "${ctx.project}/${ctx.name}" does not answer: load balancers and volumes its workloads created, if any, are not deleted and may block or outlive Terraform's destroy`);
        return 'Shoot API server does not answer: nothing deleted through it';
      }
      try {
        return await deleteShootResources(shoot, io);
      } catch (err) {
        // The API server went away mid-way (an interrupted delete had started on the control plane).
        if (!(err instanceof KubegardenError && err.code === 'unreachable') || io.signal.aborted) throw err;
        warn(ctx, io, `the API server of shoot "${ctx.project}/${ctx.name}" stopped answering: load balancers and volumes its workloads created, if any, may be left behind`);
        return 'Shoot API server stopped answering: cleanup through it incomplete';
      } finally {
        shoot.close();
      }
    },
  });

  flow.add({
    id: 'machines',
    title: 'Stopping the machines',
    dependsOn: ['shoot-resources'],
    skip: (ctx) => (!ctx.seedReachable ? 'the seed does not answer' : isLocal(ctx) ? false : 'Terraform destroys the scaling groups'),
    run: async (ctx, io) => {
      const { applyLocalMachines } = await import('./create.ts');
      await applyLocalMachines(ctx, [], io.signal);
      return 'Machines stopped';
    },
  });

  flow.add({
    id: 'control-plane',
    title: 'Deleting the control plane',
    dependsOn: ['machines'],
    skip: (ctx) => (ctx.seedReachable ? false : 'the seed does not answer'),
    run: async (ctx, io) => {
      const cp = await import('../controlplane/index.ts');
      const endpoint = ctx.shoot.status?.endpoint ? new URL(ctx.shoot.status.endpoint) : undefined;
      ctx.endpoint ??= endpoint ? { host: endpoint.hostname, port: Number(endpoint.port || 443), url: ctx.shoot.status!.endpoint! } : { host: 'deleted.invalid', port: 443, url: 'https://deleted.invalid' };
      if (isLocal(ctx) && !ctx.ports) {
        const { allocateLocalPorts, CONTROL_PLANE_PORTS } = await import('../local/provider.ts');
        ctx.ports = await allocateLocalPorts(ctx.seedClient, ctx.namespace, CONTROL_PLANE_PORTS, io.signal);
      }
      if (isLocal(ctx) && ctx.ports) {
        // A delete resumed after its namespace step released the loopback ports
        // gets new ones here: render with those (components are destroyed by
        // name), not with the endpoint the Shoot recorded; the namespace step
        // releases them again.
        ctx.endpoint = { host: '127.0.0.1', port: ctx.ports.kubeApiserver, url: `https://127.0.0.1:${ctx.ports.kubeApiserver}` };
      }
      const values = await controlPlaneValuesFor(ctx);
      const components = [...cp.controlPlaneComponents(values)].reverse();
      for (const c of components) {
        io.log(`deleting ${c.name}`);
        await c.destroy(ctx.seedClient, values, io.signal);
        await c.waitCleanup(ctx.seedClient, values, { signal: io.signal, timeoutMs: CLEANUP_TIMEOUT_MS });
      }
      return `Control plane deleted (${components.map((c) => c.name).join(', ')})`;
    },
  });

  flow.add({
    id: 'infrastructure',
    title: 'Destroying the infrastructure with Terraform',
    dependsOn: ['control-plane'],
    weight: 3,
    retries: TERRAFORM_RETRIES,
    retryable: terraformRetryable,
    skip: (ctx) => (ctx.seedReachable ? false : 'the seed does not answer'),
    run: async (ctx, io) => {
      const infra = await import('../infra/terraform.ts');
      const state = await ctx.seedClient.get({ apiVersion: 'v1', kind: 'Secret', name: 'tfstate-default-infra', namespace: ctx.namespace }, io.signal);
      if (!state) {
        warn(ctx, io, `the Terraform state of shoot "${ctx.project}/${ctx.name}" is missing: if its network or machines were ever created, they are left behind in the cloud`);
        return 'No Terraform state: nothing to destroy';
      }
      // Destroy needs the variables, not real cloud-configs: machines are going away.
      const spec = await infraSpecFor(ctx, false);
      spec.workers = ctx.shoot.spec.provider.workers.map((w) => ({
        name: w.name,
        machineType: w.machineType,
        minimum: w.minimum,
        maximum: w.maximum,
        maxSurge: w.maxSurge ?? 1,
        maxUnavailable: w.maxUnavailable ?? 0,
        zones: w.zones ?? ctx.shoot.spec.provider.zones ?? [],
        labels: w.labels ?? {},
        taints: w.taints ?? [],
        kubernetesVersion: w.kubernetesVersion ?? ctx.shoot.spec.kubernetes.version,
        userData: '',
      }));
      await infra.destroyInfra(spec, await terraformOptions(ctx, io));
      return 'Infrastructure destroyed';
    },
  });

  flow.add({
    id: 'namespace',
    title: 'Deleting the shoot namespace in the seed, with its Terraform state',
    dependsOn: ['infrastructure'],
    skip: (ctx) => (ctx.seedReachable ? false : 'the seed does not answer'),
    run: async (ctx, io) => {
      await ctx.seedClient.delete({ apiVersion: 'v1', kind: 'Namespace', name: ctx.namespace }, { signal: io.signal });
      await waitFor(
        async () => ((await ctx.seedClient.get({ apiVersion: 'v1', kind: 'Namespace', name: ctx.namespace }, io.signal)) ? { ready: false, reason: `namespace ${ctx.namespace} is still terminating` } : { ready: true, value: undefined }),
        { what: `namespace ${ctx.namespace} in seed "${ctx.seed.metadata.name}" to be gone`, timeoutMs: CLEANUP_TIMEOUT_MS, intervalMs: 500, signal: io.signal },
      );
      if (isLocal(ctx)) {
        const { releaseLocalPorts } = await import('../local/provider.ts');
        await releaseLocalPorts(ctx.seedClient, ctx.namespace, io.signal);
      }
      // The state went with the namespace: this machine's working directory is of no more use.
      const { removeTerraformWorkDir } = await import('../infra/terraform.ts');
      await removeTerraformWorkDir({ namespace: ctx.namespace }, ctx.seed.metadata.name);
      return `Namespace ${ctx.namespace} deleted`;
    },
  });

  flow.add({
    id: 'finalizer',
    title: 'Removing the shoot from the garden',
    dependsOn: ['namespace'],
    retries: 3,
    run: async (ctx, io) => {
      const ref = { apiVersion: API_VERSION, kind: 'Shoot', name: ctx.name, namespace: projectNamespace(ctx.project) };
      // The status recorder writes too: on a conflict, read again and retry.
      for (let attempt = 1; ; attempt++) {
        const current = await ctx.garden.get<KubeObject>(ref, io.signal);
        if (!current) break;
        const finalizers = (current.metadata.finalizers ?? []).filter((f) => f !== SHOOT_FINALIZER);
        try {
          await ctx.garden.mergePatch(ref, { metadata: { finalizers, resourceVersion: current.metadata.resourceVersion } }, io.signal);
          break;
        } catch (err) {
          if (!(err instanceof KubegardenError && err.code === 'conflict') || attempt >= 10) throw err;
        }
      }
      return `Shoot "${ctx.project}/${ctx.name}" deleted`;
    },
  });

  return flow;
}

function warn(ctx: ShootContext, io: { log(line: string): void }, text: string): void {
  (ctx.warnings ??= []).push(text);
  io.log(`warning: ${text}`);
}

async function answers(client: KubeClient, signal: AbortSignal): Promise<boolean> {
  const timeout = AbortSignal.timeout(10_000);
  try {
    await client.version(AbortSignal.any([signal, timeout]));
    return true;
  } catch (err) {
    if (signal.aborted) throw err;
    return false;
  }
}

/** A short-lived admin client for the shoot, if its API server answers. */
async function shootAdminClient(ctx: ShootContext, signal: AbortSignal): Promise<KubeClient | undefined> {
  const endpoint = ctx.shoot.status?.endpoint;
  if (!endpoint) return undefined;
  const { issueFromSeed } = await import('../shoots/access.ts');
  const issued = await issueFromSeed(ctx.seedClient, ctx.namespace, { server: endpoint, user: 'kubegarden-flow', expirationSeconds: 3600, clusterName: ctx.namespace });
  if (!issued) return undefined;
  const { parseKubeconfig } = await import('../kube/kubeconfig.ts');
  const { KubeClient } = await import('../kube/client.ts');
  const label = `shoot "${ctx.project}/${ctx.name}"`;
  const client = await KubeClient.fromResolved(parseKubeconfig(issued.kubeconfig, label), label);
  if (await answers(client, signal)) return client;
  client.close();
  return undefined;
}

interface Listed extends KubeObject {
  spec?: { type?: string; group?: string; claimRef?: unknown };
}

async function deleteShootResources(shoot: KubeClient, io: { signal: AbortSignal; log(line: string): void }): Promise<string> {
  const deleted: string[] = [];
  const remove = async (apiVersion: string, kind: string, items: KubeObject[]) => {
    for (const o of items) {
      await shoot.delete({ apiVersion, kind, name: o.metadata.name, namespace: o.metadata.namespace }, { signal: io.signal });
      deleted.push(`${kind} ${o.metadata.namespace ? `${o.metadata.namespace}/` : ''}${o.metadata.name}`);
      io.log(`deleted ${kind} ${o.metadata.name}`);
    }
  };
  const loadBalancers = (await shoot.list<Listed>('v1', 'Service')).filter((s) => s.spec?.type === 'LoadBalancer');
  await remove('v1', 'Service', loadBalancers);
  await remove('v1', 'PersistentVolumeClaim', await shoot.list('v1', 'PersistentVolumeClaim'));
  // Webhooks could refuse the deletions; CRDs whose finalizers need a gone controller could hang the namespace.
  await remove('admissionregistration.k8s.io/v1', 'ValidatingWebhookConfiguration', await shoot.list('admissionregistration.k8s.io/v1', 'ValidatingWebhookConfiguration'));
  await remove('admissionregistration.k8s.io/v1', 'MutatingWebhookConfiguration', await shoot.list('admissionregistration.k8s.io/v1', 'MutatingWebhookConfiguration'));
  await remove('apiextensions.k8s.io/v1', 'CustomResourceDefinition', await shoot.list('apiextensions.k8s.io/v1', 'CustomResourceDefinition'));
  await waitFor(
    async () => {
      const lbs = (await shoot.list<Listed>('v1', 'Service')).filter((s) => s.spec?.type === 'LoadBalancer').length;
      const pvs = (await shoot.list('v1', 'PersistentVolume')).length;
      return lbs + pvs === 0 ? { ready: true, value: undefined } : { ready: false, reason: `${lbs} load balancers and ${pvs} persistent volumes remain` };
    },
    { what: 'the load balancers and volumes in the shoot to be released', timeoutMs: CLEANUP_TIMEOUT_MS, intervalMs: 1000, signal: io.signal },
  ).catch((err: unknown) => {
    if (err instanceof KubegardenError && err.code === 'timeout') throw new KubegardenError('timeout', `${err.message} Their cloud resources would block Terraform's destroy: check the shoot's cloud controller, then run the delete again.`);
    throw err;
  });
  return deleted.length ? `Deleted ${deleted.length} objects that own cloud resources` : 'Nothing in the shoot owns cloud resources';
}
