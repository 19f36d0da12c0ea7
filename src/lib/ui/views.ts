// How garden objects look in tables: the columns of each read command.
import { projectFromNamespace, type Seed, type Shoot } from '../api/types.ts';
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

export const shootColumns: ReadonlyArray<Column<Shoot>> = [
  { header: 'PROJECT', get: (s) => projectFromNamespace(s.metadata.namespace ?? '') },
  { header: 'NAME', get: (s) => s.metadata.name },
  { header: 'PROVIDER', get: (s) => s.spec.provider.type },
  { header: 'REGION', get: (s) => s.spec.provider.region },
  { header: 'VERSION', get: (s) => s.spec.kubernetes.version },
  { header: 'SEED', get: (s) => s.status?.seedName ?? s.spec.seedName },
  { header: 'OPERATION', get: (s) => s.status?.lastOperation && `${s.status.lastOperation.type}/${s.status.lastOperation.state}` },
  { header: 'PROGRESS', get: (s) => (s.status?.lastOperation ? `${s.status.lastOperation.progress}%` : undefined) },
  { header: 'HIBERNATED', get: (s) => (s.spec.hibernation?.enabled ? 'yes' : 'no'), wide: true },
  { header: 'ENDPOINT', get: (s) => s.status?.endpoint, wide: true },
  { header: 'AGE', get: (s) => age(s.metadata.creationTimestamp) },
];

/** A Shoot as `shoot get` describes it on a terminal. */
export function describeShoot(s: Shoot): string {
  const op = s.status?.lastOperation;
  const lines = [
    `Name:          ${projectFromNamespace(s.metadata.namespace ?? '')}/${s.metadata.name}`,
    `Provider:      ${s.spec.provider.type} (region ${s.spec.provider.region}${s.spec.provider.zones?.length ? `, zones ${s.spec.provider.zones.join(', ')}` : ''})`,
    `Kubernetes:    ${s.spec.kubernetes.version}`,
    `Seed:          ${s.status?.seedName ?? s.spec.seedName ?? '<not scheduled>'}`,
    `Endpoint:      ${s.status?.endpoint ?? '<none>'}`,
    `Networks:      nodes ${s.spec.networking.nodes}, pods ${s.spec.networking.pods}, services ${s.spec.networking.services}`,
    `Workers:`,
    ...s.spec.provider.workers.map((w) => `  ${w.name}: ${w.machineType}, ${w.minimum}-${w.maximum} machines${w.zones?.length ? ` in ${w.zones.join(', ')}` : ''}`),
    `Hibernated:    ${s.spec.hibernation?.enabled ? 'yes' : 'no'}`,
    `Operation:     ${op ? `${op.type} ${op.state}, ${op.progress}%${op.description ? ` — ${op.description}` : ''}` : '<none>'}`,
  ];
  for (const e of s.status?.lastErrors ?? []) lines.push(`Error:         ${e.description}${e.step ? ` (step ${e.step})` : ''}`);
  if (s.status?.conditions?.length) {
    lines.push('Conditions:');
    for (const c of s.status.conditions) lines.push(`  ${c.type}: ${c.status}${c.reason ? ` (${c.reason})` : ''}${c.message ? ` ${c.message}` : ''}`);
  }
  lines.push(`Age:           ${age(s.metadata.creationTimestamp) ?? 'unknown'}`);
  return lines.join('\n') + '\n';
}
