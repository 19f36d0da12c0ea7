// Shared fixtures for the PKI specs. RSA key generation dominates their cost, so
// one full credential set is generated once per mocha process and every spec
// starts from a copy of it.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { InMemorySecretStore } from '../../../src/lib/pki/store.ts';
import type { StoredSecret } from '../../../src/lib/pki/store.ts';
import { reconcileCredentials } from '../../../src/lib/pki/reconcile.ts';
import type { ShootCredentialsParams } from '../../../src/lib/pki/catalog.ts';
import type { ReconcileResult } from '../../../src/lib/pki/types.ts';

export const NOW = new Date('2026-03-01T12:00:00Z');
export const DAY_MS = 24 * 60 * 60 * 1000;
export const YEAR_MS = 365 * DAY_MS;

export const PARAMS: ShootCredentialsParams = {
  shootName: 'demo',
  namespace: 'shoot--dev--demo',
  servicesCIDR: '100.64.0.0/13',
};

export function after(ms: number): Date {
  return new Date(NOW.getTime() + ms);
}

let baseline: Promise<{ store: InMemorySecretStore; result: ReconcileResult }> | undefined;

/** A fresh copy of one shoot's full credential set, generated at NOW from an empty store. */
export async function baselineStore(): Promise<{ store: InMemorySecretStore; result: ReconcileResult }> {
  baseline ??= (async () => {
    const store = new InMemorySecretStore();
    const result = await reconcileCredentials(store, PARAMS, { now: NOW });
    return { store, result };
  })();
  const { store, result } = await baseline;
  return { store: store.clone(), result };
}

/** A store holding a copy of a snapshot's Secrets. */
export function storeFrom(snapshot: Record<string, StoredSecret>): InMemorySecretStore {
  const store = new InMemorySecretStore();
  for (const [name, secret] of Object.entries(snapshot)) store.secrets.set(name, { data: { ...secret.data }, labels: { ...secret.labels } });
  return store;
}

/** Names of the Secrets whose data or labels differ between two snapshots (added and removed ones included). */
export function changedSecrets(before: Record<string, StoredSecret>, afterwards: Record<string, StoredSecret>): string[] {
  const names = new Set([...Object.keys(before), ...Object.keys(afterwards)]);
  return [...names].filter((name) => JSON.stringify(before[name]) !== JSON.stringify(afterwards[name])).sort();
}

/** Names of the data keys that differ between two versions of one Secret. */
export function changedKeys(before: StoredSecret | undefined, afterwards: StoredSecret | undefined): string[] {
  const a = before?.data ?? {};
  const b = afterwards?.data ?? {};
  return [...new Set([...Object.keys(a), ...Object.keys(b)])].filter((k) => a[k] !== b[k]).sort();
}

export interface OpensslResult {
  ok: boolean;
  output: string;
}

/**
 * `openssl verify` of certPem against the CA bundle, at a given time, strict about
 * X.509 structure and, when asked, about the TLS purpose (the extended key usage).
 */
export function opensslVerify(caBundlePem: string, certPem: string, options: { at?: Date; purpose?: 'sslserver' | 'sslclient' } = {}): OpensslResult {
  const dir = mkdtempSync(join(tmpdir(), 'kubegarden-pki-'));
  try {
    writeFileSync(join(dir, 'ca.pem'), caBundlePem);
    writeFileSync(join(dir, 'cert.pem'), certPem);
    const args = ['verify', '-x509_strict', '-attime', String(Math.floor((options.at ?? NOW).getTime() / 1000)), '-CAfile', join(dir, 'ca.pem')];
    if (options.purpose !== undefined) args.push('-purpose', options.purpose);
    args.push(join(dir, 'cert.pem'));
    try {
      const output = execFileSync('/usr/bin/openssl', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
      return { ok: true, output };
    } catch (err) {
      const e = err as { stdout?: string; stderr?: string };
      return { ok: false, output: `${e.stdout ?? ''}${e.stderr ?? ''}` };
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

interface KubeconfigView {
  server: string;
  caPem: string;
  certPem?: string;
  keyPem?: string;
  token?: string;
  currentContext: string;
}

/** The parts of a kubeconfig a client uses, decoded. */
export function readKubeconfig(text: string): KubeconfigView {
  const doc = parse(text) as {
    'current-context': string;
    contexts: { name: string; context: { cluster: string; user: string } }[];
    clusters: { name: string; cluster: { server: string; 'certificate-authority-data': string } }[];
    users: { name: string; user: { 'client-certificate-data'?: string; 'client-key-data'?: string; token?: string } }[];
  };
  const context = doc.contexts.find((c) => c.name === doc['current-context'])?.context;
  const cluster = doc.clusters.find((c) => c.name === context?.cluster)?.cluster;
  const user = doc.users.find((u) => u.name === context?.user)?.user;
  if (context === undefined || cluster === undefined || user === undefined) throw new Error('kubeconfig does not resolve its current context');
  const decode = (b64: string | undefined): string | undefined => (b64 === undefined ? undefined : Buffer.from(b64, 'base64').toString('utf8'));
  const view: KubeconfigView = {
    server: cluster.server,
    caPem: decode(cluster['certificate-authority-data']) ?? '',
    currentContext: doc['current-context'],
  };
  const certPem = decode(user['client-certificate-data']);
  const keyPem = decode(user['client-key-data']);
  if (certPem !== undefined) view.certPem = certPem;
  if (keyPem !== undefined) view.keyPem = keyPem;
  if (user.token !== undefined) view.token = user.token;
  return view;
}
