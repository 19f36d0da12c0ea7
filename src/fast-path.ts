// Answers `--version` and the root help from package.json and the oclif
// manifest without loading oclif (about 60 ms of imports): these are the
// commands people run most often to check an installation, and the ones shell
// completion and wrappers call. Anything else falls through to oclif.
import { readFileSync } from 'node:fs';

interface ManifestCommand {
  id: string;
  description?: string;
  hidden?: boolean;
}

interface PackageJson {
  name: string;
  version: string;
  description?: string;
  oclif: { bin: string; topics?: Record<string, { description?: string; hidden?: boolean }> };
}

export interface FastPathOptions {
  width?: number;
  /** The Node.js version commands run under (the bundled one after a re-exec). */
  nodeVersion?: string;
}

/** The output for argv when it is one of the fast cases, else undefined. */
export function fastPath(argv: readonly string[], root: URL, options: FastPathOptions = {}): string | undefined {
  const [first, ...rest] = argv;
  if (rest.length > 0 || (first !== undefined && !['--version', '--help', '-h', 'help'].includes(first))) return undefined;
  const pjson = JSON.parse(readFileSync(new URL('package.json', root), 'utf8')) as PackageJson;
  const versionLine = `${pjson.oclif.bin}/${pjson.version} ${process.platform}-${process.arch} node-${options.nodeVersion ?? process.version}`;
  if (first === '--version') return `${versionLine}\n`;
  let manifest: { commands: Record<string, ManifestCommand> };
  try {
    manifest = JSON.parse(readFileSync(new URL('oclif.manifest.json', root), 'utf8')) as typeof manifest;
  } catch {
    return undefined; // no manifest (a development checkout): let oclif build the help
  }
  return rootHelp(pjson, versionLine, Object.values(manifest.commands), options.width ?? 80);
}

export function rootHelp(pjson: PackageJson, versionLine: string, commands: readonly ManifestCommand[], width: number): string {
  const topics = Object.entries(pjson.oclif.topics ?? {})
    .filter(([, t]) => !t.hidden)
    .map(([name, t]) => [name, firstLine(t.description)] as const)
    .sort(([a], [b]) => a.localeCompare(b));
  const topLevel = commands
    .filter((c) => !c.hidden && !c.id.includes(':') && !(pjson.oclif.topics ?? {})[c.id])
    .map((c) => [c.id, firstLine(c.description)] as const)
    .sort(([a], [b]) => a.localeCompare(b));
  const out = [
    ...wrap(pjson.description ?? '', width, 0),
    '',
    'VERSION',
    `  ${versionLine}`,
    '',
    'USAGE',
    `  $ ${pjson.oclif.bin} [COMMAND]`,
    '',
  ];
  if (topics.length) out.push('TOPICS', ...table(topics, width), '');
  if (topLevel.length) out.push('COMMANDS', ...table(topLevel, width), '');
  return `${out.join('\n')}\n`;
}

function firstLine(text: string | undefined): string {
  return (text ?? '').split('\n')[0]!.trim();
}

/** Two columns, the second wrapped under itself, as oclif lays out its help. */
function table(rows: ReadonlyArray<readonly [string, string]>, width: number): string[] {
  const nameWidth = Math.max(...rows.map(([n]) => n.length));
  const indent = 2 + nameWidth + 2;
  return rows.flatMap(([name, text]) => {
    const [head = '', ...tail] = wrap(text, width - indent, 0);
    return [`  ${name.padEnd(nameWidth)}  ${head}`.trimEnd(), ...tail.map((l) => `${' '.repeat(indent)}${l}`)];
  });
}

function wrap(text: string, width: number, indent: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line && line.length + 1 + word.length > Math.max(width, 20)) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line || lines.length === 0) lines.push(line);
  return lines.map((l) => `${' '.repeat(indent)}${l}`);
}
