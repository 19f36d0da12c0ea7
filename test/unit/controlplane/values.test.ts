// Values: the defaults a flow may leave out, and the combinations refused
// before anything is rendered.
import assert from 'node:assert/strict';
import { controlPlaneValues, defaultImages, endpointURL } from '../../../src/lib/controlplane/values.ts';
import { KubegardenError } from '../../../src/lib/ui/errors.ts';
import { LOCAL_PORTS, awsInput, localInput } from './fixtures.ts';

function refusal(fn: () => unknown): KubegardenError {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof KubegardenError);
    assert.equal(err.code, 'invalid');
    return err;
  }
  assert.fail('expected the values to be refused');
}

describe('control-plane values', () => {
  it('fill in namespace, images, issuer, VPN and replicas', () => {
    const v = controlPlaneValues(awsInput({ checksums: {} }));
    assert.equal(v.namespace, 'shoot--dev--demo');
    assert.equal(v.kubernetesVersion, '1.37.2');
    assert.deepEqual(v.images, defaultImages('1.37.2'));
    assert.equal(v.images.kubeScheduler, 'registry.k8s.io/kube-scheduler:v1.37.2');
    assert.equal(v.endpoint.url, 'https://api.demo.dev.example.com');
    assert.equal(v.serviceAccountIssuer, 'https://api.demo.dev.example.com');
    assert.equal(v.vpn, true);
    assert.equal(v.replicas, 1);
    assert.equal(v.clusterDomain, 'cluster.local');
    assert.equal(v.hostNetwork, undefined);
  });

  it('give a local shoot no VPN, and hibernation no replicas', () => {
    const v = controlPlaneValues(localInput({ hibernated: true }));
    assert.equal(v.vpn, false);
    assert.equal(v.replicas, 0);
    assert.equal(v.endpoint.url, `https://127.0.0.1:${LOCAL_PORTS.kubeApiserver}`);
  });

  it('write the endpoint URL with brackets for IPv6 and without the default port', () => {
    assert.equal(endpointURL('2001:db8::1', 6443), 'https://[2001:db8::1]:6443');
    assert.equal(endpointURL('api.example.com', 443), 'https://api.example.com');
  });

  const refused: Array<[string, () => unknown, RegExp]> = [
    ['a local shoot without ports', () => controlPlaneValues(localInput({ hostNetwork: undefined })), /no loopback ports/],
    ['a local shoot whose endpoint is not its API server port', () => controlPlaneValues(localInput({ endpoint: { host: '127.0.0.1', port: 1 } })), /must be 127\.0\.0\.1:36443/],
    ['a local shoot with two ports alike', () => controlPlaneValues(localInput({ hostNetwork: { ports: { ...LOCAL_PORTS, kubeScheduler: LOCAL_PORTS.etcdClient } } })), /distinct port/],
    ['a local shoot with a VPN', () => controlPlaneValues(localInput({ vpn: true })), /has no VPN/],
    ['a local shoot with two replicas', () => controlPlaneValues(localInput({ replicas: 2 })), /at most 1 can run/],
    ['a cloud shoot with loopback ports', () => controlPlaneValues(awsInput({ hostNetwork: { ports: { ...LOCAL_PORTS } } })), /local provider only/],
    ['a version of the wrong form', () => controlPlaneValues(awsInput({ kubernetesVersion: 'v1.37' })), /not of the form/],
  ];
  for (const [title, fn, message] of refused) {
    it(`refuse ${title}`, () => assert.match(refusal(fn).message, message));
  }
});
