import { strict as assert } from 'node:assert';
import type { KubeObject, ObjectRef } from '../../../src/lib/kube/client.ts';
import { KubeSecretStore } from '../../../src/lib/pki/kube-store.ts';
import type { SecretClient } from '../../../src/lib/pki/kube-store.ts';
import { credentialLabels } from '../../../src/lib/pki/store.ts';
import { conflict, isKubegardenError } from '../../../src/lib/ui/errors.ts';

const NS = 'shoot--dev--demo';
const PEM = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
const b64 = (text: string): string => Buffer.from(text, 'utf8').toString('base64');

interface SecretObject extends KubeObject {
  type?: string;
  data?: Record<string, string>;
}

/**
 * An API server reduced to what the store touches, with apply's ownership rule:
 * apply replaces the keys the kubegarden manager applied, and keys written by
 * another manager (`foreign`) survive until a merge patch nulls them.
 */
function fakeClient() {
  const secrets = new Map<string, SecretObject>();
  const applied: SecretObject[] = [];
  const patches: Array<{ ref: ObjectRef; patch: unknown }> = [];
  const foreign = new Map<string, Set<string>>();
  let version = 0;
  let conflictsLeft = 0;
  const key = (namespace: string | undefined, name: string): string => `${namespace ?? ''}/${name}`;
  const client = {
    async get<T extends KubeObject>(ref: ObjectRef): Promise<T | undefined> {
      const found = secrets.get(key(ref.namespace, ref.name));
      return found === undefined ? undefined : (structuredClone(found) as T);
    },
    async apply<T extends KubeObject>(obj: KubeObject): Promise<T> {
      const body = structuredClone(obj) as SecretObject;
      applied.push(body);
      const k = key(body.metadata.namespace, body.metadata.name);
      const before = secrets.get(k);
      const kept = Object.entries(before?.data ?? {}).filter(([name]) => foreign.get(k)?.has(name));
      const next: SecretObject = {
        ...body,
        metadata: { ...body.metadata, resourceVersion: String(++version) },
        data: { ...Object.fromEntries(kept), ...body.data },
      };
      secrets.set(k, next);
      return structuredClone(next) as T;
    },
    async mergePatch<T extends KubeObject>(ref: ObjectRef, patch: unknown): Promise<T> {
      patches.push({ ref, patch: structuredClone(patch) });
      const k = key(ref.namespace, ref.name);
      const current = secrets.get(k);
      const p = patch as { metadata?: { resourceVersion?: string }; data?: Record<string, string | null> };
      if (current === undefined) throw new Error('not found');
      if (conflictsLeft > 0) {
        conflictsLeft--;
        throw conflict('Cannot update secrets: the object has been modified (409 Conflict).');
      }
      if (p.metadata?.resourceVersion !== undefined && p.metadata.resourceVersion !== current.metadata.resourceVersion) throw conflict('stale');
      const data = { ...current.data };
      for (const [name, value] of Object.entries(p.data ?? {})) {
        if (value === null) delete data[name];
        else data[name] = value;
      }
      const next: SecretObject = { ...current, metadata: { ...current.metadata, resourceVersion: String(++version) }, data };
      secrets.set(k, next);
      return structuredClone(next) as T;
    },
  } satisfies SecretClient;
  return {
    client,
    secrets,
    applied,
    patches,
    /** Another field manager writes a key (as kubectl edit would). */
    writeForeign(name: string, dataKey: string, value: string) {
      const k = key(NS, name);
      const current = secrets.get(k);
      if (current === undefined) throw new Error('no such secret');
      current.data = { ...current.data, [dataKey]: b64(value) };
      current.metadata.resourceVersion = String(++version);
      foreign.set(k, new Set([...(foreign.get(k) ?? []), dataKey]));
    },
    failNextPatches(n: number) {
      conflictsLeft = n;
    },
  };
}

describe('KubeSecretStore', () => {
  describe('get', () => {
    it('returns undefined for a Secret that does not exist', async () => {
      const fake = fakeClient();
      assert.equal(await new KubeSecretStore(fake.client, NS).get('ca'), undefined);
    });

    it('decodes base64 data to UTF-8 text and returns the labels', async () => {
      const fake = fakeClient();
      fake.secrets.set(`${NS}/ca`, {
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: 'ca', namespace: NS, labels: { a: 'b' } },
        type: 'Opaque',
        data: { 'ca.crt': b64(PEM), note: b64('grüße') },
      });
      assert.deepEqual(await new KubeSecretStore(fake.client, NS).get('ca'), { data: { 'ca.crt': PEM, note: 'grüße' }, labels: { a: 'b' } });
    });

    it('reads a Secret without data or labels as empty ones', async () => {
      const fake = fakeClient();
      fake.secrets.set(`${NS}/empty`, { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'empty', namespace: NS } });
      assert.deepEqual(await new KubeSecretStore(fake.client, NS).get('empty'), { data: {}, labels: {} });
    });

    it('looks in its own namespace only', async () => {
      const fake = fakeClient();
      fake.secrets.set('other/ca', { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'ca', namespace: 'other' }, data: {} });
      assert.equal(await new KubeSecretStore(fake.client, NS).get('ca'), undefined);
    });
  });

  describe('put', () => {
    it('applies an Opaque Secret in the namespace with base64 data and the given labels', async () => {
      const fake = fakeClient();
      const labels = credentialLabels('demo', 'ca');
      await new KubeSecretStore(fake.client, NS).put('ca', { 'ca.crt': PEM, 'ca.key': 'KEY' }, labels);
      assert.deepEqual(fake.applied, [
        {
          apiVersion: 'v1',
          kind: 'Secret',
          metadata: { name: 'ca', namespace: NS, labels },
          type: 'Opaque',
          data: { 'ca.crt': b64(PEM), 'ca.key': b64('KEY') },
        },
      ]);
      assert.deepEqual(fake.patches, []);
    });

    it('round-trips through get', async () => {
      const fake = fakeClient();
      const store = new KubeSecretStore(fake.client, NS);
      const data = { 'tls.crt': PEM, 'tls.key': 'K\n', kubeconfig: 'apiVersion: v1\n', empty: '' };
      await store.put('kube-scheduler', data, { x: 'y' });
      assert.deepEqual(await store.get('kube-scheduler'), { data, labels: { x: 'y' } });
    });

    it('leaves a key out of the apply when it is left out, so apply removes it', async () => {
      const fake = fakeClient();
      const store = new KubeSecretStore(fake.client, NS);
      await store.put('ca', { 'ca.crt': PEM, 'ca.key': 'KEY', 'ca-previous.crt': PEM }, {});
      await store.put('ca', { 'ca.crt': PEM, 'ca.key': 'KEY' }, {});
      assert.deepEqual(Object.keys(fake.applied[1]?.data ?? {}).sort(), ['ca.crt', 'ca.key']);
      assert.deepEqual(Object.keys((await store.get('ca'))?.data ?? {}).sort(), ['ca.crt', 'ca.key']);
      assert.deepEqual(fake.patches, [], 'no clean-up when apply removed everything');
    });

    it('removes keys another writer added, guarded by the resourceVersion apply returned', async () => {
      const fake = fakeClient();
      const store = new KubeSecretStore(fake.client, NS);
      await store.put('ca', { 'ca.crt': PEM, 'ca.key': 'KEY' }, {});
      fake.writeForeign('ca', 'stray', 'from kubectl edit');
      await store.put('ca', { 'ca.crt': PEM, 'ca.key': 'KEY' }, {});
      assert.equal(fake.patches.length, 1);
      assert.deepEqual(fake.patches[0], {
        ref: { apiVersion: 'v1', kind: 'Secret', name: 'ca', namespace: NS },
        patch: { metadata: { resourceVersion: '3' }, data: { stray: null } },
      });
      assert.deepEqual(await store.get('ca'), { data: { 'ca.crt': PEM, 'ca.key': 'KEY' }, labels: {} });
    });

    it('starts over when the Secret changed between apply and clean-up', async () => {
      const fake = fakeClient();
      const store = new KubeSecretStore(fake.client, NS);
      await store.put('ca', { 'ca.crt': PEM }, {});
      fake.writeForeign('ca', 'stray', 'x');
      fake.failNextPatches(1);
      await store.put('ca', { 'ca.crt': PEM }, {});
      assert.equal(fake.applied.length, 3, 'applied again after the conflict');
      assert.deepEqual((await store.get('ca'))?.data, { 'ca.crt': PEM });
    });

    it('gives up with the conflict after a few attempts', async () => {
      const fake = fakeClient();
      const store = new KubeSecretStore(fake.client, NS);
      await store.put('ca', { 'ca.crt': PEM }, {});
      fake.writeForeign('ca', 'stray', 'x');
      fake.failNextPatches(10);
      const err = await store.put('ca', { 'ca.crt': PEM }, {}).then(
        () => undefined,
        (e: unknown) => e,
      );
      assert.ok(isKubegardenError(err) && err.code === 'conflict', String(err));
      assert.equal(fake.applied.length, 1 + 3);
    });

    it('passes other errors through without retrying', async () => {
      const fake = fakeClient();
      const client: SecretClient = {
        ...fake.client,
        async apply() {
          throw new Error('forbidden');
        },
      };
      await assert.rejects(new KubeSecretStore(client, NS).put('ca', {}, {}), /forbidden/);
    });
  });

  describe('preload', () => {
    const counting = (fake: ReturnType<typeof fakeClient>) => {
      const calls = { get: 0, list: 0 };
      const client = {
        ...fake.client,
        async get<T extends KubeObject>(ref: ObjectRef): Promise<T | undefined> {
          calls.get++;
          return fake.client.get<T>(ref);
        },
        async list<T extends KubeObject>(_apiVersion: string, _kind: string, options: { namespace?: string }): Promise<T[]> {
          calls.list++;
          return [...fake.secrets.values()].filter((s) => s.metadata.namespace === options.namespace).map((s) => structuredClone(s) as T);
        },
      };
      return { client, calls };
    };

    it('answers get from one list of the namespace, absent Secrets included, without a request each', async () => {
      const fake = fakeClient();
      await new KubeSecretStore(fake.client, NS).put('ca', { 'ca.crt': PEM }, credentialLabels('demo', 'ca'));
      await new KubeSecretStore(fake.client, 'elsewhere').put('other', { x: 'y' }, {});
      const { client, calls } = counting(fake);
      const store = await new KubeSecretStore(client, NS).preload(client);
      assert.deepEqual((await store.get('ca'))?.data, { 'ca.crt': PEM });
      assert.equal(await store.get('other'), undefined);
      assert.equal(await store.get('missing'), undefined);
      assert.deepEqual(calls, { get: 0, list: 1 });
    });

    it('keeps what put wrote, so a later get in the same flow sees it', async () => {
      const fake = fakeClient();
      const { client, calls } = counting(fake);
      const store = await new KubeSecretStore(client, NS).preload(client);
      await store.put('token', { token: 'abc' }, {});
      assert.deepEqual((await store.get('token'))?.data, { token: 'abc' });
      assert.equal(calls.get, 0);
    });
  });
});
