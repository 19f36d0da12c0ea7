// The garden API, kubegarden.io/v1alpha1: what a Seed and a Shoot say, modelled
// on the seed/shoot world's Shoot API but limited to what kubegarden implements.

export const GROUP = 'kubegarden.io';
export const VERSION = 'v1alpha1';
export const API_VERSION = `${GROUP}/${VERSION}`;

export const PROVIDER_TYPES = ['local', 'aws', 'gcp', 'azure', 'openstack'] as const;
export type ProviderType = (typeof PROVIDER_TYPES)[number];

export const PURPOSES = ['evaluation', 'testing', 'development', 'production'] as const;
export type Purpose = (typeof PURPOSES)[number];

export const TAINT_EFFECTS = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'] as const;
export type TaintEffect = (typeof TAINT_EFFECTS)[number];

export interface ObjectMeta {
  name: string;
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  resourceVersion?: string;
  generation?: number;
  uid?: string;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  finalizers?: string[];
}

export interface Condition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
  lastUpdateTime?: string;
}

export interface Networks {
  nodes: string;
  pods: string;
  services: string;
}

// ---- Seed -----------------------------------------------------------------

export interface SeedSpec {
  provider: { type: ProviderType; region: string; zones?: string[] };
  /** The Secret in the garden's kubegarden-system namespace holding the seed's kubeconfig. */
  secretRef: { name: string; namespace: string };
  networks: Networks;
  ingress?: { domain: string };
  /** How many shoot control planes the seed may host. */
  capacity: { shoots: number };
}

export interface SeedStatus {
  kubernetesVersion?: string;
  conditions?: Condition[];
  allocatedShoots?: number;
  observedGeneration?: number;
}

export interface Seed {
  apiVersion: typeof API_VERSION;
  kind: 'Seed';
  metadata: ObjectMeta;
  spec: SeedSpec;
  status?: SeedStatus;
}

// ---- Shoot ----------------------------------------------------------------

export interface Taint {
  key: string;
  value?: string;
  effect: TaintEffect;
}

export interface Worker {
  name: string;
  machineType: string;
  minimum: number;
  maximum: number;
  maxSurge?: number;
  maxUnavailable?: number;
  volume?: { size: string; type?: string };
  zones?: string[];
  labels?: Record<string, string>;
  taints?: Taint[];
  /** A pool may run an older kubelet than the control plane (within the skew policy). */
  kubernetesVersion?: string;
}

export interface ShootSpec {
  provider: { type: ProviderType; region: string; zones?: string[]; workers: Worker[] };
  kubernetes: { version: string };
  networking: Networks;
  seedName?: string;
  /** A Secret in the project namespace with the cloud credentials. */
  credentialsRef?: { name: string };
  hibernation?: { enabled: boolean };
  purpose?: Purpose;
  addons?: { metricsServer?: { enabled: boolean }; dashboard?: { enabled: boolean } };
}

export const OPERATION_TYPES = ['Create', 'Reconcile', 'Delete', 'Upgrade', 'Hibernate', 'Wake', 'Rotate'] as const;
export type OperationType = (typeof OPERATION_TYPES)[number];
export const OPERATION_STATES = ['Pending', 'Processing', 'Succeeded', 'Error', 'Failed', 'Aborted'] as const;
export type OperationState = (typeof OPERATION_STATES)[number];

export interface LastOperation {
  type: OperationType;
  state: OperationState;
  progress: number;
  description: string;
  lastUpdateTime: string;
  /** The step the operation is in, or failed at. */
  step?: string;
}

export interface LastError {
  description: string;
  step?: string;
  lastUpdateTime: string;
}

export interface ShootStatus {
  lastOperation?: LastOperation;
  lastErrors?: LastError[];
  conditions?: Condition[];
  observedGeneration?: number;
  seedName?: string;
  /** The shoot's kube-apiserver URL. */
  endpoint?: string;
  kubernetesVersion?: string;
  hibernated?: boolean;
}

export interface Shoot {
  apiVersion: typeof API_VERSION;
  kind: 'Shoot';
  metadata: ObjectMeta;
  spec: ShootSpec;
  status?: ShootStatus;
}

// ---- Names and labels -----------------------------------------------------

export const LABEL_PROJECT = 'kubegarden.io/project';
export const LABEL_SHOOT = 'kubegarden.io/shoot';
export const LABEL_SEED = 'kubegarden.io/seed';
export const LABEL_ROLE = 'kubegarden.io/role';
export const LABEL_MANAGED_BY = 'app.kubernetes.io/managed-by';
export const MANAGED_BY = 'kubegarden';
export const FIELD_MANAGER = 'kubegarden';
export const SYSTEM_NAMESPACE = 'kubegarden-system';
export const PROJECT_NAMESPACE_PREFIX = 'garden-';

export function projectNamespace(project: string): string {
  return `${PROJECT_NAMESPACE_PREFIX}${project}`;
}

export function projectFromNamespace(namespace: string): string | undefined {
  return namespace.startsWith(PROJECT_NAMESPACE_PREFIX) ? namespace.slice(PROJECT_NAMESPACE_PREFIX.length) : undefined;
}

/** The namespace in the seed that holds a shoot's control plane. */
export function shootSeedNamespace(project: string, shoot: string): string {
  return `shoot--${project}--${shoot}`;
}

export function seedKubeconfigSecretName(seed: string): string {
  return `seed-${seed}-kubeconfig`;
}

export function managedLabels(extra: Record<string, string> = {}): Record<string, string> {
  return { [LABEL_MANAGED_BY]: MANAGED_BY, ...extra };
}
