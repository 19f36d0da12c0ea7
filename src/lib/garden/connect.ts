// The garden client for a command, from its --kubeconfig/--context flags,
// else the targeted garden ("kubegarden target garden"), else $KUBECONFIG.
import { KubeClient } from '../kube/client.ts';
import { gardenSource } from '../config/resolve.ts';

export interface GardenFlags {
  kubeconfig?: string | undefined;
  context?: string | undefined;
  verbose?: boolean | undefined;
}

export async function connectGarden(flags: GardenFlags): Promise<KubeClient> {
  const client = await KubeClient.connect(await gardenSource(flags), 'the garden');
  if (flags.verbose) {
    client.observer = (e) => process.stderr.write(`[api] ${e.method} ${e.path} -> ${e.status ?? 'no answer'} (${e.ms}ms)\n`);
  }
  return client;
}

/** Runs fn with a garden client and closes its connections afterwards. */
export async function withGarden<T>(flags: GardenFlags, fn: (garden: KubeClient) => Promise<T>): Promise<T> {
  const garden = await connectGarden(flags);
  try {
    return await fn(garden);
  } finally {
    garden.close();
  }
}
