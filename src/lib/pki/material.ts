// Secrets that are not certificates: the kubelet bootstrap token, the key
// that encrypts Secrets at rest, and OpenVPN's tls-auth static key. Each comes
// with a reader that returns undefined when stored text is not well formed.
import { randomBytes, randomInt } from 'node:crypto';
import { parse, stringify } from 'yaml';
import { BOOTSTRAP_TOKEN_GROUP, DATA_KEYS } from './catalog.ts';
import type { BootstrapTokenValue } from './types.ts';

// ---- bootstrap token -------------------------------------------------------

const TOKEN_ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';
export const BOOTSTRAP_TOKEN_PATTERN = /^([a-z0-9]{6})\.([a-z0-9]{16})$/;

function randomTokenPart(length: number): string {
  // randomInt is uniform over the alphabet, unlike taking random bytes modulo 36.
  return Array.from({ length }, () => TOKEN_ALPHABET[randomInt(TOKEN_ALPHABET.length)]).join('');
}

/** RFC 3339 in UTC without fractions, the form the bootstrap token Secret's `expiration` expects. */
function rfc3339(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export function generateBootstrapToken(now: Date, ttlSeconds: number): BootstrapTokenValue {
  const expiration = new Date(Math.floor(now.getTime() / 1000) * 1000 + ttlSeconds * 1000);
  return bootstrapTokenValue(randomTokenPart(6), randomTokenPart(16), expiration);
}

/** The data of the bootstrap-token Secret in the seed (and, verbatim, in the shoot). */
export function bootstrapTokenData(token: BootstrapTokenValue): Record<string, string> {
  return {
    [DATA_KEYS.tokenId]: token.id,
    [DATA_KEYS.tokenSecret]: token.secret,
    [DATA_KEYS.expiration]: rfc3339(token.expiration),
    [DATA_KEYS.usageAuthentication]: 'true',
    [DATA_KEYS.usageSigning]: 'true',
    [DATA_KEYS.authExtraGroups]: BOOTSTRAP_TOKEN_GROUP,
    [DATA_KEYS.description]: 'Lets kubelets of this shoot request their client certificate; created by kubegarden.',
  };
}

function bootstrapTokenValue(id: string, secret: string, expiration: Date): BootstrapTokenValue {
  const value: BootstrapTokenValue = {
    id,
    secret,
    token: `${id}.${secret}`,
    expiration,
    shootSecret: { namespace: 'kube-system', name: `bootstrap-token-${id}`, type: 'bootstrap.kubernetes.io/token', stringData: {} },
  };
  value.shootSecret.stringData = bootstrapTokenData(value);
  return value;
}

export function readBootstrapToken(data: Record<string, string>): BootstrapTokenValue | undefined {
  const id = data[DATA_KEYS.tokenId];
  const secret = data[DATA_KEYS.tokenSecret];
  const expiration = new Date(data[DATA_KEYS.expiration] ?? '');
  if (!BOOTSTRAP_TOKEN_PATTERN.test(`${id}.${secret}`) || Number.isNaN(expiration.getTime())) return undefined;
  return bootstrapTokenValue(id as string, secret as string, expiration);
}

// ---- encryption at rest ----------------------------------------------------

const AESCBC_KEY_BYTES = 32;

/** An EncryptionConfiguration that encrypts Secrets with one new AES-CBC key, reading plain ones too. */
export function generateEncryptionConfig(now: Date): string {
  // The key name records when it was made, so a later key rotation can add a second one beside it.
  const name = `key${Math.floor(now.getTime() / 1000)}`;
  return stringify({
    apiVersion: 'apiserver.config.k8s.io/v1',
    kind: 'EncryptionConfiguration',
    resources: [
      {
        resources: ['secrets'],
        providers: [{ aescbc: { keys: [{ name, secret: randomBytes(AESCBC_KEY_BYTES).toString('base64') }] } }, { identity: {} }],
      },
    ],
  });
}

/** True when text is an EncryptionConfiguration whose first provider is aescbc with 32-byte keys. */
export function isValidEncryptionConfig(text: string): boolean {
  try {
    const doc = parse(text) as {
      apiVersion?: unknown;
      kind?: unknown;
      resources?: { providers?: { aescbc?: { keys?: { name?: unknown; secret?: unknown }[] } }[] }[];
    };
    if (doc.apiVersion !== 'apiserver.config.k8s.io/v1' || doc.kind !== 'EncryptionConfiguration') return false;
    const keys = doc.resources?.[0]?.providers?.[0]?.aescbc?.keys ?? [];
    return (
      keys.length > 0 &&
      keys.every((k) => typeof k.name === 'string' && typeof k.secret === 'string' && Buffer.from(k.secret, 'base64').length === AESCBC_KEY_BYTES)
    );
  } catch {
    return false;
  }
}

// ---- OpenVPN tls-auth ------------------------------------------------------

const STATIC_KEY_BYTES = 256; // 2048 bits, what `openvpn --genkey secret` writes
const STATIC_KEY_BEGIN = '-----BEGIN OpenVPN Static key V1-----';
const STATIC_KEY_END = '-----END OpenVPN Static key V1-----';

export function generateOpenVPNStaticKey(): string {
  const hex = randomBytes(STATIC_KEY_BYTES).toString('hex');
  const lines = hex.match(/.{32}/g) ?? [];
  return ['#', '# 2048 bit OpenVPN static key', '#', STATIC_KEY_BEGIN, ...lines, STATIC_KEY_END, ''].join('\n');
}

/** The key bytes of an OpenVPN static key file, or undefined when it is not one. */
export function readOpenVPNStaticKey(text: string): Buffer | undefined {
  const begin = text.indexOf(STATIC_KEY_BEGIN);
  const end = text.indexOf(STATIC_KEY_END);
  if (begin < 0 || end < begin) return undefined;
  const hex = text.slice(begin + STATIC_KEY_BEGIN.length, end).replace(/\s+/g, '');
  if (!/^[0-9a-f]+$/i.test(hex) || hex.length !== STATIC_KEY_BYTES * 2) return undefined;
  return Buffer.from(hex, 'hex');
}
