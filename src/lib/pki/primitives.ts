// The few X.509 operations everything else in kubegarden is built from: key
// pairs, certificate authorities and leaf certificates, all PEM in and out.
// Key generation goes through node-forge's default path, which uses Node's
// native crypto; node-forge then builds and signs the certificates.
import { randomBytes } from 'node:crypto';
import forge from 'node-forge';

export interface KeyPairPem {
  privateKeyPem: string;
  publicKeyPem: string;
}

export interface CertificateAndKey {
  certPem: string;
  keyPem: string;
}

export type Usage = 'server' | 'client';

export interface CertificateRequest {
  commonName: string;
  organizations?: readonly string[];
  dnsNames?: readonly string[];
  ipAddresses?: readonly string[];
  usages: readonly Usage[];
  /** Lifetime in seconds. */
  lifetimeSeconds: number;
  /** Clock for tests; defaults to now. */
  now?: Date;
}

export interface CARequest {
  commonName: string;
  lifetimeSeconds: number;
  now?: Date;
}

const BACKDATE_SECONDS = 60; // tolerate small clock differences between machines

export function generateKeyPair(bits = 2048): KeyPairPem {
  const pair = forge.pki.rsa.generateKeyPair({ bits });
  return {
    privateKeyPem: forge.pki.privateKeyToPem(pair.privateKey),
    publicKeyPem: forge.pki.publicKeyToPem(pair.publicKey),
  };
}

function serialNumber(): string {
  // Positive 128-bit serial: clear the top bit so DER does not read it as negative.
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0] ?? 0) & 0x7f;
  return bytes.toString('hex');
}

function validity(cert: forge.pki.Certificate, now: Date, lifetimeSeconds: number): void {
  cert.validity.notBefore = new Date(now.getTime() - BACKDATE_SECONDS * 1000);
  cert.validity.notAfter = new Date(now.getTime() + lifetimeSeconds * 1000);
}

function subject(commonName: string, organizations: readonly string[] = []): forge.pki.CertificateField[] {
  return [...organizations.map((value) => ({ shortName: 'O', value })), { shortName: 'CN', value: commonName }];
}

export function createCA(req: CARequest): CertificateAndKey {
  const keys = forge.pki.rsa.generateKeyPair({ bits: 2048 });
  const cert = forge.pki.createCertificate();
  cert.publicKey = keys.publicKey;
  cert.serialNumber = serialNumber();
  validity(cert, req.now ?? new Date(), req.lifetimeSeconds);
  const attrs = subject(req.commonName);
  cert.setSubject(attrs);
  cert.setIssuer(attrs);
  cert.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  cert.sign(keys.privateKey, forge.md.sha256.create());
  return { certPem: forge.pki.certificateToPem(cert), keyPem: forge.pki.privateKeyToPem(keys.privateKey) };
}

export function issueCertificate(ca: CertificateAndKey, req: CertificateRequest): CertificateAndKey {
  const caCert = forge.pki.certificateFromPem(ca.certPem);
  const caKey = forge.pki.privateKeyFromPem(ca.keyPem);
  const keys = forge.pki.rsa.generateKeyPair({ bits: 2048 });
  const cert = forge.pki.createCertificate();
  cert.publicKey = keys.publicKey;
  cert.serialNumber = serialNumber();
  validity(cert, req.now ?? new Date(), req.lifetimeSeconds);
  cert.setSubject(subject(req.commonName, req.organizations));
  cert.setIssuer(caCert.subject.attributes);
  const altNames = [
    ...(req.dnsNames ?? []).map((value) => ({ type: 2, value })),
    ...(req.ipAddresses ?? []).map((ip) => ({ type: 7, ip })),
  ];
  const extensions: object[] = [
    { name: 'basicConstraints', cA: false, critical: true },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: req.usages.includes('server'), clientAuth: req.usages.includes('client') },
    { name: 'subjectKeyIdentifier' },
    { name: 'authorityKeyIdentifier', keyIdentifier: caCert.generateSubjectKeyIdentifier().getBytes() },
  ];
  if (altNames.length > 0) extensions.push({ name: 'subjectAltName', altNames });
  cert.setExtensions(extensions);
  cert.sign(caKey, forge.md.sha256.create());
  return { certPem: forge.pki.certificateToPem(cert), keyPem: forge.pki.privateKeyToPem(keys.privateKey) };
}
