// Shoot infrastructure specs the infra tests share: per provider, a one-zone
// shoot and a three-zone shoot with two worker pools.
import type { InfraProviderName, InfraSpec, ProviderConfig, WorkerPoolSpec } from '../../../src/lib/infra/types.ts';

export const CLOUD_PROVIDERS = ['aws', 'gcp', 'azure', 'openstack'] as const;
export const ALL_PROVIDERS: readonly InfraProviderName[] = ['local', ...CLOUD_PROVIDERS];

const PLACES: Record<InfraProviderName, { region: string; zones: [string, string, string] }> = {
  local: { region: 'local', zones: ['local-1', 'local-2', 'local-3'] },
  aws: { region: 'eu-west-1', zones: ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'] },
  gcp: { region: 'europe-west1', zones: ['europe-west1-b', 'europe-west1-c', 'europe-west1-d'] },
  azure: { region: 'westeurope', zones: ['1', '2', '3'] },
  openstack: { region: 'RegionOne', zones: ['nova-a', 'nova-b', 'nova-c'] },
};

const MACHINES: Record<InfraProviderName, [string, string]> = {
  local: ['local', 'local-large'],
  aws: ['m6i.large', 'c6i.xlarge'],
  gcp: ['n2-standard-2', 'c3-standard-4'],
  azure: ['Standard_D2s_v5', 'Standard_F4s_v2'],
  openstack: ['m1.medium', 'm1.large'],
};

const PROVIDER_CONFIG: ProviderConfig = {
  azure: { sshPublicKey: 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGtlc3RrZXlrdWJlZ2FyZGVudGVzdGtleWZvcmF6dXJl kubegarden-test' },
  gcp: { projectId: 'kubegarden-test' },
};

export function oneZoneSpec(provider: InfraProviderName): InfraSpec {
  const place = PLACES[provider];
  return {
    provider,
    shootName: 'web',
    project: 'dev',
    namespace: 'shoot--dev--web',
    region: place.region,
    zones: [place.zones[0]],
    networks: { nodes: '10.250.0.0/16', pods: '100.96.0.0/11', services: '100.64.0.0/13' },
    workers: [
      {
        name: 'worker',
        machineType: MACHINES[provider][0],
        minimum: 1,
        maximum: 2,
        maxSurge: 1,
        maxUnavailable: 0,
        volume: { size: '50Gi' },
        zones: [place.zones[0]],
        labels: { 'node.kubernetes.io/role': 'worker' },
        taints: [],
        userData: '#cloud-config\nhostname: worker\n',
        kubernetesVersion: '1.34.1',
      },
    ],
    providerConfig: PROVIDER_CONFIG,
  };
}

export function threeZoneSpec(provider: InfraProviderName): InfraSpec {
  const place = PLACES[provider];
  const pools: WorkerPoolSpec[] = [
    {
      name: 'general',
      machineType: MACHINES[provider][0],
      minimum: 3,
      maximum: 9,
      maxSurge: '34%',
      maxUnavailable: 0,
      volume: { size: '80Gi' },
      zones: [...place.zones],
      labels: { 'kubegarden.io/pool': 'general', tier: 'web' },
      taints: [],
      userData: '#cloud-config\nhostname: general\n',
      kubernetesVersion: '1.34.1',
    },
    {
      name: 'compute',
      machineType: MACHINES[provider][1],
      minimum: 0,
      maximum: 4,
      maxSurge: 2,
      maxUnavailable: 1,
      volume: { size: '100Gi', type: provider === 'aws' ? 'gp2' : provider === 'gcp' ? 'pd-ssd' : provider === 'azure' ? 'Premium_LRS' : 'ssd' },
      zones: [place.zones[0], place.zones[2]],
      labels: { workload: 'batch' },
      taints: [
        { key: 'dedicated', value: 'batch', effect: 'NoSchedule' },
        { key: 'spot', effect: 'PreferNoSchedule' },
      ],
      userData: '#cloud-config\nhostname: compute\n',
      kubernetesVersion: '1.34.1',
    },
  ];
  return {
    ...oneZoneSpec(provider),
    shootName: 'shop',
    namespace: 'shoot--dev--shop',
    zones: [...place.zones],
    workers: pools,
  };
}

/** Strings that would change HCL if they were ever spliced into it. */
export const HOSTILE = [
  '"; resource "terraform_data" "pwned" { input = "x" } #',
  '${file("/etc/passwd")}',
  '%{ for x in ["a"] }${x}%{ endfor }',
  'line one\nline two\n}\n',
  "back\\slash 'single' `tick` <<EOT\nheredoc\nEOT",
] as const;

/** The three-zone spec with hostile strings wherever the spec takes free text. */
export function hostileSpec(provider: InfraProviderName): InfraSpec {
  const spec = threeZoneSpec(provider);
  const [quote, interpolation, directive, newlines, misc] = HOSTILE;
  const zoneMap = new Map(spec.zones.map((zone, i) => [zone, `${zone}${HOSTILE[i] ?? ''}`]));
  const rezone = (zones: string[]) => zones.map((zone) => zoneMap.get(zone) ?? zone);
  return {
    ...spec,
    region: `${spec.region}${interpolation}`,
    zones: rezone(spec.zones),
    workers: spec.workers.map((worker) => ({
      ...worker,
      machineType: `${worker.machineType}${quote}`,
      zones: rezone(worker.zones),
      labels: { [`evil/${directive}`]: newlines, plain: quote, [interpolation]: misc },
      taints: [{ key: `taint${interpolation}`, value: directive, effect: 'NoExecute' }],
      userData: `#cloud-config\n${misc}\n${interpolation}\n`,
      volume: { size: '64Gi', type: `type${quote}` },
    })),
    providerConfig: {
      aws: { amiId: `ami-${interpolation}`, iamInstanceProfile: quote },
      gcp: { projectId: directive, image: interpolation, serviceAccountEmail: newlines },
      azure: { sshPublicKey: `ssh-ed25519 ${quote}`, adminUsername: interpolation, image: { publisher: quote, offer: directive, sku: newlines, version: misc } },
      openstack: { image: quote, externalNetworkName: interpolation, dnsServers: [directive], keyPair: newlines },
    },
  };
}
