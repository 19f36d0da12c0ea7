// How garden objects look in tables: the columns of each read command.
import type { Seed } from '../api/types.ts';
import type { Project } from '../garden/projects.ts';
import { age, type Column } from './output.ts';

export const seedColumns: ReadonlyArray<Column<Seed>> = [
  { header: 'NAME', get: (s) => s.metadata.name },
  { header: 'PROVIDER', get: (s) => s.spec.provider.type },
  { header: 'REGION', get: (s) => s.spec.provider.region },
  { header: 'READY', get: (s) => s.status?.conditions?.find((c) => c.type === 'Ready')?.status ?? 'Unknown' },
  { header: 'SHOOTS', get: (s) => `${s.status?.allocatedShoots ?? 0}/${s.spec.capacity.shoots}` },
  { header: 'VERSION', get: (s) => s.status?.kubernetesVersion },
  { header: 'NODES', get: (s) => s.spec.networks.nodes, wide: true },
  { header: 'PODS', get: (s) => s.spec.networks.pods, wide: true },
  { header: 'SERVICES', get: (s) => s.spec.networks.services, wide: true },
  { header: 'AGE', get: (s) => age(s.metadata.creationTimestamp) },
];

export const projectColumns: ReadonlyArray<Column<Project>> = [
  { header: 'NAME', get: (p) => p.name },
  { header: 'NAMESPACE', get: (p) => p.namespace },
  { header: 'STATUS', get: (p) => p.phase },
  { header: 'DESCRIPTION', get: (p) => p.description, wide: true },
  { header: 'AGE', get: (p) => age(p.creationTimestamp) },
];

/** A Seed as `seed get` describes it on a terminal. */
export function describeSeed(s: Seed): string {
  const ready = s.status?.conditions?.find((c) => c.type === 'Ready');
  const lines = [
    `Name:          ${s.metadata.name}`,
    `Provider:      ${s.spec.provider.type} (region ${s.spec.provider.region}${s.spec.provider.zones?.length ? `, zones ${s.spec.provider.zones.join(', ')}` : ''})`,
    `Networks:      nodes ${s.spec.networks.nodes}, pods ${s.spec.networks.pods}, services ${s.spec.networks.services}`,
    `Ingress:       ${s.spec.ingress?.domain ?? '<none>'}`,
    `Shoots:        ${s.status?.allocatedShoots ?? 0} of ${s.spec.capacity.shoots}`,
    `Kubernetes:    ${s.status?.kubernetesVersion ?? 'unknown'}`,
    `Ready:         ${ready?.status ?? 'Unknown'}${ready?.message ? ` (${ready.message})` : ''}`,
    `Kubeconfig:    Secret ${s.spec.secretRef.namespace}/${s.spec.secretRef.name}`,
    `Age:           ${age(s.metadata.creationTimestamp) ?? 'unknown'}`,
  ];
  return lines.join('\n') + '\n';
}
