// Where a command's garden, project and shoot come from when the flags and
// arguments leave them out: the target in the kubegarden config.
// Flags always win; the target comes next; then (for projects, on a terminal)
// a prompt; otherwise a usage error naming the flag.
import type { KubeClient } from '../kube/client.ts';
import type { KubeconfigSource } from '../kube/kubeconfig.ts';
import { KubegardenError, configError } from '../ui/errors.ts';
import { configPath, loadConfig, targetedGarden } from './config.ts';

/** --kubeconfig/--context when given, else the targeted garden's kubeconfig and context, else kubectl's defaults. */
export async function gardenSource(flags: KubeconfigSource): Promise<KubeconfigSource> {
  if (flags.kubeconfig || flags.context) return { kubeconfig: flags.kubeconfig, context: flags.context };
  const config = await loadConfig();
  if (!config.target.garden) return {};
  const garden = targetedGarden(config);
  if (!garden) {
    throw configError(`The targeted garden "${config.target.garden}" is not registered in ${configPath()}: run "kubegarden target garden ${config.target.garden} --kubeconfig FILE".`);
  }
  return { kubeconfig: garden.kubeconfig, context: garden.context };
}

export const missingProject = (): KubegardenError =>
  new KubegardenError('usage', 'No project given and none targeted: pass --project NAME (or run kubegarden target project NAME).');

/**
 * The shoot a command means: its argument, else the targeted shoot when it
 * belongs to the project in use. A targeted shoot of another project is not
 * silently taken for this one.
 */
export async function shootFromTarget(arg: string | undefined, project: string): Promise<string> {
  if (arg) return arg;
  const { target } = await loadConfig();
  if (target.shoot && target.project === project) return target.shoot;
  const why = target.shoot ? ` (the targeted shoot "${target.shoot}" is in project "${target.project ?? '?'}", not "${project}")` : '';
  throw new KubegardenError('usage', `No shoot given and none targeted${why}: pass the shoot NAME argument (or run kubegarden target shoot NAME).`);
}

/** The flags project resolution looks at. */
export interface ProjectFlags {
  project?: string | undefined;
  'non-interactive'?: boolean | undefined;
  kubeconfig?: string | undefined;
  context?: string | undefined;
  verbose?: boolean | undefined;
}

/**
 * The project a command means: --project, else the targeted project, else
 * (on a terminal) a choice of the garden's projects, else a usage error
 * naming the flag. Connects to the garden only to ask.
 */
export async function resolveProject(flags: ProjectFlags, garden?: KubeClient): Promise<string> {
  if (flags.project) return flags.project;
  const { target } = await loadConfig();
  if (target.project) return target.project;
  const { canPrompt } = await import('../ui/confirm.ts');
  if (!canPrompt(flags['non-interactive'] ?? false)) throw missingProject();
  const { chooseProject } = await import('../ui/prompts.ts');
  if (garden) return chooseProject(garden);
  const { withGarden } = await import('../garden/connect.ts');
  return withGarden(flags, chooseProject);
}

/** Parsed flags and args with the project and shoot name filled in from the target. */
export async function resolveTargeted<A extends { name?: string | undefined }, F extends ProjectFlags>(parsed: { args: A; flags: F }): Promise<{ args: A & { name: string }; flags: F & { project: string } }> {
  const project = await resolveProject(parsed.flags);
  const name = await shootFromTarget(parsed.args.name, project);
  return { args: { ...parsed.args, name }, flags: { ...parsed.flags, project } };
}
