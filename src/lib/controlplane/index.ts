// A shoot's control plane in its seed: the components in the order a flow
// deploys them (etcd before the API server that stores in it, the API server
// before the controllers that talk to it), and all their manifests at once for
// --dry-run and review. Seed-wide objects (the PriorityClass) are separate:
// priorityClasses(), applied once per seed.
import type { KubeObject } from '../kube/client.ts';
import type { Component } from './component.ts';
import { etcd } from './etcd.ts';
import { kubeApiserver } from './kube-apiserver.ts';
import { kubeControllerManager } from './kube-controller-manager.ts';
import { kubeScheduler } from './kube-scheduler.ts';
import { vpnSeedServer } from './vpn.ts';
import type { ControlPlaneValues } from './values.ts';

export * from './component.ts';
export { etcd, etcdComponent, etcdClientURL, ETCD_CLIENT_SERVICE, ETCD_PEER_SERVICE, ETCD_STATEFULSET, ETCD_DATA_VOLUME } from './etcd.ts';
export { kubeApiserver, kubeApiserverComponent, defaultAuditPolicy, AUDIT_POLICY_CONFIGMAP, KUBE_APISERVER_SERVICE } from './kube-apiserver.ts';
export { kubeControllerManager, kubeControllerManagerComponent } from './kube-controller-manager.ts';
export { kubeScheduler, kubeSchedulerComponent } from './kube-scheduler.ts';
export { vpnSeedServer, vpnSeedServerComponent, VPN_SERVER_SERVICE } from './vpn.ts';
export { CHECKSUM_ANNOTATION_PREFIX, PRIORITY_CLASS_NAME, componentLabels } from './meta.ts';
export { priorityClasses, PRIORITY_CLASS_VALUE } from './priority.ts';
export * from './values.ts';

export interface ControlPlaneComponents {
  etcd: Component;
  kubeApiserver: Component;
  kubeControllerManager: Component;
  kubeScheduler: Component;
  vpnSeedServer: Component;
}

const DEFAULT_COMPONENTS: ControlPlaneComponents = { etcd, kubeApiserver, kubeControllerManager, kubeScheduler, vpnSeedServer };

/** The shoot's components in deployment order; the VPN server only when values.vpn. Pass other instances to shorten timeouts. */
export function controlPlaneComponents(values: ControlPlaneValues, components: Partial<ControlPlaneComponents> = {}): Component[] {
  const c = { ...DEFAULT_COMPONENTS, ...components };
  return [c.etcd, c.kubeApiserver, c.kubeControllerManager, c.kubeScheduler, ...(values.vpn ? [c.vpnSeedServer] : [])];
}

/** Every manifest of the shoot's control plane, in deployment order. */
export function renderControlPlane(values: ControlPlaneValues): KubeObject[] {
  return controlPlaneComponents(values).flatMap((c) => c.render(values));
}
