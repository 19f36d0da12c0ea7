// Merging an issued shoot kubeconfig into the file kubectl uses: the cluster,
// user and context named <project>--<shoot> are added or replaced, every other
// entry is left as it is, and the file keeps (or gets) mode 0600.
import { readFile } from 'node:fs/promises';
import { writePrivateFile } from './private-file.ts';
import { homedir } from 'node:os';
import { delimiter, resolve } from 'node:path';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { configError } from '../ui/errors.ts';

type Entry = { name: string; [key: string]: unknown };
type Config = { clusters?: Entry[]; users?: Entry[]; contexts?: Entry[]; 'current-context'?: string; [key: string]: unknown };

/** --file, else the first file of $KUBECONFIG, else ~/.kube/config: where kubectl writes too. */
export function kubectlKubeconfigFile(file?: string, env: NodeJS.ProcessEnv = process.env): string {
  if (file) return resolve(file);
  const first = env['KUBECONFIG']?.split(delimiter).find((f) => f.trim() !== '');
  return first ? resolve(first) : resolve(env['HOME'] || homedir(), '.kube', 'config');
}

function parseConfig(text: string, label: string): Config {
  let parsed: unknown;
  try {
    parsed = parseYaml(text);
  } catch (err) {
    throw configError(`${label} is not valid YAML (${(err as Error).message.split('\n')[0]}): fix it, or pass --file for another file.`, { cause: err });
  }
  if (parsed === null || parsed === undefined) return {};
  if (typeof parsed !== 'object' || Array.isArray(parsed)) throw configError(`${label} is not a kubeconfig: fix it, or pass --file for another file.`);
  const config = parsed as Config;
  for (const list of ['clusters', 'users', 'contexts'] as const) {
    const v = config[list];
    if (v !== undefined && v !== null && !Array.isArray(v)) throw configError(`${label} has "${list}" that is not a list: fix it, or pass --file for another file.`);
  }
  return config;
}

/**
 * Merges the first cluster and user of `issued` into `existing` under `name`
 * (a context of the same name joins them). Pure: returns the new YAML text.
 */
export function mergeKubeconfig(existing: string, issued: string, name: string, options: { switchContext: boolean; label?: string }): string {
  const base = parseConfig(existing, options.label ?? 'The kubeconfig');
  const add = parseConfig(issued, 'The issued kubeconfig');
  const cluster = add.clusters?.[0]?.['cluster'];
  const user = add.users?.[0]?.['user'];
  if (!cluster || !user) throw configError('The issued kubeconfig has no cluster or user: this is a bug, report it.');
  const upsert = (list: Entry[] | undefined, entry: Entry): Entry[] => {
    const items = [...(list ?? [])];
    const i = items.findIndex((e) => e?.name === entry.name);
    if (i >= 0) items[i] = entry;
    else items.push(entry);
    return items;
  };
  const merged: Config = {
    apiVersion: 'v1',
    kind: 'Config',
    ...base,
    clusters: upsert(base.clusters, { name, cluster }),
    users: upsert(base.users, { name, user }),
    contexts: upsert(base.contexts, { name, context: { cluster: name, user: name } }),
  };
  if (options.switchContext || !merged['current-context']) merged['current-context'] = name;
  return stringifyYaml(merged);
}

/** Merges into a file, atomically, leaving it with mode 0600. */
export async function mergeKubeconfigFile(file: string, issued: string, name: string, options: { switchContext: boolean }): Promise<void> {
  let existing = '';
  try {
    existing = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw configError(`The kubeconfig file ${file} cannot be read (${(err as NodeJS.ErrnoException).code ?? String(err)}).`, { cause: err });
    }
  }
  const text = mergeKubeconfig(existing, issued, name, { ...options, label: `The kubeconfig file ${file}` });
  try {
    await writePrivateFile(file, text);
  } catch (err) {
    throw configError(`The kubeconfig file ${file} cannot be written (${(err as NodeJS.ErrnoException).code ?? String(err)}).`, { cause: err });
  }
}
