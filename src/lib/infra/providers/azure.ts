// Azure: a resource group, a VNet with one nodes subnet, its network security
// group, route table and NAT gateway; a flexible virtual machine scale set per
// worker pool.
import { invalid } from '../../ui/errors.ts';
import type { InfraSpec, WorkerPoolSpec } from '../types.ts';
import { byPool, sorted, taintValue, userData, volumeGb } from './common.ts';
import { mapCredentials } from './provider.ts';
import type { InfraProvider } from './provider.ts';

export const azureProvider: InfraProvider = {
  name: 'azure',
  plugins: ['registry.terraform.io/hashicorp/azurerm'],
  tfvars(spec) {
    const config = spec.providerConfig?.azure ?? {};
    if (!config.sshPublicKey) {
      throw invalid(`Azure needs an SSH public key for the nodes of shoot ${spec.project}/${spec.shootName} (providerConfig.azure.sshPublicKey).`, {
        hint: 'Azure refuses Linux machines without an administrator key; give one in the shoot\'s provider configuration.',
      });
    }
    return {
      cluster_name: spec.namespace,
      region: spec.region,
      tags: {
        'kubegarden.io_project': spec.project,
        'kubegarden.io_shoot': spec.shootName,
        'managed-by': 'kubegarden',
      },
      networks: spec.networks,
      zones: spec.zones,
      machine_image: config.image ?? { publisher: 'Canonical', offer: 'ubuntu-24_04-lts', sku: 'server', version: 'latest' },
      admin: { username: config.adminUsername ?? 'kubegarden', ssh_public_key: config.sshPublicKey },
      workers: byPool(spec, (worker) => ({
        machine_type: worker.machineType,
        minimum: worker.minimum,
        maximum: worker.maximum,
        volume_size_gb: volumeGb(worker, 50),
        volume_type: worker.volume?.type ?? 'StandardSSD_LRS',
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
        { env: 'ARM_CLIENT_ID', keys: ['clientID', 'clientId'] },
        { env: 'ARM_CLIENT_SECRET', keys: ['clientSecret'] },
        { env: 'ARM_TENANT_ID', keys: ['tenantID', 'tenantId'] },
        { env: 'ARM_SUBSCRIPTION_ID', keys: ['subscriptionID', 'subscriptionId'] },
      ],
      ['ARM_CLIENT_ID', 'ARM_CLIENT_SECRET', 'ARM_TENANT_ID', 'ARM_SUBSCRIPTION_ID'],
      target,
      'Azure',
    );
  },
};

/**
 * The cluster-autoscaler's Azure auto-discovery and node-template tags. Azure
 * tag names cannot hold '<>%&\?/', so those characters become '_'.
 */
function poolTags(spec: InfraSpec, worker: WorkerPoolSpec): Record<string, string> {
  const tags: Record<string, string> = {
    'kubegarden.io_pool': worker.name,
    'kubegarden.io_kubernetes-version': worker.kubernetesVersion,
    'cluster-autoscaler-enabled': 'true',
    'cluster-autoscaler-name': spec.namespace,
    min: String(worker.minimum),
    max: String(worker.maximum),
  };
  for (const [key, value] of Object.entries(worker.labels)) tags[tagName(`k8s.io_cluster-autoscaler_node-template_label_${key}`)] = value;
  for (const taint of worker.taints) tags[tagName(`k8s.io_cluster-autoscaler_node-template_taint_${taint.key}`)] = taintValue(taint);
  return sorted(tags);
}

function tagName(name: string): string {
  return name.replace(/[<>%&\\?/]/g, '_');
}
