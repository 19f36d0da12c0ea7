// What every shoot flow works with: the garden, the seed and its client, the
// shoot's namespace in the seed, and the values each component renders from,
// derived from the Shoot and what earlier steps observed.
import { createHash } from 'node:crypto';
import { projectFromNamespace, shootSeedNamespace, LABEL_SHOOT, type Seed } from '../api/types.ts';
import { nthAddress } from '../api/cidr.ts';
import type { ShootObject } from '../garden/shoots.ts';
import type { KubeClient, KubeObject } from '../kube/client.ts';
import { inlineKubeconfig, serializeKubeconfig } from '../kube/kubeconfig.ts';
import type { ShootCredentials } from '../pki/types.ts';
import type { InfraSpec, InfraOutputs } from '../infra/types.ts';
import { isStateBackendOutage } from '../infra/diagnostics.ts';
import type { HostNetworkPorts, ControlPlaneValues } from '../controlplane/values.ts';
import type { SystemValues } from '../system/values.ts';
import type { StatusRecorder } from './status.ts';

export interface ShootOperationOptions {
  terraformBin?: string | undefined;
  /** Overall budget for waits (API server, nodes). */
  timeoutMs: number;
  /** Where simulated machines and other local state live (local provider). */
  verbose?: boolean | undefined;
}

export interface ShootContext {
  garden: KubeClient;
  project: string;
  name: string;
  shoot: ShootObject;
  seed: Seed;
  seedClient: KubeClient;
  /** shoot--<project>--<name> */
  namespace: string;
  /** That namespace's UID, once read: it tells this shoot's Terraform working directory from an earlier namesake's. */
  namespaceUid?: string | undefined;
  recorder: StatusRecorder;
  options: ShootOperationOptions;
  // Observed by steps:
  ports?: HostNetworkPorts;
  endpoint?: { host: string; port: number; url: string };
  credentials?: ShootCredentials;
  checksums?: Record<string, string>;
  infra?: InfraOutputs;
  shootClient?: KubeClient;
  nodes?: number;
  /** Delete: whether the seed answered; the seed-side steps are skipped when not. */
  seedReachable?: boolean;
  /** What the user should know at the end: things left behind, steps skipped. */
  warnings?: string[];
}

export function isLocal(ctx: Pick<ShootContext, 'shoot'>): boolean {
  return ctx.shoot.spec.provider.type === 'local';
}

export function shootIdentity(shoot: ShootObject): { project: string; name: string; namespace: string } {
  const project = projectFromNamespace(shoot.metadata.namespace ?? '') ?? '';
  return { project, name: shoot.metadata.name, namespace: shootSeedNamespace(project, shoot.metadata.name) };
}

/** Checksums of the shoot's Secrets in the seed: a changed Secret rolls the pods that mount it, an unchanged one nothing. */
export async function secretChecksums(seed: KubeClient, namespace: string, shoot: string): Promise<Record<string, string>> {
  const secrets = await seed.list<KubeObject & { data?: Record<string, string> }>('v1', 'Secret', { namespace, labelSelector: `${LABEL_SHOOT}=${shoot}` });
  return Object.fromEntries(
    secrets.map((s) => {
      const data = s.data ?? {};
      const canonical = JSON.stringify(Object.keys(data).sort().map((k) => [k, data[k]]));
      return [s.metadata.name, createHash('sha256').update(canonical).digest('hex')];
    }),
  );
}

export async function controlPlaneValuesFor(ctx: ShootContext, overrides: { hibernated?: boolean; kubernetesVersion?: string } = {}): Promise<ControlPlaneValues> {
  const { controlPlaneValues } = await import('../controlplane/values.ts');
  if (!ctx.endpoint) throw new Error('the endpoint step must run before the control plane is rendered');
  return controlPlaneValues({
    project: ctx.project,
    shoot: ctx.name,
    provider: ctx.shoot.spec.provider.type,
    networking: ctx.shoot.spec.networking,
    endpoint: { host: ctx.endpoint.host, port: ctx.endpoint.port },
    kubernetesVersion: overrides.kubernetesVersion ?? ctx.shoot.spec.kubernetes.version,
    ...(ctx.shoot.spec.purpose ? { purpose: ctx.shoot.spec.purpose } : {}),
    ...(ctx.ports ? { hostNetwork: { ports: ctx.ports } } : {}),
    checksums: ctx.checksums ?? {},
    hibernated: overrides.hibernated ?? ctx.shoot.spec.hibernation?.enabled ?? false,
    vpn: !isLocal(ctx),
    ...(ctx.credentials ? { serviceAccountIssuer: ctx.credentials.serviceAccount.issuer } : {}),
  });
}

export async function systemValuesFor(ctx: ShootContext): Promise<SystemValues> {
  const { systemValues } = await import('../system/values.ts');
  const creds = requireCredentials(ctx);
  return systemValues({
    shoot: ctx.name,
    project: ctx.project,
    kubernetesVersion: ctx.shoot.spec.kubernetes.version,
    networking: ctx.shoot.spec.networking,
    apiServerUrl: ctx.endpoint!.url,
    caPem: creds.cas.ca.bundlePem,
    bootstrapToken: creds.bootstrapToken,
    kubeProxyKubeconfig: creds.leaves['kube-proxy']?.kubeconfig ?? '',
    addons: { metricsServer: ctx.shoot.spec.addons?.metricsServer?.enabled ?? false, dashboard: ctx.shoot.spec.addons?.dashboard?.enabled ?? false },
    vpn: !isLocal(ctx),
  });
}

export function requireCredentials(ctx: ShootContext): ShootCredentials {
  if (!ctx.credentials) throw new Error('the credentials step must run first');
  return ctx.credentials;
}

/** The infrastructure spec Terraform renders from; without workers for the network-only first pass. */
export async function infraSpecFor(ctx: ShootContext, withWorkers: boolean): Promise<InfraSpec> {
  const spec = ctx.shoot.spec;
  let workers: InfraSpec['workers'] = [];
  if (withWorkers) {
    const { renderCloudConfig } = await import('../machines/cloud-config.ts');
    const creds = requireCredentials(ctx);
    // Hibernated: every scaling group to zero, its definition kept for waking up.
    const asleep = Boolean(spec.hibernation?.enabled);
    workers = spec.provider.workers.map((w) => ({
      name: w.name,
      machineType: w.machineType,
      minimum: asleep ? 0 : w.minimum,
      maximum: asleep ? 0 : w.maximum,
      maxSurge: w.maxSurge ?? 1,
      maxUnavailable: w.maxUnavailable ?? 0,
      ...(w.volume ? { volume: w.volume } : {}),
      zones: w.zones ?? spec.provider.zones ?? [],
      labels: w.labels ?? {},
      taints: w.taints ?? [],
      kubernetesVersion: w.kubernetesVersion ?? spec.kubernetes.version,
      userData: renderCloudConfig({
        kubernetesVersion: w.kubernetesVersion ?? spec.kubernetes.version,
        apiServerUrl: ctx.endpoint!.url,
        caPem: creds.cas.ca.bundlePem,
        clientCaPem: creds.cas['ca-client'].bundlePem,
        bootstrapToken: creds.bootstrapToken,
        pool: { name: w.name, labels: w.labels, taints: w.taints },
        clusterDns: nthAddress(spec.networking.services, 10),
        clusterDomain: 'cluster.local',
        podCidr: spec.networking.pods,
      }),
    }));
  }
  return {
    provider: spec.provider.type,
    shootName: ctx.name,
    project: ctx.project,
    namespace: ctx.namespace,
    region: spec.provider.region,
    zones: spec.provider.zones ?? [],
    networks: spec.networking,
    workers,
  };
}

/** The seed's kubeconfig as text, for Terraform's kubernetes backend. */
export async function seedKubeconfigText(ctx: ShootContext): Promise<string> {
  return serializeKubeconfig(await inlineKubeconfig(ctx.seedClient.kubeconfig));
}

/**
 * Terraform steps run again, with back-off, when the seed that holds their
 * state did not answer for a moment (its API server restarting): about 45 s
 * in all. Other Terraform failures are the user's to fix and stop the flow.
 */
export const TERRAFORM_RETRIES = { retries: 5, initialDelayMs: 2000, maxDelayMs: 15_000 } as const;
export const terraformRetryable: (error: unknown) => boolean = isStateBackendOutage;

export async function terraformOptions(ctx: ShootContext, io: { signal: AbortSignal; log(line: string): void }) {
  const credentials = await cloudCredentials(ctx, io.signal);
  ctx.namespaceUid ??= (await ctx.seedClient.get({ apiVersion: 'v1', kind: 'Namespace', name: ctx.namespace }, io.signal))?.metadata.uid;
  return {
    seedName: ctx.seed.metadata.name,
    stateOwner: ctx.namespaceUid,
    seedKubeconfig: await seedKubeconfigText(ctx),
    credentials,
    ...(ctx.options.terraformBin ? { terraformBin: ctx.options.terraformBin } : {}),
    ...(process.env['KUBEGARDEN_TF_PLUGIN_DIR'] ? { pluginDir: process.env['KUBEGARDEN_TF_PLUGIN_DIR'] } : {}),
    // A terraform left running by a killed kubegarden may still hold the state lock for a while.
    lockTimeoutSeconds: 120,
    signal: io.signal,
    onLine: (line: string) => io.log(line),
  };
}

/** The cloud credentials Secret named by the Shoot, from the project namespace; never written anywhere. */
async function cloudCredentials(ctx: ShootContext, signal: AbortSignal): Promise<Record<string, string>> {
  const ref = ctx.shoot.spec.credentialsRef?.name;
  if (!ref) return {};
  const secret = await ctx.garden.get<KubeObject & { data?: Record<string, string> }>(
    { apiVersion: 'v1', kind: 'Secret', name: ref, namespace: ctx.shoot.metadata.namespace },
    signal,
  );
  const { notFound } = await import('../ui/errors.ts');
  if (!secret) throw notFound(`The credentials Secret "${ref}" of shoot "${ctx.project}/${ctx.name}" does not exist in namespace ${ctx.shoot.metadata.namespace}: create it, or fix spec.credentialsRef.`);
  return Object.fromEntries(Object.entries(secret.data ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')]));
}
