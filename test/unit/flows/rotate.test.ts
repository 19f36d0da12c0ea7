// Rotating a shoot's credentials: when a phase may start, the shape of the
// rotate flow, its rotation step against a fake seed and garden (plain
// objects), and what the whole-shoot rotation leaves in the Secrets, checked
// with openssl. The real control plane rolling is in test/e2e/shoot-rotate.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KubeObject, ObjectRef } from '../../../src/lib/kube/client.ts';
import { createFlow } from '../../../src/lib/flows/create.ts';
import type { StepIO } from '../../../src/lib/flows/graph.ts';
import {
  ROTATE_STEP_IDS,
  ROTATION_ANNOTATION,
  ROTATION_FIELD_MANAGER,
  ROTATION_TIME_ANNOTATION,
  checkRotationPhase,
  rotateFlow,
  rotationState,
  type RotationPhase,
  type RotationState,
} from '../../../src/lib/flows/rotate.ts';
import type { ShootContext } from '../../../src/lib/flows/shoot-context.ts';
import type { ShootObject } from '../../../src/lib/garden/shoots.ts';
import { CA_NAMES, LEAF_NAMES, leafSpecs, resolveParams } from '../../../src/lib/pki/catalog.ts';
import { isSignedBy, splitPem } from '../../../src/lib/pki/inspect.ts';
import { KubeSecretStore } from '../../../src/lib/pki/kube-store.ts';
import { issueAdminKubeconfig } from '../../../src/lib/pki/kubeconfig.ts';
import { reconcileCredentials } from '../../../src/lib/pki/reconcile.ts';
import { CROSS_SIGNED_SERVERS, completeCredentialsRotation, credentialsRotationStatus, prepareCredentialsRotation } from '../../../src/lib/pki/rotation.ts';
import { InMemorySecretStore } from '../../../src/lib/pki/store.ts';
import type { SecretData, SecretLabels } from '../../../src/lib/pki/store.ts';
import type { ReconcileResult } from '../../../src/lib/pki/types.ts';
import { isKubegardenError } from '../../../src/lib/ui/errors.ts';
import { NOW, PARAMS, after, baselineStore, changedSecrets, opensslVerify, readKubeconfig } from '../pki/helpers.ts';

const io = (): StepIO & { lines: string[] } => {
  const lines: string[] = [];
  return { signal: new AbortController().signal, log: (l) => lines.push(l), progress: () => {}, lines };
};

function shoot(state?: string, hibernated = false): ShootObject {
  return {
    apiVersion: 'kubegarden.io/v1alpha1',
    kind: 'Shoot',
    metadata: { name: 'demo', namespace: 'garden-dev', ...(state ? { annotations: { [ROTATION_ANNOTATION]: state, [ROTATION_TIME_ANNOTATION]: '2026-03-01T12:00:00Z' } } : {}) },
    spec: {
      provider: { type: 'aws', region: 'eu-west-1', workers: [] },
      kubernetes: { version: '1.37.2' },
      networking: { nodes: '10.250.0.0/16', pods: '100.96.0.0/11', services: '100.64.0.0/13' },
      ...(hibernated ? { hibernation: { enabled: true } } : {}),
    },
  } as ShootObject;
}

function refusal(fn: () => void): { code: string; message: string } | undefined {
  try {
    fn();
    return undefined;
  } catch (err) {
    assert.ok(isKubegardenError(err), String(err));
    return { code: err.code, message: err.message };
  }
}

describe('When a credentials rotation phase may start', () => {
  const cases: Array<[RotationState | undefined, RotationPhase, boolean]> = [
    [undefined, 'prepare', true],
    ['Completed', 'prepare', true],
    ['Preparing', 'prepare', true], // resumes a prepare cut short
    ['Prepared', 'prepare', false],
    ['Completing', 'prepare', false],
    ['Prepared', 'complete', true],
    ['Completing', 'complete', true], // resumes a complete cut short
    [undefined, 'complete', false],
    ['Completed', 'complete', false],
    ['Preparing', 'complete', false],
  ];
  for (const [state, phase, allowed] of cases) {
    it(`${allowed ? 'allows' : 'refuses'} ${phase} when the rotation is ${state ?? 'not started'}`, () => {
      const refused = refusal(() => checkRotationPhase(shoot(state), 'dev', phase));
      if (allowed) assert.equal(refused, undefined);
      else {
        assert.equal(refused?.code, 'conflict');
        assert.match(refused?.message ?? '', /shoot "dev\/demo"/);
        assert.equal((refused?.message.match(/\.\s/g) ?? []).length, 0, 'one sentence');
      }
    });
  }

  it('names the next command in a refusal', () => {
    assert.match(refusal(() => checkRotationPhase(shoot('Prepared'), 'dev', 'prepare'))?.message ?? '', /already prepared \(since 2026-03-01T12:00:00Z\): complete it with "kubegarden shoot rotate-credentials demo --project dev --phase complete"/);
    assert.match(refusal(() => checkRotationPhase(shoot(), 'dev', 'complete'))?.message ?? '', /No credentials rotation of shoot "dev\/demo" is prepared.*--phase prepare"/);
  });

  it('refuses either phase on a hibernated shoot', () => {
    assert.match(refusal(() => checkRotationPhase(shoot(undefined, true), 'dev', 'prepare'))?.message ?? '', /is hibernated: wake it up/);
  });

  it('reads an annotation value it does not know as no rotation', () => {
    assert.equal(rotationState(shoot('Sideways')), undefined);
    assert.equal(rotationState(shoot('Prepared')), 'Prepared');
  });
});

describe('The rotate flow', () => {
  for (const phase of ['prepare', 'complete'] as const) {
    it(`${phase}: rotates before the credentials step, then runs every step of the create flow`, () => {
      const flow = rotateFlow(phase);
      const create = createFlow('Reconcile');
      for (const step of create.steps) assert.ok(flow.step(step.id), `has the create flow's step ${step.id}`);
      assert.deepEqual(flow.step(ROTATE_STEP_IDS.rotation)?.dependsOn, create.step('credentials')?.dependsOn);
      assert.ok(flow.step('credentials')?.dependsOn?.includes(ROTATE_STEP_IDS.rotation));
      // Every rolled component and the machines come after the rotation.
      for (const id of ['etcd', 'kube-apiserver', 'kube-controller-manager', 'system', 'workers', 'machines']) assert.ok(flow.ancestors(id).has(ROTATE_STEP_IDS.rotation), id);
      assert.ok(flow.ancestors(ROTATE_STEP_IDS.kubelets).has('nodes'));
    });
  }

  it('records the new state last, after every other step', () => {
    const flow = rotateFlow('prepare');
    const last = flow.steps.at(-1)!;
    assert.equal(last.id, ROTATE_STEP_IDS.recorded);
    assert.equal(flow.ancestors(last.id).size, flow.size - 1);
    assert.match(last.title, /Prepared/);
    assert.match(rotateFlow('complete').steps.at(-1)!.title, /Completed/);
  });
});

// ---- the rotation step against a fake seed and garden -----------------------

interface SecretObject extends KubeObject {
  data?: Record<string, string>;
}

/** A seed reduced to what the Secret store touches; counts writes. */
function fakeSeed() {
  const secrets = new Map<string, SecretObject>();
  const writes: string[] = [];
  const client = {
    async get<T extends KubeObject>(ref: ObjectRef): Promise<T | undefined> {
      const s = secrets.get(ref.name);
      return s === undefined ? undefined : (structuredClone(s) as T);
    },
    async apply<T extends KubeObject>(obj: KubeObject): Promise<T> {
      writes.push(obj.metadata.name);
      secrets.set(obj.metadata.name, structuredClone(obj) as SecretObject);
      return structuredClone(obj) as T;
    },
    async mergePatch(): Promise<never> {
      throw new Error('not expected: apply replaces every key here');
    },
  };
  return { client, secrets, writes };
}

function fakeContext(state?: RotationState) {
  const seed = fakeSeed();
  const gardenApplies: Array<{ obj: KubeObject; fieldManager: string | undefined; seedWritesBefore: number }> = [];
  const garden = {
    async apply(obj: KubeObject, _signal?: AbortSignal, fieldManager?: string) {
      gardenApplies.push({ obj: structuredClone(obj), fieldManager, seedWritesBefore: seed.writes.length });
      return obj;
    },
  };
  const ctx = {
    garden,
    project: 'dev',
    name: 'demo',
    shoot: shoot(state),
    seed: { metadata: { name: 'aws-eu' } },
    seedClient: seed.client,
    namespace: 'shoot--dev--demo',
    endpoint: { host: 'api.demo.example.com', port: 443, url: 'https://api.demo.example.com' },
    options: { timeoutMs: 1000 },
  } as unknown as ShootContext;
  const store = new KubeSecretStore(seed.client, 'shoot--dev--demo');
  return { ctx, seed, gardenApplies, store };
}

const stepOf = (phase: RotationPhase) => rotateFlow(phase).step(ROTATE_STEP_IDS.rotation)!;
const CTX_PARAMS = { shootName: 'demo', namespace: 'shoot--dev--demo', servicesCIDR: '100.64.0.0/13', externalEndpoint: 'api.demo.example.com:443' };

describe('The rotation step', function () {
  this.timeout(60_000);

  it('records Preparing on the Shoot, with a field manager of its own, before it changes any Secret', async () => {
    const { ctx, seed, gardenApplies, store } = fakeContext();
    await reconcileCredentials(store, CTX_PARAMS);
    const before = seed.writes.length;
    await stepOf('prepare').run(ctx, io());
    assert.equal(gardenApplies.length, 1);
    const [record] = gardenApplies;
    assert.equal(record?.fieldManager, ROTATION_FIELD_MANAGER);
    assert.equal(record?.seedWritesBefore, before, 'no Secret was written before the state was recorded');
    assert.deepEqual(Object.keys(record?.obj ?? {}).sort(), ['apiVersion', 'kind', 'metadata']);
    assert.equal(record?.obj.metadata.annotations?.[ROTATION_ANNOTATION], 'Preparing');
    assert.match(record?.obj.metadata.annotations?.[ROTATION_TIME_ANNOTATION] ?? '', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.deepEqual(await credentialsRotationStatus(store), { preparedCAs: [...CA_NAMES], serviceAccountKeyPrepared: true });
  });

  it('resumes a prepare cut short: credentials already prepared stay as they are', async () => {
    const { ctx, seed, store } = fakeContext('Preparing');
    await reconcileCredentials(store, CTX_PARAMS);
    const first = io();
    await stepOf('prepare').run(ctx, first);
    const written = seed.writes.length;
    const again = io();
    const result = await stepOf('prepare').run(ctx, again);
    assert.equal(seed.writes.length, written, 'the second run writes no Secret');
    assert.match(String(result), /already/);
    assert.deepEqual(again.lines, []);
  });

  it('changes nothing when the phase is refused', async () => {
    const { ctx, seed, gardenApplies, store } = fakeContext('Prepared');
    await reconcileCredentials(store, CTX_PARAMS);
    const written = seed.writes.length;
    await assert.rejects(stepOf('prepare').run(ctx, io()), (err: unknown) => isKubegardenError(err) && err.code === 'conflict');
    assert.equal(seed.writes.length, written);
    assert.equal(gardenApplies.length, 0);
  });

  it('completes: records Completing, drops the previous CAs and key', async () => {
    const { ctx, gardenApplies, store } = fakeContext('Prepared');
    await reconcileCredentials(store, CTX_PARAMS);
    await prepareCredentialsRotation(store, CTX_PARAMS);
    const log = io();
    await stepOf('complete').run(ctx, log);
    assert.equal(gardenApplies[0]?.obj.metadata.annotations?.[ROTATION_ANNOTATION], 'Completing');
    assert.deepEqual(await credentialsRotationStatus(store), { preparedCAs: [], serviceAccountKeyPrepared: false });
    assert.ok(log.lines.some((l) => /^kube-apiserver: updated \(served without the cross-signed CA/.test(l)));
  });
});

describe('The kubelet check after a rotation', () => {
  function ctxWith(renewTimes: Record<string, string>): ShootContext {
    const shootClient = {
      async list(_apiVersion: string, kind: string) {
        if (kind === 'Node') return Object.keys(renewTimes).map((name) => ({ apiVersion: 'v1', kind: 'Node', metadata: { name } }));
        return Object.entries(renewTimes).map(([name, renewTime]) => ({ apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name, namespace: 'kube-node-lease' }, spec: { renewTime } }));
      },
    };
    return { project: 'dev', name: 'demo', shootClient, options: { timeoutMs: 300 } } as unknown as ShootContext;
  }
  const step = () => rotateFlow('complete').step(ROTATE_STEP_IDS.kubelets)!;

  it('passes once every kubelet renewed its Lease after the control plane rolled', async () => {
    const soon = new Date(Date.now() + 60_000).toISOString();
    assert.match(String(await step().run(ctxWith({ a: soon, b: soon }), io())), /^2 kubelets renewed/);
  });

  it('times out naming the kubelets whose Lease stayed old (their certificates are no longer accepted)', async () => {
    const soon = new Date(Date.now() + 60_000).toISOString();
    await assert.rejects(step().run(ctxWith({ a: soon, b: '2026-03-01T12:00:00.000000Z' }), io()), (err: unknown) => {
      assert.ok(isKubegardenError(err));
      assert.equal(err.code, 'timeout');
      assert.match(err.message, /the kubelets of b have not renewed their Lease/);
      return true;
    });
  });
});

// ---- what the whole-shoot rotation leaves in the Secrets --------------------

/** A store whose put fails once `failAt` writes have succeeded: a run cut short. */
class FailingStore extends InMemorySecretStore {
  failAt = Infinity;
  override async put(name: string, data: SecretData, labels: SecretLabels): Promise<void> {
    if (this.writes.length >= this.failAt) throw new Error(`cut short before writing ${name}`);
    await super.put(name, data, labels);
  }
}

async function adminCert(result: ReconcileResult): Promise<string> {
  const admin = await issueAdminKubeconfig(result.credentials.cas, { server: 'https://api.demo.example.com', user: 'alice', expirationSeconds: 3600, now: NOW });
  return readKubeconfig(admin.kubeconfig).certPem ?? '';
}

/** Every CA trusts its predecessor from `original`, every leaf is signed by its current CA, servers carry the cross-signed CA. */
function assertPrepared(store: InMemorySecretStore, original: ReconcileResult): void {
  const p = resolveParams(PARAMS);
  for (const name of CA_NAMES) {
    const data = store.secrets.get(name)!.data;
    assert.equal(data['ca-previous.crt'], original.credentials.cas[name].certPem, `${name} trusts the CA it replaced`);
    assert.notEqual(splitPem(data['ca.crt']!)[0], original.credentials.cas[name].certPem, `${name} has a new CA`);
  }
  for (const spec of leafSpecs(p)) {
    const certs = splitPem(store.secrets.get(spec.name)!.data['tls.crt']!);
    const ca = store.secrets.get(spec.issuer)!.data;
    assert.ok(isSignedBy(certs[0]!, splitPem(ca['ca.crt']!)[0]!), `${spec.name} is signed by the new ${spec.issuer}`);
    assert.equal(certs.length, CROSS_SIGNED_SERVERS.includes(spec.name) ? 2 : 1, spec.name);
    if (certs.length === 2) {
      const purpose = { at: after(60_000), purpose: 'sslserver' as const };
      assert.ok(verifyWithIntermediate(original.credentials.cas[spec.issuer].certPem, certs[0]!, certs[1]!, purpose), `${spec.name} verifies with only the previous CA`);
    }
  }
  const bundle = splitPem(store.secrets.get('service-account-key')!.data['bundle.pem']!);
  assert.equal(bundle.length, 2);
  assert.ok(bundle.includes(splitPem(original.credentials.serviceAccount.publicKeyPem)[0]!));
}

/** `openssl verify` of a server certificate, given one untrusted intermediate, as a TLS client sees the served chain. */
function verifyWithIntermediate(trusted: string, certPem: string, intermediate: string, options: { at: Date; purpose: 'sslserver' }): boolean {
  const dir = mkdtempSync(join(tmpdir(), 'kubegarden-rotate-'));
  try {
    writeFileSync(join(dir, 'ca.pem'), trusted);
    writeFileSync(join(dir, 'cert.pem'), certPem);
    writeFileSync(join(dir, 'untrusted.pem'), intermediate);
    const at = String(Math.floor(options.at.getTime() / 1000));
    execFileSync('/usr/bin/openssl', ['verify', '-x509_strict', '-attime', at, '-purpose', options.purpose, '-CAfile', join(dir, 'ca.pem'), '-untrusted', join(dir, 'untrusted.pem'), join(dir, 'cert.pem')], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('Rotating every credential of a shoot at once', function () {
  this.timeout(120_000);

  it('prepares every CA and the service-account key; servers verify with the old CA alone, the new CA alone, or both', async () => {
    const { store, result: original } = await baselineStore();
    const prepared = await prepareCredentialsRotation(store, PARAMS, { now: NOW });
    assert.deepEqual(prepared.rotated, [...CA_NAMES, 'service-account-key']);
    assertPrepared(store, original);
    const [leaf, cross] = splitPem(store.secrets.get('kube-apiserver')!.data['tls.crt']!);
    const at = { at: after(60_000), purpose: 'sslserver' as const };
    for (const trusted of [original.credentials.cas.ca.certPem, prepared.credentials.cas.ca.certPem, prepared.credentials.cas.ca.bundlePem]) {
      assert.ok(verifyWithIntermediate(trusted, leaf!, cross!, at));
    }
    assert.ok(!opensslVerify(original.credentials.cas.ca.certPem, leaf!, at).ok, 'without the cross-signed CA the old CA does not verify it');
    // The cross-signed certificate is the new CA: same subject and key, issued by the old one.
    assert.ok(isSignedBy(cross!, original.credentials.cas.ca.certPem));
    assert.ok(isSignedBy(leaf!, cross!));
  });

  it('is idempotent: a second prepare writes nothing', async () => {
    const { store } = await baselineStore();
    await prepareCredentialsRotation(store, PARAMS, { now: NOW });
    const snapshot = store.snapshot();
    const again = await prepareCredentialsRotation(store, PARAMS, { now: after(1000) });
    assert.deepEqual(again.rotated, []);
    assert.deepEqual(changedSecrets(snapshot, store.snapshot()), []);
  });

  for (const failAt of [1, 2, 9, 15]) {
    it(`finishes a prepare cut short after ${failAt} written Secrets when run again, trusting the original CAs`, async () => {
      const { store: base, result: original } = await baselineStore();
      const store = new FailingStore();
      for (const [name, secret] of base.secrets) store.secrets.set(name, secret);
      store.failAt = failAt;
      await assert.rejects(prepareCredentialsRotation(store, PARAMS, { now: NOW }), /cut short/);
      store.failAt = Infinity;
      await prepareCredentialsRotation(store, PARAMS, { now: after(1000) });
      assertPrepared(store, original);
    });
  }

  it('completes: only the new CAs and key are trusted, servers drop the cross-signed CA, old admin certificates fail', async () => {
    const { store, result: original } = await baselineStore();
    const oldAdmin = await adminCert(original);
    const prepared = await prepareCredentialsRotation(store, PARAMS, { now: NOW });
    assert.ok(opensslVerify(prepared.credentials.cas['ca-client'].bundlePem, oldAdmin, { purpose: 'sslclient' }).ok, 'while prepared, an old admin certificate is accepted');
    const newAdmin = await adminCert(prepared);
    const completed = await completeCredentialsRotation(store, PARAMS, { now: after(1000) });
    assert.deepEqual(completed.rotated, [...CA_NAMES, 'service-account-key']);
    const clientCA = completed.credentials.cas['ca-client'].bundlePem;
    assert.equal(splitPem(clientCA).length, 1);
    assert.ok(!opensslVerify(clientCA, oldAdmin, { purpose: 'sslclient' }).ok, 'an admin certificate from before the rotation is rejected');
    assert.ok(opensslVerify(clientCA, newAdmin, { purpose: 'sslclient' }).ok, 'one issued after prepare is accepted');
    for (const name of LEAF_NAMES) assert.equal(splitPem(store.secrets.get(name)!.data['tls.crt']!).length, 1, name);
    assert.equal(splitPem(completed.credentials.serviceAccount.bundlePem).length, 1);
    const snapshot = store.snapshot();
    assert.deepEqual((await completeCredentialsRotation(store, PARAMS, { now: after(2000) })).rotated, []);
    assert.deepEqual(changedSecrets(snapshot, store.snapshot()), [], 'a second complete writes nothing');
  });

  it('drops the cross-signed CAs on a re-run of a complete cut short after the CAs', async () => {
    const { store: base } = await baselineStore();
    await prepareCredentialsRotation(base, PARAMS, { now: NOW });
    const store = new FailingStore();
    for (const [name, secret] of base.secrets) store.secrets.set(name, secret);
    store.failAt = CA_NAMES.length + 1; // the CAs and the service-account key, then cut
    await assert.rejects(completeCredentialsRotation(store, PARAMS, { now: after(1000) }), /cut short/);
    store.failAt = Infinity;
    await completeCredentialsRotation(store, PARAMS, { now: after(2000) });
    for (const name of CROSS_SIGNED_SERVERS) assert.equal(splitPem(store.secrets.get(name)!.data['tls.crt']!).length, 1, name);
  });
});
