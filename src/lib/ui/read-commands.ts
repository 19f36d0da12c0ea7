// The read commands' bodies, free of oclif: the oclif commands call them, and
// so does the lean path (src/lean.ts) that answers them without loading oclif,
// so both print exactly the same.
import type { GardenFlags } from '../garden/connect.ts';
import type { ProjectFlags } from '../config/resolve.ts';
import { printResult } from './print.ts';

export interface ReadFlags extends GardenFlags, ProjectFlags {
  output: string;
}

/** Objects as kubectl prints them by default: without metadata.managedFields, the server-side apply bookkeeping. */
function shown<T extends { metadata: object }>(obj: T): T {
  const { managedFields: _managedFields, ...metadata } = obj.metadata as { managedFields?: unknown };
  return { ...obj, metadata } as T;
}

export async function shootList(flags: ReadFlags & { 'all-projects'?: boolean | undefined }): Promise<void> {
  const { resolveProject } = await import('../config/resolve.ts');
  const project = flags['all-projects'] ? undefined : await resolveProject(flags);
  const { withGarden } = await import('../garden/connect.ts');
  const { listShoots } = await import('../garden/shoots.ts');
  const { shootColumns } = await import('./views.ts');
  const shoots = (await withGarden(flags, (garden) => listShoots(garden, project))).map(shown);
  printResult(flags.output, {
    data: shoots,
    rows: shoots,
    columns: shootColumns,
    names: shoots.map((s) => `shoot/${s.metadata.namespace?.replace(/^garden-/, '')}/${s.metadata.name}`),
    empty: 'No shoots: create one with "kubegarden shoot create NAME --project P --provider T".',
  });
}

export async function shootGet(parsed: { flags: ReadFlags; args: { name?: string | undefined } }): Promise<void> {
  const { resolveTargeted } = await import('../config/resolve.ts');
  const { args, flags } = await resolveTargeted(parsed);
  const { withGarden } = await import('../garden/connect.ts');
  const { getShoot } = await import('../garden/shoots.ts');
  const { describeShoot, shootColumns } = await import('./views.ts');
  const shoot = shown(await withGarden(flags, (garden) => getShoot(garden, flags.project, args.name)));
  if (flags.output === 'table') return void process.stdout.write(describeShoot(shoot));
  printResult(flags.output, { data: shoot, rows: [shoot], columns: shootColumns, names: [`shoot/${flags.project}/${shoot.metadata.name}`] });
}

export async function seedList(flags: ReadFlags): Promise<void> {
  const { withGarden } = await import('../garden/connect.ts');
  const { listSeeds } = await import('../garden/seeds.ts');
  const { seedColumns } = await import('./views.ts');
  const seeds = (await withGarden(flags, listSeeds)).map(shown);
  printResult(flags.output, {
    data: seeds,
    rows: seeds,
    columns: seedColumns,
    names: seeds.map((s) => `seed/${s.metadata.name}`),
    empty: 'No seeds registered: register one with "kubegarden seed register NAME --seed-kubeconfig F --provider T --region R".',
  });
}

export async function seedGet(parsed: { flags: ReadFlags; args: { name: string } }): Promise<void> {
  const { flags, args } = parsed;
  const { withGarden } = await import('../garden/connect.ts');
  const { getSeed } = await import('../garden/seeds.ts');
  const { describeSeed, seedColumns } = await import('./views.ts');
  const seed = shown(await withGarden(flags, (garden) => getSeed(garden, args.name)));
  if (flags.output === 'table') return void process.stdout.write(describeSeed(seed));
  printResult(flags.output, { data: seed, rows: [seed], columns: seedColumns, names: [`seed/${seed.metadata.name}`] });
}

export async function projectList(flags: ReadFlags): Promise<void> {
  const { withGarden } = await import('../garden/connect.ts');
  const { listProjects } = await import('../garden/projects.ts');
  const { projectColumns } = await import('./views.ts');
  const projects = await withGarden(flags, listProjects);
  printResult(flags.output, {
    data: projects,
    rows: projects,
    columns: projectColumns,
    names: projects.map((p) => `project/${p.name}`),
    empty: 'No projects yet: create one with "kubegarden project create NAME".',
  });
}
