import { strict as assert } from 'node:assert';
import { X509Certificate, createPrivateKey, createPublicKey } from 'node:crypto';
import forge from 'node-forge';
import { inspectCertificate, isSignedBy, keyMatchesCertificate, splitPem } from '../../../src/lib/pki/inspect.ts';
import { createCA, generateKeyPair, generateKeyPairAsync, issueCertificate } from '../../../src/lib/pki/primitives.ts';
import type { CertificateAndKey, KeyPairPem } from '../../../src/lib/pki/primitives.ts';
import { NOW, opensslVerify } from './helpers.ts';

describe('PKI primitives', () => {
  let ca: CertificateAndKey;
  let leaf: CertificateAndKey;
  let pair: KeyPairPem;
  before(async () => {
    ca = createCA({ commonName: 'test-ca', lifetimeSeconds: 3600, now: NOW });
    leaf = issueCertificate(ca, { commonName: 'leaf', dnsNames: ['leaf.example'], ipAddresses: ['10.0.0.1', 'fd00::1'], usages: ['server'], lifetimeSeconds: 600, now: NOW });
    pair = await generateKeyPairAsync();
  });

  describe('createCA and issueCertificate (their original contract)', () => {
    it('make a CA whose leaf verifies with Node, openssl and node-forge alike', () => {
      const x509 = new X509Certificate(leaf.certPem);
      assert.ok(x509.checkIssued(new X509Certificate(ca.certPem)));
      assert.ok(x509.verify(new X509Certificate(ca.certPem).publicKey));
      assert.ok(opensslVerify(ca.certPem, leaf.certPem, { purpose: 'sslserver' }).ok);
      // The natively computed signature is what forge itself would accept.
      assert.ok(forge.pki.certificateFromPem(ca.certPem).verify(forge.pki.certificateFromPem(leaf.certPem)));
      assert.ok(keyMatchesCertificate(leaf.certPem, leaf.keyPem));
    });

    it('write PEM with plain newlines, one block per certificate', () => {
      assert.doesNotMatch(ca.certPem + leaf.certPem + leaf.keyPem, /\r/);
      assert.equal(splitPem(ca.certPem + leaf.certPem).length, 2);
    });

    it('carry the requested names, lifetime and the sha256WithRSA signature', () => {
      const info = inspectCertificate(leaf.certPem);
      assert.deepEqual(info.dnsNames, ['leaf.example']);
      assert.deepEqual(info.ipAddresses, ['10.0.0.1', 'fd00::1']);
      assert.equal(info.notAfter.getTime(), NOW.getTime() + 600_000);
      assert.equal(info.notBefore.getTime(), NOW.getTime() - 60_000, 'backdated a minute for clock skew');
      assert.equal(forge.pki.certificateFromPem(leaf.certPem).signatureOid, forge.pki.oids['sha256WithRSAEncryption']);
    });
  });

  describe('key pairs', () => {
    it('are 2048-bit RSA from the synchronous and the asynchronous generator, private keys in PKCS#1', () => {
      for (const keys of [generateKeyPair(), pair]) {
        const key = createPrivateKey(keys.privateKeyPem);
        assert.equal(key.asymmetricKeyType, 'rsa');
        assert.equal(key.asymmetricKeyDetails?.modulusLength, 2048);
        assert.match(keys.privateKeyPem, /^-----BEGIN RSA PRIVATE KEY-----\n/);
        assert.ok(createPublicKey(key).export({ format: 'der', type: 'spki' }).equals(createPublicKey(keys.publicKeyPem).export({ format: 'der', type: 'spki' })));
      }
    });

    it('can be given to issueCertificate and createCA instead of generating one', () => {
      const issued = issueCertificate(ca, { commonName: 'given', usages: ['client'], lifetimeSeconds: 60, now: NOW, keyPair: pair });
      assert.equal(issued.keyPem, pair.privateKeyPem);
      assert.ok(keyMatchesCertificate(issued.certPem, pair.privateKeyPem));
      const rootFromPair = createCA({ commonName: 'given-ca', lifetimeSeconds: 60, now: NOW, keyPair: pair });
      assert.ok(keyMatchesCertificate(rootFromPair.certPem, pair.privateKeyPem));
      assert.ok(isSignedBy(rootFromPair.certPem, rootFromPair.certPem));
    });
  });

  describe('isSignedBy', () => {
    it('is false for another CA with the same name, and for garbage', () => {
      const twin = createCA({ commonName: 'test-ca', lifetimeSeconds: 3600, now: NOW, keyPair: pair });
      assert.equal(isSignedBy(leaf.certPem, twin.certPem), false);
      assert.equal(isSignedBy('garbage', ca.certPem), false);
    });
  });
});
