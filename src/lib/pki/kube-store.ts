// The SecretStore the flows use: one Kubernetes Secret per credential in the
// shoot's namespace of its seed, written by server-side apply (field manager
// kubegarden). Apply removes the data keys kubegarden applied before and now
// omits; keys some other writer added (kubectl edit, an older Update) survive
// an apply, so put removes those afterwards: the reconciler compares data
// exactly, and a stray key would make it rewrite the Secret on every run.
import type { KubeClient, KubeObject, ObjectRef } from '../kube/client.ts';
import { isKubegardenError } from '../ui/errors.ts';
import type { SecretData, SecretLabels, SecretStore, StoredSecret } from './store.ts';

/** The part of KubeClient the store uses; unit tests pass a plain object. */
export type SecretClient = Pick<KubeClient, 'get' | 'apply' | 'mergePatch'>;

interface SecretObject extends KubeObject {
  type?: string;
  /** Values are base64, as the API serves them. */
  data?: Record<string, string>;
}

/** How often put starts over when another writer changed the Secret between its apply and its clean-up. */
const PUT_ATTEMPTS = 3;

export class KubeSecretStore implements SecretStore {
  readonly client: SecretClient;
  readonly namespace: string;

  constructor(client: SecretClient, namespace: string) {
    this.client = client;
    this.namespace = namespace;
  }

  /** Secrets read by preload, by name; kept current by put. */
  private cache: Map<string, SecretObject> | undefined;

  /**
   * Reads every Secret of the namespace in one request, so that get answers
   * from memory: a shoot's credentials are about twenty Secrets, each read
   * once per flow. The flow holds the shoot's lock, so nobody else writes them
   * meanwhile; put keeps the copy current.
   */
  async preload(client: Pick<KubeClient, 'list'>): Promise<this> {
    const secrets = await client.list<SecretObject>('v1', 'Secret', { namespace: this.namespace });
    this.cache = new Map(secrets.map((s) => [s.metadata.name, s]));
    return this;
  }

  async get(name: string): Promise<StoredSecret | undefined> {
    const secret = this.cache ? this.cache.get(name) : await this.client.get<SecretObject>(this.ref(name));
    if (secret === undefined) return undefined;
    const data: SecretData = {};
    for (const [key, value] of Object.entries(secret.data ?? {})) data[key] = Buffer.from(value, 'base64').toString('utf8');
    return { data, labels: { ...secret.metadata.labels } };
  }

  /** The Secret afterwards holds exactly these data keys, type Opaque, with these labels (other writers' labels stay). */
  async put(name: string, data: SecretData, labels: SecretLabels): Promise<void> {
    const encoded: Record<string, string> = {};
    for (const [key, value] of Object.entries(data)) encoded[key] = Buffer.from(value, 'utf8').toString('base64');
    const desired: SecretObject = {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name, namespace: this.namespace, labels: { ...labels } },
      type: 'Opaque',
      data: encoded,
    };
    for (let attempt = 1; ; attempt++) {
      const applied = await this.client.apply<SecretObject>(desired);
      this.cache?.set(name, { ...applied, data: encoded });
      const leftovers = Object.keys(applied.data ?? {}).filter((key) => !Object.hasOwn(data, key));
      if (leftovers.length === 0) return;
      try {
        // A merge patch deletes a key given as null, whoever owns it; the resourceVersion
        // makes it fail rather than delete from a Secret someone rewrote in the meantime.
        await this.client.mergePatch(this.ref(name), {
          metadata: { resourceVersion: applied.metadata.resourceVersion },
          data: Object.fromEntries(leftovers.map((key) => [key, null])),
        });
        return;
      } catch (err) {
        if (!(isKubegardenError(err) && err.code === 'conflict') || attempt >= PUT_ATTEMPTS) throw err;
      }
    }
  }

  private ref(name: string): ObjectRef {
    return { apiVersion: 'v1', kind: 'Secret', name, namespace: this.namespace };
  }
}
