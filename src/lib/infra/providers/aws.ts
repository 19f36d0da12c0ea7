// AWS: a VPC over the nodes range, per zone a private nodes subnet and a
// public one with a NAT gateway; a launch template and an auto scaling group
// per worker pool.
import { rollingBudget } from '../spec.ts';
import type { InfraSpec, WorkerPoolSpec } from '../types.ts';
import { byPool, shootTags, sorted, taintValue, userData, volumeGb, zoneSubnets } from './common.ts';
import { mapCredentials } from './provider.ts';
import type { InfraProvider } from './provider.ts';

const CANONICAL = '099720109477';

export const awsProvider: InfraProvider = {
  name: 'aws',
  plugins: ['registry.terraform.io/hashicorp/aws'],
  tfvars(spec) {
    const config = spec.providerConfig?.aws ?? {};
    const architecture = config.architecture ?? 'x86_64';
    return {
      cluster_name: spec.namespace,
      region: spec.region,
      tags: shootTags(spec),
      networks: spec.networks,
      // AWS subnets are at least /28.
      zones: zoneSubnets(spec, true, 28),
      machine_image: {
        ami_id: config.amiId ?? null,
        owner: config.amiOwner ?? CANONICAL,
        name_pattern: config.amiNamePattern ?? `ubuntu/images/hvm-ssd-gp3/ubuntu-noble-24.04-${architecture === 'arm64' ? 'arm64' : 'amd64'}-server-*`,
        architecture,
        root_device_name: config.rootDeviceName ?? '/dev/sda1',
      },
      iam_instance_profile: config.iamInstanceProfile ?? null,
      workers: byPool(spec, (worker) => ({
        machine_type: worker.machineType,
        minimum: worker.minimum,
        maximum: worker.maximum,
        ...healthyPercentages(worker),
        volume_size_gb: volumeGb(worker, 50),
        volume_type: worker.volume?.type ?? 'gp3',
        zones: worker.zones,
        tags: poolTags(spec, worker),
      })),
      user_data: userData(spec, 'base64'),
    };
  },
  credentialsEnv(credentials, target) {
    return mapCredentials(
      credentials,
      [
        { env: 'AWS_ACCESS_KEY_ID', keys: ['accessKeyID', 'aws_access_key_id'] },
        { env: 'AWS_SECRET_ACCESS_KEY', keys: ['secretAccessKey', 'aws_secret_access_key'] },
        { env: 'AWS_SESSION_TOKEN', keys: ['sessionToken', 'aws_session_token'] },
      ],
      ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY'],
      target,
      'AWS',
    );
  },
};

/**
 * The pool's labels and taints in the cluster-autoscaler's AWS node-template
 * tags (so it can scale a group up from zero), and its auto-discovery tags.
 */
function poolTags(spec: InfraSpec, worker: WorkerPoolSpec): Record<string, string> {
  const tags: Record<string, string> = {
    'kubegarden.io/pool': worker.name,
    'kubegarden.io/kubernetes-version': worker.kubernetesVersion,
    'k8s.io/cluster-autoscaler/enabled': 'true',
    [`k8s.io/cluster-autoscaler/${spec.namespace}`]: 'owned',
  };
  for (const [key, value] of Object.entries(worker.labels)) tags[`k8s.io/cluster-autoscaler/node-template/label/${key}`] = value;
  for (const taint of worker.taints) tags[`k8s.io/cluster-autoscaler/node-template/taint/${taint.key}`] = taintValue(taint);
  return sorted(tags);
}

/**
 * An instance refresh keeps min_healthy_percentage of the group in service
 * and may grow it to max_healthy_percentage: max unavailable and max surge as
 * percentages of the group. AWS allows at most 100 points between the two.
 */
function healthyPercentages(worker: WorkerPoolSpec): { min_healthy_percentage: number; max_healthy_percentage: number } {
  const budget = rollingBudget(worker);
  const max = Math.min(200, 100 + Math.ceil((budget.surge * 100) / budget.base));
  let min = Math.max(0, 100 - Math.ceil((budget.unavailable * 100) / budget.base));
  if (max - min > 100) min = max - 100;
  return { min_healthy_percentage: min, max_healthy_percentage: max };
}
