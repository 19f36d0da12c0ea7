// What kubegarden renders a shoot's infrastructure from, and what it reads
// back. The flows map a Shoot onto an InfraSpec; nothing here knows about the
// Shoot resource itself.

export const INFRA_PROVIDERS = ['local', 'aws', 'gcp', 'azure', 'openstack'] as const;
export type InfraProviderName = (typeof INFRA_PROVIDERS)[number];

export type TaintEffect = 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute';

export interface Taint {
  key: string;
  value?: string;
  effect: TaintEffect;
}

export interface WorkerVolume {
  /** A Kubernetes quantity: '50Gi', '100G', '1Ti'. Rounded up to whole GiB. */
  size: string;
  /** The cloud's volume type (gp3, pd-balanced, StandardSSD_LRS, a Cinder type); a per-cloud default otherwise. */
  type?: string;
}

export interface WorkerPoolSpec {
  /** A DNS label, unique in the shoot; part of every name of the pool's resources. */
  name: string;
  machineType: string;
  minimum: number;
  maximum: number;
  /** A count or a percentage ('25%') of `minimum`, rounded up. */
  maxSurge: number | string;
  /** A count or a percentage ('25%') of `minimum`, rounded down. */
  maxUnavailable: number | string;
  volume?: WorkerVolume;
  /** A subset of InfraSpec.zones. */
  zones: string[];
  labels: Record<string, string>;
  taints: Taint[];
  /** The nodes' cloud-config. It carries bootstrap credentials: it is a Terraform `sensitive` variable. */
  userData: string;
  kubernetesVersion: string;
}

export interface AwsProviderConfig {
  /** A fixed AMI; when unset, the newest AMI named like amiNamePattern owned by amiOwner. */
  amiId?: string;
  /** Default: Canonical (099720109477). */
  amiOwner?: string;
  /** Default: Ubuntu 24.04 LTS server images. */
  amiNamePattern?: string;
  /** Default: x86_64. */
  architecture?: 'x86_64' | 'arm64';
  /** The image's root device; default /dev/sda1 (Ubuntu). */
  rootDeviceName?: string;
  /** The name of an IAM instance profile for the nodes. */
  iamInstanceProfile?: string;
}

export interface GcpProviderConfig {
  /** The project for the shoot's resources; default: the project_id of the service account key. */
  projectId?: string;
  /** An image or image family; default Ubuntu 24.04 LTS. */
  image?: string;
  serviceAccountEmail?: string;
}

export interface AzureProviderConfig {
  image?: { publisher: string; offer: string; sku: string; version: string };
  /** Default: kubegarden. */
  adminUsername?: string;
  /** Azure refuses Linux VMs without an administrator key or password: required. */
  sshPublicKey?: string;
}

export interface OpenStackProviderConfig {
  /** A Glance image name; default ubuntu-24.04. */
  image?: string;
  /** The external network the router connects to; default public. */
  externalNetworkName?: string;
  dnsServers?: string[];
  keyPair?: string;
}

export interface ProviderConfig {
  aws?: AwsProviderConfig;
  gcp?: GcpProviderConfig;
  azure?: AzureProviderConfig;
  openstack?: OpenStackProviderConfig;
}

export interface InfraSpec {
  provider: InfraProviderName;
  shootName: string;
  project: string;
  /** The shoot's namespace in its seed: shoot--<project>--<name>. Holds the Terraform state. */
  namespace: string;
  region: string;
  zones: string[];
  networks: { nodes: string; pods: string; services: string };
  workers: WorkerPoolSpec[];
  providerConfig?: ProviderConfig;
}

/** One scaling group (per worker pool), as Terraform reports it. */
export interface ScalingGroupOutput {
  id: string;
  name: string;
  minimum: number;
  maximum: number;
  zones: string[];
  machineType: string;
  /** sha256 (hex) of the pool's cloud-config: tells a machine whether its cloud-config is current. */
  userDataHash: string;
}

/** The outputs every template has, parsed from `terraform output -json`. */
export interface InfraOutputs {
  networkId: string;
  /** The nodes subnet of each zone, by zone (clouds with regional subnets map every zone to the same one). */
  subnetIds: Record<string, string>;
  /** The nodes' security group (GCP: the firewall rule). */
  securityGroupId: string;
  /** By worker pool name. */
  scalingGroups: Record<string, ScalingGroupOutput>;
}
