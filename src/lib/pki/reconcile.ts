// Brings a shoot's credentials in the store to what its parameters call for,
// changing as little as possible: a credential is generated once and reused,
// and regenerated only when it is missing, unreadable, no longer signed by its
// CA, certifies other names than wanted, or is near the end of its life. A
// regenerated CA takes exactly the certificates it signed along with it. The
// service-account key and the encryption key are never regenerated here.
import { createPublicKey } from 'node:crypto';
import { parse } from 'yaml';
import { conflict, invalid } from '../ui/errors.ts';
import {
  BOOTSTRAP_TOKEN,
  CA_COMMON_NAMES,
  CA_NAMES,
  CREDENTIAL_NAMES,
  DATA_KEYS,
  ENCRYPTION_CONFIG,
  SERVICE_ACCOUNT_KEY,
  VPN_TLS_AUTH,
  assertCredentialName,
  isCAName,
  leafSpecs,
  resolveParams,
} from './catalog.ts';
import type { CAName, CredentialName, LeafName, LeafSpec, ResolvedParams, ShootCredentialsParams } from './catalog.ts';
import { inspectCertificate, isSignedBy, joinPem, keyMatchesCertificate, publicKeyOf, splitPem } from './inspect.ts';
import type { CertificateInfo } from './inspect.ts';
import { buildKubeconfig } from './kubeconfig.ts';
import {
  bootstrapTokenData,
  generateBootstrapToken,
  generateEncryptionConfig,
  generateOpenVPNStaticKey,
  isValidEncryptionConfig,
  readBootstrapToken,
  readOpenVPNStaticKey,
} from './material.ts';
import { createCA, generateKeyPairAsync, issueCertificate } from './primitives.ts';
import type { KeyPairPem } from './primitives.ts';
import { credentialLabels } from './store.ts';
import type { SecretData, SecretStore, StoredSecret } from './store.ts';
import type {
  BootstrapTokenValue,
  CAValue,
  CredentialAction,
  CredentialChange,
  LeafValue,
  ReconcileResult,
  ServiceAccountKeyValue,
  ShootCredentials,
} from './types.ts';

export interface ReconcileOptions {
  /** Clock for tests; defaults to now. */
  now?: Date;
}

/** Creates what is missing and renews what is due; a second run with the same inputs writes nothing. */
export async function reconcileCredentials(
  store: SecretStore,
  params: ShootCredentialsParams,
  options: ReconcileOptions = {},
): Promise<ReconcileResult> {
  return reconcile(store, resolveParams(params), { now: options.now ?? new Date() });
}

/**
 * Issues one credential anew (a leaf certificate, the bootstrap token or the VPN
 * tls-auth key) and reconciles the rest as reconcileCredentials does. CAs and the
 * service-account key change only through their two-phase rotations; the
 * encryption key never changes.
 */
export async function renewCredential(
  store: SecretStore,
  name: string,
  params: ShootCredentialsParams,
  options: ReconcileOptions = {},
): Promise<ReconcileResult> {
  assertCredentialName(name);
  if (isCAName(name)) {
    throw invalid(`${name} is a certificate authority: rotate it with a CA rotation (prepare, then complete) instead of renewing it.`);
  }
  if (name === SERVICE_ACCOUNT_KEY) {
    throw invalid('The service-account key is never renewed in place: rotate it (prepare, then complete) so issued tokens stay valid.');
  }
  if (name === ENCRYPTION_CONFIG) {
    throw invalid('The encryption key cannot be renewed: Secrets already stored in etcd are encrypted with it.');
  }
  return reconcile(store, resolveParams(params), { now: options.now ?? new Date(), force: new Set([name]) });
}

// ---------------------------------------------------------------------------

export interface RunOptions {
  now: Date;
  /** Credentials to issue anew regardless of their state. */
  force?: ReadonlySet<CredentialName>;
  /** CAs replaced before this run (a rotation): their leaves are re-issued with this reason. */
  replacedCAs?: ReadonlyMap<CAName, string>;
}

interface Run {
  /** Key pairs of LeafSpec.keyGroup, generated at most once per run. */
  groupKeys: Map<string, Promise<KeyPairPem>>;
  store: SecretStore;
  p: ResolvedParams;
  now: Date;
  force: ReadonlySet<CredentialName>;
  report: Map<CredentialName, CredentialChange>;
}

interface Outcome {
  data: SecretData;
  action: CredentialAction;
  reason: string;
}

interface CAState {
  value: CAValue;
  /** Why its certificates must be re-issued, when the CA changed. */
  replaced: string | undefined;
}

export async function reconcile(store: SecretStore, p: ResolvedParams, options: RunOptions): Promise<ReconcileResult> {
  const run: Run = { groupKeys: new Map(), store, p, now: options.now, force: options.force ?? new Set(), report: new Map() };
  // The keys that are never replaced are read first: when one is unreadable the run
  // stops before it has written anything.
  const [storedServiceAccount, storedEncryption] = await Promise.all([store.get(SERVICE_ACCOUNT_KEY), store.get(ENCRYPTION_CONFIG)]);
  const serviceAccountKey = readServiceAccountKey(run, storedServiceAccount);
  checkEncryptionConfig(run, storedEncryption);
  // CAs and the stand-alone secrets depend on nothing; leaves depend on their CA.
  const [caStates, serviceAccount, encryptionConfig, bootstrapToken, vpnTLSAuthKey] = await Promise.all([
    Promise.all(CA_NAMES.map((name) => reconcileCA(run, name))),
    reconcileServiceAccountKey(run, storedServiceAccount, serviceAccountKey),
    reconcileEncryptionConfig(run, storedEncryption),
    reconcileBootstrapToken(run),
    reconcileVPNTLSAuth(run),
  ]);
  const cas = Object.fromEntries(CA_NAMES.map((name, i) => [name, caStates[i]])) as Record<CAName, CAState>;
  for (const [name, reason] of options.replacedCAs ?? []) cas[name].replaced ??= reason;
  const specs = leafSpecs(p);
  const leaves = await Promise.all(specs.map((spec) => reconcileLeaf(run, spec, cas)));
  const credentials: ShootCredentials = {
    cas: Object.fromEntries(CA_NAMES.map((name) => [name, cas[name].value])) as Record<CAName, CAValue>,
    leaves: Object.fromEntries(specs.map((spec, i) => [spec.name, leaves[i]])) as Record<LeafName, LeafValue>,
    serviceAccount,
    encryptionConfig,
    bootstrapToken,
    vpnTLSAuthKey,
  };
  const report = CREDENTIAL_NAMES.map((name) => run.report.get(name)).filter((c): c is CredentialChange => c !== undefined);
  return { credentials, report };
}

/** Writes the outcome unless nothing would change, and records it in the report. */
async function settle(run: Run, name: CredentialName, stored: StoredSecret | undefined, outcome: Outcome): Promise<void> {
  const labels = credentialLabels(run.p.shootName, name);
  let { action, reason } = outcome;
  if (action === 'kept' && stored !== undefined) {
    // Same key material; derived data (a kubeconfig, a bundle) or our labels may still be stale.
    if (!sameData(stored.data, outcome.data)) action = 'updated';
    else if (!Object.entries(labels).every(([k, v]) => stored.labels[k] === v)) {
      action = 'updated';
      reason = 'labels corrected';
    }
  }
  if (action !== 'kept') await run.store.put(name, outcome.data, labels);
  run.report.set(name, { name, action, reason });
}

function sameData(a: SecretData, b: SecretData): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => Object.hasOwn(b, k) && a[k] === b[k]);
}

const iso = (date: Date): string => date.toISOString().replace(/\.\d{3}Z$/, 'Z');

/** The renewal window opens once renewAfterFraction of the validity period has passed. */
function renewalDue(info: Pick<CertificateInfo, 'notBefore' | 'notAfter'>, now: Date, fraction: number): boolean {
  const start = info.notBefore.getTime();
  return now.getTime() >= start + fraction * (info.notAfter.getTime() - start);
}

// ---- certificate authorities ----------------------------------------------

type Readout<T> = { ok: T } | { problem: string };

function readCA(data: SecretData): Readout<{ value: CAValue; info: CertificateInfo }> {
  const bundle = splitPem(data[DATA_KEYS.caCert] ?? '');
  const certPem = bundle[0];
  const keyPem = data[DATA_KEYS.caKey];
  if (certPem === undefined) return { problem: `unparsable: ${DATA_KEYS.caCert} holds no certificate` };
  if (keyPem === undefined) return { problem: `unparsable: ${DATA_KEYS.caKey} is missing` };
  let info: CertificateInfo;
  try {
    info = inspectCertificate(certPem);
  } catch {
    return { problem: `unparsable: ${DATA_KEYS.caCert} is not a readable certificate` };
  }
  if (!info.isCA || !isSignedBy(certPem, certPem)) return { problem: `not a self-signed CA certificate` };
  if (!keyMatchesCertificate(certPem, keyPem)) return { problem: `unparsable: ${DATA_KEYS.caKey} does not belong to the certificate` };
  const previous = data[DATA_KEYS.caPrevious];
  const previousCertPem = previous === undefined ? undefined : splitPem(previous)[0];
  // The trust bundle is rebuilt from the current and the previous CA only: an
  // extra certificate slipped into ca.crt is not trusted, and is dropped on settle.
  return {
    ok: {
      info,
      value: { certPem, keyPem, bundlePem: joinPem(previousCertPem === undefined ? [certPem] : [certPem, previousCertPem]), previousCertPem },
    },
  };
}

export function caData(value: Pick<CAValue, 'keyPem' | 'previousCertPem'> & { certPem: string }): SecretData {
  const data: SecretData = {
    [DATA_KEYS.caCert]: joinPem(value.previousCertPem === undefined ? [value.certPem] : [value.certPem, value.previousCertPem]),
    [DATA_KEYS.caKey]: value.keyPem,
    [DATA_KEYS.caCurrent]: value.certPem,
  };
  if (value.previousCertPem !== undefined) data[DATA_KEYS.caPrevious] = value.previousCertPem;
  return data;
}

export async function newCA(name: CAName, p: ResolvedParams, now: Date): Promise<CAValue> {
  const keyPair = await generateKeyPairAsync();
  const ca = createCA({ commonName: CA_COMMON_NAMES[name], lifetimeSeconds: p.lifetimes.caSeconds, now, keyPair });
  return { certPem: ca.certPem, keyPem: ca.keyPem, bundlePem: ca.certPem, previousCertPem: undefined };
}

async function reconcileCA(run: Run, name: CAName): Promise<CAState> {
  const stored = await run.store.get(name);
  const read = stored === undefined ? undefined : readCA(stored.data);
  if (stored !== undefined && read !== undefined && 'ok' in read && read.ok.info.notAfter.getTime() > run.now.getTime()) {
    // A CA is not replaced before it expires: that would break every client trusting
    // it at once. Near its end, the report says to rotate it (two phases).
    const { info, value } = read.ok;
    const due = renewalDue(info, run.now, run.p.lifetimes.renewAfterFraction);
    const normalized = caData(value);
    const reason = sameData(stored.data, normalized) ? `valid until ${iso(info.notAfter)}${due ? '; due for rotation' : ''}` : 'normalised: only the CA, its key and a previous CA during rotation are kept';
    await settle(run, name, stored, { data: normalized, action: 'kept', reason });
    return { value, replaced: undefined };
  }
  const reason = read === undefined ? 'missing' : 'problem' in read ? read.problem : `expired on ${iso(read.ok.info.notAfter)}`;
  const value = await newCA(name, run.p, run.now);
  await settle(run, name, stored, { data: caData(value), action: stored === undefined ? 'created' : 'renewed', reason });
  return { value, replaced: `its CA ${name} was regenerated` };
}

// ---- leaf certificates ----------------------------------------------------

function describeDrift(have: CertificateInfo, want: LeafSpec): string | undefined {
  const diff = (label: string, a: readonly string[], b: readonly string[]): string | undefined => {
    const added = b.filter((x) => !a.includes(x)).map((x) => `+${x}`);
    const removed = a.filter((x) => !b.includes(x)).map((x) => `-${x}`);
    return added.length + removed.length === 0 ? undefined : `${label} ${[...added, ...removed].join(' ')}`;
  };
  const changes = [
    have.commonName === want.commonName ? undefined : `CN ${want.commonName}`,
    diff('O', have.organizations, want.organizations),
    diff('SANs', [...have.dnsNames, ...have.ipAddresses], [...want.dnsNames, ...want.ipAddresses]),
    diff('usages', have.usages, want.usages),
  ].filter((c): c is string => c !== undefined);
  return changes.length === 0 ? undefined : `no longer matches what is wanted (${changes.join('; ')})`;
}

type LeafDecision = { renew: string } | { keep: { certPem: string; keyPem: string }; reason: string };

function decideLeaf(run: Run, spec: LeafSpec, ca: CAState, stored: StoredSecret | undefined): LeafDecision {
  if (stored === undefined) return { renew: 'missing' };
  if (run.force.has(spec.name)) return { renew: 'renewal requested' };
  if (ca.replaced !== undefined) return { renew: ca.replaced };
  const certPem = stored.data[DATA_KEYS.tlsCert];
  const keyPem = stored.data[DATA_KEYS.tlsKey];
  let info: CertificateInfo;
  try {
    if (certPem === undefined || keyPem === undefined) throw new Error('missing data');
    info = inspectCertificate(certPem);
  } catch {
    return { renew: `unparsable: ${DATA_KEYS.tlsCert} or ${DATA_KEYS.tlsKey} is missing or not readable` };
  }
  if (!keyMatchesCertificate(certPem, keyPem)) return { renew: `unparsable: ${DATA_KEYS.tlsKey} does not belong to the certificate` };
  if (!isSignedBy(certPem, ca.value.certPem)) return { renew: `not signed by the current ${spec.issuer} CA` };
  const drift = describeDrift(info, spec);
  if (drift !== undefined) return { renew: drift };
  if (info.notAfter.getTime() <= run.now.getTime()) return { renew: `expired on ${iso(info.notAfter)}` };
  if (renewalDue(info, run.now, run.p.lifetimes.renewAfterFraction)) {
    return { renew: `in its renewal window (${Math.round(run.p.lifetimes.renewAfterFraction * 100)}% of its lifetime passed; expires ${iso(info.notAfter)})` };
  }
  return { keep: { certPem, keyPem }, reason: `valid until ${iso(info.notAfter)}` };
}

function wantedKubeconfig(run: Run, spec: LeafSpec, cas: Record<CAName, CAState>, cert: { certPem: string; keyPem: string }): string | undefined {
  const server = spec.kubeconfig?.server;
  if (server === undefined) return undefined;
  return buildKubeconfig({ clusterName: run.p.clusterName, server, caPem: cas.ca.value.bundlePem, user: cert, userName: spec.commonName });
}

function kubeconfigChange(stored: string | undefined, wanted: string | undefined): string {
  if (wanted === undefined) return 'kubeconfig removed: the API server address is not known';
  if (stored === undefined) return 'kubeconfig written: the API server address is now known';
  const view = (text: string): { server?: unknown; ca?: unknown } => {
    try {
      const cluster = (parse(text) as { clusters?: { cluster?: { server?: unknown; 'certificate-authority-data'?: unknown } }[] }).clusters?.[0]?.cluster;
      return { server: cluster?.server, ca: cluster?.['certificate-authority-data'] };
    } catch {
      return {};
    }
  };
  const [a, b] = [view(stored), view(wanted)];
  if (a.server !== b.server) return `kubeconfig now points at ${String(b.server)}`;
  if (a.ca !== b.ca) return 'kubeconfig now trusts the current cluster CA bundle';
  return 'kubeconfig rewritten';
}

function leafKeyPair(run: Run, spec: LeafSpec): Promise<KeyPairPem> {
  if (spec.keyGroup === undefined) return generateKeyPairAsync();
  let pair = run.groupKeys.get(spec.keyGroup);
  if (pair === undefined) {
    pair = generateKeyPairAsync();
    run.groupKeys.set(spec.keyGroup, pair);
  }
  return pair;
}

async function reconcileLeaf(run: Run, spec: LeafSpec, cas: Record<CAName, CAState>): Promise<LeafValue> {
  const ca = cas[spec.issuer];
  const stored = await run.store.get(spec.name);
  const decision = decideLeaf(run, spec, ca, stored);
  let cert: { certPem: string; keyPem: string };
  let action: CredentialAction;
  let reason: string;
  if ('renew' in decision) {
    cert = issueCertificate(ca.value, {
      commonName: spec.commonName,
      organizations: spec.organizations,
      dnsNames: spec.dnsNames,
      ipAddresses: spec.ipAddresses,
      usages: spec.usages,
      lifetimeSeconds: run.p.lifetimes.leafSeconds,
      now: run.now,
      keyPair: await leafKeyPair(run, spec),
    });
    action = stored === undefined ? 'created' : 'renewed';
    reason = decision.renew;
  } else {
    cert = decision.keep;
    action = 'kept';
    reason = decision.reason;
  }
  const kubeconfig = wantedKubeconfig(run, spec, cas, cert);
  const data: SecretData = { [DATA_KEYS.tlsCert]: cert.certPem, [DATA_KEYS.tlsKey]: cert.keyPem };
  if (kubeconfig !== undefined) data[DATA_KEYS.kubeconfig] = kubeconfig;
  if (action === 'kept' && stored !== undefined && !sameData(stored.data, data)) {
    reason = kubeconfigChange(stored.data[DATA_KEYS.kubeconfig], kubeconfig);
  }
  await settle(run, spec.name, stored, { data, action, reason });
  return spec.kubeconfig === undefined ? { ...cert } : { ...cert, kubeconfig };
}

// ---- service-account signing key ------------------------------------------

function samePublicKey(a: string, b: string): boolean {
  try {
    return createPublicKey(a).export({ type: 'spki', format: 'der' }).equals(createPublicKey(b).export({ type: 'spki', format: 'der' }));
  } catch {
    return false;
  }
}

function isPublicKey(pem: string): boolean {
  try {
    createPublicKey(pem);
    return true;
  } catch {
    return false;
  }
}

export function serviceAccountData(privateKeyPem: string, publicKeyPem: string, previousPublicKeys: readonly string[]): SecretData {
  return {
    [DATA_KEYS.serviceAccountKey]: privateKeyPem,
    [DATA_KEYS.serviceAccountPublicKey]: publicKeyPem,
    [DATA_KEYS.serviceAccountBundle]: joinPem([publicKeyPem, ...previousPublicKeys]),
  };
}

/** The public keys in the bundle other than the current one. */
export function previousPublicKeys(data: SecretData, currentPublicKeyPem: string): string[] {
  return splitPem(data[DATA_KEYS.serviceAccountBundle] ?? '').filter((k) => isPublicKey(k) && !samePublicKey(k, currentPublicKeyPem));
}

/** The signing key and its public key, or undefined when there is none yet; throws when it is unreadable. */
function readServiceAccountKey(run: Run, stored: StoredSecret | undefined): { privateKeyPem: string; publicKeyPem: string } | undefined {
  if (stored === undefined) return undefined;
  const privateKeyPem = stored.data[DATA_KEYS.serviceAccountKey] ?? '';
  try {
    return { privateKeyPem, publicKeyPem: publicKeyOf(privateKeyPem) };
  } catch (cause) {
    // Replacing the key would invalidate every service-account token the shoot has issued.
    throw conflict(`The service-account signing key of shoot ${run.p.shootName} (Secret ${SERVICE_ACCOUNT_KEY}) is unreadable, and kubegarden will not replace it.`, {
      hint: 'Restore the Secret from a backup; deleting it makes kubegarden generate a new key, which invalidates every issued service-account token.',
      cause,
    });
  }
}

async function reconcileServiceAccountKey(
  run: Run,
  stored: StoredSecret | undefined,
  current: { privateKeyPem: string; publicKeyPem: string } | undefined,
): Promise<ServiceAccountKeyValue> {
  let outcome: Outcome;
  if (stored === undefined || current === undefined) {
    const pair = await generateKeyPairAsync();
    outcome = { data: serviceAccountData(pair.privateKeyPem, pair.publicKeyPem, []), action: 'created', reason: 'missing' };
  } else {
    // Public keys are derived data: rewritten from the signing key when they do not match it.
    const stale = stored.data[DATA_KEYS.serviceAccountPublicKey];
    const publicKeyPem = stale !== undefined && samePublicKey(stale, current.publicKeyPem) ? stale : current.publicKeyPem;
    outcome = {
      data: serviceAccountData(current.privateKeyPem, publicKeyPem, previousPublicKeys(stored.data, current.publicKeyPem)),
      action: 'kept',
      reason: 'kept: never regenerated (rotate it in two phases)',
    };
    if (!sameData(stored.data, outcome.data)) outcome.reason = 'public keys rewritten from the signing key';
  }
  await settle(run, SERVICE_ACCOUNT_KEY, stored, outcome);
  return {
    privateKeyPem: outcome.data[DATA_KEYS.serviceAccountKey] ?? '',
    publicKeyPem: outcome.data[DATA_KEYS.serviceAccountPublicKey] ?? '',
    bundlePem: outcome.data[DATA_KEYS.serviceAccountBundle] ?? '',
    issuer: run.p.serviceAccountIssuer,
  };
}

// ---- encryption at rest -----------------------------------------------------

/** Throws when a stored encryption configuration is unreadable: its key cannot be replaced. */
function checkEncryptionConfig(run: Run, stored: StoredSecret | undefined): void {
  const text = stored?.data[DATA_KEYS.encryptionConfig];
  if (stored !== undefined && (text === undefined || !isValidEncryptionConfig(text))) {
    throw conflict(`The encryption configuration of shoot ${run.p.shootName} (Secret ${ENCRYPTION_CONFIG}) is unreadable, and kubegarden will not replace it.`, {
      hint: 'Restore the Secret from a backup: without its key, the Secrets stored in the shoot are unreadable.',
    });
  }
}

async function reconcileEncryptionConfig(run: Run, stored: StoredSecret | undefined): Promise<string> {
  const text = stored?.data[DATA_KEYS.encryptionConfig];
  const outcome: Outcome =
    stored === undefined || text === undefined
      ? { data: { [DATA_KEYS.encryptionConfig]: generateEncryptionConfig(run.now) }, action: 'created', reason: 'missing' }
      : { data: { [DATA_KEYS.encryptionConfig]: text }, action: 'kept', reason: 'kept: never regenerated' };
  await settle(run, ENCRYPTION_CONFIG, stored, outcome);
  return outcome.data[DATA_KEYS.encryptionConfig] ?? '';
}

// ---- kubelet bootstrap token ------------------------------------------------

async function reconcileBootstrapToken(run: Run): Promise<BootstrapTokenValue> {
  const stored = await run.store.get(BOOTSTRAP_TOKEN);
  const current = stored === undefined ? undefined : readBootstrapToken(stored.data);
  const ttl = run.p.lifetimes.bootstrapTokenSeconds;
  let renew: string | undefined;
  if (stored === undefined) renew = 'missing';
  else if (current === undefined) renew = 'unparsable: not a bootstrap token';
  else if (run.force.has(BOOTSTRAP_TOKEN)) renew = 'renewal requested';
  else if (current.expiration.getTime() <= run.now.getTime()) renew = `expired on ${iso(current.expiration)}`;
  else if (current.expiration.getTime() - run.now.getTime() < (1 - run.p.lifetimes.renewAfterFraction) * ttl * 1000) {
    renew = `expires soon (${iso(current.expiration)})`;
  }
  const token = renew === undefined && current !== undefined ? current : generateBootstrapToken(run.now, ttl);
  await settle(run, BOOTSTRAP_TOKEN, stored, {
    data: bootstrapTokenData(token),
    action: renew === undefined ? 'kept' : stored === undefined ? 'created' : 'renewed',
    reason: renew ?? `valid until ${iso(token.expiration)}`,
  });
  return token;
}

// ---- VPN tls-auth key -------------------------------------------------------

async function reconcileVPNTLSAuth(run: Run): Promise<string> {
  const stored = await run.store.get(VPN_TLS_AUTH);
  const text = stored?.data[DATA_KEYS.vpnTLSAuth];
  let renew: string | undefined;
  if (stored === undefined) renew = 'missing';
  else if (text === undefined || readOpenVPNStaticKey(text) === undefined) renew = 'unparsable: not an OpenVPN static key';
  else if (run.force.has(VPN_TLS_AUTH)) renew = 'renewal requested';
  const key = renew === undefined && text !== undefined ? text : generateOpenVPNStaticKey();
  await settle(run, VPN_TLS_AUTH, stored, {
    data: { [DATA_KEYS.vpnTLSAuth]: key },
    action: renew === undefined ? 'kept' : stored === undefined ? 'created' : 'renewed',
    reason: renew ?? 'kept',
  });
  return key;
}
