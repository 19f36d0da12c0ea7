// The shoot's controller manager: a Deployment that signs kubelet and client
// certificates, allocates node CIDRs from the pods range and issues service
// account tokens. It reaches the API server with the kubeconfig in its Secret,
// taken as it is: the credential reconciler writes the server into it
// (ShootCredentialsParams.internalServer), https://kube-apiserver on a cloud
// seed and https://127.0.0.1:<port> on a local one, so the flow passes the
// matching server there.
import { DATA_KEYS } from '../pki/catalog.ts';
import type { KubeObject } from '../kube/client.ts';
import { defineComponent } from './component.ts';
import type { Component, ComponentOptions } from './component.ts';
import { controllerDeployment, flag, isLocal, localPorts, secretFile } from './meta.ts';
import type { Resources, SecretFiles } from './meta.ts';
import type { ControlPlaneValues } from './values.ts';

export const KUBE_CONTROLLER_MANAGER_ROLE = 'kube-controller-manager';
export const KUBE_CONTROLLER_MANAGER_DEPLOYMENT = 'kube-controller-manager';
/** Cloud seeds: the pod's secure port (health and metrics). */
export const KUBE_CONTROLLER_MANAGER_PORT = 10257;
export const NODE_CIDR_MASK_SIZE = 24;

/** What it mounts: its kubeconfig, the two signing CAs with their keys, the cluster CA certificate and the token signing key. */
export const KUBE_CONTROLLER_MANAGER_SECRETS: readonly SecretFiles[] = [
  { secret: 'kube-controller-manager', keys: [DATA_KEYS.kubeconfig] },
  { secret: 'ca', keys: [DATA_KEYS.caCert] },
  // The signers take exactly one certificate: during a rotation ca.crt is a bundle.
  { secret: 'ca-client', keys: [DATA_KEYS.caCurrent, DATA_KEYS.caKey] },
  { secret: 'ca-kubelet', keys: [DATA_KEYS.caCurrent, DATA_KEYS.caKey] },
  { secret: 'service-account-key', keys: [DATA_KEYS.serviceAccountKey] },
];

function securePort(values: ControlPlaneValues): number {
  return isLocal(values) ? localPorts(values).kubeControllerManager : KUBE_CONTROLLER_MANAGER_PORT;
}

/** Several replicas elect a leader; a single one runs alone and is replaced, never doubled (see recreate). */
export function leaderElect(values: ControlPlaneValues): boolean {
  return values.replicas > 1;
}

export function kubeControllerManagerArgs(values: ControlPlaneValues): string[] {
  const kubeconfig = secretFile('kube-controller-manager', DATA_KEYS.kubeconfig);
  const caClientCert = secretFile('ca-client', DATA_KEYS.caCurrent);
  const caClientKey = secretFile('ca-client', DATA_KEYS.caKey);
  return [
    flag('kubeconfig', kubeconfig),
    flag('authentication-kubeconfig', kubeconfig),
    flag('authorization-kubeconfig', kubeconfig),
    flag('bind-address', isLocal(values) ? '127.0.0.1' : '0.0.0.0'),
    flag('secure-port', securePort(values)),
    flag('cluster-name', values.namespace),
    flag('cluster-signing-kubelet-client-cert-file', caClientCert),
    flag('cluster-signing-kubelet-client-key-file', caClientKey),
    flag('cluster-signing-kube-apiserver-client-cert-file', caClientCert),
    flag('cluster-signing-kube-apiserver-client-key-file', caClientKey),
    flag('cluster-signing-kubelet-serving-cert-file', secretFile('ca-kubelet', DATA_KEYS.caCurrent)),
    flag('cluster-signing-kubelet-serving-key-file', secretFile('ca-kubelet', DATA_KEYS.caKey)),
    flag('service-account-private-key-file', secretFile('service-account-key', DATA_KEYS.serviceAccountKey)),
    flag('root-ca-file', secretFile('ca', DATA_KEYS.caCert)),
    flag('allocate-node-cidrs', true),
    flag('cluster-cidr', values.networking.pods),
    flag('node-cidr-mask-size', NODE_CIDR_MASK_SIZE),
    flag('service-cluster-ip-range', values.networking.services),
    flag('use-service-account-credentials', true),
    // Bootstrap tokens: the signer publishes the cluster-info ConfigMap, the cleaner removes expired tokens.
    flag('controllers', '*,bootstrap-signer-controller,token-cleaner-controller'),
    flag('leader-elect', leaderElect(values)),
    flag('profiling', false),
    flag('tls-min-version', 'VersionTLS12'),
  ];
}

function resources(values: ControlPlaneValues): Resources {
  return values.purpose === 'production'
    ? { requests: { cpu: '200m', memory: '256Mi' }, limits: { memory: '2Gi' } }
    : { requests: { cpu: '100m', memory: '128Mi' }, limits: { memory: '1Gi' } };
}

export function render(values: ControlPlaneValues): KubeObject[] {
  return [
    controllerDeployment(
      values,
      { name: KUBE_CONTROLLER_MANAGER_DEPLOYMENT, role: KUBE_CONTROLLER_MANAGER_ROLE, image: values.images.kubeControllerManager, args: kubeControllerManagerArgs(values), port: securePort(values), secrets: KUBE_CONTROLLER_MANAGER_SECRETS, resources: resources(values) },
      leaderElect(values),
    ),
  ];
}

export function kubeControllerManagerComponent(options: ComponentOptions = {}): Component {
  return defineComponent({ name: 'kube-controller-manager', render }, options);
}

export const kubeControllerManager: Component = kubeControllerManagerComponent();
