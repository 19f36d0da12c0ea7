// Questions asked on a terminal when a command lacks input, offering what
// exists in the garden. Only called when canPrompt() allows it; every question
// names the flag that answers it without a terminal. Prompts write to stderr,
// and inquirer is imported only when a question is really asked.
import { DEFAULT_MACHINE_TYPES } from '../api/defaults.ts';
import { PROVIDER_TYPES, type ProviderType } from '../api/types.ts';
import { describeErrors, validateShootName } from '../api/validation.ts';
import { DEFAULT_KUBERNETES_VERSION, SUPPORTED_KUBERNETES_VERSIONS } from '../api/versions.ts';
import type { KubeClient } from '../kube/client.ts';
import { KubegardenError, notFound } from './errors.ts';

export interface Choice {
  name: string;
  value: string;
  description?: string;
}

const AUTOMATIC = '';

/** Machine types offered per provider, the default first; any other can be given with --worker. */
export const MACHINE_TYPES: Record<ProviderType, readonly string[]> = {
  local: [DEFAULT_MACHINE_TYPES.local],
  aws: [DEFAULT_MACHINE_TYPES.aws, 'm5.xlarge', 'm5.2xlarge', 'c5.xlarge', 'r5.large'],
  gcp: [DEFAULT_MACHINE_TYPES.gcp, 'n2-standard-4', 'n2-standard-8', 'e2-standard-4'],
  azure: [DEFAULT_MACHINE_TYPES.azure, 'Standard_D4s_v5', 'Standard_D8s_v5'],
  openstack: [DEFAULT_MACHINE_TYPES.openstack, 'm1.xlarge', 'm1.medium'],
};

/** Ctrl-C in a prompt is an abort (exit 130), not a crash. */
async function asked<T>(question: () => Promise<T>): Promise<T> {
  try {
    return await question();
  } catch (err) {
    if (err instanceof Error && (err.name === 'ExitPromptError' || err.name === 'AbortPromptError')) {
      throw new KubegardenError('aborted', 'Aborted: the question was not answered, and nothing was changed.');
    }
    throw err;
  }
}

export async function choose(message: string, choices: readonly Choice[], defaultValue?: string): Promise<string> {
  const { select } = await import('@inquirer/prompts');
  return asked(() => select({ message, choices: [...choices], ...(defaultValue !== undefined ? { default: defaultValue } : {}), pageSize: 12 }, { output: process.stderr }));
}

export async function ask(message: string, options: { default?: string | undefined; validate?: (value: string) => string | true } = {}): Promise<string> {
  const { input } = await import('@inquirer/prompts');
  const answer = await asked(() =>
    input({ message, ...(options.default ? { default: options.default } : {}), ...(options.validate ? { validate: options.validate } : {}) }, { output: process.stderr }),
  );
  return answer.trim();
}

const plain = (values: Iterable<string>): Choice[] => [...new Set(values)].sort().map((v) => ({ name: v, value: v }));

/** Asks for one of the projects in the garden (--project). */
export async function chooseProject(garden: KubeClient): Promise<string> {
  const { listProjects } = await import('../garden/projects.ts');
  const projects = await listProjects(garden);
  if (projects.length === 0) throw notFound('The garden has no projects: create one with "kubegarden project create NAME".');
  return choose('Project (--project)', projects.map((p) => ({ name: p.name, value: p.name, ...(p.description ? { description: p.description } : {}) })));
}

export interface CreateInput {
  name?: string | undefined;
  provider?: string | undefined;
  region?: string | undefined;
  kubernetesVersion?: string | undefined;
  workers?: string[] | undefined;
  seed?: string | undefined;
}

/**
 * Fills what a create lacks by asking, choosing from what the garden has:
 * the name, then the provider (of registered seeds), the region (of seeds of
 * that provider); once something had to be asked, the version, machine type
 * and seed are offered too, their defaults preselected.
 */
export async function askCreateInput(garden: KubeClient, project: string, given: CreateInput): Promise<CreateInput> {
  const out: CreateInput = { ...given };
  let asking = false;
  if (!out.name) {
    asking = true;
    out.name = await ask('Shoot name (NAME)', { validate: (v) => (v.trim() === '' ? 'Give the shoot a name.' : nameProblem(project, v.trim()) ?? true) });
  }
  const { listSeeds } = await import('../garden/seeds.ts');
  const seeds = await listSeeds(garden);
  if (!out.provider) {
    asking = true;
    const types = seeds.map((s) => s.spec.provider.type);
    out.provider = await choose('Provider (--provider)', plain(types.length > 0 ? types : PROVIDER_TYPES));
  }
  const provider = out.provider as ProviderType;
  if (!out.region && (asking || provider !== 'local')) {
    asking = true;
    const regions = seeds.filter((s) => s.spec.provider.type === provider).map((s) => s.spec.provider.region);
    out.region = regions.length > 0 ? await choose('Region (--region)', plain(regions)) : await ask('Region (--region)', { default: provider === 'local' ? 'local' : undefined });
  }
  if (!asking) return out;
  if (!out.kubernetesVersion) {
    out.kubernetesVersion = await choose('Kubernetes version (--kubernetes-version)', plain(SUPPORTED_KUBERNETES_VERSIONS).reverse(), DEFAULT_KUBERNETES_VERSION);
  }
  if (!out.workers || out.workers.length === 0) {
    const types = MACHINE_TYPES[provider] ?? [];
    const machine = types.length > 0 ? await choose('Machine type of the workers (--worker machine=...)', types.map((t) => ({ name: t, value: t })), types[0]) : undefined;
    if (machine) out.workers = [`name=worker,machine=${machine},min=1,max=2`];
  }
  if (!out.seed) {
    const candidates = seeds.filter((s) => s.spec.provider.type === provider && (!out.region || s.spec.provider.region === out.region)).map((s) => s.metadata.name);
    if (candidates.length > 1) {
      const seed = await choose('Seed (--seed)', [{ name: 'automatic (a ready seed with free capacity)', value: AUTOMATIC }, ...plain(candidates)], AUTOMATIC);
      if (seed !== AUTOMATIC) out.seed = seed;
    }
  }
  return out;
}

function nameProblem(project: string, name: string): string | undefined {
  const errors = validateShootName(project, name);
  return errors.length > 0 ? describeErrors(`Shoot "${project}/${name}"`, errors) : undefined;
}

/** Without a terminal, the create inputs that have no default must come from flags (or the file). */
export function missingCreateInput(given: CreateInput): KubegardenError | undefined {
  if (!given.name) return new KubegardenError('usage', 'No shoot name given: pass NAME (or -f FILE with metadata.name); without a terminal nothing is asked.');
  if (!given.provider) return new KubegardenError('usage', `Shoot "${given.name}" needs a provider: pass --provider (${PROVIDER_TYPES.join(', ')}); without a terminal nothing is asked.`);
  if (!given.region && given.provider !== 'local') return new KubegardenError('usage', `Shoot "${given.name}" needs a region: pass --region; without a terminal nothing is asked.`);
  return undefined;
}

/** The flags that repeat what was asked (or taken from the target), for a background run of the same command. */
export function answeredArgv(given: CreateInput, input: CreateInput, project: string, projectGiven: boolean): string[] {
  const out: string[] = [];
  if (!given.name && input.name) out.push(input.name);
  if (!projectGiven) out.push('--project', project);
  if (!given.provider && input.provider) out.push('--provider', input.provider);
  if (!given.region && input.region) out.push('--region', input.region);
  if (!given.kubernetesVersion && input.kubernetesVersion) out.push('--kubernetes-version', input.kubernetesVersion);
  if (!given.workers?.length) for (const w of input.workers ?? []) out.push('--worker', w);
  if (!given.seed && input.seed) out.push('--seed', input.seed);
  return out;
}
