// Shoots in the garden: building one from flags or a file, validating it
// against the rules and its seed, scheduling it onto a seed, reading them.
import { readFile } from 'node:fs/promises';
import { yaml } from '../kube/yaml.ts';
import { defaultShootSpec } from '../api/defaults.ts';
import {
  API_VERSION,
  LABEL_PROJECT,
  managedLabels,
  projectFromNamespace,
  projectNamespace,
  type ProviderType,
  type Seed,
  type Shoot,
  type ShootSpec,
  type Worker,
} from '../api/types.ts';
import { describeErrors, mistypedShootSpecFields, providerProblem, unknownShootSpecFields, validateShoot } from '../api/validation.ts';
import type { KubeClient, KubeObject } from '../kube/client.ts';
import { configError, invalid, KubegardenError, notFound } from '../ui/errors.ts';
import { listSeeds, shootsOnSeed } from './seeds.ts';

export type ShootObject = Shoot & KubeObject;

export interface ShootFlags {
  provider?: string | undefined;
  region?: string | undefined;
  zones?: string[] | undefined;
  kubernetesVersion?: string | undefined;
  workers?: string[] | undefined;
  seed?: string | undefined;
  nodesCidr?: string | undefined;
  podsCidr?: string | undefined;
  servicesCidr?: string | undefined;
  purpose?: string | undefined;
  credentials?: string | undefined;
  addons?: string[] | undefined;
}

const WORKER_KEYS = ['name', 'machine', 'min', 'max', 'zones', 'surge', 'unavailable', 'volume', 'labels', 'taints'] as const;

/** `name=pool,machine=m5.large,min=1,max=3,zones=a;b,labels=k:v;k2:v2,taints=k=v:NoSchedule` */
export function parseWorkerFlag(text: string): Worker {
  const fields = new Map<string, string>();
  for (const part of text.split(',')) {
    const eq = part.indexOf('=');
    if (eq <= 0) throw invalid(`--worker "${text}" has "${part}", which is not key=value: use name=..,machine=..,min=..,max=..,zones=a;b.`);
    const key = part.slice(0, eq).trim();
    if (!(WORKER_KEYS as readonly string[]).includes(key)) throw invalid(`--worker "${text}" has an unknown key "${key}" (known: ${WORKER_KEYS.join(', ')}).`);
    fields.set(key, part.slice(eq + 1).trim());
  }
  const int = (key: string): number | undefined => {
    const v = fields.get(key);
    if (v === undefined) return undefined;
    if (!/^\d+$/.test(v)) throw invalid(`--worker "${text}": ${key} must be a whole number (got "${v}").`);
    return Number(v);
  };
  const name = fields.get('name');
  if (!name) throw invalid(`--worker "${text}" has no name: add name=<pool>.`);
  const list = (key: string) => fields.get(key)?.split(';').map((s) => s.trim()).filter(Boolean);
  const labels = list('labels');
  const taints = list('taints');
  const worker: Worker = {
    name,
    machineType: fields.get('machine') ?? '',
    minimum: int('min') ?? 1,
    maximum: int('max') ?? Math.max(int('min') ?? 1, 1),
  };
  const surge = int('surge');
  const unavailable = int('unavailable');
  if (surge !== undefined) worker.maxSurge = surge;
  if (unavailable !== undefined) worker.maxUnavailable = unavailable;
  if (fields.get('volume')) worker.volume = { size: fields.get('volume')! };
  const zones = list('zones');
  if (zones) worker.zones = zones;
  if (labels) worker.labels = Object.fromEntries(labels.map((l) => l.split(':', 2) as [string, string]).map(([k, v]) => [k, v ?? '']));
  if (taints) {
    worker.taints = taints.map((t) => {
      const m = /^([^=:]+)(?:=([^:]*))?:(NoSchedule|PreferNoSchedule|NoExecute)$/.exec(t);
      if (!m) throw invalid(`--worker "${text}": taint "${t}" must look like key=value:NoSchedule.`);
      return { key: m[1]!, ...(m[2] ? { value: m[2] } : {}), effect: m[3] as 'NoSchedule' };
    });
  }
  return worker;
}

/** Reads a Shoot manifest from a file, or from stdin for "-". */
export async function readShootFile(path: string, readStdin: () => Promise<string> = readAllStdin): Promise<Shoot> {
  let text: string;
  try {
    text = path === '-' ? await readStdin() : await readFile(path, 'utf8');
  } catch (err) {
    throw configError(`Cannot read the shoot file ${path} (${(err as NodeJS.ErrnoException).code ?? String(err)}).`, { cause: err });
  }
  const docs = yaml().parseAllDocuments(text).filter((d) => d.contents !== null);
  if (docs.length !== 1) throw invalid(`The shoot file ${path} must hold exactly one document (it has ${docs.length}).`);
  const doc = docs[0]!;
  if (doc.errors.length > 0) throw invalid(`The shoot file ${path} is not valid YAML: ${doc.errors[0]!.message.split('\n')[0]}.`);
  const obj = doc.toJS() as Partial<Shoot> | null;
  if (!obj || typeof obj !== 'object') throw invalid(`The shoot file ${path} does not hold an object.`);
  if (obj.apiVersion !== API_VERSION || obj.kind !== 'Shoot') {
    throw invalid(`The shoot file ${path} holds ${obj.kind ?? 'no kind'} of ${obj.apiVersion ?? 'no apiVersion'}: expected kind Shoot of ${API_VERSION}.`);
  }
  if (!obj.spec || typeof obj.spec !== 'object') throw invalid(`The shoot file ${path} has no spec.`);
  const mistyped = mistypedShootSpecFields(obj.spec);
  if (mistyped.length > 0) {
    throw invalid(`The shoot file ${path} has ${mistyped.length === 1 ? 'a field' : 'fields'} of the wrong type: ${mistyped.join(', ')}; see "kubectl explain shoots.spec".`);
  }
  const unknown = unknownShootSpecFields(obj.spec);
  if (unknown.length > 0) {
    throw invalid(`The shoot file ${path} has ${unknown.length === 1 ? 'an unknown field' : 'unknown fields'} ${unknown.join(', ')}: remove ${unknown.length === 1 ? 'it' : 'them'}, or check the spelling against "kubectl explain shoots.spec".`);
  }
  return obj as Shoot;
}

async function readAllStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** The Shoot a create command means: from a file, with flags overriding, defaults filled in. */
export function buildShoot(project: string, name: string, flags: ShootFlags, fromFile?: Shoot): Shoot {
  const base: Partial<ShootSpec> = fromFile?.spec ?? {};
  const provider = (flags.provider ?? base.provider?.type) as ProviderType | undefined;
  if (!provider) throw invalid(`Shoot "${project}/${name}" needs a provider: pass --provider (local, aws, gcp, azure or openstack).`);
  const problem = providerProblem(provider);
  if (problem) throw invalid(`Shoot "${project}/${name}" cannot be created: --provider ${problem}.`);
  const region = flags.region ?? base.provider?.region ?? (provider === 'local' ? 'local' : undefined);
  if (!region) throw invalid(`Shoot "${project}/${name}" needs a region: pass --region.`);
  const workers = flags.workers && flags.workers.length > 0 ? flags.workers.map(parseWorkerFlag) : (base.provider?.workers ?? []);
  const spec: ShootSpec = {
    ...base,
    provider: { type: provider, region, ...(flags.zones ? { zones: flags.zones } : base.provider?.zones ? { zones: base.provider.zones } : {}), workers },
    kubernetes: { version: flags.kubernetesVersion ?? base.kubernetes?.version ?? '' },
    networking: {
      nodes: flags.nodesCidr ?? base.networking?.nodes ?? '',
      pods: flags.podsCidr ?? base.networking?.pods ?? '',
      services: flags.servicesCidr ?? base.networking?.services ?? '',
    },
    ...(flags.seed ? { seedName: flags.seed } : {}),
    ...(flags.purpose ? { purpose: flags.purpose as ShootSpec['purpose'] } : {}),
    ...(flags.credentials ? { credentialsRef: { name: flags.credentials } } : {}),
  };
  if (flags.addons) {
    spec.addons = { metricsServer: { enabled: flags.addons.includes('metrics-server') }, dashboard: { enabled: flags.addons.includes('dashboard') } };
  }
  const defaulted = defaultShootSpec(spec);
  // Unset workers' machine types come from the provider's default.
  for (const w of defaulted.provider.workers) if (!w.machineType) w.machineType = defaultShootSpec({ ...spec, provider: { ...spec.provider, workers: [] } }).provider.workers[0]!.machineType;
  return {
    apiVersion: API_VERSION,
    kind: 'Shoot',
    metadata: {
      name,
      namespace: projectNamespace(project),
      labels: { ...(fromFile?.metadata?.labels ?? {}), ...managedLabels({ [LABEL_PROJECT]: project }) },
      ...(fromFile?.metadata?.annotations ? { annotations: fromFile.metadata.annotations } : {}),
    },
    spec: defaulted,
  };
}

export function checkShoot(shoot: Shoot, seed?: Seed): void {
  const project = projectFromNamespace(shoot.metadata.namespace ?? '') ?? '';
  const errors = validateShoot(shoot.spec, { project, name: shoot.metadata.name, ...(seed ? { seed } : {}) });
  if (errors.length > 0) throw invalid(describeErrors(`Shoot "${project}/${shoot.metadata.name}"`, errors));
}

/** Picks a seed for a shoot: the named one, else a ready seed of its provider and region with free capacity, least loaded first. */
export async function scheduleShoot(garden: KubeClient, shoot: Shoot): Promise<Seed> {
  const seeds = await listSeeds(garden);
  const wanted = shoot.spec.seedName ?? shoot.status?.seedName;
  const who = `Shoot "${projectFromNamespace(shoot.metadata.namespace ?? '')}/${shoot.metadata.name}"`;
  if (wanted) {
    const seed = seeds.find((s) => s.metadata.name === wanted);
    if (!seed) throw notFound(`${who} names seed "${wanted}", which is not registered: list seeds with "kubegarden seed list".`);
    if (seed.spec.provider.type !== shoot.spec.provider.type) {
      throw invalid(`${who} has provider ${shoot.spec.provider.type} but seed "${wanted}" is a ${seed.spec.provider.type} seed: choose a seed of the same provider.`);
    }
    return seed;
  }
  const candidates = seeds.filter(
    (s) => s.spec.provider.type === shoot.spec.provider.type && s.spec.provider.region === shoot.spec.provider.region && s.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True',
  );
  if (candidates.length === 0) {
    throw new KubegardenError(
      'notFound',
      `No ready seed of provider ${shoot.spec.provider.type} in region ${shoot.spec.provider.region} can host ${who}: register one with "kubegarden seed register", or pass --seed.`,
    );
  }
  const load = await Promise.all(candidates.map(async (s) => ({ seed: s, used: await seedLoad(garden, s) })));
  const free = load.filter((l) => l.used < l.seed.spec.capacity.shoots).sort((a, b) => a.used / a.seed.spec.capacity.shoots - b.used / b.seed.spec.capacity.shoots);
  if (free.length === 0) throw new KubegardenError('conflict', `Every seed of provider ${shoot.spec.provider.type} in region ${shoot.spec.provider.region} is full: raise --max-shoots of a seed or register another.`);
  return free[0]!.seed;
}

/**
 * How many shoots a seed hosts: counted across all projects, or, for a user
 * who may list shoots of one project only (a project member), as the seed's
 * status last recorded it.
 */
async function seedLoad(garden: KubeClient, seed: Seed): Promise<number> {
  try {
    return (await shootsOnSeed(garden, seed.metadata.name)).length;
  } catch (err) {
    if (err instanceof KubegardenError && err.code === 'forbidden') return seed.status?.allocatedShoots ?? 0;
    throw err;
  }
}

export async function getShoot(garden: KubeClient, project: string, name: string, signal?: AbortSignal): Promise<ShootObject> {
  const shoot = await garden.get<ShootObject>({ apiVersion: API_VERSION, kind: 'Shoot', name, namespace: projectNamespace(project) }, signal);
  if (!shoot) throw notFound(`Shoot "${project}/${name}" does not exist: list shoots with "kubegarden shoot list --project ${project}".`);
  return shoot;
}

export async function listShoots(garden: KubeClient, project?: string): Promise<ShootObject[]> {
  const shoots = await garden.list<ShootObject>(API_VERSION, 'Shoot', project ? { namespace: projectNamespace(project) } : {});
  return shoots.sort((a, b) => (a.metadata.namespace ?? '').localeCompare(b.metadata.namespace ?? '') || a.metadata.name.localeCompare(b.metadata.name));
}
