// Review before apply: what Terraform would do to a shoot's infrastructure,
// or the rendered Terraform itself, written to a directory; nothing applied.
import { shootSeedNamespace } from '../api/types.ts';
import { getShoot } from '../garden/shoots.ts';
import { getSeed, seedClient as connectSeed } from '../garden/seeds.ts';
import type { KubeClient } from '../kube/client.ts';
import type { ShootContext } from '../flows/shoot-context.ts';
import type { ShootCredentials } from '../pki/types.ts';
import { conflict } from '../ui/errors.ts';

export interface PlanOptions {
  exportDir?: string | undefined;
  terraformBin?: string | undefined;
  signal?: AbortSignal | undefined;
  onLine?: ((line: string) => void) | undefined;
}

export interface PlanOutcome {
  hasChanges?: boolean;
  text?: string;
  exported?: { dir: string; files: string[]; initCommand: string };
}

export async function planShoot(garden: KubeClient, project: string, name: string, options: PlanOptions): Promise<PlanOutcome> {
  const shoot = await getShoot(garden, project, name, options.signal);
  const seedName = shoot.status?.seedName ?? shoot.spec.seedName;
  const url = shoot.status?.endpoint;
  if (!seedName || !url) throw conflict(`Shoot "${project}/${name}" has not been created far enough to plan (no seed or endpoint yet): run "kubegarden shoot create" first.`);
  const seed = await getSeed(garden, seedName, options.signal);
  const client = await connectSeed(garden, seed, options.signal);
  try {
    const namespace = shootSeedNamespace(project, name);
    const { KubeSecretStore } = await import('../pki/kube-store.ts');
    const store = new KubeSecretStore(client, namespace);
    // Read, never reconcile: a plan changes nothing, not even an expiring certificate.
    const [ca, clientCa, token] = await Promise.all([store.get('ca'), store.get('ca-client'), store.get('bootstrap-token')]);
    if (!ca || !clientCa || !token) throw conflict(`The credentials of shoot "${project}/${name}" are incomplete in seed "${seedName}": run "kubegarden shoot reconcile ${name} --project ${project}".`);
    const credentials = {
      cas: { ca: { bundlePem: ca.data['ca.crt'] }, 'ca-client': { bundlePem: clientCa.data['ca.crt'] } },
      bootstrapToken: { token: `${token.data['token-id']}.${token.data['token-secret']}` },
    } as unknown as ShootCredentials;
    const parsed = new URL(url);
    const ctx = {
      garden, project, name, shoot, seed, seedClient: client, namespace, credentials,
      endpoint: { host: parsed.hostname, port: Number(parsed.port || 443), url },
      options: { timeoutMs: 0, terraformBin: options.terraformBin },
    } as unknown as ShootContext;
    const { infraSpecFor, terraformOptions } = await import('../flows/shoot-context.ts');
    const spec = await infraSpecFor(ctx, true);
    if (options.exportDir) {
      const { exportTerraform } = await import('../infra/render.ts');
      const exported = await exportTerraform(spec, options.exportDir);
      return { exported: { dir: exported.dir, files: exported.files, initCommand: exported.initCommand.join(' ') } };
    }
    const { planInfra } = await import('../infra/terraform.ts');
    const io = { signal: options.signal ?? new AbortController().signal, log: (line: string) => options.onLine?.(line) };
    const plan = await planInfra(spec, await terraformOptions(ctx, io));
    return { hasChanges: plan.hasChanges, text: plan.text };
  } finally {
    client.close();
  }
}
