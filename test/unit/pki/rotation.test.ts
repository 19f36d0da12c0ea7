import { strict as assert } from 'node:assert';
import { sign, verify } from 'node:crypto';
import { inspectCertificate, isSignedBy, splitPem } from '../../../src/lib/pki/inspect.ts';
import { issueAdminKubeconfig } from '../../../src/lib/pki/kubeconfig.ts';
import { reconcileCredentials, renewCredential } from '../../../src/lib/pki/reconcile.ts';
import {
  completeCARotation,
  completeServiceAccountKeyRotation,
  prepareCARotation,
  prepareServiceAccountKeyRotation,
} from '../../../src/lib/pki/rotation.ts';
import type { InMemorySecretStore, StoredSecret } from '../../../src/lib/pki/store.ts';
import type { CredentialChange, ReconcileResult } from '../../../src/lib/pki/types.ts';
import { isKubegardenError } from '../../../src/lib/ui/errors.ts';
import { NOW, PARAMS, after, baselineStore, changedKeys, changedSecrets, opensslVerify, readKubeconfig, storeFrom } from './helpers.ts';

const changes = (result: ReconcileResult): CredentialChange[] => result.report.filter((c) => c.action !== 'kept');

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  assert.fail('expected a rejection');
}

async function adminCert(result: ReconcileResult, now: Date): Promise<string> {
  const admin = await issueAdminKubeconfig(result.credentials.cas, { server: 'https://api.demo.example.com', user: 'alice', expirationSeconds: 3600, now });
  return readKubeconfig(admin.kubeconfig).certPem ?? '';
}

describe('Renewing one credential', () => {
  let store: InMemorySecretStore;
  let baseline: ReconcileResult;
  let before: Record<string, StoredSecret>;
  beforeEach(async () => {
    ({ store, result: baseline } = await baselineStore());
    before = store.snapshot();
  });

  it('issues that certificate anew, with a new key, and changes nothing else', async () => {
    const result = await renewCredential(store, 'kube-apiserver', PARAMS, { now: after(1000) });
    assert.deepEqual(changes(result), [{ name: 'kube-apiserver', action: 'renewed', reason: 'renewal requested' }]);
    assert.deepEqual(changedSecrets(before, store.snapshot()), ['kube-apiserver']);
    assert.deepEqual(changedKeys(before['kube-apiserver'], store.secrets.get('kube-apiserver')), ['tls.crt', 'tls.key']);
    assert.ok(isSignedBy(result.credentials.leaves['kube-apiserver'].certPem, baseline.credentials.cas.ca.certPem));
  });

  it('gives a renewed certificate that shared a key pair a key of its own', async () => {
    const result = await renewCredential(store, 'etcd-client', PARAMS, { now: after(1000) });
    const keys = ['etcd-client', 'kube-apiserver-kubelet', 'kube-aggregator'].map((n) => result.credentials.leaves[n as 'etcd-client'].keyPem);
    assert.notEqual(keys[0], keys[1]);
    assert.equal(keys[1], keys[2]);
  });

  it('replaces the bootstrap token and the VPN tls-auth key on request', async () => {
    const result = await renewCredential(store, 'bootstrap-token', PARAMS, { now: NOW });
    assert.notEqual(result.credentials.bootstrapToken.token, baseline.credentials.bootstrapToken.token);
    const vpn = await renewCredential(store, 'vpn-tlsauth', PARAMS, { now: NOW });
    assert.notEqual(vpn.credentials.vpnTLSAuthKey, baseline.credentials.vpnTLSAuthKey);
    assert.deepEqual(changedSecrets(before, store.snapshot()), ['bootstrap-token', 'vpn-tlsauth']);
  });

  for (const [name, pattern] of [
    ['ca-etcd', /ca-etcd is a certificate authority: rotate it/],
    ['service-account-key', /rotate it \(prepare, then complete\)/],
    ['encryption-config', /encryption key cannot be renewed/],
    ['etcd-bogus', /"etcd-bogus" is not a shoot credential/],
  ] as const) {
    it(`refuses ${name}, writing nothing`, async () => {
      const err = await rejection(renewCredential(store, name, PARAMS, { now: NOW }));
      assert.ok(isKubegardenError(err));
      assert.equal(err.code, 'invalid');
      assert.match(err.message, pattern);
      assert.deepEqual(store.writes, []);
    });
  }
});

describe('Rotating a CA in two phases', () => {
  describe('the client CA (who may talk to the API server)', () => {
    let store: InMemorySecretStore;
    let baseline: ReconcileResult;
    let initial: Record<string, StoredSecret>;
    let oldAdmin: string;
    let prepared: ReconcileResult;
    let afterPrepare: Record<string, StoredSecret>;
    let newAdmin: string;
    let completed: ReconcileResult;
    before(async () => {
      ({ store, result: baseline } = await baselineStore());
      initial = store.snapshot();
      oldAdmin = await adminCert(baseline, NOW);
      prepared = await prepareCARotation(store, 'ca-client', PARAMS, { now: after(1000) });
      afterPrepare = store.snapshot();
      newAdmin = await adminCert(prepared, after(1000));
      completed = await completeCARotation(store, 'ca-client', PARAMS, { now: after(2000) });
    });

    it('prepare: serves a bundle of the new CA and the old one, and keeps the old one as ca-previous.crt', () => {
      const ca = prepared.credentials.cas['ca-client'];
      const data = afterPrepare['ca-client']?.data ?? {};
      assert.deepEqual(splitPem(data['ca.crt'] ?? ''), [ca.certPem, baseline.credentials.cas['ca-client'].certPem]);
      assert.equal(data['ca-previous.crt'], baseline.credentials.cas['ca-client'].certPem);
      assert.notEqual(data['ca.key'], baseline.credentials.cas['ca-client'].keyPem);
      assert.equal(ca.bundlePem, data['ca.crt']);
    });

    it('prepare: re-issues exactly the certificates the client CA signed, now signed by the new CA', () => {
      const signed = ['kube-apiserver-kubelet', 'kube-controller-manager', 'kube-scheduler', 'kube-proxy'];
      assert.deepEqual(changedSecrets(initial, afterPrepare), ['ca-client', ...signed].sort());
      assert.deepEqual(
        changes(prepared),
        [
          { name: 'ca-client', action: 'renewed', reason: 'rotation prepared: a new CA signs, the previous one stays trusted' },
          ...signed.map((name) => ({ name, action: 'renewed', reason: 'its CA ca-client is being rotated' })),
        ],
      );
      for (const name of signed) {
        const cert = afterPrepare[name]?.data['tls.crt'] ?? '';
        assert.ok(isSignedBy(cert, prepared.credentials.cas['ca-client'].certPem), name);
        assert.ok(opensslVerify(prepared.credentials.cas['ca-client'].bundlePem, cert, { purpose: 'sslclient' }).ok, name);
      }
    });

    it('prepare: client certificates of both the old and the new CA verify against the served bundle', () => {
      const bundle = afterPrepare['ca-client']?.data['ca.crt'] ?? '';
      assert.notEqual(oldAdmin, newAdmin);
      assert.ok(isSignedBy(oldAdmin, baseline.credentials.cas['ca-client'].certPem), 'old admin certificate is from the old CA');
      assert.ok(isSignedBy(newAdmin, prepared.credentials.cas['ca-client'].certPem), 'new admin certificate is from the new CA');
      for (const cert of [oldAdmin, newAdmin, initial['kube-scheduler']?.data['tls.crt'] ?? '']) {
        const verdict = opensslVerify(bundle, cert, { purpose: 'sslclient', at: after(1500) });
        assert.ok(verdict.ok, verdict.output);
      }
    });

    it('prepare: a re-run in between changes nothing', async () => {
      const between = storeFrom(afterPrepare);
      const result = await reconcileCredentials(between, PARAMS, { now: after(1500) });
      assert.deepEqual(changes(result), []);
      assert.deepEqual(between.writes, []);
    });

    it('prepare: refuses a second prepare before completion', async () => {
      const err = await rejection(prepareCARotation(storeFrom(afterPrepare), 'ca-client', PARAMS, { now: after(1500) }));
      assert.ok(isKubegardenError(err));
      assert.equal(err.code, 'conflict');
      assert.match(err.message, /already prepared; complete it/);
    });

    it('complete: serves only the new CA; the old admin certificate no longer verifies, the new one does', () => {
      const data = store.secrets.get('ca-client')?.data ?? {};
      assert.deepEqual(Object.keys(data).sort(), ['ca-current.crt', 'ca.crt', 'ca.key']);
      assert.equal(data['ca.crt'], prepared.credentials.cas['ca-client'].certPem);
      assert.equal(completed.credentials.cas['ca-client'].previousCertPem, undefined);
      const refused = opensslVerify(data['ca.crt'] ?? '', oldAdmin, { purpose: 'sslclient', at: after(2500) });
      assert.equal(refused.ok, false);
      assert.match(refused.output, /unable to get local issuer certificate/);
      assert.ok(opensslVerify(data['ca.crt'] ?? '', newAdmin, { purpose: 'sslclient', at: after(2500) }).ok);
    });

    it('complete: touches only the CA Secret; the certificates issued at prepare stay', () => {
      assert.deepEqual(changedSecrets(afterPrepare, store.snapshot()), ['ca-client']);
      assert.deepEqual(changes(completed), [{ name: 'ca-client', action: 'updated', reason: 'rotation completed: the previous CA is no longer trusted' }]);
    });

    it('complete: refuses when no rotation is prepared', async () => {
      const err = await rejection(completeCARotation(store.clone(), 'ca-client', PARAMS, { now: after(3000) }));
      assert.ok(isKubegardenError(err));
      assert.equal(err.code, 'conflict');
      assert.match(err.message, /No rotation of the ca-client CA of shoot demo is prepared/);
    });
  });

  describe('the cluster CA (what clients trust for the API server)', () => {
    it('makes kubeconfigs trust old and new during the rotation, and only the new one after', async () => {
      const { store, result: baseline } = await baselineStore();
      const initial = store.snapshot();
      const prepared = await prepareCARotation(store, 'ca', PARAMS, { now: after(1000) });
      assert.deepEqual(changedSecrets(initial, store.snapshot()), ['ca', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler']);
      const during = readKubeconfig(prepared.credentials.leaves['kube-scheduler'].kubeconfig ?? '');
      assert.deepEqual(splitPem(during.caPem), [prepared.credentials.cas.ca.certPem, baseline.credentials.cas.ca.certPem]);
      assert.equal(during.certPem, initial['kube-scheduler']?.data['tls.crt'], 'the scheduler keeps its client certificate');
      // Both the old serving certificate (still running) and the new one are trusted.
      for (const serving of [baseline.credentials.leaves['kube-apiserver'].certPem, prepared.credentials.leaves['kube-apiserver'].certPem]) {
        assert.ok(opensslVerify(during.caPem, serving, { purpose: 'sslserver', at: after(1500) }).ok);
      }

      const completed = await completeCARotation(store, 'ca', PARAMS, { now: after(2000) });
      const afterwards = readKubeconfig(completed.credentials.leaves['kube-scheduler'].kubeconfig ?? '');
      assert.equal(afterwards.caPem, prepared.credentials.cas.ca.certPem);
      assert.match(opensslVerify(afterwards.caPem, baseline.credentials.leaves['kube-apiserver'].certPem, { at: after(2500) }).output, /unable to get local issuer certificate/);
      assert.ok(opensslVerify(afterwards.caPem, completed.credentials.leaves['kube-apiserver'].certPem, { at: after(2500) }).ok);
      assert.equal(inspectCertificate(completed.credentials.leaves['kube-apiserver'].certPem).commonName, 'kube-apiserver');
    });
  });

  it('refuses a name that is not a CA', async () => {
    const { store } = await baselineStore();
    const err = await rejection(prepareCARotation(store, 'kube-apiserver', PARAMS, { now: NOW }));
    assert.ok(isKubegardenError(err));
    assert.equal(err.code, 'invalid');
  });
});

describe('Rotating the service-account key in two phases', () => {
  const payload = Buffer.from('{"sub":"system:serviceaccount:default:app"}');
  const acceptedBy = (bundlePem: string, signature: Buffer): boolean =>
    splitPem(bundlePem).some((key) => verify('sha256', payload, key, signature));

  it('signs with a new key after prepare while old tokens stay valid, and drops the old key at completion', async () => {
    const { store, result: baseline } = await baselineStore();
    const oldToken = sign('sha256', payload, baseline.credentials.serviceAccount.privateKeyPem);

    const prepared = await prepareServiceAccountKeyRotation(store, PARAMS, { now: after(1000) });
    const sa = prepared.credentials.serviceAccount;
    assert.notEqual(sa.privateKeyPem, baseline.credentials.serviceAccount.privateKeyPem);
    assert.equal(splitPem(sa.bundlePem).length, 2);
    const newToken = sign('sha256', payload, sa.privateKeyPem);
    assert.ok(acceptedBy(sa.bundlePem, oldToken), 'old token accepted during the rotation');
    assert.ok(acceptedBy(sa.bundlePem, newToken), 'new token accepted during the rotation');
    assert.deepEqual(changes(prepared).map((c) => c.name), ['service-account-key']);

    const rerun = await reconcileCredentials(store, PARAMS, { now: after(1500) });
    assert.deepEqual(rerun.credentials.serviceAccount, sa, 'a re-run in between keeps both keys');
    const second = await rejection(prepareServiceAccountKeyRotation(store, PARAMS, { now: after(1600) }));
    assert.ok(isKubegardenError(second) && second.code === 'conflict');

    const completed = await completeServiceAccountKeyRotation(store, PARAMS, { now: after(2000) });
    const bundle = completed.credentials.serviceAccount.bundlePem;
    assert.equal(splitPem(bundle).length, 1);
    assert.equal(acceptedBy(bundle, oldToken), false, 'old token rejected after completion');
    assert.ok(acceptedBy(bundle, newToken));
    assert.equal(completed.credentials.serviceAccount.privateKeyPem, sa.privateKeyPem);

    const third = await rejection(completeServiceAccountKeyRotation(store, PARAMS, { now: after(3000) }));
    assert.ok(isKubegardenError(third) && third.code === 'conflict');
  });
});
