// `shoot apply -f FILE`: the declarative way in. A Shoot that does not exist is
// created exactly as `shoot create -f` creates it. An existing one gets the
// fields a user may change — worker pools, Kubernetes version (by the upgrade
// rules), hibernation, add-ons, purpose — through server-side apply under the
// shoot's lock, and then the reconcile flow (or, when the version changes, the
// upgrade flow, which rolls everything the other changes touch as well).
// Every other field is immutable: a change is refused (exit 7) naming it.
import { defaultShootSpec } from '../api/defaults.ts';
import type { Shoot, ShootSpec } from '../api/types.ts';
import { readShootFile } from '../garden/shoots.ts';
import type { KubeClient } from '../kube/client.ts';
import type { ShootObject } from '../garden/shoots.ts';
import { conflict, invalid, KubegardenError } from '../ui/errors.ts';
import { prepareCreate, runShootOperation, type PreparedShoot, type RunOptions } from './operate.ts';

export type ApplyChange = 'created' | 'updated' | 'upgraded' | 'unchanged';

export interface ApplyPlan extends PreparedShoot {
  project: string;
  name: string;
  existing: ShootObject | undefined;
  /** What apply will do. */
  change: ApplyChange;
  /** Paths of the mutable fields that differ, e.g. "spec.provider.workers". */
  changedFields: string[];
}

const MUTABLE: ReadonlyArray<readonly [string, (s: ShootSpec) => unknown]> = [
  ['spec.provider.workers', (s) => s.provider.workers],
  ['spec.kubernetes.version', (s) => s.kubernetes.version],
  ['spec.hibernation', (s) => s.hibernation],
  ['spec.addons', (s) => s.addons],
  ['spec.purpose', (s) => s.purpose],
];

const IMMUTABLE: ReadonlyArray<readonly [string, (s: ShootSpec) => unknown]> = [
  ['spec.provider.type', (s) => s.provider.type],
  ['spec.provider.region', (s) => s.provider.region],
  ['spec.provider.zones', (s) => s.provider.zones],
  ['spec.networking.nodes', (s) => s.networking.nodes],
  ['spec.networking.pods', (s) => s.networking.pods],
  ['spec.networking.services', (s) => s.networking.services],
  ['spec.seedName', (s) => s.seedName],
  ['spec.credentialsRef', (s) => s.credentialsRef?.name],
];

/** JSON with sorted keys, so that equal values compare equal. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b))) : v,
  ) ?? 'undefined';
}

/** Which mutable fields differ; refuses a change of an immutable one (pure). */
export function diffShoot(existing: Shoot, desired: Shoot): string[] {
  // Compare like with like: an older Shoot may lack fields that defaults fill today.
  const before = defaultShootSpec(structuredClone(existing.spec));
  const who = `Shoot "${desired.metadata.namespace?.replace(/^garden-/, '')}/${desired.metadata.name}"`;
  for (const [path, get] of IMMUTABLE) {
    const was = get(before);
    const now = get(desired.spec);
    if (canonical(was) !== canonical(now)) {
      throw invalid(`${who} cannot change ${path} (from ${canonical(was)} to ${canonical(now)}): it is immutable; create a new shoot for it.`, {
        hint: 'Fields apply may change: spec.provider.workers, spec.kubernetes.version (by the upgrade rules), spec.hibernation, spec.addons, spec.purpose.',
      });
    }
  }
  return MUTABLE.filter(([, get]) => canonical(get(before)) !== canonical(get(desired.spec))).map(([path]) => path);
}

/** Builds, checks and compares the Shoot of a file; writes nothing. */
export async function prepareApply(garden: KubeClient, project: string, file: string): Promise<ApplyPlan> {
  const fromFile = await readShootFile(file);
  const prepared = await prepareCreate(garden, project, undefined, {}, fromFile);
  const name = prepared.shoot.metadata.name;
  const existing = prepared.existed ? await garden.get<ShootObject>({ apiVersion: prepared.shoot.apiVersion, kind: 'Shoot', name, namespace: prepared.shoot.metadata.namespace }) : undefined;
  if (!existing) return { ...prepared, project, name, existing: undefined, change: 'created', changedFields: [] };
  if (existing.metadata.deletionTimestamp) throw conflict(`Shoot "${project}/${name}" is being deleted, so it cannot be applied: wait until it is gone, then apply it again.`);
  // Optional fields the file leaves out keep their values (not the defaults): apply never wakes or strips a shoot by omission.
  const spec = prepared.shoot.spec;
  const given = fromFile.spec as Partial<ShootSpec>;
  if (given.hibernation === undefined && existing.spec.hibernation) spec.hibernation = existing.spec.hibernation;
  if (given.addons === undefined && existing.spec.addons) spec.addons = existing.spec.addons;
  if (given.purpose === undefined && existing.spec.purpose) spec.purpose = existing.spec.purpose;
  if (given.credentialsRef === undefined && existing.spec.credentialsRef) spec.credentialsRef = existing.spec.credentialsRef;
  const changedFields = diffShoot(existing, prepared.shoot);
  const change: ApplyChange = changedFields.length === 0 ? 'unchanged' : changedFields.includes('spec.kubernetes.version') ? 'upgraded' : 'updated';
  return { ...prepared, project, name, existing, change, changedFields };
}

export interface ApplyOptions extends RunOptions {
  /** Asked before a plan of several upgrades runs; false stops (the command decides how to ask). */
  confirmUpgrade?: (planText: string, runs: number) => Promise<boolean>;
  note?: (text: string) => void;
}

export interface ApplyOutcome {
  change: ApplyChange;
  shoot: ShootObject | undefined;
  warnings: string[];
  changedFields: string[];
}

export async function applyShoot(garden: KubeClient, plan: ApplyPlan, options: ApplyOptions): Promise<ApplyOutcome> {
  const { createFlow } = await import('../flows/create.ts');
  const { project, name, changedFields } = plan;
  if (plan.change === 'created') {
    const r = await runShootOperation(garden, project, name, 'Create', createFlow('Create'), { ...options, record: plan.shoot });
    return { change: 'created', shoot: r.shoot, warnings: r.warnings, changedFields };
  }
  if (plan.change === 'unchanged') return { change: 'unchanged', shoot: plan.existing, warnings: [], changedFields };
  if (plan.change === 'updated') {
    const r = await runShootOperation(garden, project, name, 'Reconcile', createFlow('Reconcile'), { ...options, record: plan.shoot });
    return { change: 'updated', shoot: r.shoot, warnings: r.warnings, changedFields };
  }
  // A new version: check it by the upgrade rules before anything is written.
  const { describePlan, planShootUpgrade, runShootUpgrade, upgradeRuns } = await import('../flows/upgrade.ts');
  const version = plan.shoot.spec.kubernetes.version;
  const first = await planShootUpgrade(garden, project, name, { version });
  const runs = upgradeRuns(first.plan);
  options.note?.(describePlan(first));
  if (runs.length > 1 && options.confirmUpgrade && !(await options.confirmUpgrade(describePlan(first), runs.length))) {
    throw new KubegardenError('aborted', `Shoot "${project}/${name}" was not applied: the upgrade plan was not confirmed, and nothing was changed.`);
  }
  const { readShootLock, lockedMessage } = await import('../flows/lock.ts');
  const holder = await readShootLock(garden, project, name);
  if (holder && !holder.expired) throw conflict(lockedMessage(project, name, holder));
  if (changedFields.some((f) => f !== 'spec.kubernetes.version')) {
    // The other changes go in with the old version; the upgrade flow then rolls them with the new one.
    const rest = structuredClone(plan.shoot);
    rest.spec.kubernetes.version = plan.existing!.spec.kubernetes.version;
    await garden.apply(rest as ShootObject, options.signal);
  }
  const planned = await planShootUpgrade(garden, project, name, { version });
  const r = await runShootUpgrade(garden, planned, options);
  return { change: 'upgraded', shoot: r.shoot, warnings: [], changedFields };
}
