// Shared by the reliability e2e tests: a local garden of their own, the CLI
// as a subprocess that can be killed at a step, and what a shoot is in the seed.
import { createHash } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa, type ResultPromise } from 'execa';
import { KubeClient, type KubeObject } from '../../../src/lib/kube/client.ts';
import { kubegarden, kubegardenOk, type CliResult } from '../../helpers/cli.ts';

export const devBin = fileURLToPath(new URL('../../../bin/dev.js', import.meta.url));

export interface ShootJson {
  spec: { kubernetes: { version: string }; seedName?: string; provider: { workers: Array<{ name: string; minimum: number; maximum: number }> } };
  status: {
    lastOperation: { type: string; state: string; progress: number; description: string; step?: string };
    lastErrors?: Array<{ description: string; step?: string }>;
    conditions?: Array<{ type: string; status: string }>;
    hibernated?: boolean;
    kubernetesVersion?: string;
  };
}

export interface LocalGarden {
  dir: string;
  kubeconfig: string;
  env: Record<string, string>;
  client: KubeClient;
  cli(args: string[]): Promise<CliResult>;
  cliOk(args: string[]): Promise<CliResult>;
  shoot(name: string): Promise<ShootJson>;
  /** The CLI as a subprocess we can signal. */
  spawn(args: string[]): ResultPromise;
  /** Pids of the live processes the local runtime runs for a seed namespace. */
  processes(namespace: string): Promise<number[]>;
  close(): Promise<void>;
}

export async function startLocalGarden(name: string): Promise<LocalGarden> {
  const dir = join(tmpdir(), `kubegarden-${name}-${process.pid}`);
  const kubeconfig = join(dir, 'kubeconfig');
  const env = { KUBEGARDEN_LOCAL_DIR: dir, KUBECONFIG: kubeconfig };
  const cli = (args: string[]) => kubegarden(args, { env });
  const cliOk = (args: string[]) => kubegardenOk(args, { env });
  await cliOk(['local', 'up']);
  const client = await KubeClient.connect({ kubeconfig }, 'the local garden');
  return {
    dir,
    kubeconfig,
    env,
    client,
    cli,
    cliOk,
    shoot: async (shoot) => JSON.parse((await cliOk(['shoot', 'get', shoot, '-p', 'local', '-o', 'json'])).stdout) as ShootJson,
    spawn: (args) => execa(process.execPath, [devBin, ...args], { env: { ...env, NO_COLOR: '1', CI: 'true' }, reject: false, stdin: 'ignore' }),
    processes: async (namespace) => {
      const status = JSON.parse((await cliOk(['local', 'status', '-o', 'json'])).stdout) as { processes: Array<{ owner?: string; pid: number; alive: boolean }> };
      return status.processes.filter((p) => p.owner?.startsWith(`${namespace}/`) && p.alive).map((p) => p.pid);
    },
    close: async () => {
      client.close();
      await kubegarden(['local', 'down', '--purge'], { env });
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export interface KillOutcome {
  /** The step's title showed in the run's progress output. */
  reached: boolean;
  /** The process died of the signal (false: it had finished already). */
  killed: boolean;
  exitCode: number | undefined;
  stderr: string;
}

/** Sends a signal once the run's progress output shows `title`; resolves how the run ended. */
export async function signalAt(run: ResultPromise, title: string | RegExp, signal: NodeJS.Signals = 'SIGKILL'): Promise<KillOutcome> {
  let seen = '';
  let reached = false;
  const pattern = typeof title === 'string' ? new RegExp(escapeRegExp(title)) : title;
  run.stderr?.on('data', (chunk: Buffer) => {
    seen += chunk.toString();
    // Once: a second SIGINT means "exit at once".
    if (!reached && pattern.test(seen)) {
      reached = true;
      run.kill(signal);
    }
  });
  const r = await run;
  return { reached, killed: r.signal === signal, exitCode: r.exitCode, stderr: seen };
}

export function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * What a shoot is in the seed, by object: hashes of Secret and ConfigMap data
 * and of workload specs (Terraform's own state Secret left out: Terraform
 * rewrites it on every apply).
 */
export async function seedObjects(seed: KubeClient, namespace: string): Promise<Record<string, string>> {
  const kinds: Array<[string, string]> = [['v1', 'Secret'], ['v1', 'ConfigMap'], ['apps/v1', 'Deployment'], ['apps/v1', 'StatefulSet'], ['v1', 'Service']];
  const state: Record<string, string> = {};
  for (const [apiVersion, kind] of kinds) {
    for (const o of await seed.list<KubeObject & { data?: unknown; spec?: unknown }>(apiVersion, kind, { namespace })) {
      if (o.metadata.name.startsWith('tfstate-')) continue;
      state[`${kind}/${o.metadata.name}`] = createHash('sha256').update(JSON.stringify(o.data ?? o.spec ?? null)).digest('hex').slice(0, 16);
    }
  }
  return state;
}

export async function eventually(what: string, check: () => Promise<boolean>, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting: ${what}`);
    await new Promise((r) => setTimeout(r, 1000));
  }
}
