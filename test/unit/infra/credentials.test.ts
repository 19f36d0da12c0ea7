import { strict as assert } from 'node:assert';
import { infraProvider } from '../../../src/lib/infra/providers/index.ts';

const target = 'shoot dev/web';

describe('cloud credentials become environment variables', () => {
  it('AWS: access key and secret (and a session token)', () => {
    assert.deepEqual(infraProvider('aws').credentialsEnv({ accessKeyID: 'AKIA1', secretAccessKey: 'shh', unrelated: 'x' }, target), {
      AWS_ACCESS_KEY_ID: 'AKIA1',
      AWS_SECRET_ACCESS_KEY: 'shh',
    });
    assert.deepEqual(infraProvider('aws').credentialsEnv({ AWS_ACCESS_KEY_ID: 'a', AWS_SECRET_ACCESS_KEY: 'b', sessionToken: 'c' }, target), {
      AWS_ACCESS_KEY_ID: 'a',
      AWS_SECRET_ACCESS_KEY: 'b',
      AWS_SESSION_TOKEN: 'c',
    });
  });

  it('Google Cloud: the service account key, and its project', () => {
    const key = JSON.stringify({ type: 'service_account', project_id: 'acme-prod', private_key: 'k' });
    assert.deepEqual(infraProvider('gcp').credentialsEnv({ 'serviceaccount.json': key }, target), { GOOGLE_CREDENTIALS: key, GOOGLE_PROJECT: 'acme-prod' });
  });

  it('Azure: the service principal and the subscription', () => {
    assert.deepEqual(infraProvider('azure').credentialsEnv({ clientID: 'c', clientSecret: 's', tenantID: 't', subscriptionID: 'u' }, target), {
      ARM_CLIENT_ID: 'c',
      ARM_CLIENT_SECRET: 's',
      ARM_TENANT_ID: 't',
      ARM_SUBSCRIPTION_ID: 'u',
    });
  });

  it('OpenStack: password or application credential', () => {
    assert.deepEqual(
      infraProvider('openstack').credentialsEnv({ authURL: 'https://keystone', username: 'u', password: 'p', tenantName: 'proj', domainName: 'd' }, target),
      { OS_AUTH_URL: 'https://keystone', OS_USERNAME: 'u', OS_PASSWORD: 'p', OS_PROJECT_NAME: 'proj', OS_USER_DOMAIN_NAME: 'd', OS_PROJECT_DOMAIN_NAME: 'd' },
    );
    assert.deepEqual(
      infraProvider('openstack').credentialsEnv({ authURL: 'https://keystone', applicationCredentialID: 'id', applicationCredentialSecret: 'sec' }, target),
      { OS_AUTH_URL: 'https://keystone', OS_APPLICATION_CREDENTIAL_ID: 'id', OS_APPLICATION_CREDENTIAL_SECRET: 'sec' },
    );
    assert.throws(() => infraProvider('openstack').credentialsEnv({ authURL: 'https://keystone', username: 'u' }, target), /lack username and password/);
  });

  it('local: needs none', () => {
    assert.deepEqual(infraProvider('local').credentialsEnv({ anything: 'x' }, target), {});
  });

  it('names missing keys, never values', () => {
    assert.throws(
      () => infraProvider('azure').credentialsEnv({ clientID: 'visible-id', clientSecret: 'very-secret' }, target),
      (err: Error & { code?: string }) => {
        assert.equal(err.code, 'invalid');
        assert.equal(err.message, 'The Azure credentials of shoot dev/web lack tenantID, subscriptionID.');
        assert.ok(!err.message.includes('very-secret'));
        return true;
      },
    );
  });
});
