// The garden names shell completion offers. Completion must never hang a
// shell nor print an error into it: a short deadline, and nothing on failure.
import type { NameKind } from './completion.ts';

export interface NamesOptions {
  kubeconfig?: string | undefined;
  context?: string | undefined;
  project?: string | undefined;
  timeout?: string | undefined;
}

export async function completionNames(kind: NameKind, options: NamesOptions): Promise<string[]> {
  const { parseDuration } = await import('../kube/wait.ts');
  const ms = parseDuration(options.timeout ?? '3s') ?? 3000;
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<string[]>((resolve) => {
    timer = setTimeout(() => resolve([]), ms);
  });
  try {
    return await Promise.race([lookUp(kind, options), deadline]);
  } finally {
    clearTimeout(timer);
  }
}

async function lookUp(kind: NameKind, options: NamesOptions): Promise<string[]> {
  const { withGarden } = await import('../garden/connect.ts');
  return withGarden({ kubeconfig: options.kubeconfig, context: options.context }, async (garden) => {
    if (kind === 'projects') return (await (await import('../garden/projects.ts')).listProjects(garden)).map((p) => p.name);
    if (kind === 'seeds') return (await (await import('../garden/seeds.ts')).listSeeds(garden)).map((s) => s.metadata.name);
    let project = options.project;
    if (!project) {
      const { loadTarget } = await import('../config/config.ts');
      project = (await loadTarget()).project;
    }
    if (!project) return [];
    const { listShoots } = await import('../garden/shoots.ts');
    return (await listShoots(garden, project)).map((s) => s.metadata.name);
  });
}
