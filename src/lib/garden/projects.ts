// Projects: a namespace garden-<name> in the garden, labelled as a project,
// that owns shoots and their credentials.
import { API_VERSION, LABEL_PROJECT, managedLabels, projectNamespace, type Shoot } from '../api/types.ts';
import { describeErrors, validateProjectName } from '../api/validation.ts';
import type { ApplyChange, KubeClient, KubeObject } from '../kube/client.ts';
import { waitFor } from '../kube/wait.ts';
import { conflict, invalid, notFound } from '../ui/errors.ts';

export interface Project {
  name: string;
  namespace: string;
  phase: string;
  description: string | undefined;
  creationTimestamp: string | undefined;
}

type Namespace = KubeObject & { status?: { phase?: string } };

function toProject(ns: Namespace): Project {
  return {
    name: ns.metadata.labels?.[LABEL_PROJECT] ?? ns.metadata.name,
    namespace: ns.metadata.name,
    phase: ns.status?.phase ?? 'Active',
    description: ns.metadata.annotations?.['kubegarden.io/description'],
    creationTimestamp: ns.metadata.creationTimestamp,
  };
}

export function checkProjectName(name: string): void {
  const errors = validateProjectName(name);
  if (errors.length > 0) throw invalid(describeErrors(`Project "${name}"`, errors));
}

export async function createProject(garden: KubeClient, name: string, options: { description?: string | undefined } = {}): Promise<{ project: Project; change: ApplyChange }> {
  checkProjectName(name);
  const namespace = projectNamespace(name);
  const existing = await garden.get<Namespace>({ apiVersion: 'v1', kind: 'Namespace', name: namespace });
  if (existing && existing.metadata.labels?.[LABEL_PROJECT] !== name) {
    throw conflict(`Namespace ${namespace} already exists in the garden but is not the namespace of project "${name}": choose another project name.`);
  }
  if (existing?.metadata.deletionTimestamp) {
    throw conflict(`Project "${name}" is being deleted: wait until "kubegarden project list" no longer shows it, then create it again.`);
  }
  // Re-running without --description keeps the description the project has.
  const description = options.description ?? existing?.metadata.annotations?.['kubegarden.io/description'];
  const { object, change } = await garden.applyAndDiff<Namespace>({
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: {
      name: namespace,
      labels: managedLabels({ [LABEL_PROJECT]: name }),
      ...(description ? { annotations: { 'kubegarden.io/description': description } } : {}),
    },
  });
  return { project: toProject(object), change };
}

export async function listProjects(garden: KubeClient): Promise<Project[]> {
  const namespaces = await garden.list<Namespace>('v1', 'Namespace', { labelSelector: LABEL_PROJECT });
  return namespaces.map(toProject).sort((a, b) => a.name.localeCompare(b.name));
}

export async function getProject(garden: KubeClient, name: string): Promise<Project> {
  checkProjectName(name);
  const ns = await garden.get<Namespace>({ apiVersion: 'v1', kind: 'Namespace', name: projectNamespace(name) });
  if (!ns || ns.metadata.labels?.[LABEL_PROJECT] !== name) {
    throw notFound(`Project "${name}" does not exist in the garden: create it with "kubegarden project create ${name}".`);
  }
  return toProject(ns);
}

export async function deleteProject(garden: KubeClient, name: string, options: { wait?: boolean; timeoutMs?: number; signal?: AbortSignal } = {}): Promise<Project> {
  const project = await getProject(garden, name);
  const shoots = await garden.list<Shoot & KubeObject>(API_VERSION, 'Shoot', { namespace: project.namespace });
  if (shoots.length > 0) {
    const names = shoots.map((s) => s.metadata.name);
    throw conflict(
      `Project "${name}" still has ${names.length === 1 ? 'shoot' : 'shoots'} ${names.join(', ')}: delete ${names.length === 1 ? 'it' : 'them'} first with "kubegarden shoot delete NAME --project ${name}".`,
    );
  }
  await garden.delete({ apiVersion: 'v1', kind: 'Namespace', name: project.namespace });
  if (options.wait ?? true) {
    await waitFor(
      async () => {
        const ns = await garden.get<Namespace>({ apiVersion: 'v1', kind: 'Namespace', name: project.namespace });
        return ns ? { ready: false, reason: `namespace ${project.namespace} is ${ns.status?.phase ?? 'still there'}` } : { ready: true, value: undefined };
      },
      { what: `project "${name}" to be deleted`, timeoutMs: options.timeoutMs ?? 120_000, intervalMs: 300, signal: options.signal },
    );
  }
  return project;
}
