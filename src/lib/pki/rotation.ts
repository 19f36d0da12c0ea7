// Two-phase rotations, so that no client is cut off at any moment:
//   prepare  - a new CA (or signing key) takes over; what everyone trusts is old + new;
//              every certificate the CA signed is re-issued by the new one.
//   complete - once every consumer has picked up the new credentials, the old one is
//              dropped from the bundle.
// The state lives on the Secret itself: a CA Secret holds `ca-previous.crt` and a
// two-certificate `ca.crt` between the phases; the service-account Secret's
// `bundle.pem` holds two public keys.
import { conflict, invalid } from '../ui/errors.ts';
import { CA_NAMES, SERVICE_ACCOUNT_KEY, resolveParams } from './catalog.ts';
import type { CAName, CredentialName, ShootCredentialsParams } from './catalog.ts';
import { caData, newCA, previousPublicKeys, reconcile, serviceAccountData } from './reconcile.ts';
import type { ReconcileOptions } from './reconcile.ts';
import { generateKeyPairAsync } from './primitives.ts';
import { credentialLabels } from './store.ts';
import type { SecretStore } from './store.ts';
import type { CredentialChange, ReconcileResult } from './types.ts';

function assertCAName(name: string): asserts name is CAName {
  if (!(CA_NAMES as readonly string[]).includes(name)) {
    throw invalid(`"${name}" is not a certificate authority of a shoot; known ones are ${CA_NAMES.join(', ')}.`);
  }
}

/** One entry per credential: the last change across the steps, else the last "kept". */
function mergeReports(...reports: CredentialChange[][]): CredentialChange[] {
  const merged = new Map<CredentialName, CredentialChange>();
  for (const report of reports) {
    for (const change of report) {
      const before = merged.get(change.name);
      if (before === undefined || change.action !== 'kept' || before.action === 'kept') merged.set(change.name, change);
    }
  }
  const order = reports.at(-1)?.map((c) => c.name) ?? [];
  return order.map((name) => merged.get(name)).filter((c): c is CredentialChange => c !== undefined);
}

/** Phase one of a CA rotation: a new CA signs from now on; the bundle trusts old and new. */
export async function prepareCARotation(
  store: SecretStore,
  name: string,
  params: ShootCredentialsParams,
  options: ReconcileOptions = {},
): Promise<ReconcileResult> {
  assertCAName(name);
  const p = resolveParams(params);
  const now = options.now ?? new Date();
  const before = await reconcile(store, p, { now });
  const current = before.credentials.cas[name];
  if (current.previousCertPem !== undefined) {
    throw conflict(`A rotation of the ${name} CA of shoot ${p.shootName} is already prepared; complete it before starting another.`);
  }
  const next = await newCA(name, p, now);
  await store.put(name, caData({ certPem: next.certPem, keyPem: next.keyPem, previousCertPem: current.certPem }), credentialLabels(p.shootName, name));
  const after = await reconcile(store, p, { now, replacedCAs: new Map([[name, `its CA ${name} is being rotated`]]) });
  const step: CredentialChange = { name, action: 'renewed', reason: 'rotation prepared: a new CA signs, the previous one stays trusted' };
  return { credentials: after.credentials, report: mergeReports(before.report, [step], after.report) };
}

/** Phase two of a CA rotation: the previous CA is no longer trusted. */
export async function completeCARotation(
  store: SecretStore,
  name: string,
  params: ShootCredentialsParams,
  options: ReconcileOptions = {},
): Promise<ReconcileResult> {
  assertCAName(name);
  const p = resolveParams(params);
  const now = options.now ?? new Date();
  const before = await reconcile(store, p, { now });
  const current = before.credentials.cas[name];
  if (current.previousCertPem === undefined) {
    throw conflict(`No rotation of the ${name} CA of shoot ${p.shootName} is prepared, so there is none to complete.`);
  }
  await store.put(name, caData({ certPem: current.certPem, keyPem: current.keyPem, previousCertPem: undefined }), credentialLabels(p.shootName, name));
  const after = await reconcile(store, p, { now });
  const step: CredentialChange = { name, action: 'updated', reason: 'rotation completed: the previous CA is no longer trusted' };
  return { credentials: after.credentials, report: mergeReports(before.report, [step], after.report) };
}

/** Phase one of a service-account key rotation: a new key signs; tokens signed by the old one stay valid. */
export async function prepareServiceAccountKeyRotation(
  store: SecretStore,
  params: ShootCredentialsParams,
  options: ReconcileOptions = {},
): Promise<ReconcileResult> {
  const p = resolveParams(params);
  const now = options.now ?? new Date();
  const before = await reconcile(store, p, { now });
  const stored = await store.get(SERVICE_ACCOUNT_KEY);
  const current = before.credentials.serviceAccount;
  if (stored === undefined || previousPublicKeys(stored.data, current.publicKeyPem).length > 0) {
    throw conflict(`A rotation of the service-account key of shoot ${p.shootName} is already prepared; complete it before starting another.`);
  }
  const next = await generateKeyPairAsync();
  await store.put(SERVICE_ACCOUNT_KEY, serviceAccountData(next.privateKeyPem, next.publicKeyPem, [current.publicKeyPem]), credentialLabels(p.shootName, SERVICE_ACCOUNT_KEY));
  const after = await reconcile(store, p, { now });
  const step: CredentialChange = { name: SERVICE_ACCOUNT_KEY, action: 'renewed', reason: 'rotation prepared: a new key signs, tokens signed by the previous one stay valid' };
  return { credentials: after.credentials, report: mergeReports(before.report, [step], after.report) };
}

/** Phase two of a service-account key rotation: tokens signed by the previous key are no longer accepted. */
export async function completeServiceAccountKeyRotation(
  store: SecretStore,
  params: ShootCredentialsParams,
  options: ReconcileOptions = {},
): Promise<ReconcileResult> {
  const p = resolveParams(params);
  const now = options.now ?? new Date();
  const before = await reconcile(store, p, { now });
  const stored = await store.get(SERVICE_ACCOUNT_KEY);
  const current = before.credentials.serviceAccount;
  if (stored === undefined || previousPublicKeys(stored.data, current.publicKeyPem).length === 0) {
    throw conflict(`No rotation of the service-account key of shoot ${p.shootName} is prepared, so there is none to complete.`);
  }
  await store.put(SERVICE_ACCOUNT_KEY, serviceAccountData(current.privateKeyPem, current.publicKeyPem, []), credentialLabels(p.shootName, SERVICE_ACCOUNT_KEY));
  const after = await reconcile(store, p, { now });
  const step: CredentialChange = { name: SERVICE_ACCOUNT_KEY, action: 'updated', reason: 'rotation completed: the previous key is no longer accepted' };
  return { credentials: after.credentials, report: mergeReports(before.report, [step], after.report) };
}
