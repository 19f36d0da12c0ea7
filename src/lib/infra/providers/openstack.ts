// OpenStack: a network with one nodes subnet and a router to the external
// network, a security group; a server group and `minimum` servers per worker
// pool (OpenStack has no scaling group of its own).
import { invalid } from '../../ui/errors.ts';
import type { InfraSpec, WorkerPoolSpec } from '../types.ts';
import { byPool, sorted, taintValue, userData, volumeGb } from './common.ts';
import { mapCredentials } from './provider.ts';
import type { InfraProvider } from './provider.ts';

export const openstackProvider: InfraProvider = {
  name: 'openstack',
  plugins: ['registry.terraform.io/terraform-provider-openstack/openstack'],
  tfvars(spec) {
    const config = spec.providerConfig?.openstack ?? {};
    return {
      cluster_name: spec.namespace,
      region: spec.region,
      tags: [`kubegarden.io/project=${spec.project}`, `kubegarden.io/shoot=${spec.shootName}`, 'app.kubernetes.io/managed-by=kubegarden'],
      networks: spec.networks,
      zones: spec.zones,
      external_network_name: config.externalNetworkName ?? 'public',
      dns_servers: config.dnsServers ?? [],
      machine_image: config.image ?? 'ubuntu-24.04',
      key_pair: config.keyPair ?? null,
      workers: byPool(spec, (worker) => ({
        machine_type: worker.machineType,
        minimum: worker.minimum,
        maximum: worker.maximum,
        // 0: boot from the flavor's own disk.
        volume_size_gb: volumeGb(worker, 0),
        volume_type: worker.volume?.type ?? null,
        zones: worker.zones,
        metadata: poolMetadata(spec, worker),
      })),
      user_data: userData(spec, 'plain'),
    };
  },
  credentialsEnv(credentials, target) {
    const env = mapCredentials(
      credentials,
      [
        { env: 'OS_AUTH_URL', keys: ['authURL', 'authUrl'] },
        { env: 'OS_USERNAME', keys: ['username'] },
        { env: 'OS_PASSWORD', keys: ['password'] },
        { env: 'OS_PROJECT_NAME', keys: ['tenantName', 'projectName'] },
        { env: 'OS_PROJECT_ID', keys: ['tenantID', 'projectID'] },
        { env: 'OS_USER_DOMAIN_NAME', keys: ['userDomainName', 'domainName'] },
        { env: 'OS_PROJECT_DOMAIN_NAME', keys: ['projectDomainName', 'domainName'] },
        { env: 'OS_APPLICATION_CREDENTIAL_ID', keys: ['applicationCredentialID'] },
        { env: 'OS_APPLICATION_CREDENTIAL_NAME', keys: ['applicationCredentialName'] },
        { env: 'OS_APPLICATION_CREDENTIAL_SECRET', keys: ['applicationCredentialSecret'] },
      ],
      ['OS_AUTH_URL'],
      target,
      'OpenStack',
    );
    const hasPassword = env.OS_USERNAME !== undefined && env.OS_PASSWORD !== undefined;
    const hasAppCredential = env.OS_APPLICATION_CREDENTIAL_SECRET !== undefined
      && (env.OS_APPLICATION_CREDENTIAL_ID !== undefined || env.OS_APPLICATION_CREDENTIAL_NAME !== undefined);
    if (!hasPassword && !hasAppCredential) {
      throw invalid(`The OpenStack credentials of ${target} lack username and password, or an application credential.`, {
        hint: 'Add username and password (or applicationCredentialID and applicationCredentialSecret) to the shoot\'s credentials Secret.',
      });
    }
    return env;
  },
};

/** Nova metadata: the pool's identity and its labels and taints, node-template style. */
function poolMetadata(spec: InfraSpec, worker: WorkerPoolSpec): Record<string, string> {
  const metadata: Record<string, string> = {
    'kubegarden.io/cluster': spec.namespace,
    'kubegarden.io/pool': worker.name,
    'kubegarden.io/kubernetes-version': worker.kubernetesVersion,
    'kubegarden.io/minimum': String(worker.minimum),
    'kubegarden.io/maximum': String(worker.maximum),
  };
  for (const [key, value] of Object.entries(worker.labels)) metadata[`node-template/label/${key}`] = value;
  for (const taint of worker.taints) metadata[`node-template/taint/${taint.key}`] = taintValue(taint);
  return sorted(metadata);
}
