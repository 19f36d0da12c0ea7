// Two-phase rotations, so that no client is cut off at any moment:
//   prepare  - a new CA (or signing key) takes over; what everyone trusts is old + new;
//              every certificate the CA signed is re-issued by the new one.
//   complete - once every consumer has picked up the new credentials, the old one is
//              dropped from the bundle.
// The state lives on the Secret itself: a CA Secret holds `ca-previous.crt` and a
// two-certificate `ca.crt` between the phases; the service-account Secret's
// `bundle.pem` holds two public keys.
import { createPrivateKey, randomBytes, sign } from 'node:crypto';
import forge from 'node-forge';
import { conflict, invalid } from '../ui/errors.ts';
import { CA_NAMES, DATA_KEYS, SERVICE_ACCOUNT_KEY, leafSpecs, resolveParams } from './catalog.ts';
import type { CAName, CredentialName, LeafName, ShootCredentialsParams } from './catalog.ts';
import { joinPem, splitPem } from './inspect.ts';
import { caData, newCA, previousPublicKeys, reconcile, serviceAccountData } from './reconcile.ts';
import type { ReconcileOptions } from './reconcile.ts';
import { generateKeyPairAsync, issueCertificate } from './primitives.ts';
import { credentialLabels } from './store.ts';
import type { SecretStore } from './store.ts';
import type { CAValue, CredentialChange, ReconcileResult } from './types.ts';

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

// ---- every credential of a shoot at once ------------------------------------
//
// What `shoot rotate-credentials` does: all CAs and the service-account key go
// through the same phase together. Each call is resumable: credentials already
// in the phase are left alone, so a run cut short is finished by running it again.
//
// Server certificates need one more thing. A client that holds only the previous
// CA (a kubeconfig issued before the rotation, a component not yet rolled) must
// still verify a server whose certificate the new CA signed. So between the
// phases such a server presents its certificate followed by the new CA
// cross-signed by the previous one: the chain leaf -> new CA (cross-signed) ->
// previous CA verifies for old clients, leaf -> new CA for new ones. The
// cross-signature needs the previous CA's key, which the CA Secret no longer
// holds once the rotation is prepared, so the server certificate is issued and
// written before its CA Secret is replaced.

/** Server certificates served with their new CA cross-signed by the previous one while a rotation is prepared. */
export const CROSS_SIGNED_SERVERS: readonly LeafName[] = ['kube-apiserver', 'etcd-server', 'vpn-server'];

export interface CredentialsRotationResult extends ReconcileResult {
  /** The CAs (and service-account-key) this call moved to the phase; those already in it are not listed. */
  rotated: CredentialName[];
}

/** Where a shoot's credentials stand, read from their Secrets. */
export interface CredentialsRotationStatus {
  /** CAs whose Secret holds a previous CA that is still trusted. */
  preparedCAs: CAName[];
  /** Whether the service-account bundle holds a previous public key that is still accepted. */
  serviceAccountKeyPrepared: boolean;
}

export async function credentialsRotationStatus(store: SecretStore): Promise<CredentialsRotationStatus> {
  const cas = await Promise.all(CA_NAMES.map(async (name) => ({ name, stored: await store.get(name) })));
  const preparedCAs = cas.filter((c) => c.stored?.data[DATA_KEYS.caPrevious] !== undefined).map((c) => c.name);
  const sa = await store.get(SERVICE_ACCOUNT_KEY);
  const current = sa?.data[DATA_KEYS.serviceAccountPublicKey];
  return { preparedCAs, serviceAccountKeyPrepared: sa !== undefined && current !== undefined && previousPublicKeys(sa.data, current).length > 0 };
}

/**
 * Phase one for every CA and the service-account key: new ones sign, old and new
 * are trusted, every certificate is re-issued by its new CA, and the server
 * certificates of CROSS_SIGNED_SERVERS carry the cross-signed new CA.
 */
export async function prepareCredentialsRotation(
  store: SecretStore,
  params: ShootCredentialsParams,
  options: ReconcileOptions = {},
): Promise<CredentialsRotationResult> {
  const p = resolveParams(params);
  const now = options.now ?? new Date();
  const before = await reconcile(store, p, { now });
  const specs = leafSpecs(p);
  const steps: CredentialChange[] = [];
  const rotated: CredentialName[] = [];
  const replacedCAs = new Map<CAName, string>();
  for (const name of CA_NAMES) {
    const current = before.credentials.cas[name];
    if (current.previousCertPem !== undefined) continue;
    const next = await newCA(name, p, now);
    const servers = specs.filter((s) => s.issuer === name && CROSS_SIGNED_SERVERS.includes(s.name));
    for (const spec of servers) {
      const leaf = issueCertificate(next, { ...spec, lifetimeSeconds: p.lifetimes.leafSeconds, now, keyPair: await generateKeyPairAsync() });
      const chain = joinPem([leaf.certPem, crossSignCA(next, current)]);
      await store.put(spec.name, { [DATA_KEYS.tlsCert]: chain, [DATA_KEYS.tlsKey]: leaf.keyPem }, credentialLabels(p.shootName, spec.name));
      steps.push({ name: spec.name, action: 'renewed', reason: `issued by the new ${name} CA, served with it cross-signed by the previous one` });
    }
    // A replaced CA re-issues all its certificates; the server certificates just written must stay.
    if (servers.length === 0) replacedCAs.set(name, `its CA ${name} is being rotated`);
    await store.put(name, caData({ certPem: next.certPem, keyPem: next.keyPem, previousCertPem: current.certPem }), credentialLabels(p.shootName, name));
    steps.push({ name, action: 'renewed', reason: 'rotation prepared: a new CA signs, the previous one stays trusted' });
    rotated.push(name);
  }
  const stored = await store.get(SERVICE_ACCOUNT_KEY);
  const sa = before.credentials.serviceAccount;
  if (stored !== undefined && previousPublicKeys(stored.data, sa.publicKeyPem).length === 0) {
    const next = await generateKeyPairAsync();
    await store.put(SERVICE_ACCOUNT_KEY, serviceAccountData(next.privateKeyPem, next.publicKeyPem, [sa.publicKeyPem]), credentialLabels(p.shootName, SERVICE_ACCOUNT_KEY));
    steps.push({ name: SERVICE_ACCOUNT_KEY, action: 'renewed', reason: 'rotation prepared: a new key signs, tokens signed by the previous one stay valid' });
    rotated.push(SERVICE_ACCOUNT_KEY);
  }
  const after = await reconcile(store, p, { now, replacedCAs });
  return { credentials: after.credentials, report: mergeReports(before.report, steps, after.report), rotated };
}

/**
 * Phase two for every CA and the service-account key: previous CAs and the previous
 * public key are dropped, and server certificates are served without the cross-signed CA.
 */
export async function completeCredentialsRotation(
  store: SecretStore,
  params: ShootCredentialsParams,
  options: ReconcileOptions = {},
): Promise<CredentialsRotationResult> {
  const p = resolveParams(params);
  const now = options.now ?? new Date();
  const before = await reconcile(store, p, { now });
  const steps: CredentialChange[] = [];
  const rotated: CredentialName[] = [];
  for (const name of CA_NAMES) {
    const current = before.credentials.cas[name];
    if (current.previousCertPem === undefined) continue;
    await store.put(name, caData({ certPem: current.certPem, keyPem: current.keyPem, previousCertPem: undefined }), credentialLabels(p.shootName, name));
    steps.push({ name, action: 'updated', reason: 'rotation completed: the previous CA is no longer trusted' });
    rotated.push(name);
  }
  const stored = await store.get(SERVICE_ACCOUNT_KEY);
  const sa = before.credentials.serviceAccount;
  if (stored !== undefined && previousPublicKeys(stored.data, sa.publicKeyPem).length > 0) {
    await store.put(SERVICE_ACCOUNT_KEY, serviceAccountData(sa.privateKeyPem, sa.publicKeyPem, []), credentialLabels(p.shootName, SERVICE_ACCOUNT_KEY));
    steps.push({ name: SERVICE_ACCOUNT_KEY, action: 'updated', reason: 'rotation completed: the previous key is no longer accepted' });
    rotated.push(SERVICE_ACCOUNT_KEY);
  }
  // Decided from the Secrets, not from this run: a completion cut short after the CAs still drops the chains.
  for (const name of CROSS_SIGNED_SERVERS) {
    const server = await store.get(name);
    const certs = splitPem(server?.data[DATA_KEYS.tlsCert] ?? '');
    const keyPem = server?.data[DATA_KEYS.tlsKey];
    if (certs.length < 2 || certs[0] === undefined || keyPem === undefined) continue;
    await store.put(name, { ...server?.data, [DATA_KEYS.tlsCert]: certs[0] }, credentialLabels(p.shootName, name));
    steps.push({ name, action: 'updated', reason: 'served without the cross-signed CA: only the new CA verifies it' });
  }
  const after = await reconcile(store, p, { now });
  return { credentials: after.credentials, report: mergeReports(before.report, steps, after.report), rotated };
}

// Public in node-forge, missing from its typings.
const forgePki = forge.pki as typeof forge.pki & { getTBSCertificate(cert: forge.pki.Certificate): forge.asn1.Asn1 };

/**
 * The CA certificate `ca` (same subject, key and key identifier) issued by `signer`:
 * an intermediate that lets clients trusting only `signer` verify what `ca` signed.
 * Valid while both are.
 */
export function crossSignCA(ca: Pick<CAValue, 'certPem'>, signer: Pick<CAValue, 'certPem' | 'keyPem'>): string {
  const subject = forge.pki.certificateFromPem(ca.certPem);
  const issuer = forge.pki.certificateFromPem(signer.certPem);
  const cert = forge.pki.createCertificate();
  cert.publicKey = subject.publicKey;
  const serial = randomBytes(16);
  serial[0] = (serial[0] ?? 0) & 0x7f;
  cert.serialNumber = serial.toString('hex');
  cert.validity.notBefore = subject.validity.notBefore;
  cert.validity.notAfter = new Date(Math.min(subject.validity.notAfter.getTime(), issuer.validity.notAfter.getTime()));
  cert.setSubject(subject.subject.attributes);
  cert.setIssuer(issuer.subject.attributes);
  cert.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    { name: 'subjectKeyIdentifier' },
    // The subjects are equal (CA subjects are fixed), so verifiers tell the issuer by its key identifier.
    { name: 'authorityKeyIdentifier', keyIdentifier: issuer.generateSubjectKeyIdentifier().getBytes() },
  ]);
  const oid = forge.pki.oids['sha256WithRSAEncryption'];
  if (oid === undefined) throw new Error('node-forge does not know sha256WithRSAEncryption');
  cert.signatureOid = oid;
  cert.siginfo.algorithmOid = oid;
  const tbs = forgePki.getTBSCertificate(cert);
  (cert as forge.pki.Certificate & { tbsCertificate: forge.asn1.Asn1 }).tbsCertificate = tbs;
  const der = Buffer.from(forge.asn1.toDer(tbs).getBytes(), 'binary');
  cert.signature = sign('sha256', der, createPrivateKey(signer.keyPem)).toString('binary');
  return forge.pki.certificateToPem(cert).replace(/\r\n/g, '\n');
}
