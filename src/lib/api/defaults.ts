// Defaults users of the seed/shoot world expect. Pure: returns new objects.
import { DEFAULT_KUBERNETES_VERSION } from './versions.ts';
import type { Networks, ProviderType, Shoot, ShootSpec, Worker } from './types.ts';

export const DEFAULT_SHOOT_NETWORKS: Networks = {
  nodes: '10.250.0.0/16',
  pods: '100.96.0.0/11',
  services: '100.64.0.0/13',
};

export const DEFAULT_SEED_NETWORKS: Networks = {
  nodes: '172.18.0.0/16',
  pods: '10.1.0.0/16',
  services: '10.2.0.0/16',
};

export const DEFAULT_MACHINE_TYPES: Record<ProviderType, string> = {
  local: 'local',
  aws: 'm5.large',
  gcp: 'n2-standard-2',
  azure: 'Standard_D2s_v5',
  openstack: 'm1.large',
};

export function defaultZones(provider: ProviderType, region: string): string[] {
  switch (provider) {
    case 'local':
      return ['local'];
    case 'aws':
      return [`${region}a`];
    case 'gcp':
      return [`${region}-a`];
    case 'azure':
      return ['1'];
    case 'openstack':
      return ['nova'];
  }
}

export function defaultWorker(provider: ProviderType): Worker {
  return { name: 'worker', machineType: DEFAULT_MACHINE_TYPES[provider], minimum: 1, maximum: 2 };
}

export const DEFAULT_SEED_CAPACITY = 250;

/** Fills every field the user may leave out; never overrides what is set. */
export function defaultShootSpec(spec: ShootSpec): ShootSpec {
  const zones = spec.provider.zones && spec.provider.zones.length > 0 ? spec.provider.zones : defaultZones(spec.provider.type, spec.provider.region);
  const workers = (spec.provider.workers.length > 0 ? spec.provider.workers : [defaultWorker(spec.provider.type)]).map((w) => ({
    ...w,
    maxSurge: w.maxSurge ?? (w.maxUnavailable === 0 ? 1 : w.maxUnavailable === undefined ? 1 : 0),
    // Machines must be replaceable: with no surge, one may be unavailable.
    maxUnavailable: w.maxUnavailable ?? (w.maxSurge === 0 ? 1 : 0),
    zones: w.zones && w.zones.length > 0 ? w.zones : zones,
    volume: w.volume ?? { size: '50Gi' },
  }));
  return {
    ...spec,
    provider: { ...spec.provider, zones, workers },
    kubernetes: { version: spec.kubernetes.version || DEFAULT_KUBERNETES_VERSION },
    networking: { ...DEFAULT_SHOOT_NETWORKS, ...stripEmpty(spec.networking) },
    purpose: spec.purpose ?? 'evaluation',
    hibernation: spec.hibernation ?? { enabled: false },
    addons: spec.addons ?? { metricsServer: { enabled: false }, dashboard: { enabled: false } },
  };
}

export function defaultShoot(shoot: Shoot): Shoot {
  return { ...shoot, spec: defaultShootSpec(shoot.spec) };
}

function stripEmpty<T extends object>(value: T | undefined): Partial<T> {
  if (!value) return {};
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined && v !== '')) as Partial<T>;
}
