// The shoot's scheduler: a Deployment with the kubeconfig of its Secret (taken
// as it is; see kube-controller-manager.ts for who writes its server).
import { DATA_KEYS } from '../pki/catalog.ts';
import type { KubeObject } from '../kube/client.ts';
import { defineComponent } from './component.ts';
import type { Component, ComponentOptions } from './component.ts';
import { leaderElect } from './kube-controller-manager.ts';
import { controllerDeployment, flag, isLocal, localPorts, secretFile } from './meta.ts';
import type { Resources, SecretFiles } from './meta.ts';
import type { ControlPlaneValues } from './values.ts';

export const KUBE_SCHEDULER_ROLE = 'kube-scheduler';
export const KUBE_SCHEDULER_DEPLOYMENT = 'kube-scheduler';
/** Cloud seeds: the pod's secure port (health and metrics). */
export const KUBE_SCHEDULER_PORT = 10259;

export const KUBE_SCHEDULER_SECRETS: readonly SecretFiles[] = [{ secret: 'kube-scheduler', keys: [DATA_KEYS.kubeconfig] }];

function securePort(values: ControlPlaneValues): number {
  return isLocal(values) ? localPorts(values).kubeScheduler : KUBE_SCHEDULER_PORT;
}

export function kubeSchedulerArgs(values: ControlPlaneValues): string[] {
  const kubeconfig = secretFile('kube-scheduler', DATA_KEYS.kubeconfig);
  return [
    flag('kubeconfig', kubeconfig),
    flag('authentication-kubeconfig', kubeconfig),
    flag('authorization-kubeconfig', kubeconfig),
    flag('bind-address', isLocal(values) ? '127.0.0.1' : '0.0.0.0'),
    flag('secure-port', securePort(values)),
    flag('leader-elect', leaderElect(values)),
    flag('profiling', false),
    flag('tls-min-version', 'VersionTLS12'),
  ];
}

function resources(values: ControlPlaneValues): Resources {
  return values.purpose === 'production'
    ? { requests: { cpu: '100m', memory: '128Mi' }, limits: { memory: '1Gi' } }
    : { requests: { cpu: '50m', memory: '64Mi' }, limits: { memory: '512Mi' } };
}

export function render(values: ControlPlaneValues): KubeObject[] {
  return [
    controllerDeployment(
      values,
      { name: KUBE_SCHEDULER_DEPLOYMENT, role: KUBE_SCHEDULER_ROLE, image: values.images.kubeScheduler, args: kubeSchedulerArgs(values), port: securePort(values), secrets: KUBE_SCHEDULER_SECRETS, resources: resources(values) },
      leaderElect(values),
    ),
  ];
}

export function kubeSchedulerComponent(options: ComponentOptions = {}): Component {
  return defineComponent({ name: 'kube-scheduler', render }, options);
}

export const kubeScheduler: Component = kubeSchedulerComponent();
