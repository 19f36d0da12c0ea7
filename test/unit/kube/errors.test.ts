import { strict as assert } from 'node:assert';
import { isTransient, KubeApiError, translateNetworkError, translateStatus, type KubeStatus, type RequestContext } from '../../../src/lib/kube/errors.ts';
import { KubegardenError } from '../../../src/lib/ui/errors.ts';

const SHOOT: RequestContext = {
  cluster: 'the garden',
  server: 'https://127.0.0.1:6443',
  user: 'alice',
  verb: 'create',
  resource: 'shoots.kubegarden.io',
  namespace: 'garden-dev',
  name: 'demo',
};

const status = (code: number, message?: string, reason?: string): KubeStatus => ({ kind: 'Status', status: 'Failure', code, ...(message ? { message } : {}), ...(reason ? { reason } : {}) });

/** A Node-style system error, as a socket or DNS lookup raises it. */
function sysError(code: string, message = `connect ${code} 127.0.0.1:6443`): Error {
  return Object.assign(new Error(message), { code });
}

describe('translateStatus', () => {
  describe('401 Unauthorized', () => {
    it('names the cluster, server and user, says to renew the credentials, and exits 10', () => {
      const err = translateStatus(401, status(401, 'Unauthorized'), SHOOT);
      assert.equal(
        err.message,
        'The garden at https://127.0.0.1:6443 rejected the credentials of user "alice" (401 Unauthorized): renew the client certificate or token in the kubeconfig.',
      );
      assert.equal(err.code, 'forbidden');
      assert.equal(err.exitCode, 10);
      assert.equal(err.status, 401);
    });
  });

  describe('403 Forbidden', () => {
    it('names the user, the verb and the object, says whom to ask, and exits 10', () => {
      const err = translateStatus(403, status(403, 'shoots.kubegarden.io "demo" is forbidden'), SHOOT);
      assert.match(err.message, /^User "alice" may not create shoots\.kubegarden\.io "demo" in namespace garden-dev in the garden \(403 Forbidden\): /);
      assert.match(err.message, /kubegarden-admin ClusterRole/);
      assert.equal(err.exitCode, 10);
    });

    it('names a collection when there is no object name', () => {
      const err = translateStatus(403, status(403), { ...SHOOT, verb: 'list', name: undefined, namespace: undefined, resource: 'seeds.kubegarden.io' });
      assert.match(err.message, /^User "alice" may not list seeds\.kubegarden\.io in the garden /);
    });
  });

  describe('404 Not Found', () => {
    it('with a Status body, says the object was not found and exits 4', () => {
      const err = translateStatus(404, status(404, 'shoots.kubegarden.io "demo" not found', 'NotFound'), SHOOT);
      assert.match(err.message, /^shoots\.kubegarden\.io "demo" in namespace garden-dev was not found in the garden\.$/i);
      assert.doesNotMatch(err.message, /does not serve/);
      assert.equal(err.code, 'notFound');
      assert.equal(err.exitCode, 4);
    });

    it('without a Status body, says the cluster does not serve the kubegarden API and to run garden init', () => {
      const err = translateStatus(404, undefined, SHOOT);
      assert.equal(err.message, 'The garden does not serve shoots.kubegarden.io: run "kubegarden garden init" to install the kubegarden API.');
      assert.equal(err.exitCode, 4);
    });

    it('without a Status body for a resource that is not ours, gives no garden init hint', () => {
      const err = translateStatus(404, { message: '404 page not found' }, { ...SHOOT, cluster: 'seed "aws-eu"', resource: 'leases.coordination.k8s.io' });
      assert.equal(err.message, 'Seed "aws-eu" does not serve leases.coordination.k8s.io.');
      assert.doesNotMatch(err.message, /garden init/);
    });
  });

  describe('409 Conflict', () => {
    it('passes the server\'s reason on, says to re-run, and exits 5', () => {
      const err = translateStatus(409, status(409, 'the object has been modified; please apply your changes to the latest version'), { ...SHOOT, verb: 'update' });
      assert.equal(
        err.message,
        'Cannot update shoots.kubegarden.io "demo" in namespace garden-dev in the garden: the object has been modified; please apply your changes to the latest version (409 Conflict); re-run to retry against the current state.',
      );
      assert.equal(err.code, 'conflict');
      assert.equal(err.exitCode, 5);
    });

    it('explains a conflict without a message', () => {
      assert.match(translateStatus(409, undefined, SHOOT).message, /: it conflicts with the current state \(409 Conflict\)/);
    });
  });

  describe('422 Unprocessable Entity', () => {
    it('passes the validation message on and exits 7', () => {
      const message = 'Shoot.kubegarden.io "demo" is invalid: spec.networking.pods: Invalid value: "string": pods range is immutable';
      const err = translateStatus(422, status(422, message, 'Invalid'), SHOOT);
      assert.equal(err.message, `The garden refused to create shoots.kubegarden.io "demo" in namespace garden-dev: ${message}.`);
      assert.equal(err.code, 'invalid');
      assert.equal(err.exitCode, 7);
      assert.equal(err.apiStatus?.reason, 'Invalid');
    });

    it('treats 400 Bad Request the same way', () => {
      assert.equal(translateStatus(400, status(400, 'bad'), SHOOT).code, 'invalid');
    });
  });

  describe('500 Internal Server Error', () => {
    it('from server-side apply refusing a patch it cannot type is the request\'s fault: invalid, with the prefix cut', () => {
      const err = translateStatus(
        500,
        status(500, 'failed to create typed patch object (kubegarden.io/v1alpha1, Kind=Shoot): .spec.provider.workers: duplicate entries for key [name="worker"]'),
        { ...SHOOT, verb: 'apply' },
      );
      assert.equal(err.message, 'The garden refused to apply shoots.kubegarden.io "demo" in namespace garden-dev: .spec.provider.workers: duplicate entries for key [name="worker"].');
      assert.equal(err.code, 'invalid');
      assert.equal(err.exitCode, 7);
    });

    it('otherwise points at the API server\'s health and exits 9', () => {
      const err = translateStatus(500, status(500, 'etcdserver: request timed out'), SHOOT);
      assert.equal(err.message, 'The garden failed to create shoots.kubegarden.io "demo" in namespace garden-dev (500: etcdserver: request timed out): check the API server\'s health and retry.');
      assert.equal(err.exitCode, 9);
    });
  });

  describe('503 Service Unavailable', () => {
    it('is unreachable (exit 9)', () => {
      const err = translateStatus(503, undefined, SHOOT);
      assert.equal(err.code, 'unreachable');
      assert.equal(err.exitCode, 9);
      assert.match(err.message, /^The garden failed to create .* \(503\): check the API server's health and retry\.$/);
    });
  });

  describe('429 Too Many Requests', () => {
    it('says the server is throttling and to retry', () => {
      const err = translateStatus(429, undefined, SHOOT);
      assert.equal(err.code, 'unreachable');
      assert.match(err.message, /is throttling requests \(429 Too Many Requests\) while trying to create .*: retry in a moment\./);
    });
  });

  describe('other statuses', () => {
    it('are unexpected (exit 1) and keep the server\'s message', () => {
      const err = translateStatus(418, status(418, 'teapot'), SHOOT);
      assert.equal(err.code, 'unexpected');
      assert.equal(err.exitCode, 1);
      assert.equal(err.message, 'The garden answered 418 to create shoots.kubegarden.io "demo" in namespace garden-dev: teapot.');
    });
  });

  it('returns a KubeApiError that is a KubegardenError keeping the HTTP status and body', () => {
    const body = status(409, 'x');
    const err = translateStatus(409, body, SHOOT);
    assert.ok(err instanceof KubeApiError);
    assert.ok(err instanceof KubegardenError);
    assert.equal(err.status, 409);
    assert.equal(err.apiStatus, body);
  });
});

describe('translateNetworkError', () => {
  const GARDEN = { cluster: 'the garden', server: 'https://127.0.0.1:6443' };

  it('says a refused connection means the server is not running or the kubeconfig is wrong', () => {
    const err = translateNetworkError(sysError('ECONNREFUSED'), GARDEN);
    assert.equal(err.message, 'Cannot reach the garden at https://127.0.0.1:6443 (connection refused): check that it is running and that the kubeconfig points to it.');
    assert.equal(err.code, 'unreachable');
    assert.equal(err.exitCode, 9);
  });

  it('says an unknown host was not found', () => {
    const err = translateNetworkError(sysError('ENOTFOUND', 'getaddrinfo ENOTFOUND api.example'), { cluster: 'seed "aws-eu"', server: 'https://api.example:443' });
    assert.equal(err.message, 'Cannot reach seed "aws-eu" at https://api.example:443 (host not found): check that it is running and that the kubeconfig points to it.');
  });

  it('finds the code in the cause of a wrapping error, as fetch reports it', () => {
    const fetchError = new TypeError('fetch failed', { cause: sysError('ECONNREFUSED') });
    assert.match(translateNetworkError(fetchError, GARDEN).message, /\(connection refused\)/);
  });

  it('falls back to the error\'s own message for codes it does not know', () => {
    assert.match(translateNetworkError(new Error('socket hang up'), GARDEN).message, /^Cannot reach the garden at .* \(socket hang up\)/);
  });

  it('says a self-signed certificate cannot be trusted and to check the certificate-authority', () => {
    const err = translateNetworkError(new TypeError('fetch failed', { cause: sysError('DEPTH_ZERO_SELF_SIGNED_CERT', 'self-signed certificate') }), GARDEN);
    assert.equal(
      err.message,
      'Cannot trust the garden at https://127.0.0.1:6443: it presented a self-signed certificate; check the certificate-authority in the kubeconfig and that the server address is right.',
    );
    assert.equal(err.exitCode, 9);
  });

  it('says a certificate for another host does not name this host', () => {
    const err = translateNetworkError(sysError('ERR_TLS_CERT_ALTNAME_INVALID', "Hostname/IP does not match certificate's altnames"), GARDEN);
    assert.match(err.message, /^Cannot trust the garden at https:\/\/127\.0\.0\.1:6443: its certificate does not name this host;/);
  });

  it('recognises a TLS failure by its message when it has no known code', () => {
    assert.match(translateNetworkError(new Error('unable to verify the first certificate'), GARDEN).message, /^Cannot trust the garden .*: TLS failed: unable to verify the first certificate;/);
  });

  it('keeps the original error as the cause for --verbose', () => {
    const cause = sysError('ECONNREFUSED');
    assert.equal(translateNetworkError(cause, GARDEN).cause, cause);
  });
});

describe('isTransient', () => {
  it('retries throttling and server-side failures', () => {
    for (const code of [429, 500, 502, 503, 504]) assert.equal(isTransient(translateStatus(code, undefined, SHOOT)), true, String(code));
  });

  it('does not retry what the client must fix', () => {
    for (const code of [400, 401, 403, 404, 409, 422]) assert.equal(isTransient(translateStatus(code, status(code, 'x'), SHOOT)), false, String(code));
  });

  it('retries an unreachable server but not an untrusted one', () => {
    const garden = { cluster: 'the garden', server: 'https://127.0.0.1:6443' };
    assert.equal(isTransient(translateNetworkError(sysError('ECONNREFUSED'), garden)), true);
    assert.equal(isTransient(translateNetworkError(sysError('DEPTH_ZERO_SELF_SIGNED_CERT'), garden)), false);
    assert.equal(isTransient(translateNetworkError(sysError('ERR_TLS_CERT_ALTNAME_INVALID'), garden)), false);
  });

  it('does not retry other errors', () => {
    assert.equal(isTransient(new KubegardenError('timeout', 'Timed out.')), false);
    assert.equal(isTransient(new KubegardenError('config', 'No kubeconfig.')), false);
    assert.equal(isTransient(new Error('boom')), false);
    assert.equal(isTransient(undefined), false);
  });
});

describe('isTransient follows the translation, not the raw status', () => {
  it('does not retry a server-side apply the server could not type (reported as 500)', () => {
    const err = translateStatus(500, status(500, 'failed to create typed patch object (x): .spec.provider.workers: duplicate entries for key [name="a"]'), SHOOT);
    assert.equal(err.code, 'invalid');
    assert.equal(isTransient(err), false);
  });
});
