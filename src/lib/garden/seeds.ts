// Seeds: clusters that host shoot control planes. Registering checks that the
// seed answers before anything is written, stores its kubeconfig in the
// garden, prepares the seed, and records what it found in the Seed's status.
import {
  API_VERSION,
  FIELD_MANAGER,
  LABEL_SEED,
  managedLabels,
  seedKubeconfigSecretName,
  SYSTEM_NAMESPACE,
  type Condition,
  type Networks,
  type ProviderType,
  type Seed,
  type SeedSpec,
  type Shoot,
} from '../api/types.ts';
import { DEFAULT_SEED_CAPACITY, DEFAULT_SEED_NETWORKS } from '../api/defaults.ts';
import { describeErrors, providerProblem, validateSeedName, validateSeedSpec } from '../api/validation.ts';
import { KubeClient, type ApplyChange, type KubeObject } from '../kube/client.ts';
import { inlineKubeconfig, loadKubeconfig, parseKubeconfig, serializeKubeconfig, type KubeconfigSource } from '../kube/kubeconfig.ts';
import { conflict, invalid, KubegardenError, notFound } from '../ui/errors.ts';

export interface RegisterSeedParams {
  name: string;
  seedKubeconfig: KubeconfigSource;
  provider: string;
  region: string;
  zones?: string[] | undefined;
  ingressDomain?: string | undefined;
  networks?: Partial<Networks> | undefined;
  maxShoots?: number | undefined;
}

export interface RegisterSeedResult {
  seed: Seed;
  change: ApplyChange;
  kubernetesVersion: string;
}

type SeedObject = Seed & KubeObject;
type ShootObject = Shoot & KubeObject;
type SecretObject = KubeObject & { data?: Record<string, string> };

function seedRef(name: string) {
  return { apiVersion: API_VERSION, kind: 'Seed', name };
}

function buildSeedSpec(p: RegisterSeedParams): SeedSpec {
  const nameErrors = validateSeedName(p.name);
  if (nameErrors.length > 0) throw invalid(describeErrors(`Seed "${p.name}"`, nameErrors));
  const providerError = providerProblem(p.provider);
  if (providerError) throw invalid(`Seed "${p.name}" cannot be registered: --provider ${providerError}.`);
  const spec: SeedSpec = {
    provider: { type: p.provider as ProviderType, region: p.region, ...(p.zones && p.zones.length > 0 ? { zones: p.zones } : {}) },
    secretRef: { name: seedKubeconfigSecretName(p.name), namespace: SYSTEM_NAMESPACE },
    networks: {
      nodes: p.networks?.nodes ?? DEFAULT_SEED_NETWORKS.nodes,
      pods: p.networks?.pods ?? DEFAULT_SEED_NETWORKS.pods,
      services: p.networks?.services ?? DEFAULT_SEED_NETWORKS.services,
    },
    ...(p.ingressDomain ? { ingress: { domain: p.ingressDomain } } : {}),
    capacity: { shoots: p.maxShoots ?? DEFAULT_SEED_CAPACITY },
  };
  const errors = validateSeedSpec(spec);
  if (errors.length > 0) throw invalid(describeErrors(`Seed "${p.name}"`, errors));
  return spec;
}

export async function registerSeed(garden: KubeClient, p: RegisterSeedParams, signal?: AbortSignal): Promise<RegisterSeedResult> {
  const spec = buildSeedSpec(p);

  // Everything that can fail is checked before anything is written.
  const existing = await garden.get<SeedObject>(seedRef(p.name), signal);
  if (existing && existing.spec.provider.type !== spec.provider.type) {
    throw conflict(
      `Seed "${p.name}" is already registered with provider ${existing.spec.provider.type}; a seed's provider cannot change: deregister it first or use another name.`,
    );
  }
  const systemNs = await garden.get({ apiVersion: 'v1', kind: 'Namespace', name: SYSTEM_NAMESPACE }, signal);
  if (!systemNs) throw notFound(`The garden at ${garden.server} is not initialised (no ${SYSTEM_NAMESPACE} namespace): run "kubegarden garden init" first.`);

  const seedKubeconfig = await loadKubeconfig(p.seedKubeconfig, `seed "${p.name}"`);
  const seed = await KubeClient.fromResolved(seedKubeconfig, `seed "${p.name}"`);
  let version: string;
  try {
    version = (await seed.version(signal)).gitVersion;
    // Reading is not enough: kubegarden creates namespaces and workloads in the seed.
    const allowed = await seed.can('create', { group: '', resource: 'namespaces' });
    if (!allowed) {
      throw new KubegardenError(
        'forbidden',
        `User "${seed.user}" may not create namespaces in seed "${p.name}": register the seed with a kubeconfig whose user is cluster-admin there.`,
      );
    }
    const inlined = await inlineKubeconfig(seedKubeconfig);

    // Writes, each idempotent.
    await garden.apply({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: spec.secretRef.name, namespace: SYSTEM_NAMESPACE, labels: managedLabels({ [LABEL_SEED]: p.name }) },
      type: 'Opaque',
      stringData: { kubeconfig: serializeKubeconfig(inlined) },
    }, signal);
    // Its own field manager: when the garden is also the seed, garden init owns other labels of this namespace.
    await seed.apply(
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: SYSTEM_NAMESPACE, labels: managedLabels({ [LABEL_SEED]: p.name }) } },
      signal,
      `${FIELD_MANAGER}-seed`,
    );
  } finally {
    seed.close();
  }
  const { object, change } = await garden.applyAndDiff<SeedObject>(
    { apiVersion: API_VERSION, kind: 'Seed', metadata: { name: p.name, labels: managedLabels() }, spec },
    signal,
  );
  const status = await seedStatus(garden, object, version);
  const withStatus = await garden.applyStatus<SeedObject>({ apiVersion: API_VERSION, kind: 'Seed', metadata: { name: p.name }, status }, signal);
  return { seed: withStatus, change, kubernetesVersion: version };
}

async function seedStatus(garden: KubeClient, seed: SeedObject, version: string) {
  const shoots = await shootsOnSeed(garden, seed.metadata.name);
  const now = new Date().toISOString();
  const previous = seed.status?.conditions?.find((c) => c.type === 'Ready');
  const ready: Condition = {
    type: 'Ready',
    status: 'True',
    reason: 'SeedAvailable',
    message: `API server ${version} answered and kubegarden may manage it`,
    lastTransitionTime: previous?.status === 'True' && previous.lastTransitionTime ? previous.lastTransitionTime : now,
    lastUpdateTime: now,
  };
  return { kubernetesVersion: version, conditions: [ready], allocatedShoots: shoots.length, observedGeneration: seed.metadata.generation };
}

/** Shoots scheduled onto a seed, across all projects. */
export async function shootsOnSeed(garden: KubeClient, seedName: string): Promise<ShootObject[]> {
  const shoots = await garden.list<ShootObject>(API_VERSION, 'Shoot');
  return shoots.filter((s) => s.spec.seedName === seedName || s.status?.seedName === seedName);
}

export async function listSeeds(garden: KubeClient): Promise<SeedObject[]> {
  return (await garden.list<SeedObject>(API_VERSION, 'Seed')).sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
}

export async function getSeed(garden: KubeClient, name: string, signal?: AbortSignal): Promise<SeedObject> {
  const errors = validateSeedName(name);
  if (errors.length > 0) throw invalid(describeErrors(`Seed "${name}"`, errors));
  const seed = await garden.get<SeedObject>(seedRef(name), signal);
  if (!seed) throw notFound(`Seed "${name}" is not registered in the garden: list seeds with "kubegarden seed list".`);
  return seed;
}

/** A client for a registered seed, from the kubeconfig stored in the garden. */
export async function seedClient(garden: KubeClient, seed: Seed, signal?: AbortSignal): Promise<KubeClient> {
  const { name, namespace } = seed.spec.secretRef;
  const secret = await garden.get<SecretObject>({ apiVersion: 'v1', kind: 'Secret', name, namespace }, signal);
  const data = secret?.data?.['kubeconfig'];
  if (!data) throw notFound(`The kubeconfig of seed "${seed.metadata.name}" (Secret ${namespace}/${name}) is missing: register the seed again.`);
  const label = `seed "${seed.metadata.name}"`;
  return KubeClient.fromResolved(parseKubeconfig(Buffer.from(data, 'base64').toString('utf8'), label), label);
}

export interface DeregisterResult {
  seed: string;
  leftBehind: string[];
}

export async function deregisterSeed(garden: KubeClient, name: string, options: { force?: boolean; signal?: AbortSignal } = {}): Promise<DeregisterResult> {
  const seed = await getSeed(garden, name, options.signal);
  const shoots = await shootsOnSeed(garden, name);
  const shootNames = shoots.map((s) => `${s.metadata.namespace}/${s.metadata.name}`);
  if (shoots.length > 0 && !options.force) {
    throw conflict(
      `Seed "${name}" still hosts ${shoots.length === 1 ? 'shoot' : 'shoots'} ${shootNames.join(', ')}: delete ${shoots.length === 1 ? 'it' : 'them'} first, or pass --force to deregister anyway.`,
    );
  }
  const leftBehind: string[] = [];
  if (shoots.length > 0) {
    leftBehind.push(
      `shoots ${shootNames.join(', ')} still name seed "${name}": their control planes keep running in the seed, unmanaged, until the seed is registered again`,
    );
    leftBehind.push(`the seed's ${SYSTEM_NAMESPACE} namespace and the shoots' namespaces in the seed cluster`);
  } else {
    // Nothing of ours runs there any more: tidy up the seed, if it still answers.
    try {
      const client = await seedClient(garden, seed, options.signal);
      try {
        await client.delete({ apiVersion: 'v1', kind: 'Namespace', name: SYSTEM_NAMESPACE }, { signal: options.signal });
      } finally {
        client.close();
      }
    } catch (err) {
      leftBehind.push(`the seed's ${SYSTEM_NAMESPACE} namespace (the seed could not be cleaned up: ${(err as Error).message})`);
    }
  }
  await garden.delete(seedRef(name), { signal: options.signal });
  await garden.delete({ apiVersion: 'v1', kind: 'Secret', name: seed.spec.secretRef.name, namespace: seed.spec.secretRef.namespace }, { signal: options.signal });
  return { seed: name, leftBehind };
}
