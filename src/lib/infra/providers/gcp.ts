// Google Cloud: a VPC network with one regional nodes subnet, Cloud Router
// and NAT, a firewall rule for the nodes and pods ranges; an instance
// template and a regional managed instance group per worker pool.
import { rollingBudget } from '../spec.ts';
import type { InfraSpec, WorkerPoolSpec } from '../types.ts';
import { byPool, sorted, userData, volumeGb } from './common.ts';
import { mapCredentials } from './provider.ts';
import type { InfraProvider } from './provider.ts';

export const gcpProvider: InfraProvider = {
  name: 'gcp',
  plugins: ['registry.terraform.io/hashicorp/google'],
  tfvars(spec) {
    const config = spec.providerConfig?.gcp ?? {};
    return {
      cluster_name: spec.namespace,
      project_id: config.projectId ?? null,
      region: spec.region,
      labels: {
        'kubegarden-project': labelValue(spec.project),
        'kubegarden-shoot': labelValue(spec.shootName),
        'managed-by': 'kubegarden',
      },
      networks: spec.networks,
      zones: spec.zones,
      machine_image: config.image ?? 'projects/ubuntu-os-cloud/global/images/family/ubuntu-2404-lts-amd64',
      service_account_email: config.serviceAccountEmail ?? null,
      workers: byPool(spec, (worker) => ({
        machine_type: worker.machineType,
        minimum: worker.minimum,
        maximum: worker.maximum,
        ...updateBudget(worker),
        volume_size_gb: volumeGb(worker, 50),
        volume_type: worker.volume?.type ?? 'pd-balanced',
        zones: worker.zones,
        labels: { 'kubegarden-pool': labelValue(worker.name) },
        metadata: poolMetadata(spec, worker),
      })),
      user_data: userData(spec, 'plain'),
    };
  },
  credentialsEnv(credentials, target) {
    const env = mapCredentials(
      credentials,
      [{ env: 'GOOGLE_CREDENTIALS', keys: ['serviceaccount.json', 'serviceAccountJSON', 'credentials.json'] }],
      ['GOOGLE_CREDENTIALS'],
      target,
      'Google Cloud',
    );
    // The provider does not take the project from the key by itself.
    const project = projectOf(env.GOOGLE_CREDENTIALS ?? '');
    if (project) env.GOOGLE_PROJECT = project;
    return env;
  },
};

/**
 * Google Cloud labels allow only lowercase letters, digits, '_' and '-': the
 * Kubernetes labels and taints travel as JSON in instance metadata instead.
 */
function poolMetadata(spec: InfraSpec, worker: WorkerPoolSpec): Record<string, string> {
  return {
    'kubegarden-cluster': spec.namespace,
    'kubegarden-pool': worker.name,
    'kubegarden-kubernetes-version': worker.kubernetesVersion,
    'kubegarden-minimum': String(worker.minimum),
    'kubegarden-maximum': String(worker.maximum),
    'kubegarden-node-labels': JSON.stringify(sorted(worker.labels)),
    'kubegarden-node-taints': JSON.stringify(worker.taints.map((taint) => ({ key: taint.key, value: taint.value ?? '', effect: taint.effect }))),
  };
}

/**
 * A regional group's fixed surge and unavailability must each be 0 or at
 * least its number of zones.
 */
function updateBudget(worker: WorkerPoolSpec): { max_surge_fixed: number; max_unavailable_fixed: number } {
  const budget = rollingBudget(worker);
  const zones = worker.zones.length;
  const fit = (n: number) => (n === 0 ? 0 : Math.max(n, zones));
  return { max_surge_fixed: fit(budget.surge), max_unavailable_fixed: fit(budget.unavailable) };
}

function labelValue(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9_-]/g, '-').slice(0, 63);
}

function projectOf(json: string): string | undefined {
  try {
    const key = JSON.parse(json) as { project_id?: unknown };
    return typeof key.project_id === 'string' && key.project_id !== '' ? key.project_id : undefined;
  } catch {
    return undefined;
  }
}
