// Reading certificates back: what they certify, who signed them, whether a key
// belongs to them. Verification is Node's native X509Certificate; the
// structured view of names and usages comes from node-forge.
import { X509Certificate, createPrivateKey, createPublicKey } from 'node:crypto';
import forge from 'node-forge';
import { canonicalIp } from './addresses.ts';
import type { Usage } from './primitives.ts';

export interface CertificateInfo {
  commonName: string;
  organizations: string[];
  /** Sorted. */
  dnsNames: string[];
  /** Sorted, canonical text. */
  ipAddresses: string[];
  /** Extended key usages this certificate allows, sorted. */
  usages: Usage[];
  isCA: boolean;
  notBefore: Date;
  notAfter: Date;
}

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----\r?\n[\s\S]*?\r?\n-----END \1-----/g;

/** The PEM blocks of a bundle, each ending with a newline. */
export function splitPem(bundle: string): string[] {
  return [...bundle.matchAll(PEM_BLOCK)].map((m) => `${m[0]}\n`);
}

export function joinPem(blocks: readonly string[]): string {
  return blocks.map((b) => (b.endsWith('\n') ? b : `${b}\n`)).join('');
}

/** Throws when pem holds no readable certificate. */
export function inspectCertificate(pem: string): CertificateInfo {
  const cert = forge.pki.certificateFromPem(pem);
  const organizations: string[] = cert.subject.attributes
    .filter((a) => a.shortName === 'O')
    .map((a) => String(a.value));
  const commonName = cert.subject.getField('CN') as { value?: unknown } | null;
  const san = cert.getExtension('subjectAltName') as { altNames?: { type: number; value?: string; ip?: string }[] } | null;
  const altNames = san?.altNames ?? [];
  const eku = cert.getExtension('extKeyUsage') as { serverAuth?: boolean; clientAuth?: boolean } | null;
  const basic = cert.getExtension('basicConstraints') as { cA?: boolean } | null;
  const usages: Usage[] = [];
  if (eku?.clientAuth === true) usages.push('client');
  if (eku?.serverAuth === true) usages.push('server');
  return {
    commonName: commonName?.value === undefined ? '' : String(commonName.value),
    organizations: organizations.sort(),
    dnsNames: altNames.filter((n) => n.type === 2).map((n) => String(n.value)).sort(),
    ipAddresses: altNames.filter((n) => n.type === 7).map((n) => canonicalIp(String(n.ip)) ?? String(n.ip)).sort(),
    usages,
    isCA: basic?.cA === true,
    notBefore: cert.validity.notBefore,
    notAfter: cert.validity.notAfter,
  };
}

/** True when caPem's (first) certificate issued certPem and its signature verifies. */
export function isSignedBy(certPem: string, caPem: string): boolean {
  try {
    const cert = new X509Certificate(certPem);
    const ca = new X509Certificate(caPem);
    return cert.checkIssued(ca) && cert.verify(ca.publicKey);
  } catch {
    return false;
  }
}

/** True when the private key keyPem belongs to the certificate certPem. */
export function keyMatchesCertificate(certPem: string, keyPem: string): boolean {
  try {
    return new X509Certificate(certPem).checkPrivateKey(createPrivateKey(keyPem));
  } catch {
    return false;
  }
}

/** The SubjectPublicKeyInfo PEM of a private key; throws when keyPem is not one. */
export function publicKeyOf(privateKeyPem: string): string {
  return createPublicKey(createPrivateKey(privateKeyPem)).export({ type: 'spki', format: 'pem' }).toString();
}
