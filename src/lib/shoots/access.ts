// Admin access to a shoot: a kubeconfig with the cluster CA embedded and a
// short-lived client certificate from the shoot's client CA, which lives only
// in the seed.
import { chmod, writeFile } from 'node:fs/promises';
import { shootSeedNamespace } from '../api/types.ts';
import { getShoot } from '../garden/shoots.ts';
import { getSeed, seedClient } from '../garden/seeds.ts';
import type { KubeClient } from '../kube/client.ts';
import { conflict, notFound } from '../ui/errors.ts';
import type { AdminKubeconfig, AdminKubeconfigRequest } from '../pki/kubeconfig.ts';

export interface AdminKubeconfigOptions {
  expirationSeconds: number;
  user?: string | undefined;
  maxExpirationSeconds?: number | undefined;
  signal?: AbortSignal | undefined;
}

export interface AdminKubeconfigResult {
  kubeconfig: string;
  expiresAt: Date;
  server: string;
}

export async function shootAdminKubeconfig(garden: KubeClient, project: string, name: string, options: AdminKubeconfigOptions): Promise<AdminKubeconfigResult> {
  const shoot = await getShoot(garden, project, name, options.signal);
  const seedName = shoot.status?.seedName ?? shoot.spec.seedName;
  const server = shoot.status?.endpoint;
  if (!seedName || !server) {
    throw conflict(`Shoot "${project}/${name}" has no API server endpoint yet: wait for its creation to get that far ("kubegarden shoot get ${name} --project ${project}").`);
  }
  const seed = await seedClient(garden, await getSeed(garden, seedName, options.signal), options.signal);
  try {
    const result = await issueFromSeed(seed, shootSeedNamespace(project, name), {
      server,
      user: options.user ?? `kubegarden-admin-${process.env['USER'] ?? 'user'}`,
      expirationSeconds: options.expirationSeconds,
      clusterName: `${project}--${name}`,
      ...(options.maxExpirationSeconds ? { maxExpirationSeconds: options.maxExpirationSeconds } : {}),
    });
    if (!result) {
      throw notFound(`The certificate authorities of shoot "${project}/${name}" are missing in seed "${seedName}": run "kubegarden shoot reconcile ${name} --project ${project}".`);
    }
    return { ...result, server };
  } finally {
    seed.close();
  }
}

/**
 * An admin kubeconfig for a shoot, signed by its client CA as stored in the
 * seed namespace; undefined when the CAs are not (or no longer) there.
 */
export async function issueFromSeed(seed: KubeClient, namespace: string, request: AdminKubeconfigRequest): Promise<AdminKubeconfig | undefined> {
  const { KubeSecretStore } = await import('../pki/kube-store.ts');
  const { issueAdminKubeconfig } = await import('../pki/kubeconfig.ts');
  const { splitPem } = await import('../pki/inspect.ts');
  const store = new KubeSecretStore(seed, namespace);
  const [ca, clientCa] = await Promise.all([store.get('ca'), store.get('ca-client')]);
  const signer = clientCa?.data['ca.crt'] ? splitPem(clientCa.data['ca.crt'])[0] : undefined;
  if (!ca?.data['ca.crt'] || !signer || !clientCa?.data['ca.key']) return undefined;
  // During a CA rotation ca.crt is a bundle: the signing certificate is the first.
  return issueAdminKubeconfig({ ca: { bundlePem: ca.data['ca.crt'] }, 'ca-client': { certPem: signer, keyPem: clientCa.data['ca.key'] } }, request);
}

/** Kubeconfigs hold credentials: written with mode 0600, even over an existing file. */
export async function writeKubeconfigFile(path: string, kubeconfig: string): Promise<void> {
  await writeFile(path, kubeconfig, { mode: 0o600 });
  await chmod(path, 0o600);
}
