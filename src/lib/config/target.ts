// `kubegarden target ...`: choosing the garden, project, seed and shoot that
// later commands use when their flags leave them out. Every level is checked
// against the garden before it is recorded, so a target never names nothing.
import { resolve } from 'node:path';
import type { KubeClient } from '../kube/client.ts';
import { KubegardenError, notFound } from '../ui/errors.ts';
import { configPath, loadConfig, saveConfig, setTarget, unsetTarget, upsertGarden, type Target, type TargetLevel } from './config.ts';

export interface TargetResult {
  target: Target;
  /** The garden entry changed (registered or updated). */
  registered?: boolean;
  configFile: string;
}

/** Targets a garden; with a kubeconfig it is registered (or its entry updated) first. */
export async function targetGarden(name: string, options: { kubeconfig?: string | undefined; context?: string | undefined } = {}): Promise<TargetResult> {
  const path = configPath();
  let config = await loadConfig(path);
  const known = config.gardens.find((g) => g.name === name);
  let registered = false;
  if (options.kubeconfig) {
    const kubeconfig = resolve(options.kubeconfig);
    const { loadKubeconfig } = await import('../kube/kubeconfig.ts');
    // Fails (exit 3) on a missing file or unknown context: better now than at the next command.
    await loadKubeconfig({ kubeconfig, context: options.context }, `garden "${name}"`);
    config = upsertGarden(config, { name, kubeconfig, ...(options.context ? { context: options.context } : {}) });
    registered = true;
  } else if (!known) {
    const names = config.gardens.map((g) => g.name);
    throw notFound(
      `Garden "${name}" is not registered${names.length ? ` (known: ${names.join(', ')})` : ''}: register it with "kubegarden target garden ${name} --kubeconfig FILE".`,
    );
  } else if (options.context) {
    config = upsertGarden(config, { ...known, context: options.context });
    registered = true;
  }
  config = { ...config, target: setTarget(config.target, 'garden', name) };
  await saveConfig(config, path);
  return { target: config.target, registered, configFile: path };
}

async function record(level: TargetLevel, name: string, before: (t: Target) => Target = (t) => t): Promise<TargetResult> {
  const path = configPath();
  const config = await loadConfig(path);
  const target = setTarget(before(config.target), level, name);
  await saveConfig({ ...config, target }, path);
  return { target, configFile: path };
}

export async function targetProject(garden: KubeClient, name: string): Promise<TargetResult> {
  const { getProject } = await import('../garden/projects.ts');
  await getProject(garden, name);
  return record('project', name);
}

export async function targetSeed(garden: KubeClient, name: string): Promise<TargetResult> {
  const { getSeed } = await import('../garden/seeds.ts');
  await getSeed(garden, name);
  return record('seed', name);
}

/** Targets a shoot of --project, else of the targeted project; -p also targets that project. */
export async function targetShoot(garden: KubeClient, name: string, project: string | undefined): Promise<TargetResult> {
  const current = (await loadConfig()).target;
  const inProject = project ?? current.project;
  if (!inProject) throw new KubegardenError('usage', `Shoot "${name}" belongs to a project and none is targeted: pass --project NAME (or run kubegarden target project NAME first).`);
  const { getShoot } = await import('../garden/shoots.ts');
  await getShoot(garden, inProject, name);
  return record('shoot', name, (t) => (project && project !== t.project ? setTarget(t, 'project', project) : t));
}

/** Unsets a level and those below it; without a level, everything. */
export async function unsetTargetLevel(level?: TargetLevel): Promise<TargetResult> {
  const path = configPath();
  const config = await loadConfig(path);
  const target = unsetTarget(config.target, level);
  await saveConfig({ ...config, target }, path);
  return { target, configFile: path };
}

/** "garden local, project dev, shoot demo" — or "nothing". */
export function describeTarget(target: Target): string {
  const parts = (['garden', 'project', 'seed', 'shoot'] as const).filter((l) => target[l]).map((l) => `${l} "${target[l]}"`);
  return parts.length > 0 ? parts.join(', ') : 'nothing';
}
