// Kubeconfigs with everything embedded (no file references), and short-lived
// admin kubeconfigs signed by a shoot's client CA.
import { stringify } from 'yaml';
import { invalid } from '../ui/errors.ts';
import { generateKeyPairAsync, issueCertificate } from './primitives.ts';
import type { CAValue } from './types.ts';

export type KubeconfigUser = { certPem: string; keyPem: string } | { token: string };

export interface KubeconfigInput {
  clusterName: string;
  /** https URL of the API server. */
  server: string;
  /** CA bundle the client trusts for the server. */
  caPem: string;
  user: KubeconfigUser;
  /** Name of the user entry; defaults to clusterName. */
  userName?: string;
}

const b64 = (text: string): string => Buffer.from(text, 'utf8').toString('base64');

/** A kubeconfig YAML with one cluster, one user and one context, all named after the cluster. */
export function buildKubeconfig(input: KubeconfigInput): string {
  const userName = input.userName ?? input.clusterName;
  const user =
    'token' in input.user
      ? { token: input.user.token }
      : { 'client-certificate-data': b64(input.user.certPem), 'client-key-data': b64(input.user.keyPem) };
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: input.clusterName, cluster: { server: input.server, 'certificate-authority-data': b64(input.caPem) } }],
    users: [{ name: userName, user }],
    contexts: [{ name: input.clusterName, context: { cluster: input.clusterName, user: userName } }],
    'current-context': input.clusterName,
    preferences: {},
  });
}

/** The CAs an admin kubeconfig needs: the cluster CA to trust, the client CA to sign with. */
export interface AdminCASet {
  ca: Pick<CAValue, 'bundlePem'>;
  'ca-client': Pick<CAValue, 'certPem' | 'keyPem'>;
}

export interface AdminKubeconfigRequest {
  server: string;
  /** The certificate's CN: who the API server's audit log names. */
  user: string;
  expirationSeconds: number;
  now?: Date;
  /** Longest validity allowed; default 24h. */
  maxExpirationSeconds?: number;
  clusterName?: string;
}

export const DEFAULT_MAX_ADMIN_EXPIRATION_SECONDS = 24 * 60 * 60;

export interface AdminKubeconfig {
  kubeconfig: string;
  expiresAt: Date;
}

/** A kubeconfig for a member of system:masters, valid for expirationSeconds. */
export async function issueAdminKubeconfig(cas: AdminCASet, req: AdminKubeconfigRequest): Promise<AdminKubeconfig> {
  const max = req.maxExpirationSeconds ?? DEFAULT_MAX_ADMIN_EXPIRATION_SECONDS;
  if (!Number.isInteger(req.expirationSeconds) || req.expirationSeconds <= 0) {
    throw invalid(`The admin kubeconfig expiration must be a whole number of seconds above zero, not ${req.expirationSeconds}.`);
  }
  if (req.expirationSeconds > max) {
    throw invalid(
      `An admin kubeconfig may be valid for at most ${formatDuration(max)}, and ${formatDuration(req.expirationSeconds)} was requested.`,
    );
  }
  if (req.user.trim() === '') throw invalid('The admin kubeconfig needs a user name.');
  const now = req.now ?? new Date();
  const issued = issueCertificate(cas['ca-client'], {
    commonName: req.user,
    organizations: ['system:masters'],
    usages: ['client'],
    lifetimeSeconds: req.expirationSeconds,
    now,
    keyPair: await generateKeyPairAsync(),
  });
  const clusterName = req.clusterName ?? 'shoot';
  return {
    kubeconfig: buildKubeconfig({ clusterName, server: req.server, caPem: cas.ca.bundlePem, user: issued, userName: req.user }),
    expiresAt: new Date(now.getTime() + req.expirationSeconds * 1000),
  };
}

/** 90 -> "1m30s", 86400 -> "24h". */
export function formatDuration(seconds: number): string {
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  const parts = [h > 0 ? `${h}h` : '', m > 0 ? `${m}m` : '', s > 0 ? `${s}s` : ''].join('');
  return parts === '' ? '0s' : parts;
}
