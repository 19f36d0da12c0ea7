// The kubelet's side of TLS bootstrapping: a PKCS#10 request for its client
// certificate and the CertificateSigningRequest object that carries it.
import { createHash, createPublicKey, X509Certificate } from 'node:crypto';
import forge from 'node-forge';
import type { KubeObject } from '../kube/client.ts';
import type { KeyPairPem } from '../pki/primitives.ts';

export const KUBELET_CLIENT_SIGNER = 'kubernetes.io/kube-apiserver-client-kubelet';
export const KUBELET_CLIENT_USAGES = ['digital signature', 'client auth'] as const;

export function nodeUser(nodeName: string): string {
  return `system:node:${nodeName}`;
}

/** A PEM certificate request for CN system:node:<name>, O system:nodes, signed by the key. */
export function kubeletClientRequestPem(nodeName: string, keyPair: KeyPairPem): string {
  const csr = forge.pki.createCertificationRequest();
  csr.publicKey = forge.pki.publicKeyFromPem(keyPair.publicKeyPem);
  csr.setSubject([
    { shortName: 'O', value: 'system:nodes' },
    { shortName: 'CN', value: nodeUser(nodeName) },
  ]);
  csr.sign(forge.pki.privateKeyFromPem(keyPair.privateKeyPem), forge.md.sha256.create());
  return forge.pki.certificationRequestToPem(csr).replace(/\r\n/g, '\n');
}

/**
 * The CSR's name follows from the key and subject, like the kubelet's
 * node-csr-<digest>: a machine that restarts mid-bootstrap finds its own request again.
 */
export function csrName(nodeName: string, keyPair: KeyPairPem): string {
  const digest = createHash('sha256').update(keyPair.publicKeyPem).update('\0').update(nodeUser(nodeName)).update('\0').update(KUBELET_CLIENT_USAGES.join(',')).digest('hex');
  return `node-csr-${digest.slice(0, 40)}`;
}

export function kubeletClientCsr(nodeName: string, keyPair: KeyPairPem): KubeObject {
  return {
    apiVersion: 'certificates.k8s.io/v1',
    kind: 'CertificateSigningRequest',
    metadata: { name: csrName(nodeName, keyPair) },
    spec: {
      request: Buffer.from(kubeletClientRequestPem(nodeName, keyPair), 'utf8').toString('base64'),
      signerName: KUBELET_CLIENT_SIGNER,
      usages: [...KUBELET_CLIENT_USAGES],
    },
  };
}

export interface IssuedCertificate {
  subject: string;
  issuer: string;
  notAfter: Date;
}

/** Reads a certificate and checks it certifies this key; undefined when it does not parse or does not match. */
export function inspectIssued(certPem: string, keyPair: KeyPairPem): IssuedCertificate | undefined {
  try {
    const cert = new X509Certificate(certPem);
    const certKey = cert.publicKey.export({ type: 'spki', format: 'der' });
    const ourKey = createPublicKey(keyPair.publicKeyPem).export({ type: 'spki', format: 'der' });
    if (!certKey.equals(ourKey)) return undefined;
    return { subject: cert.subject, issuer: cert.issuer, notAfter: new Date(cert.validTo) };
  } catch {
    return undefined;
  }
}
