// Rotating a shoot's credentials in two phases, as the seed/shoot world does,
// so that no client is cut off at any moment:
//
//   prepare  - every CA gets a successor that signs from now on, and what is
//              trusted is old + new; every certificate is re-issued by the new
//              CAs (servers present the new CA cross-signed by the old one, so
//              clients holding only the old CA still verify them); the
//              service-account key gets a successor, old tokens stay valid.
//   complete - the old CAs and the old service-account key are dropped: a
//              kubeconfig signed by the old client CA is rejected from now on.
//
// Each phase changes the Secrets, then runs the create flow's steps from the
// credentials on, so that every pod mounting a changed Secret rolls (its
// checksum changed), the shoot's system components and the machines'
// cloud-config get the new CA bundle, and the kubelets join again. Where the
// rotation stands is recorded on the Shoot in an annotation written with a
// field manager of its own (kubegarden's apply of the Shoot never removes it):
//
//   (none) ─prepare→ Preparing → Prepared ─complete→ Completing → Completed ─prepare→ ...
//
// A phase cut short stays in Preparing or Completing; running the same phase
// again resumes it (credentials already in the phase are left alone).
import { API_VERSION, projectNamespace } from '../api/types.ts';
import type { KubeClient, KubeObject } from '../kube/client.ts';
import { waitFor } from '../kube/wait.ts';
import type { ShootCredentialsParams } from '../pki/catalog.ts';
import type { ShootObject } from '../garden/shoots.ts';
import type { OperationResult, RunOptions } from '../shoots/operate.ts';
import { conflict } from '../ui/errors.ts';
import { createFlow } from './create.ts';
import { Flow, type StepIO } from './graph.ts';
import { isLocal, type ShootContext } from './shoot-context.ts';

export const ROTATION_PHASES = ['prepare', 'complete'] as const;
export type RotationPhase = (typeof ROTATION_PHASES)[number];

/** Where a credentials rotation stands: the value of ROTATION_ANNOTATION. */
export type RotationState = 'Preparing' | 'Prepared' | 'Completing' | 'Completed';
const ROTATION_STATES: readonly RotationState[] = ['Preparing', 'Prepared', 'Completing', 'Completed'];

export const ROTATION_ANNOTATION = 'kubegarden.io/credentials-rotation';
/** When the rotation entered its state (RFC 3339). */
export const ROTATION_TIME_ANNOTATION = 'kubegarden.io/credentials-rotation-time';
/** Owns the two annotations, so that kubegarden's own apply of the Shoot leaves them alone. */
export const ROTATION_FIELD_MANAGER = 'kubegarden-rotation';

/** Step ids of the rotate flow besides the create flow's. */
export const ROTATE_STEP_IDS = { rotation: 'rotate-credentials', kubelets: 'kubelets-renewed', recorded: 'rotation-recorded' } as const;

export function rotationState(shoot: Pick<ShootObject, 'metadata'>): RotationState | undefined {
  const value = shoot.metadata.annotations?.[ROTATION_ANNOTATION];
  return ROTATION_STATES.find((s) => s === value);
}

/** Throws a conflict when the shoot cannot enter this phase now; changes nothing. */
export function checkRotationPhase(shoot: Pick<ShootObject, 'metadata' | 'spec'>, project: string, phase: RotationPhase): void {
  const name = shoot.metadata.name;
  const ref = `shoot "${project}/${name}"`;
  const command = (p: RotationPhase) => `"kubegarden shoot rotate-credentials ${name} --project ${project} --phase ${p}"`;
  const state = rotationState(shoot);
  const since = shoot.metadata.annotations?.[ROTATION_TIME_ANNOTATION];
  if (shoot.spec.hibernation?.enabled) {
    throw conflict(`Shoot "${project}/${name}" is hibernated: wake it up before rotating its credentials, since a rotation rolls its control plane and machines.`);
  }
  if (phase === 'prepare') {
    if (state === 'Prepared') throw conflict(`The credentials rotation of ${ref} is already prepared${since ? ` (since ${since})` : ''}: complete it with ${command('complete')} before preparing another.`);
    if (state === 'Completing') throw conflict(`The credentials rotation of ${ref} is being completed: finish it with ${command('complete')} before preparing another.`);
  } else {
    if (state === undefined || state === 'Completed') throw conflict(`No credentials rotation of ${ref} is prepared, so there is none to complete: start one with ${command('prepare')}.`);
    if (state === 'Preparing') throw conflict(`The preparation of the credentials rotation of ${ref} did not finish: run ${command('prepare')} again, then complete it.`);
  }
}

/** Records the rotation's state on the Shoot (annotations, own field manager). */
export async function recordRotationState(garden: Pick<KubeClient, 'apply'>, project: string, name: string, state: RotationState, signal?: AbortSignal, now: Date = new Date()): Promise<void> {
  await garden.apply(
    {
      apiVersion: API_VERSION,
      kind: 'Shoot',
      metadata: { name, namespace: projectNamespace(project), annotations: { [ROTATION_ANNOTATION]: state, [ROTATION_TIME_ANNOTATION]: now.toISOString().replace(/\.\d{3}Z$/, 'Z') } },
    },
    signal,
    ROTATION_FIELD_MANAGER,
  );
}

/** The parameters the create flow's credentials step reconciles with: the rotation must want the same certificates. */
export function credentialParams(ctx: ShootContext): ShootCredentialsParams {
  if (!ctx.endpoint) throw new Error('the endpoint step must run before the credentials are rotated');
  return {
    shootName: ctx.name,
    namespace: ctx.namespace,
    servicesCIDR: ctx.shoot.spec.networking.services,
    externalEndpoint: `${ctx.endpoint.host}:${ctx.endpoint.port}`,
    ...(isLocal(ctx) ? { loopback: true, internalServer: ctx.endpoint.url } : {}),
  };
}

/**
 * One phase of a rotation: the rotation step before the create flow's
 * credentials step, the rest of the create flow, then a check that every
 * kubelet still authenticates, and the state recorded last.
 */
export function rotateFlow(phase: RotationPhase): Flow<ShootContext> {
  const flow = new Flow<ShootContext>(`shoot rotate-credentials (${phase})`);
  const base = createFlow('Reconcile');
  const [during, done]: [RotationState, RotationState] = phase === 'prepare' ? ['Preparing', 'Prepared'] : ['Completing', 'Completed'];

  for (const step of base.steps) {
    if (step.id === 'credentials') {
      flow.add({
        id: ROTATE_STEP_IDS.rotation,
        title: phase === 'prepare' ? 'Rotating the CAs and the service-account key (old and new trusted)' : 'Dropping the previous CAs and service-account key',
        dependsOn: step.dependsOn ?? [],
        retries: 2,
        run: async (ctx, io) => {
          // Checked again under the lock: another operation may have moved the rotation on.
          checkRotationPhase(ctx.shoot, ctx.project, phase);
          if (rotationState(ctx.shoot) !== during) await recordRotationState(ctx.garden, ctx.project, ctx.name, during, io.signal);
          const { KubeSecretStore } = await import('../pki/kube-store.ts');
          const { prepareCredentialsRotation, completeCredentialsRotation } = await import('../pki/rotation.ts');
          const store = new KubeSecretStore(ctx.seedClient, ctx.namespace);
          const rotate = phase === 'prepare' ? prepareCredentialsRotation : completeCredentialsRotation;
          const { report, rotated } = await rotate(store, credentialParams(ctx));
          for (const c of report.filter((r) => r.action !== 'kept')) io.log(`${c.name}: ${c.action} (${c.reason})`);
          const what = phase === 'prepare' ? 'rotation prepared' : 'rotation completed';
          return rotated.length === 0 ? `Credentials: ${what} already, nothing left to rotate` : `Credentials: ${what} for ${rotated.join(', ')}`;
        },
      });
      flow.add({ ...step, dependsOn: [...(step.dependsOn ?? []), ROTATE_STEP_IDS.rotation] });
    } else {
      flow.add(step);
    }
  }

  flow.add({
    id: ROTATE_STEP_IDS.kubelets,
    title: 'Waiting for every kubelet to renew its Lease with the current credentials',
    dependsOn: ['nodes'],
    weight: 1,
    run: async (ctx, io) => {
      // The control plane has rolled by now: a renewal from here on was accepted by what the rotation left trusted.
      const renewed = await waitForLeaseRenewals(ctx, io, Date.now());
      return `${renewed} ${renewed === 1 ? 'kubelet' : 'kubelets'} renewed ${renewed === 1 ? 'its Lease' : 'their Leases'} after the rotation`;
    },
  });

  const sinks = flow.steps.filter((s) => !flow.steps.some((o) => o.dependsOn?.includes(s.id))).map((s) => s.id);
  flow.add({
    id: ROTATE_STEP_IDS.recorded,
    title: `Recording the rotation as ${done}`,
    dependsOn: sinks,
    weight: 0.2,
    run: async (ctx, io) => {
      await recordRotationState(ctx.garden, ctx.project, ctx.name, done, io.signal);
      return phase === 'prepare'
        ? 'Rotation prepared: old and new CAs are trusted; issue new kubeconfigs, then complete the rotation'
        : 'Rotation completed: only the new CAs are trusted';
    },
  });
  return flow;
}

type LeaseObject = KubeObject & { spec?: { renewTime?: string } };

/**
 * A kubelet whose client certificate the API server no longer accepts stops
 * renewing its Lease; a renewal after `since` (once the API server rolled)
 * proves it authenticates with what the rotation left trusted.
 */
async function waitForLeaseRenewals(ctx: ShootContext, io: StepIO, since: number): Promise<number> {
  const client = ctx.shootClient;
  if (!client) throw new Error('the api-ready step must run before the kubelets are checked');
  return waitFor(
    async () => {
      const nodes = await client.list('v1', 'Node');
      const leases = await client.list<LeaseObject>('coordination.k8s.io/v1', 'Lease', { namespace: 'kube-node-lease' });
      const renewed = new Map(leases.map((l) => [l.metadata.name, Date.parse(l.spec?.renewTime ?? '')]));
      const stale = nodes.map((n) => n.metadata.name).filter((n) => !((renewed.get(n) ?? 0) >= since - 1000));
      io.log(`${nodes.length - stale.length}/${nodes.length} kubelets renewed their Lease`);
      return stale.length === 0 ? { ready: true, value: nodes.length } : { ready: false, reason: `the kubelets of ${stale.join(', ')} have not renewed their Lease since the credentials changed` };
    },
    { what: `the kubelets of shoot "${ctx.project}/${ctx.name}" to renew their Leases`, timeoutMs: ctx.options.timeoutMs, intervalMs: 2000, signal: io.signal },
  );
}

/**
 * `shoot rotate-credentials`: refuses a phase the shoot is not ready for before
 * anything is locked or written, then runs the phase as a 'Rotate' operation.
 */
export async function rotateShootCredentials(garden: KubeClient, project: string, name: string, phase: RotationPhase, options: RunOptions): Promise<OperationResult> {
  const { getShoot } = await import('../garden/shoots.ts');
  const { runShootOperation } = await import('../shoots/operate.ts');
  checkRotationPhase(await getShoot(garden, project, name, options.signal), project, phase);
  return runShootOperation(garden, project, name, 'Rotate', rotateFlow(phase), options);
}
