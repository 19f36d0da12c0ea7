import { strict as assert } from 'node:assert';
import { CA_NAMES, LEAF_NAMES } from '../../../src/lib/pki/catalog.ts';
import { inspectCertificate, isSignedBy } from '../../../src/lib/pki/inspect.ts';
import { createCA, issueCertificate } from '../../../src/lib/pki/primitives.ts';
import { reconcileCredentials } from '../../../src/lib/pki/reconcile.ts';
import type { InMemorySecretStore, StoredSecret } from '../../../src/lib/pki/store.ts';
import type { CredentialChange, ReconcileResult } from '../../../src/lib/pki/types.ts';
import { isKubegardenError } from '../../../src/lib/ui/errors.ts';
import { DAY_MS, NOW, PARAMS, YEAR_MS, after, baselineStore, changedKeys, changedSecrets, opensslVerify, readKubeconfig } from './helpers.ts';

function changes(result: ReconcileResult): CredentialChange[] {
  return result.report.filter((c) => c.action !== 'kept');
}

function reportOf(result: ReconcileResult, name: string): CredentialChange | undefined {
  return result.report.find((c) => c.name === name);
}

/** A copy of a leaf as the store holds it, re-issued with other inputs (an older clock, another CA). */
function reissue(ca: { certPem: string; keyPem: string }, certPem: string, lifetimeSeconds: number, now: Date): { certPem: string; keyPem: string } {
  const info = inspectCertificate(certPem);
  return issueCertificate(ca, {
    commonName: info.commonName,
    organizations: info.organizations,
    dnsNames: info.dnsNames,
    ipAddresses: info.ipAddresses,
    usages: info.usages,
    lifetimeSeconds,
    now,
  });
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  assert.fail('expected a rejection');
}

describe('Reconciling a shoot’s credentials again', () => {
  let store: InMemorySecretStore;
  let baseline: ReconcileResult;
  let before: Record<string, StoredSecret>;
  beforeEach(async () => {
    ({ store, result: baseline } = await baselineStore());
    before = store.snapshot();
  });

  describe('over an intact set', () => {
    it('writes nothing: the store stays byte-identical and every credential is reported kept', async () => {
      const result = await reconcileCredentials(store, PARAMS, { now: after(DAY_MS) });
      assert.deepEqual(store.writes, []);
      assert.deepEqual(store.snapshot(), before);
      assert.deepEqual(changes(result), []);
      assert.match(reportOf(result, 'kube-apiserver')?.reason ?? '', /^valid until 2027-03-01T12:00:00Z$/);
    });

    it('returns the stored credentials, not new ones', async () => {
      const result = await reconcileCredentials(store, PARAMS, { now: after(DAY_MS) });
      assert.deepEqual(result.credentials, baseline.credentials);
    });
  });

  describe('with one damaged certificate', () => {
    it('renews an expired certificate and nothing else', async () => {
      const ca = baseline.credentials.cas['ca-client'];
      const expired = reissue(ca, baseline.credentials.leaves['kube-scheduler'].certPem, 30 * 24 * 3600, new Date(NOW.getTime() - 60 * DAY_MS));
      await store.put('kube-scheduler', { ...before['kube-scheduler']?.data, 'tls.crt': expired.certPem, 'tls.key': expired.keyPem }, before['kube-scheduler']?.labels ?? {});
      const damaged = store.snapshot();

      const result = await reconcileCredentials(store, PARAMS, { now: NOW });

      assert.deepEqual(changes(result), [{ name: 'kube-scheduler', action: 'renewed', reason: 'expired on 2026-01-30T12:00:00Z' }]);
      assert.deepEqual(changedSecrets(damaged, store.snapshot()), ['kube-scheduler']);
      const renewed = store.secrets.get('kube-scheduler')?.data ?? {};
      assert.ok(opensslVerify(ca.certPem, renewed['tls.crt'] ?? '', { purpose: 'sslclient' }).ok);
      assert.equal(inspectCertificate(renewed['tls.crt'] ?? '').notAfter.getTime(), NOW.getTime() + YEAR_MS);
      assert.equal(readKubeconfig(renewed['kubeconfig'] ?? '').certPem, renewed['tls.crt'], 'the kubeconfig carries the renewed certificate');
    });

    it('renews a certificate signed by a foreign CA and nothing else', async () => {
      const foreign = createCA({ commonName: 'etcd', lifetimeSeconds: 10 * 365 * 24 * 3600, now: NOW });
      const impostor = reissue(foreign, baseline.credentials.leaves['etcd-client'].certPem, 365 * 24 * 3600, NOW);
      await store.put('etcd-client', { 'tls.crt': impostor.certPem, 'tls.key': impostor.keyPem }, before['etcd-client']?.labels ?? {});
      const damaged = store.snapshot();

      const result = await reconcileCredentials(store, PARAMS, { now: NOW });

      assert.deepEqual(changes(result), [{ name: 'etcd-client', action: 'renewed', reason: 'not signed by the current ca-etcd CA' }]);
      assert.deepEqual(changedSecrets(damaged, store.snapshot()), ['etcd-client']);
      assert.ok(isSignedBy(store.secrets.get('etcd-client')?.data['tls.crt'] ?? '', baseline.credentials.cas['ca-etcd'].certPem));
    });

    it('renews a corrupted certificate and nothing else', async () => {
      await store.put('vpn-server', { ...before['vpn-server']?.data, 'tls.crt': '-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydA==\n-----END CERTIFICATE-----\n' }, before['vpn-server']?.labels ?? {});
      const damaged = store.snapshot();

      const result = await reconcileCredentials(store, PARAMS, { now: NOW });

      assert.deepEqual(changes(result).map((c) => [c.name, c.action]), [['vpn-server', 'renewed']]);
      assert.match(reportOf(result, 'vpn-server')?.reason ?? '', /^unparsable/);
      assert.deepEqual(changedSecrets(damaged, store.snapshot()), ['vpn-server']);
      assert.ok(opensslVerify(baseline.credentials.cas['ca-vpn'].certPem, store.secrets.get('vpn-server')?.data['tls.crt'] ?? '', { purpose: 'sslserver' }).ok);
    });

    it('renews a certificate whose key was swapped for another and nothing else', async () => {
      // etcd-server and etcd-peer share a key; put kube-aggregator's key there instead.
      await store.put('etcd-peer', { ...before['etcd-peer']?.data, 'tls.key': baseline.credentials.leaves['kube-aggregator'].keyPem }, before['etcd-peer']?.labels ?? {});
      const damaged = store.snapshot();

      const result = await reconcileCredentials(store, PARAMS, { now: NOW });

      assert.deepEqual(changes(result), [{ name: 'etcd-peer', action: 'renewed', reason: 'unparsable: tls.key does not belong to the certificate' }]);
      assert.deepEqual(changedSecrets(damaged, store.snapshot()), ['etcd-peer']);
    });
  });

  describe('across time', () => {
    it('keeps leaves until 80% of their lifetime has passed, then renews all of them, and no CA', async () => {
      const early = await reconcileCredentials(store, PARAMS, { now: after(0.79 * YEAR_MS) });
      assert.deepEqual(
        changes(early).map((c) => c.name),
        ['bootstrap-token'],
        'only the week-long bootstrap token is due before the leaves',
      );
      const late = await reconcileCredentials(store, PARAMS, { now: after(0.81 * YEAR_MS) });
      assert.deepEqual(changes(late).map((c) => c.name), [...LEAF_NAMES, 'bootstrap-token']);
      for (const name of LEAF_NAMES) {
        assert.match(reportOf(late, name)?.reason ?? '', /^in its renewal window \(80% of its lifetime passed; expires 2027-03-01T12:00:00Z\)$/);
      }
      for (const name of [...CA_NAMES, 'service-account-key', 'encryption-config', 'vpn-tlsauth']) {
        assert.deepEqual(store.secrets.get(name), before[name], name);
      }
    });

    it('keeps a CA in its last years and reports it as due for rotation instead of replacing it', async () => {
      // Leaves and token are long expired by then; the CAs are not.
      const result = await reconcileCredentials(store, PARAMS, { now: after(9 * YEAR_MS) });
      for (const name of CA_NAMES) {
        assert.deepEqual(reportOf(result, name), { name, action: 'kept', reason: `valid until 2036-02-27T12:00:00Z; due for rotation` });
        assert.deepEqual(store.secrets.get(name), before[name]);
      }
    });
  });

  describe('when a CA is regenerated', () => {
    it('re-issues exactly the certificates that CA signed (etcd CA: etcd-server and etcd-client, not etcd-peer)', async () => {
      store.secrets.delete('ca-etcd');
      const result = await reconcileCredentials(store, PARAMS, { now: NOW });

      assert.deepEqual(changes(result), [
        { name: 'ca-etcd', action: 'created', reason: 'missing' },
        { name: 'etcd-server', action: 'renewed', reason: 'its CA ca-etcd was regenerated' },
        { name: 'etcd-client', action: 'renewed', reason: 'its CA ca-etcd was regenerated' },
      ]);
      assert.deepEqual(changedSecrets(before, store.snapshot()), ['ca-etcd', 'etcd-client', 'etcd-server']);
      const ca = store.secrets.get('ca-etcd')?.data['ca.crt'] ?? '';
      for (const name of ['etcd-server', 'etcd-client']) {
        assert.ok(opensslVerify(ca, store.secrets.get(name)?.data['tls.crt'] ?? '').ok, name);
      }
    });

    it('re-issues the serving certificate of a corrupted cluster CA and refreshes the kubeconfigs that trust it, keeping their certificates', async () => {
      await store.put('ca', { ...before['ca']?.data, 'ca.key': 'garbage' }, before['ca']?.labels ?? {});
      const result = await reconcileCredentials(store, PARAMS, { now: NOW });

      assert.deepEqual(changes(result), [
        { name: 'ca', action: 'renewed', reason: 'unparsable: ca.key does not belong to the certificate' },
        { name: 'kube-apiserver', action: 'renewed', reason: 'its CA ca was regenerated' },
        { name: 'kube-controller-manager', action: 'updated', reason: 'kubeconfig now trusts the current cluster CA bundle' },
        { name: 'kube-scheduler', action: 'updated', reason: 'kubeconfig now trusts the current cluster CA bundle' },
      ]);
      assert.deepEqual(changedSecrets(before, store.snapshot()), ['ca', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler']);
      for (const name of ['kube-controller-manager', 'kube-scheduler']) {
        assert.deepEqual(changedKeys(before[name], store.secrets.get(name)), ['kubeconfig'], name);
        const view = readKubeconfig(store.secrets.get(name)?.data['kubeconfig'] ?? '');
        assert.ok(opensslVerify(view.caPem, store.secrets.get('kube-apiserver')?.data['tls.crt'] ?? '', { purpose: 'sslserver' }).ok, name);
      }
    });

    it('regenerates every CA and leaf once all have expired, and still keeps the service-account and encryption keys', async () => {
      const result = await reconcileCredentials(store, PARAMS, { now: after(11 * YEAR_MS) });
      const renewed = changes(result).map((c) => c.name);
      assert.deepEqual(renewed, [...CA_NAMES, ...LEAF_NAMES, 'bootstrap-token']);
      assert.deepEqual(store.secrets.get('service-account-key'), before['service-account-key']);
      assert.deepEqual(store.secrets.get('encryption-config'), before['encryption-config']);
      assert.equal(reportOf(result, 'service-account-key')?.action, 'kept');
    });
  });

  describe('when the external endpoint becomes known', () => {
    it('re-issues only the API server’s serving certificate, with the new name, and writes kube-proxy’s kubeconfig', async () => {
      const params = { ...PARAMS, externalEndpoint: 'api.demo.example.com' };
      const result = await reconcileCredentials(store, params, { now: NOW });

      assert.deepEqual(changes(result), [
        { name: 'kube-apiserver', action: 'renewed', reason: 'no longer matches what is wanted (SANs +api.demo.example.com)' },
        { name: 'kube-proxy', action: 'updated', reason: 'kubeconfig written: the API server address is now known' },
      ]);
      assert.deepEqual(changedSecrets(before, store.snapshot()), ['kube-apiserver', 'kube-proxy']);
      assert.deepEqual(changedKeys(before['kube-proxy'], store.secrets.get('kube-proxy')), ['kubeconfig'], 'kube-proxy keeps its certificate');
      const serving = store.secrets.get('kube-apiserver')?.data['tls.crt'] ?? '';
      assert.ok(inspectCertificate(serving).dnsNames.includes('api.demo.example.com'));
      const proxy = readKubeconfig(store.secrets.get('kube-proxy')?.data['kubeconfig'] ?? '');
      assert.equal(proxy.server, 'https://api.demo.example.com');
      assert.ok(opensslVerify(proxy.caPem, serving, { purpose: 'sslserver' }).ok);
      assert.equal(result.credentials.serviceAccount.issuer, 'https://api.demo.example.com');

      store.writes.length = 0;
      await reconcileCredentials(store, params, { now: after(DAY_MS) });
      assert.deepEqual(store.writes, [], 'a second run with the endpoint known writes nothing');
    });

    it('puts an IP endpoint into the IP SANs', async () => {
      await reconcileCredentials(store, { ...PARAMS, externalEndpoint: '203.0.113.10:6443' }, { now: NOW });
      const info = inspectCertificate(store.secrets.get('kube-apiserver')?.data['tls.crt'] ?? '');
      assert.deepEqual(info.ipAddresses, ['100.64.0.1', '203.0.113.10']);
      assert.equal(readKubeconfig(store.secrets.get('kube-proxy')?.data['kubeconfig'] ?? '').server, 'https://203.0.113.10:6443');
    });
  });

  describe('when loopback access is turned on (local provider)', () => {
    it('re-issues only the serving certificate, adding localhost and 127.0.0.1', async () => {
      const result = await reconcileCredentials(store, { ...PARAMS, loopback: true }, { now: NOW });
      assert.deepEqual(changes(result), [
        { name: 'kube-apiserver', action: 'renewed', reason: 'no longer matches what is wanted (SANs +localhost +127.0.0.1)' },
      ]);
      assert.deepEqual(changedSecrets(before, store.snapshot()), ['kube-apiserver']);
    });
  });

  describe('the service-account key and the encryption key', () => {
    it('are refused, not replaced, when the stored service-account key is unreadable, before anything is written', async () => {
      await store.put('service-account-key', { ...before['service-account-key']?.data, 'sa.key': 'garbage' }, before['service-account-key']?.labels ?? {});
      store.secrets.delete('vpn-tlsauth'); // something the run would otherwise write
      const damaged = store.snapshot();
      store.writes.length = 0;
      const err = await rejection(reconcileCredentials(store, PARAMS, { now: NOW }));
      assert.ok(isKubegardenError(err));
      assert.equal(err.code, 'conflict');
      assert.match(err.message, /^The service-account signing key of shoot demo \(Secret service-account-key\) is unreadable, and kubegarden will not replace it\.$/);
      assert.match(err.hint ?? '', /Restore the Secret from a backup/);
      assert.deepEqual(store.writes, []);
      assert.deepEqual(store.snapshot(), damaged);
    });

    it('are refused, not replaced, when the stored encryption configuration is unreadable, before anything is written', async () => {
      await store.put('encryption-config', { 'encryption-configuration.yaml': 'kind: Nope' }, before['encryption-config']?.labels ?? {});
      store.secrets.delete('vpn-tlsauth');
      store.writes.length = 0;
      const err = await rejection(reconcileCredentials(store, PARAMS, { now: NOW }));
      assert.ok(isKubegardenError(err));
      assert.equal(err.code, 'conflict');
      assert.deepEqual(store.writes, []);
      assert.deepEqual(store.secrets.get('encryption-config')?.data, { 'encryption-configuration.yaml': 'kind: Nope' });
    });

    it('have their public keys rewritten from the signing key when those were damaged, keeping the key', async () => {
      await store.put('service-account-key', { ...before['service-account-key']?.data, 'sa.pub': 'junk', 'bundle.pem': 'junk' }, before['service-account-key']?.labels ?? {});
      const result = await reconcileCredentials(store, PARAMS, { now: NOW });
      assert.deepEqual(changes(result), [{ name: 'service-account-key', action: 'updated', reason: 'public keys rewritten from the signing key' }]);
      assert.deepEqual(store.secrets.get('service-account-key'), before['service-account-key']);
    });
  });

  describe('the bootstrap token', () => {
    it('is kept while more than a fifth of its week is left, then replaced by a new one', async () => {
      const kept = await reconcileCredentials(store, PARAMS, { now: after(5 * DAY_MS) });
      assert.equal(reportOf(kept, 'bootstrap-token')?.action, 'kept');
      assert.equal(kept.credentials.bootstrapToken.token, baseline.credentials.bootstrapToken.token);

      const renewed = await reconcileCredentials(store, PARAMS, { now: after(6 * DAY_MS) });
      assert.deepEqual(reportOf(renewed, 'bootstrap-token'), { name: 'bootstrap-token', action: 'renewed', reason: 'expires soon (2026-03-08T12:00:00Z)' });
      assert.notEqual(renewed.credentials.bootstrapToken.token, baseline.credentials.bootstrapToken.token);
      assert.match(renewed.credentials.bootstrapToken.token, /^[a-z0-9]{6}\.[a-z0-9]{16}$/);
      assert.equal(renewed.credentials.bootstrapToken.expiration.getTime(), after(13 * DAY_MS).getTime());
      assert.deepEqual(changedSecrets(before, store.snapshot()), ['bootstrap-token']);
    });
  });

  describe('labels', () => {
    it('are put back when missing, without touching the data', async () => {
      await store.put('kube-aggregator', before['kube-aggregator']?.data ?? {}, {});
      const result = await reconcileCredentials(store, PARAMS, { now: NOW });
      assert.deepEqual(changes(result), [{ name: 'kube-aggregator', action: 'updated', reason: 'labels corrected' }]);
      assert.deepEqual(store.secrets.get('kube-aggregator'), before['kube-aggregator']);
    });
  });

  describe('parameters', () => {
    it('are validated before anything is read or written', async () => {
      const err = await rejection(reconcileCredentials(store, { ...PARAMS, servicesCIDR: '100.64.0.0' }, { now: NOW }));
      assert.ok(isKubegardenError(err));
      assert.equal(err.code, 'invalid');
      assert.deepEqual(store.writes, []);
    });
  });
});

describe('CA Secrets are normalised on re-run', () => {
  it('drops a stray key and an extra certificate slipped into ca.crt, and trusts only the CA', async () => {
    const { InMemorySecretStore } = await import('../../../src/lib/pki/store.ts');
    const store = new InMemorySecretStore();
    const params = { shootName: 'demo', namespace: 'shoot--dev--demo', servicesCIDR: '100.64.0.0/13', externalEndpoint: '127.0.0.1:6443', loopback: true };
    await reconcileCredentials(store, params);
    const ca = (await store.get('ca'))!;
    const intruder = createCA({ commonName: 'intruder', lifetimeSeconds: 3600 });
    await store.put('ca', { ...ca.data, 'ca.crt': ca.data['ca.crt'] + intruder.certPem, stray: 'x' }, ca.labels);
    const { credentials, report } = await reconcileCredentials(store, params);
    const after = (await store.get('ca'))!;
    assert.deepEqual(Object.keys(after.data).sort(), ['ca-current.crt', 'ca.crt', 'ca.key']);
    assert.ok(!after.data['ca.crt']!.includes(intruder.certPem.trim().split('\n')[1]!));
    assert.equal(credentials.cas.ca.bundlePem.match(/BEGIN CERTIFICATE/g)?.length, 1);
    assert.equal(report.find((r) => r.name === 'ca')?.action, 'updated');
  });
});
