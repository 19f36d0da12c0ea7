import { strict as assert } from 'node:assert';
import forge from 'node-forge';
import { csrName, inspectIssued, kubeletClientCsr, kubeletClientRequestPem } from '../../../src/lib/machines/csr.ts';
import { createCA, generateKeyPair, issueCertificate } from '../../../src/lib/pki/primitives.ts';

describe('kubelet client certificate requests', () => {
  const keyPair = generateKeyPair();

  it('asks for CN system:node:<name>, O system:nodes, signed by the machine key', () => {
    const csr = forge.pki.certificationRequestFromPem(kubeletClientRequestPem('blue-1', keyPair));
    assert.ok(csr.verify(), 'self-signed by the key it certifies');
    assert.equal(csr.subject.getField('CN').value, 'system:node:blue-1');
    assert.equal(csr.subject.getField('O').value, 'system:nodes');
    assert.equal(forge.pki.publicKeyToPem(csr.publicKey as forge.pki.rsa.PublicKey).replace(/\r\n/g, '\n'), keyPair.publicKeyPem);
  });

  it('is a certificates.k8s.io/v1 CSR for the kubelet client signer, named after key and node', () => {
    const obj = kubeletClientCsr('blue-1', keyPair) as unknown as { metadata: { name: string }; spec: { signerName: string; usages: string[]; request: string } };
    assert.equal(obj.spec.signerName, 'kubernetes.io/kube-apiserver-client-kubelet');
    assert.deepEqual(obj.spec.usages, ['digital signature', 'client auth']);
    assert.match(Buffer.from(obj.spec.request, 'base64').toString(), /^-----BEGIN CERTIFICATE REQUEST-----/);
    assert.equal(obj.metadata.name, csrName('blue-1', keyPair));
    assert.notEqual(csrName('blue-2', keyPair), csrName('blue-1', keyPair));
  });

  it('accepts an issued certificate only when it certifies the machine key', () => {
    const ca = createCA({ commonName: 'kubernetes-client', lifetimeSeconds: 3600 });
    const issued = issueCertificate(ca, { commonName: 'system:node:blue-1', organizations: ['system:nodes'], usages: ['client'], lifetimeSeconds: 3600, keyPair });
    const seen = inspectIssued(issued.certPem, keyPair);
    assert.ok(seen);
    assert.match(seen.subject, /CN=system:node:blue-1/);
    assert.equal(inspectIssued(issued.certPem, generateKeyPair()), undefined);
    assert.equal(inspectIssued('not a certificate', keyPair), undefined);
  });
});
