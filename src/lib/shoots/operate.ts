// Running a shoot operation: everything that can be refused is checked first
// (input, project, seed, ranges), then the shoot's lock is taken, the Shoot
// recorded, and the flow run with its progress in Shoot.status and on stderr.
import { LABEL_PROJECT, managedLabels, type Shoot, type OperationType } from '../api/types.ts';
import { getProject } from '../garden/projects.ts';
import { getSeed, seedClient as connectSeed } from '../garden/seeds.ts';
import { buildShoot, checkShoot, getShoot, readShootFile, scheduleShoot, type ShootFlags, type ShootObject } from '../garden/shoots.ts';
import type { KubeClient } from '../kube/client.ts';
import type { Flow } from '../flows/graph.ts';
import type { ShootContext } from '../flows/shoot-context.ts';
import { invalid, KubegardenError, notFound } from '../ui/errors.ts';
import { SHOOT_FINALIZER } from './finalizer.ts';

export { SHOOT_FINALIZER };

export interface RunOptions {
  signal?: AbortSignal | undefined;
  quiet?: boolean | undefined;
  verbose?: boolean | undefined;
  timeoutMs: number;
  terraformBin?: string | undefined;
  /** --force-unlock: delete the shoot's lock whoever holds it (after a warning naming the holder), then take it. */
  forceUnlock?: boolean | undefined;
  /** Where the force-unlock warning goes; default stderr. */
  warn?: ((text: string) => void) | undefined;
}

export interface PreparedShoot {
  shoot: Shoot;
  seedName: string;
  existed: boolean;
}

/** Builds and checks the Shoot a create means, and picks its seed; writes nothing. */
export async function prepareCreate(garden: KubeClient, project: string, name: string | undefined, flags: ShootFlags, file?: string | Shoot): Promise<PreparedShoot> {
  // A Shoot already read (shoot apply reads the file itself: stdin can be read only once).
  const fromFile = typeof file === 'string' ? await readShootFile(file) : file;
  const shootName = name ?? fromFile?.metadata?.name;
  if (!shootName) throw invalid('Name the shoot: pass NAME, or set metadata.name in the file.');
  if (name && fromFile?.metadata?.name && fromFile.metadata.name !== name) {
    throw invalid(`The shoot file names "${fromFile.metadata.name}" but the command names "${name}": use one name.`);
  }
  const shoot = buildShoot(project, shootName, flags, fromFile);
  checkShoot(shoot);
  await getProject(garden, project);
  const credentials = shoot.spec.credentialsRef?.name;
  if (credentials && !(await garden.get({ apiVersion: 'v1', kind: 'Secret', name: credentials, namespace: shoot.metadata.namespace }))) {
    throw notFound(`The credentials Secret "${credentials}" of shoot "${project}/${shootName}" does not exist in namespace ${shoot.metadata.namespace}: create it, or fix --credentials (spec.credentialsRef).`);
  }
  const existing = await garden.get<ShootObject>({ apiVersion: shoot.apiVersion, kind: 'Shoot', name: shootName, namespace: shoot.metadata.namespace });
  if (existing?.status?.seedName && !shoot.spec.seedName) shoot.spec.seedName = existing.status.seedName;
  const seed = await scheduleShoot(garden, shoot);
  shoot.spec.seedName = seed.metadata.name;
  checkShoot(shoot, seed);
  return { shoot, seedName: seed.metadata.name, existed: Boolean(existing) };
}

export interface OperationResult {
  /** Undefined after a delete: the Shoot is gone. */
  shoot: ShootObject | undefined;
  warnings: string[];
  results: Record<string, string>;
  durationMs: number;
}

/** Runs one operation on a shoot under its lock. `record` writes the Shoot itself (create) once the lock is held. */
export async function runShootOperation(
  garden: KubeClient,
  project: string,
  name: string,
  operation: OperationType,
  flow: Flow<ShootContext>,
  options: RunOptions & { record?: Shoot | undefined },
): Promise<OperationResult> {
  const { acquireShootLock, forceUnlock } = await import('../flows/lock.ts');
  const { StatusRecorder } = await import('../flows/status.ts');
  const { runFlow } = await import('../flows/executor.ts');
  const { renderFlow } = await import('../flows/render.ts');
  if (options.forceUnlock) {
    const held = await forceUnlock(garden, project, name);
    if (held) {
      const warn = options.warn ?? ((text: string) => process.stderr.write(`Warning: ${text}\n`));
      warn(`--force-unlock removed the lock of shoot "${project}/${name}" held by ${held.identity}${held.expired ? ' (expired)' : ''}: if that operation still runs, both now change the shoot at once.`);
    }
  }
  const lock = await acquireShootLock(garden, { project, shoot: name, operation });
  const recorder = new StatusRecorder(garden, { project, name }, { operation, until: lock.signal });
  let seedClient: KubeClient | undefined;
  let ctx: ShootContext | undefined;
  try {
    if (options.record) {
      const s = options.record;
      await garden.apply({
        ...s,
        metadata: { ...s.metadata, labels: { ...s.metadata.labels, ...managedLabels({ [LABEL_PROJECT]: project }) }, finalizers: [SHOOT_FINALIZER] },
      } as unknown as ShootObject, options.signal);
    }
    const shoot = await getShoot(garden, project, name, options.signal);
    const seedName = shoot.spec.seedName ?? shoot.status?.seedName;
    if (!seedName) throw invalid(`Shoot "${project}/${name}" has no seed: create it again with --seed, or register a seed for its provider and region.`);
    const seed = await getSeed(garden, seedName, options.signal);
    seedClient = await connectSeed(garden, seed, options.signal);
    const { shootSeedNamespace } = await import('../api/types.ts');
    ctx = {
      garden,
      project,
      name,
      shoot,
      seed,
      seedClient,
      namespace: shootSeedNamespace(project, name),
      recorder,
      options: { timeoutMs: options.timeoutMs, terraformBin: options.terraformBin, verbose: options.verbose },
    };
    const signal = options.signal ? AbortSignal.any([options.signal, lock.signal]) : lock.signal;
    const c = ctx;
    const result = await renderFlow(flow, (onEvent) => runFlow(flow, c, { signal, onEvent: [onEvent, recorder.onEvent] }), {
      quiet: options.quiet,
      verbose: options.verbose,
    });
    if (operation !== 'Delete') recorder.update({ observedGeneration: shoot.metadata.generation, kubernetesVersion: shoot.spec.kubernetes.version, seedName });
    await recorder.flush();
    const after = await getShoot(garden, project, name).catch((err: unknown) => {
      if (operation === 'Delete' && err instanceof KubegardenError && err.code === 'notFound') return undefined;
      throw err;
    });
    return { shoot: after, warnings: c.warnings ?? [], results: result.results, durationMs: result.durationMs };
  } finally {
    await recorder.flush().catch(() => false);
    await lock.release();
    ctx?.shootClient?.close();
    seedClient?.close();
  }
}
