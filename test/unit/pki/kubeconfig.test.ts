import { strict as assert } from 'node:assert';
import { parse } from 'yaml';
import { inspectCertificate, isSignedBy } from '../../../src/lib/pki/inspect.ts';
import { buildKubeconfig, formatDuration, issueAdminKubeconfig } from '../../../src/lib/pki/kubeconfig.ts';
import type { ReconcileResult } from '../../../src/lib/pki/types.ts';
import { isKubegardenError } from '../../../src/lib/ui/errors.ts';
import { NOW, baselineStore, opensslVerify, readKubeconfig } from './helpers.ts';

const CA = '-----BEGIN CERTIFICATE-----\nQ0E=\n-----END CERTIFICATE-----\n';

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  assert.fail('expected a rejection');
}

describe('buildKubeconfig', () => {
  it('embeds the CA and a client certificate, under one context that is current', () => {
    const text = buildKubeconfig({ clusterName: 'shoot--dev--demo', server: 'https://api.example.com', caPem: CA, user: { certPem: 'CERT', keyPem: 'KEY' } });
    const doc = parse(text) as Record<string, unknown>;
    assert.equal(doc['apiVersion'], 'v1');
    assert.equal(doc['kind'], 'Config');
    assert.deepEqual(readKubeconfig(text), {
      server: 'https://api.example.com',
      caPem: CA,
      certPem: 'CERT',
      keyPem: 'KEY',
      currentContext: 'shoot--dev--demo',
    });
    assert.doesNotMatch(text, /certificate-authority:|client-certificate:|client-key:/, 'no file references');
  });

  it('carries a bearer token instead when given one', () => {
    const text = buildKubeconfig({ clusterName: 'c', server: 'https://10.0.0.1:6443', caPem: CA, user: { token: 'abcdef.0123456789abcdef' }, userName: 'kubelet-bootstrap' });
    const view = readKubeconfig(text);
    assert.equal(view.token, 'abcdef.0123456789abcdef');
    assert.equal(view.certPem, undefined);
    assert.equal((parse(text) as { users: { name: string }[] }).users[0]?.name, 'kubelet-bootstrap');
  });

  it('keeps values that look like YAML syntax as plain strings', () => {
    const text = buildKubeconfig({ clusterName: 'a: b\n- c', server: 'https://x', caPem: CA, user: { token: '#not-a-comment' } });
    assert.equal(readKubeconfig(text).token, '#not-a-comment');
    assert.equal(readKubeconfig(text).currentContext, 'a: b\n- c');
  });
});

describe('issueAdminKubeconfig', () => {
  let result: ReconcileResult;
  before(async () => {
    ({ result } = await baselineStore());
  });

  it('issues a system:masters client certificate from the client CA, valid for exactly the time asked', async () => {
    const admin = await issueAdminKubeconfig(result.credentials.cas, {
      server: 'https://api.demo.example.com',
      user: 'alice@example.com',
      expirationSeconds: 2 * 3600,
      now: NOW,
    });
    const view = readKubeconfig(admin.kubeconfig);
    assert.equal(view.server, 'https://api.demo.example.com');
    assert.equal(view.caPem, result.credentials.cas.ca.bundlePem, 'trusts the cluster CA');
    const info = inspectCertificate(view.certPem ?? '');
    assert.equal(info.commonName, 'alice@example.com');
    assert.deepEqual(info.organizations, ['system:masters']);
    assert.deepEqual(info.usages, ['client']);
    assert.equal(info.notAfter.getTime(), NOW.getTime() + 2 * 3600 * 1000);
    assert.equal(admin.expiresAt.getTime(), info.notAfter.getTime());
    assert.ok(isSignedBy(view.certPem ?? '', result.credentials.cas['ca-client'].certPem));
    assert.ok(opensslVerify(result.credentials.cas['ca-client'].bundlePem, view.certPem ?? '', { purpose: 'sslclient' }).ok);
    const expired = opensslVerify(result.credentials.cas['ca-client'].bundlePem, view.certPem ?? '', { at: new Date(NOW.getTime() + 3 * 3600 * 1000) });
    assert.match(expired.output, /certificate has expired/);
  });

  it('refuses more than 24 hours by default, in one sentence', async () => {
    const err = await rejection(issueAdminKubeconfig(result.credentials.cas, { server: 'https://x', user: 'alice', expirationSeconds: 24 * 3600 + 1, now: NOW }));
    assert.ok(isKubegardenError(err));
    assert.equal(err.code, 'invalid');
    assert.equal(err.message, 'An admin kubeconfig may be valid for at most 24h, and 24h1s was requested.');
    await issueAdminKubeconfig(result.credentials.cas, { server: 'https://x', user: 'alice', expirationSeconds: 24 * 3600, now: NOW });
  });

  it('enforces a configured maximum instead', async () => {
    const err = await rejection(
      issueAdminKubeconfig(result.credentials.cas, { server: 'https://x', user: 'alice', expirationSeconds: 7200, maxExpirationSeconds: 3600, now: NOW }),
    );
    assert.ok(isKubegardenError(err) && err.code === 'invalid');
    assert.match(err.message, /at most 1h, and 2h was requested/);
  });

  for (const expirationSeconds of [0, -5, 1.5, Number.NaN]) {
    it(`refuses an expiration of ${expirationSeconds} seconds`, async () => {
      const err = await rejection(issueAdminKubeconfig(result.credentials.cas, { server: 'https://x', user: 'alice', expirationSeconds, now: NOW }));
      assert.ok(isKubegardenError(err) && err.code === 'invalid');
    });
  }

  it('formats durations the way the messages show them', () => {
    assert.deepEqual([formatDuration(86400), formatDuration(90), formatDuration(3661), formatDuration(0)], ['24h', '1m30s', '1h1m1s', '0s']);
  });
});
