// `garden init`: installs or upgrades the kubegarden API in a garden, and
// says exactly what changed.
import { CRDS } from '../api/crds.ts';
import type { ApplyChange, KubeClient, KubeObject } from '../kube/client.ts';
import { waitFor } from '../kube/wait.ts';
import { adminRole, projectMemberRole, seedViewerRole, systemNamespace, viewerRole } from './manifests.ts';

export interface ObjectChange {
  kind: string;
  name: string;
  change: ApplyChange;
}

export interface InitResult {
  server: string;
  changes: ObjectChange[];
  changed: boolean;
}

export async function initGarden(garden: KubeClient, options: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<InitResult> {
  const changes: ObjectChange[] = [];
  const apply = async (obj: KubeObject) => {
    const { change } = await garden.applyAndDiff(obj, options.signal);
    changes.push({ kind: obj.kind, name: obj.metadata.name, change });
  };
  await Promise.all(CRDS.map((crd) => apply(crd as unknown as KubeObject)));
  for (const crd of CRDS) {
    await waitFor(
      async () => {
        const got = await garden.get<KubeObject & { status?: { conditions?: Array<{ type: string; status: string; message?: string }> } }>({
          apiVersion: crd.apiVersion,
          kind: crd.kind,
          name: crd.metadata.name,
        });
        const established = got?.status?.conditions?.find((c) => c.type === 'Established');
        return established?.status === 'True' ? { ready: true, value: undefined } : { ready: false, reason: established?.message ?? 'not yet established' };
      },
      { what: `the CRD ${crd.metadata.name} to be established`, timeoutMs: options.timeoutMs ?? 60_000, intervalMs: 200, signal: options.signal },
    );
  }
  await apply(systemNamespace());
  await Promise.all([adminRole(), viewerRole(), projectMemberRole(), seedViewerRole()].map(apply));
  return { server: garden.server, changes, changed: changes.some((c) => c.change !== 'unchanged') };
}
