// kubegarden's own configuration: the gardens it knows and what is targeted
// (garden → project → seed/shoot), in a YAML file in the XDG config directory.
// Written atomically with mode 0600: it points at kubeconfigs.
import { readFile } from 'node:fs/promises';
import { writePrivateFile } from './private-file.ts';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseYaml, stringifyYaml } from '../kube/yaml.ts';
import { configError } from '../ui/errors.ts';

export interface GardenEntry {
  name: string;
  kubeconfig: string;
  context?: string | undefined;
}

export interface Target {
  garden?: string | undefined;
  project?: string | undefined;
  seed?: string | undefined;
  shoot?: string | undefined;
}

export interface Config {
  gardens: GardenEntry[];
  target: Target;
}

/** Target levels, outermost first: targeting or unsetting one clears those after it. */
export const TARGET_LEVELS = ['garden', 'project', 'seed', 'shoot'] as const;
export type TargetLevel = (typeof TARGET_LEVELS)[number];

/** $KUBEGARDEN_CONFIG, else $XDG_CONFIG_HOME/kubegarden/config.yaml, else ~/.config/kubegarden/config.yaml. */
export function configPath(env: NodeJS.ProcessEnv = process.env): string {
  const explicit = env['KUBEGARDEN_CONFIG'];
  if (explicit && explicit.trim() !== '') return resolve(explicit);
  const xdg = env['XDG_CONFIG_HOME'];
  // The XDG spec says a relative XDG_CONFIG_HOME is invalid and must be ignored.
  const base = xdg && xdg.startsWith('/') ? xdg : join(env['HOME'] || homedir(), '.config');
  return join(base, 'kubegarden', 'config.yaml');
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

export async function loadConfig(path: string = configPath()): Promise<Config> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { gardens: [], target: {} };
    throw configError(`The kubegarden config ${path} cannot be read (${(err as NodeJS.ErrnoException).code ?? String(err)}).`, { cause: err });
  }
  let parsed: unknown;
  try {
    parsed = parseYaml(text);
  } catch (err) {
    throw configError(`The kubegarden config ${path} is not valid YAML (${(err as Error).message.split('\n')[0]}): fix it or remove it.`, { cause: err });
  }
  if (parsed === null || parsed === undefined) return { gardens: [], target: {} };
  if (typeof parsed !== 'object' || Array.isArray(parsed)) throw configError(`The kubegarden config ${path} is not a mapping with "gardens" and "target": fix it or remove it.`);
  const raw = parsed as { gardens?: unknown; target?: unknown };
  if (raw.gardens !== undefined && raw.gardens !== null && !Array.isArray(raw.gardens)) throw configError(`The kubegarden config ${path} has "gardens" that is not a list: fix it or remove it.`);
  const gardens: GardenEntry[] = [];
  for (const g of (raw.gardens as unknown[] | undefined) ?? []) {
    const e = (g ?? {}) as Record<string, unknown>;
    const name = str(e['name']);
    const kubeconfig = str(e['kubeconfig']);
    if (!name || !kubeconfig) throw configError(`The kubegarden config ${path} has a garden without a name or kubeconfig: fix it or run "kubegarden target garden NAME --kubeconfig FILE".`);
    gardens.push({ name, kubeconfig, ...(str(e['context']) ? { context: str(e['context']) } : {}) });
  }
  const t = (raw.target && typeof raw.target === 'object' ? raw.target : {}) as Record<string, unknown>;
  const target: Target = {};
  for (const level of TARGET_LEVELS) if (str(t[level])) target[level] = str(t[level]);
  return { gardens, target };
}

export async function saveConfig(config: Config, path: string = configPath()): Promise<void> {
  const target = Object.fromEntries(TARGET_LEVELS.filter((l) => config.target[l]).map((l) => [l, config.target[l]]));
  const gardens = config.gardens.map((g) => ({ name: g.name, kubeconfig: g.kubeconfig, ...(g.context ? { context: g.context } : {}) }));
  const text = stringifyYaml({ gardens, target });
  try {
    await writePrivateFile(path, text);
  } catch (err) {
    throw configError(`The kubegarden config ${path} cannot be written (${(err as NodeJS.ErrnoException).code ?? String(err)}).`, { cause: err });
  }
}

export async function loadTarget(path: string = configPath()): Promise<Target> {
  return (await loadConfig(path)).target;
}

/** The garden entry the target names, if any. */
export function targetedGarden(config: Config): GardenEntry | undefined {
  return config.target.garden ? config.gardens.find((g) => g.name === config.target.garden) : undefined;
}

/** Targets one level: the levels above are kept, the levels below cleared (a new project means the old shoot no longer applies). */
export function setTarget(target: Target, level: TargetLevel, name: string): Target {
  return { ...unsetTarget(target, level), [level]: name };
}

/** Unsets one level and every level below it; no level clears everything. */
export function unsetTarget(target: Target, level?: TargetLevel): Target {
  if (!level) return {};
  const next: Target = {};
  for (const l of TARGET_LEVELS.slice(0, TARGET_LEVELS.indexOf(level))) if (target[l]) next[l] = target[l];
  return next;
}

/** Adds or replaces a garden entry by name. */
export function upsertGarden(config: Config, entry: GardenEntry): Config {
  return { ...config, gardens: [...config.gardens.filter((g) => g.name !== entry.name), entry] };
}
