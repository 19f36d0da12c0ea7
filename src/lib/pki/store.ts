// Where credentials live between runs: one Secret per credential. The
// reconciler only needs get and put, so unit tests pass an in-memory store and
// the flows pass one backed by Kubernetes Secrets in the shoot's seed namespace.

export type SecretData = Record<string, string>;
export type SecretLabels = Record<string, string>;

export interface StoredSecret {
  /** UTF-8 string values (what a Secret's stringData holds), not base64. */
  data: SecretData;
  labels: SecretLabels;
}

export interface SecretStore {
  get(name: string): Promise<StoredSecret | undefined>;
  /** Creates or replaces the whole Secret: data keys absent here are removed. */
  put(name: string, data: SecretData, labels: SecretLabels): Promise<void>;
}

export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';
export const SHOOT_LABEL = 'kubegarden.io/shoot';
export const CREDENTIAL_LABEL = 'kubegarden.io/credential';

export function credentialLabels(shootName: string, credential: string): SecretLabels {
  return { [MANAGED_BY_LABEL]: 'kubegarden', [SHOOT_LABEL]: shootName, [CREDENTIAL_LABEL]: credential };
}

/** A store in a Map: for tests, dry runs and benchmarks. Copies on the way in and out. */
export class InMemorySecretStore implements SecretStore {
  readonly secrets = new Map<string, StoredSecret>();
  /** Names passed to put, in call order. */
  readonly writes: string[] = [];

  async get(name: string): Promise<StoredSecret | undefined> {
    const secret = this.secrets.get(name);
    return secret === undefined ? undefined : copy(secret);
  }

  async put(name: string, data: SecretData, labels: SecretLabels): Promise<void> {
    this.writes.push(name);
    this.secrets.set(name, copy({ data, labels }));
  }

  /** A deep copy of every Secret, keyed by name. */
  snapshot(): Record<string, StoredSecret> {
    return Object.fromEntries([...this.secrets].map(([name, secret]) => [name, copy(secret)]));
  }

  /** A new store holding a copy of this one's Secrets. */
  clone(): InMemorySecretStore {
    const other = new InMemorySecretStore();
    for (const [name, secret] of this.secrets) other.secrets.set(name, copy(secret));
    return other;
  }
}

function copy(secret: StoredSecret): StoredSecret {
  return { data: { ...secret.data }, labels: { ...secret.labels } };
}
