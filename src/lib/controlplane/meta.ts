// The pieces every control-plane manifest shares: labels, metadata, Secret
// volumes and the files in them, checksum annotations, the pod template.
// Pure: no I/O.
import { createHash } from 'node:crypto';
import { LABEL_MANAGED_BY, LABEL_PROJECT, LABEL_ROLE, LABEL_SHOOT, MANAGED_BY } from '../api/types.ts';
import type { KubeObject } from '../kube/client.ts';
import type { CredentialName } from '../pki/catalog.ts';
import type { ControlPlaneValues } from './values.ts';

/** Every shoot control-plane pod runs with this priority (see priorityClasses()). */
export const PRIORITY_CLASS_NAME = 'kubegarden-shoot-control-plane';

/** Pod-template annotation prefix: checksum/secret-<name>, checksum/configmap-<name>. */
export const CHECKSUM_ANNOTATION_PREFIX = 'checksum/';

/** Where a pod mounts Secret <name>: /srv/kubernetes/<name>. */
export const SECRETS_ROOT = '/srv/kubernetes';

export type Labels = Record<string, string>;

/** The labels of every object of a component: managed-by, project, shoot and the component's role. */
export function componentLabels(values: ControlPlaneValues, role: string): Labels {
  return {
    [LABEL_MANAGED_BY]: MANAGED_BY,
    [LABEL_PROJECT]: values.project,
    [LABEL_SHOOT]: values.shoot,
    [LABEL_ROLE]: role,
  };
}

/** What selects a component's pods inside the shoot's namespace (immutable in Deployments: never change it). */
export function selectorLabels(role: string): Labels {
  return { [LABEL_ROLE]: role };
}

export function objectMeta(values: ControlPlaneValues, role: string, name: string): KubeObject['metadata'] {
  return { name, namespace: values.namespace, labels: componentLabels(values, role) };
}

export function isLocal(values: ControlPlaneValues): boolean {
  return values.hostNetwork !== undefined;
}

/** The loopback ports of a local seed; throws when called for a cloud seed (a bug in the caller). */
export function localPorts(values: ControlPlaneValues): NonNullable<ControlPlaneValues['hostNetwork']>['ports'] {
  if (values.hostNetwork === undefined) throw new Error(`shoot ${values.namespace} has no host-network ports`);
  return values.hostNetwork.ports;
}

// ---- Secret and ConfigMap volumes --------------------------------------------

/**
 * A Secret mounted as a directory with only the keys a container needs (a CA's
 * private key never lands in a pod that does not sign with it). The runtime and
 * the kubelet both hold the pod back until every listed key exists.
 */
export interface SecretFiles {
  /** One of the pki catalog's credentials: the compiler checks the name. */
  secret: CredentialName;
  keys: readonly string[];
}

export function secretDir(secret: CredentialName): string {
  return `${SECRETS_ROOT}/${secret}`;
}

/** The path of one key of a mounted Secret. */
export function secretFile(secret: CredentialName, key: string): string {
  return `${secretDir(secret)}/${key}`;
}

export interface Volume {
  name: string;
  [source: string]: unknown;
}

export interface VolumeMount {
  name: string;
  mountPath: string;
  readOnly?: boolean;
}

export function secretVolumes(files: readonly SecretFiles[]): { volumes: Volume[]; mounts: VolumeMount[] } {
  return {
    volumes: files.map((f) => ({
      name: f.secret,
      secret: { secretName: f.secret, items: f.keys.map((key) => ({ key, path: key })), defaultMode: 0o400 },
    })),
    mounts: files.map((f) => ({ name: f.secret, mountPath: secretDir(f.secret), readOnly: true })),
  };
}

// ---- checksums ---------------------------------------------------------------

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/**
 * The annotations that roll a pod when what it mounts changes: the flow's
 * checksum of each Secret (absent checksums are left out), and a hash of each
 * ConfigMap's data computed here. Unchanged inputs give an identical template.
 */
export function checksumAnnotations(values: ControlPlaneValues, secrets: readonly string[], configMaps: Readonly<Record<string, Record<string, string>>> = {}): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of [...new Set(secrets)].sort()) {
    const sum = values.checksums[name];
    if (sum !== undefined) out[`${CHECKSUM_ANNOTATION_PREFIX}secret-${name}`] = sum;
  }
  for (const name of Object.keys(configMaps).sort()) {
    const data = configMaps[name] ?? {};
    const canonical = JSON.stringify(Object.keys(data).sort().map((k) => [k, data[k]]));
    out[`${CHECKSUM_ANNOTATION_PREFIX}configmap-${name}`] = sha256(canonical);
  }
  return out;
}

// ---- pod template --------------------------------------------------------------

export interface PodTemplateOptions {
  role: string;
  containers: Array<Record<string, unknown>>;
  volumes: Volume[];
  annotations: Record<string, string>;
  terminationGracePeriodSeconds?: number;
}

export function podTemplate(values: ControlPlaneValues, options: PodTemplateOptions): Record<string, unknown> {
  const spec: Record<string, unknown> = {
    priorityClassName: PRIORITY_CLASS_NAME,
    // Control-plane pods talk to the shoot's API server, never to the seed's.
    automountServiceAccountToken: false,
    enableServiceLinks: false,
  };
  if (isLocal(values)) {
    // The local runtime runs each container as a process on this machine: the
    // host network is all there is, and every port is a distinct loopback port.
    spec['hostNetwork'] = true;
    spec['dnsPolicy'] = 'ClusterFirstWithHostNet';
  }
  if (options.terminationGracePeriodSeconds !== undefined) spec['terminationGracePeriodSeconds'] = options.terminationGracePeriodSeconds;
  spec['containers'] = options.containers;
  spec['volumes'] = options.volumes;
  const metadata: Record<string, unknown> = { labels: componentLabels(values, options.role) };
  if (Object.keys(options.annotations).length > 0) metadata['annotations'] = options.annotations;
  return { metadata, spec };
}

export interface Resources {
  requests: { cpu: string; memory: string };
  limits?: { memory: string };
}

/** A PodDisruptionBudget that lets evictions take at most one pod of the component at a time. */
export function podDisruptionBudget(values: ControlPlaneValues, role: string, name: string): KubeObject {
  return {
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata: objectMeta(values, role, name),
    spec: { maxUnavailable: 1, selector: { matchLabels: selectorLabels(role) } },
  };
}

/** A flag with a value, `--name=value`: one argument each, never split by a shell. */
export function flag(name: string, value: string | number | boolean): string {
  return `--${name}=${String(value)}`;
}

export interface DeploymentOptions extends PodTemplateOptions {
  name: string;
  replicas: number;
  /** Replace pods instead of surging: for singletons that must never run twice, and for fixed loopback ports. */
  recreate: boolean;
}

export function deployment(values: ControlPlaneValues, options: DeploymentOptions): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: objectMeta(values, options.role, options.name),
    spec: {
      replicas: options.replicas,
      revisionHistoryLimit: 2,
      selector: { matchLabels: selectorLabels(options.role) },
      strategy: options.recreate ? { type: 'Recreate' } : { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
      template: podTemplate(values, options),
    },
  };
}

/** An HTTPS GET probe of a named port, as the kubelet runs it (no certificate verification). */
export function httpsProbe(path: string, port: string, timing: { periodSeconds: number; failureThreshold: number; initialDelaySeconds?: number }): Record<string, unknown> {
  return { httpGet: { path, port, scheme: 'HTTPS' }, timeoutSeconds: 5, ...timing };
}

export interface ControllerSpec {
  /** Deployment, container and binary name, e.g. kube-scheduler. */
  name: string;
  role: string;
  image: string;
  args: string[];
  port: number;
  secrets: readonly SecretFiles[];
  resources: Resources;
}

/**
 * The Deployment of a single-binary controller (kube-controller-manager,
 * kube-scheduler): health on its secure port, its Secrets mounted, rolled when
 * they change. Without leader election two replicas would both act (allocate
 * node CIDRs, sign certificates, bind pods), so those never overlap.
 */
export function controllerDeployment(values: ControlPlaneValues, spec: ControllerSpec, leaderElection: boolean): KubeObject {
  const { volumes, mounts } = secretVolumes(spec.secrets);
  return deployment(values, {
    name: spec.name,
    role: spec.role,
    replicas: values.replicas,
    recreate: isLocal(values) || !leaderElection,
    containers: [
      {
        name: spec.name,
        image: spec.image,
        command: [spec.name],
        args: spec.args,
        ports: [{ name: 'https', containerPort: spec.port, protocol: 'TCP' }],
        readinessProbe: httpsProbe('/healthz', 'https', { periodSeconds: 10, failureThreshold: 3 }),
        livenessProbe: httpsProbe('/healthz', 'https', { initialDelaySeconds: 15, periodSeconds: 10, failureThreshold: 6 }),
        resources: spec.resources,
        volumeMounts: mounts,
      },
    ],
    volumes,
    annotations: checksumAnnotations(values, spec.secrets.map((s) => s.secret)),
    terminationGracePeriodSeconds: 30,
  });
}
