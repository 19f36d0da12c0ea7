// The few X.509 operations everything else in kubegarden is built from: key
// pairs, certificate authorities and leaf certificates, all PEM in and out.
// Keys come from node-forge's generateKeyPair, whose default path is Node's
// native crypto (synchronous, or asynchronous with a callback). node-forge builds the certificates, but
// the signature itself is computed natively: forge's pure-JavaScript RSA takes
// ~30 ms per signature, Node's ~1 ms, and the bytes are the same (PKCS#1 v1.5).
import { createPrivateKey, randomBytes, sign } from 'node:crypto';
import forge from 'node-forge';

export interface KeyPairPem {
  /** PKCS#1 ("RSA PRIVATE KEY"), as node-forge writes it. */
  privateKeyPem: string;
  /** SubjectPublicKeyInfo ("PUBLIC KEY"). */
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
  /** Certify this key pair instead of generating one (e.g. one made with generateKeyPairAsync). */
  keyPair?: KeyPairPem;
}

export interface CARequest {
  commonName: string;
  lifetimeSeconds: number;
  now?: Date;
  /** Use this key pair instead of generating one. */
  keyPair?: KeyPairPem;
}

/** Kubernetes and etcd accept nothing weaker; neither do we. */
export const RSA_BITS = 2048;

const BACKDATE_SECONDS = 60; // tolerate small clock differences between machines

export function generateKeyPair(bits = RSA_BITS): KeyPairPem {
  const pair = forge.pki.rsa.generateKeyPair({ bits });
  return {
    privateKeyPem: lf(forge.pki.privateKeyToPem(pair.privateKey)),
    publicKeyPem: lf(forge.pki.publicKeyToPem(pair.publicKey)),
  };
}

/**
 * Like generateKeyPair, but off the main thread (libuv's thread pool), so that
 * several keys are generated in parallel on a multi-core machine.
 */
export function generateKeyPairAsync(bits = RSA_BITS): Promise<KeyPairPem> {
  // node-forge's callback form hands the work to Node's native, asynchronous
  // crypto.generateKeyPair: the issue's "keep node-forge's default path".
  return new Promise((resolve, reject) => {
    forge.pki.rsa.generateKeyPair({ bits }, (err, pair) => {
      if (err) return reject(err);
      resolve({ privateKeyPem: lf(forge.pki.privateKeyToPem(pair.privateKey)), publicKeyPem: lf(forge.pki.publicKeyToPem(pair.publicKey)) });
    });
  });
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

// Public in node-forge, missing from its typings.
const forgePki = forge.pki as typeof forge.pki & {
  getTBSCertificate(cert: forge.pki.Certificate): forge.asn1.Asn1;
};

/** What cert.sign(key, sha256) does, with Node computing the signature. */
function signWithSha256(cert: forge.pki.Certificate, signerKeyPem: string): string {
  const oid = forge.pki.oids['sha256WithRSAEncryption'];
  if (oid === undefined) throw new Error('node-forge does not know sha256WithRSAEncryption');
  cert.signatureOid = oid;
  cert.siginfo.algorithmOid = oid;
  const tbs = forgePki.getTBSCertificate(cert);
  const der = Buffer.from(forge.asn1.toDer(tbs).getBytes(), 'binary');
  // certificateToAsn1 reuses a cached TBS when present (as cert.sign leaves it).
  (cert as forge.pki.Certificate & { tbsCertificate: forge.asn1.Asn1 }).tbsCertificate = tbs;
  cert.signature = sign('sha256', der, createPrivateKey(signerKeyPem)).toString('binary');
  return lf(forge.pki.certificateToPem(cert));
}

/** forge writes PEM with CRLF; Secrets and bundles read better with LF, and every consumer takes both. */
function lf(pem: string): string {
  return pem.replace(/\r\n/g, '\n');
}

function keyPairOrNew(keyPair: KeyPairPem | undefined): KeyPairPem {
  return keyPair ?? generateKeyPair();
}

export function createCA(req: CARequest): CertificateAndKey {
  const keys = keyPairOrNew(req.keyPair);
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(keys.publicKeyPem);
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
  return { certPem: signWithSha256(cert, keys.privateKeyPem), keyPem: keys.privateKeyPem };
}

export function issueCertificate(ca: CertificateAndKey, req: CertificateRequest): CertificateAndKey {
  // A bundle (rotation) may follow the CA certificate; the first one signs.
  const caCert = forge.pki.certificateFromPem(ca.certPem);
  const keys = keyPairOrNew(req.keyPair);
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(keys.publicKeyPem);
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
  return { certPem: signWithSha256(cert, ca.keyPem), keyPem: keys.privateKeyPem };
}
