// KubeSecretStore against a real kube-apiserver: what put leaves in the Secret
// is exactly what it was given, whoever wrote the keys it drops.
import assert from 'node:assert/strict';
import { KubeClient, type KubeObject } from '../../../src/lib/kube/client.ts';
import type { LocalCluster } from '../../../src/lib/local/cluster.ts';
import { KubeSecretStore } from '../../../src/lib/pki/kube-store.ts';
import { splitPem } from '../../../src/lib/pki/inspect.ts';
import { reconcileCredentials } from '../../../src/lib/pki/reconcile.ts';
import { completeCARotation, prepareCARotation } from '../../../src/lib/pki/rotation.ts';
import { credentialLabels } from '../../../src/lib/pki/store.ts';
import { startTestCluster } from '../../helpers/testbed.ts';

const NS = 'shoot--dev--store';

interface Secret extends KubeObject {
  type?: string;
  data?: Record<string, string>;
}

describe('KubeSecretStore (real kube-apiserver)', function () {
  this.timeout(120_000);
  let seed: LocalCluster;
  let client: KubeClient;
  let store: KubeSecretStore;

  const raw = async (name: string): Promise<Secret> => {
    const secret = await client.get<Secret>({ apiVersion: 'v1', kind: 'Secret', name, namespace: NS });
    assert.ok(secret, `Secret ${name} exists`);
    return secret;
  };
  const keys = async (name: string): Promise<string[]> => Object.keys((await raw(name)).data ?? {}).sort();
  /** Another field manager merges into the Secret, as `kubectl edit` would. */
  const writeAsOther = async (name: string, patch: unknown): Promise<void> => {
    await client.request('PATCH', `/api/v1/namespaces/${NS}/secrets/${name}`, {
      body: patch,
      contentType: 'application/merge-patch+json',
      query: { fieldManager: 'kubectl-edit' },
      ctx: { verb: 'patch', resource: 'secrets', namespace: NS, name },
    });
  };

  before(async () => {
    seed = await startTestCluster('store-seed');
    client = await KubeClient.connect({ kubeconfig: seed.kubeconfigPath }, 'the seed');
    await client.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } });
    store = new KubeSecretStore(client, NS);
  });
  after(async () => {
    client?.close();
    await seed?.stop();
  });

  it('writes an Opaque Secret that reads back as the same text and labels', async () => {
    const data = { 'ca.crt': '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n', note: 'grüße', empty: '' };
    const labels = credentialLabels('demo', 'ca');
    await store.put('roundtrip', data, labels);
    assert.deepEqual(await store.get('roundtrip'), { data, labels });
    const secret = await raw('roundtrip');
    assert.equal(secret.type, 'Opaque');
    assert.equal(secret.data?.['note'], Buffer.from('grüße').toString('base64'));
    assert.equal(await store.get('absent'), undefined);
  });

  it('removes the keys a later put leaves out', async () => {
    await store.put('shrink', { a: '1', b: '2', c: '3' }, {});
    await store.put('shrink', { a: '1' }, {});
    assert.deepEqual(await keys('shrink'), ['a']);
    await store.put('shrink', {}, {});
    assert.deepEqual(await keys('shrink'), []);
  });

  it('removes keys another field manager added or co-owns', async () => {
    await store.put('foreign', { 'tls.crt': 'C', 'tls.key': 'K' }, {});
    // A stray key (an update by another manager), and one of ours that a second applier
    // applies with the same value, so both own it: apply alone would keep either.
    await writeAsOther('foreign', { data: { stray: Buffer.from('x').toString('base64') } });
    const coOwned = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'foreign', namespace: NS }, data: { 'tls.key': Buffer.from('K').toString('base64') } };
    await client.apply(coOwned, undefined, 'other-applier');
    assert.deepEqual(await keys('foreign'), ['stray', 'tls.crt', 'tls.key']);
    await store.put('foreign', { 'tls.crt': 'C2' }, {});
    assert.deepEqual(await store.get('foreign'), { data: { 'tls.crt': 'C2' }, labels: {} });
  });

  it('drops labels it set before and now leaves out, and keeps labels others set', async () => {
    await store.put('labels', { a: '1' }, { mine: 'yes', old: 'yes' });
    await writeAsOther('labels', { metadata: { labels: { theirs: 'yes' } } });
    await store.put('labels', { a: '1' }, { mine: 'yes' });
    assert.deepEqual((await raw('labels')).metadata.labels, { mine: 'yes', theirs: 'yes' });
  });

  it('carries a CA rotation: the previous CA is added, then removed from the Secret', async () => {
    const params = { shootName: 'demo', namespace: NS, servicesCIDR: '100.64.0.0/13' };
    await reconcileCredentials(store, params);
    const original = (await store.get('ca-vpn'))?.data['ca.crt'];
    await prepareCARotation(store, 'ca-vpn', params);
    assert.deepEqual(await keys('ca-vpn'), ['ca-current.crt', 'ca-previous.crt', 'ca.crt', 'ca.key']);
    assert.equal(splitPem((await store.get('ca-vpn'))?.data['ca.crt'] ?? '').length, 2);
    await completeCARotation(store, 'ca-vpn', params);
    assert.deepEqual(await keys('ca-vpn'), ['ca-current.crt', 'ca.crt', 'ca.key']);
    const bundle = splitPem((await store.get('ca-vpn'))?.data['ca.crt'] ?? '');
    assert.equal(bundle.length, 1);
    assert.notEqual(bundle[0], original);
  });

  it('changes nothing when put the same data again', async () => {
    await store.put('same', { a: '1' }, { x: 'y' });
    const before = (await raw('same')).metadata.resourceVersion;
    await store.put('same', { a: '1' }, { x: 'y' });
    assert.equal((await raw('same')).metadata.resourceVersion, before);
  });
});
