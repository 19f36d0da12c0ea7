// A server that answers, but not as a Kubernetes API server (a proxy's login
// page, a web server on the wrong port): one sentence naming the server, not
// a crash further down.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { KubeClient } from '../../../src/lib/kube/client.ts';
import { isKubegardenError } from '../../../src/lib/ui/errors.ts';

describe('KubeClient against a server that does not speak the Kubernetes API', () => {
  let server: Server;
  let client: KubeClient;

  before(async () => {
    server = createServer((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/html' });
      res.end('<html><body>Please log in</body></html>');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    client = await KubeClient.fromResolved(
      { files: ['test'], contextName: 'c', cluster: { server: `http://127.0.0.1:${port}` }, clusterName: 'c', user: {}, userName: 'u', namespace: undefined, contexts: ['c'], raw: {} },
      'the garden',
    );
  });
  after(() => {
    client.close();
    server.close();
  });

  it('refuses a 200 answer that is not JSON as unreachable, naming the server', async () => {
    await assert.rejects(client.list('kubegarden.io/v1alpha1', 'Seed'), (err: unknown) => {
      assert.ok(isKubegardenError(err));
      assert.equal(err.code, 'unreachable');
      assert.match(err.message, /^The garden at http:\/\/127\.0\.0\.1:\d+ answered GET \/apis\/kubegarden\.io\/v1alpha1\/seeds with something that is not JSON: check that the kubeconfig's server is a Kubernetes API server\.$/);
      return true;
    });
  });
});
