// One lock per shoot operation: a coordination.k8s.io/v1 Lease in the
// project namespace, held by "<user>@<host> pid <pid> (<operation>)" and
// renewed in the background. A second operation is refused with a sentence
// that names the holder; a lease nobody renewed in time (its process died,
// e.g. SIGKILL) is taken over. Every write that changes the holder carries the
// resourceVersion it read, so of two processes taking over the same expired
// lease exactly one wins.
//
// Expiry is judged by this machine's clock against the holder's renewTime, as
// client-go's leader election does with its own records: clocks that disagree
// by more than the lease duration can make a live lock look expired, so keep
// the duration (60 s) well above the skew you expect.
import { hostname, userInfo } from 'node:os';
import { LABEL_PROJECT, LABEL_SHOOT, managedLabels, projectNamespace } from '../api/types.ts';
import type { KubeClient, KubeObject, ObjectRef } from '../kube/client.ts';
import { formatDuration } from '../kube/wait.ts';
import { KubegardenError } from '../ui/errors.ts';

export type LockClient = Pick<KubeClient, 'get' | 'create' | 'mergePatch' | 'delete'>;

export interface LockOptions {
  project: string;
  shoot: string;
  /** What the holder does: "Create", "Delete", ... shown to whoever is refused. */
  operation: string;
  /** Who runs the operation; default the local user name. */
  user?: string | undefined;
  /** How long the lease stays valid without renewal. Default 60. */
  durationSeconds?: number | undefined;
  /** How often to renew. Default a third of the duration. */
  renewIntervalMs?: number | undefined;
}

export interface LeaseSpec {
  holderIdentity?: string;
  leaseDurationSeconds?: number;
  acquireTime?: string;
  renewTime?: string;
  leaseTransitions?: number;
}

export type Lease = KubeObject & { spec?: LeaseSpec };

/** Who holds a shoot's lock, as read from its Lease. */
export interface LockHolder {
  identity: string;
  acquireTime: string | undefined;
  renewTime: string | undefined;
  durationSeconds: number;
  /** Not renewed within its duration: the holder is gone, the lock can be taken over. */
  expired: boolean;
}

export interface ShootLock {
  readonly namespace: string;
  readonly name: string;
  readonly holder: string;
  /**
   * Aborted when the lock is lost (someone took it over or deleted it, or it
   * could not be renewed in time), with a KubegardenError as reason: pass it
   * to runFlow so the operation stops.
   */
  readonly signal: AbortSignal;
  /** Stops renewing and deletes the lease if it is still ours. Never throws: an undeleted lease expires by itself. */
  release(): Promise<boolean>;
}

const LEASE_API = 'coordination.k8s.io/v1';
const DEFAULT_DURATION_SECONDS = 60;
const FORCE_HINT = 'wait for it to finish, or run with --force-unlock if that process is gone.';

export function shootLockName(shoot: string): string {
  return `shoot-${shoot}-lock`;
}

function leaseRef(project: string, shoot: string): ObjectRef {
  return { apiVersion: LEASE_API, kind: 'Lease', namespace: projectNamespace(project), name: shootLockName(shoot) };
}

/** "alice@workstation pid 4242 (Create)". */
export function holderIdentity(operation: string, user?: string): string {
  let name = user;
  if (!name) {
    try {
      name = userInfo().username;
    } catch {
      name = process.env['USER'] ?? 'unknown';
    }
  }
  return `${name}@${hostname()} pid ${process.pid} (${operation})`;
}

/** MicroTime as the API server wants it: RFC 3339 with six fractional digits. */
export function microTime(ms: number = Date.now()): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

export function lockHolder(lease: Lease, now: number = Date.now()): LockHolder | undefined {
  const spec = lease.spec ?? {};
  if (!spec.holderIdentity) return undefined;
  const durationSeconds = spec.leaseDurationSeconds ?? DEFAULT_DURATION_SECONDS;
  const last = Date.parse(spec.renewTime ?? spec.acquireTime ?? lease.metadata.creationTimestamp ?? '');
  return {
    identity: spec.holderIdentity,
    acquireTime: spec.acquireTime,
    renewTime: spec.renewTime,
    durationSeconds,
    expired: !Number.isFinite(last) || last + durationSeconds * 1000 < now || holderIsDeadHere(spec.holderIdentity),
  };
}

/**
 * A holder on this very machine whose process is gone (killed, crashed) cannot
 * renew: its lock is as good as expired, and a re-run need not wait it out.
 * Holders on other machines are only judged by their lease.
 */
export function holderIsDeadHere(identity: string): boolean {
  const m = /^[^@]+@(\S+) pid (\d+) \(/.exec(identity);
  if (!m || m[1] !== hostname()) return false;
  const pid = Number(m[2]);
  if (pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/** Who holds the lock of a shoot, if anyone (an expired holder is reported with expired: true). */
export async function readShootLock(garden: LockClient, project: string, shoot: string): Promise<LockHolder | undefined> {
  const lease = await garden.get<Lease>(leaseRef(project, shoot));
  return lease ? lockHolder(lease) : undefined;
}

/** The sentence for a refused operation. */
export function lockedMessage(project: string, shoot: string, holder: LockHolder, now: number = Date.now()): string {
  const since = holder.acquireTime ? ` since ${clockTime(Date.parse(holder.acquireTime), now)}` : '';
  const renewedAt = Date.parse(holder.renewTime ?? '');
  const renewed = Number.isFinite(renewedAt) ? ` (lease renewed ${renewedAt >= now - 1000 ? 'just now' : `${formatDuration(Math.round((now - renewedAt) / 1000) * 1000)} ago`})` : '';
  return `Shoot "${project}/${shoot}" is locked by ${holder.identity}${since}${renewed}: ${FORCE_HINT}`;
}

/**
 * Takes the lock of a shoot for one operation, or refuses with code
 * "conflict" naming the holder. Renews it until release().
 */
export async function acquireShootLock(garden: LockClient, options: LockOptions): Promise<ShootLock> {
  const { project, shoot } = options;
  const ref = leaseRef(project, shoot);
  const identity = holderIdentity(options.operation, options.user);
  const durationSeconds = options.durationSeconds ?? DEFAULT_DURATION_SECONDS;
  if (!(Number.isInteger(durationSeconds) && durationSeconds >= 1)) throw new KubegardenError('invalid', `The lock duration must be a whole number of seconds, at least 1 (got ${durationSeconds}).`);

  for (let attempt = 1; attempt <= 5; attempt++) {
    const current = await garden.get<Lease>(ref);
    const now = Date.now();
    const spec: LeaseSpec = { holderIdentity: identity, leaseDurationSeconds: durationSeconds, acquireTime: microTime(now), renewTime: microTime(now) };
    try {
      if (!current) {
        const created = await garden.create<Lease>({
          apiVersion: LEASE_API,
          kind: 'Lease',
          metadata: { name: ref.name, namespace: ref.namespace, labels: managedLabels({ [LABEL_PROJECT]: project, [LABEL_SHOOT]: shoot }) },
          spec: { ...spec, leaseTransitions: 0 },
        });
        return startRenewing(garden, options, ref, identity, durationSeconds, created, now);
      }
      const holder = lockHolder(current, now);
      if (holder && !holder.expired) throw new KubegardenError('conflict', lockedMessage(project, shoot, holder, now));
      // Free or expired: take it over, on the condition that nobody changed it since we read it.
      const taken = await garden.mergePatch<Lease>(ref, {
        metadata: { resourceVersion: current.metadata.resourceVersion },
        spec: { ...spec, leaseTransitions: (current.spec?.leaseTransitions ?? 0) + 1 },
      });
      return startRenewing(garden, options, ref, identity, durationSeconds, taken, now);
    } catch (err) {
      // Someone created or took it between our read and our write: read again, to name them.
      if (isWriteConflict(err)) continue;
      throw err;
    }
  }
  throw new KubegardenError('conflict', `Could not take the lock of shoot "${project}/${shoot}": its lease ${ref.namespace}/${ref.name} keeps changing; try again in a moment.`);
}

/** Deletes a shoot's lock whoever holds it; returns who held it. */
export async function forceUnlock(garden: LockClient, project: string, shoot: string): Promise<LockHolder | undefined> {
  const ref = leaseRef(project, shoot);
  const lease = await garden.get<Lease>(ref);
  if (!lease) return undefined;
  await garden.delete(ref);
  return lockHolder(lease);
}

function isWriteConflict(err: unknown): boolean {
  return err instanceof KubegardenError && err.code === 'conflict' && (err as { status?: number }).status === 409;
}

function startRenewing(garden: LockClient, options: LockOptions, ref: ObjectRef, identity: string, durationSeconds: number, lease: Lease, acquiredAt: number): ShootLock {
  const name = `shoot "${options.project}/${options.shoot}"`;
  const controller = new AbortController();
  const interval = options.renewIntervalMs ?? Math.max(100, Math.floor((durationSeconds * 1000) / 3));
  let resourceVersion = lease.metadata.resourceVersion;
  let lastRenewed = acquiredAt;
  let released = false;
  let timer: NodeJS.Timeout | undefined;
  let renewing: Promise<void> | undefined;

  const lose = (why: string, cause?: unknown) => {
    if (released || controller.signal.aborted) return;
    controller.abort(
      new KubegardenError('conflict', `Lost the lock of ${name}: ${why}; stopped so that two operations do not change the shoot at once.`, {
        hint: 'Check who runs an operation on the shoot (kubegarden shoot get), then run the command again.',
        cause,
      }),
    );
  };

  const renew = async () => {
    const now = Date.now();
    try {
      const renewed = await garden.mergePatch<Lease>(ref, { metadata: { resourceVersion }, spec: { renewTime: microTime(now) } });
      resourceVersion = renewed.metadata.resourceVersion;
      lastRenewed = now;
    } catch (patchErr) {
      if (released) return;
      let err = patchErr;
      if (err instanceof KubegardenError && err.code === 'notFound') return lose(`its lease ${ref.namespace}/${ref.name} was deleted (--force-unlock?)`, err);
      if (isWriteConflict(err)) {
        // Changed underneath us: still ours (nothing else may change it while we renew), or taken over.
        try {
          const current = await garden.get<Lease>(ref);
          if (!current) return lose(`its lease ${ref.namespace}/${ref.name} was deleted (--force-unlock?)`, err);
          if (current.spec?.holderIdentity !== identity) return lose(`it is now held by ${current.spec?.holderIdentity || 'nobody'}`, err);
          resourceVersion = current.metadata.resourceVersion;
          return;
        } catch (readErr) {
          err = readErr;
        }
      }
      if (Date.now() - lastRenewed > durationSeconds * 1000) {
        lose(`it could not be renewed for ${formatDuration(Date.now() - lastRenewed)} (${err instanceof Error ? err.message.replace(/\.$/, '') : String(err)})`, err);
      }
    }
  };

  const schedule = () => {
    if (released || controller.signal.aborted) return;
    timer = setTimeout(() => {
      renewing = renew().finally(() => {
        renewing = undefined;
        schedule();
      });
    }, interval);
    // The operation keeps the process alive; a forgotten lock must not.
    timer.unref();
  };
  schedule();

  return {
    namespace: ref.namespace!,
    name: ref.name,
    holder: identity,
    signal: controller.signal,
    async release() {
      if (released) return false;
      released = true;
      clearTimeout(timer);
      await renewing;
      if (controller.signal.aborted) return false;
      try {
        const current = await garden.get<Lease>(ref);
        if (current?.spec?.holderIdentity !== identity) return false;
        return await garden.delete(ref);
      } catch {
        return false;
      }
    },
  };
}

/** "12:00:01" today, "2024-05-01 12:00:01" on another day: local time, as people read it. */
function clockTime(ms: number, now: number): string {
  if (!Number.isFinite(ms)) return 'an unknown time';
  const d = new Date(ms);
  const pad = (n: number) => String(n).padStart(2, '0');
  const time = `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
  return new Date(now).toDateString() === d.toDateString() ? time : `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${time}`;
}
