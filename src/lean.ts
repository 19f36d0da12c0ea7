// The read commands people and scripts run most (shoot list/get, seed
// list/get, project list) answered without loading oclif, which alone costs
// more than kubectl's whole `get`. Their flags are parsed from oclif's
// manifest by a parser that gives up on anything unusual (help, unknown or
// malformed flags), and then oclif runs the command as always. The bodies are
// the same functions the oclif commands call (src/lib/ui/read-commands.ts).
// KUBEGARDEN_NO_LEAN=1 turns this path off.
import { readFileSync } from 'node:fs';
import { findCommand, parseArgv, type ManifestCommand, type Parsed } from './lean/argv.ts';
import type * as ReadCommandsModule from './lib/ui/read-commands.ts';

type ReadCommands = typeof ReadCommandsModule;

const COMMANDS: Record<string, (m: ReadCommands, p: Parsed) => Promise<void>> = {
  'shoot:list': (m, p) => m.shootList(p.flags as never),
  'shoot:get': (m, p) => m.shootGet(p as never),
  'seed:list': (m, p) => m.seedList(p.flags as never),
  'seed:get': (m, p) => m.seedGet(p as never),
  'project:list': (m, p) => m.projectList(p.flags as never),
};

/** Runs argv when it is a lean read command and returns true; false leaves it to oclif. */
export async function leanRun(argv: readonly string[], root: URL): Promise<boolean> {
  if (process.env['KUBEGARDEN_NO_LEAN'] === '1') return false;
  const found = findCommand(argv, Object.keys(COMMANDS));
  if (!found) return false;
  let manifest: { commands: Record<string, ManifestCommand> };
  try {
    manifest = JSON.parse(readFileSync(new URL('oclif.manifest.json', root), 'utf8')) as typeof manifest;
  } catch {
    return false;
  }
  const command = manifest.commands[found.id];
  const parsed = command && parseArgv(command, found.rest);
  if (!parsed) return false;
  // --json stands for -o json, as BaseCommand.parse has it.
  if (parsed.flags['json'] === true && 'output' in parsed.flags) parsed.flags['output'] = 'json';
  const { version } = JSON.parse(readFileSync(new URL('package.json', root), 'utf8')) as { version: string };
  const { setUserAgent } = await import('./lib/kube/user-agent.ts');
  setUserAgent(`kubegarden/${version} (${found.id.replaceAll(':', ' ')})`);
  try {
    await COMMANDS[found.id]!(await import('./lib/ui/read-commands.ts'), parsed);
  } catch (err) {
    const { report } = await import('./main.ts');
    process.exitCode = await report(err, argv);
  }
  return true;
}
