// The shoot's system components, applied through the shoot's own API server
// once it answers: the TLS-bootstrap objects first (so machines can join),
// then kube-proxy, CoreDNS, the VPN client and the add-ons the Shoot asks for.
//
// Optional components (VPN client, metrics-server, dashboard) are always in
// the list, with `enabled` saying whether the values want them: a reconcile
// deploys the enabled ones and destroys the others, so turning an add-on off
// removes it on the next reconcile.
//
// Readiness: a local shoot's nodes are simulated and run no containers, so its
// DaemonSets and Deployments never become ready. The flow passes
// `waitFor: 'applied'` for the local provider (objects exist) and `'ready'`
// (rolled out and ready) for real providers; see component.ts.
import type { KubeObject } from '../kube/client.ts';
import { bootstrapComponent, render as renderBootstrap } from './bootstrap.ts';
import type { ComponentClient, ComponentOptions, SystemComponent } from './component.ts';
import { corednsComponent, render as renderCoredns } from './coredns.ts';
import { dashboardComponent, render as renderDashboard } from './dashboard.ts';
import { kubeProxyComponent, render as renderKubeProxy } from './kube-proxy.ts';
import { metricsServerComponent, render as renderMetricsServer } from './metrics-server.ts';
import type { SystemValues } from './values.ts';
import { vpnShootComponent, render as renderVpnShoot } from './vpn-shoot.ts';

export type { ComponentClient, ComponentOptions, Readiness, SystemComponent } from './component.ts';
export { clusterDnsIP } from './coredns.ts';
export * from './values.ts';

/** Every system component, in deploy order; disabled ones have enabled=false. */
export function systemComponents(client: ComponentClient, values: SystemValues, options: ComponentOptions = {}): SystemComponent[] {
  return [
    bootstrapComponent(client, values, options),
    kubeProxyComponent(client, values, options),
    corednsComponent(client, values, options),
    vpnShootComponent(client, values, options),
    metricsServerComponent(client, values, options),
    dashboardComponent(client, values, options),
  ];
}

/** Everything a reconcile applies for these values, by component (disabled ones render nothing). Pure. */
export function renderSystem(values: SystemValues): Array<{ component: string; objects: KubeObject[] }> {
  return [
    { component: 'bootstrap', objects: renderBootstrap(values) },
    { component: 'kube-proxy', objects: renderKubeProxy(values) },
    { component: 'coredns', objects: renderCoredns(values) },
    { component: 'vpn-shoot', objects: renderVpnShoot(values) },
    { component: 'metrics-server', objects: renderMetricsServer(values) },
    { component: 'dashboard', objects: renderDashboard(values) },
  ];
}

export interface SystemReconcileResult {
  deployed: string[];
  destroyed: string[];
}

/**
 * Deploys the enabled components and destroys the disabled ones, then waits
 * (per options.waitFor) for the first and until the second are gone.
 */
export async function reconcileSystem(client: ComponentClient, values: SystemValues, options: ComponentOptions & { signal?: AbortSignal } = {}): Promise<SystemReconcileResult> {
  const { signal, ...componentOptions } = options;
  const components = systemComponents(client, values, componentOptions);
  const enabled = components.filter((c) => c.enabled);
  const disabled = components.filter((c) => !c.enabled);
  for (const c of enabled) await c.deploy(signal);
  // One at a time: an APIService whose server is gone stalls namespace deletion, so metrics-server goes before the dashboard's namespace.
  for (const c of disabled) await c.destroy(signal);
  await Promise.all([...enabled.map((c) => c.wait(signal)), ...disabled.map((c) => c.waitCleanup(signal))]);
  return { deployed: enabled.map((c) => c.name), destroyed: disabled.map((c) => c.name) };
}
