// A small argv parser driven by oclif's manifest, for the read commands that
// run without loading oclif (see ../lean.ts). It understands the plain forms
// (--flag value, --flag=value, -f value, -fvalue, booleans, --no-flag,
// repeated flags, positional arguments) and gives up on anything else, so
// that oclif, with its full parser, help and error messages, handles it.

export interface ManifestFlag {
  name: string;
  char?: string;
  type: 'boolean' | 'option';
  multiple?: boolean;
  options?: string[];
  default?: unknown;
  allowNo?: boolean;
  required?: boolean;
}

export interface ManifestArg {
  name: string;
  required?: boolean;
}

export interface ManifestCommand {
  id: string;
  flags: Record<string, ManifestFlag>;
  args: Record<string, ManifestArg>;
}

export interface Parsed {
  flags: Record<string, unknown>;
  args: Record<string, string | undefined>;
}

/** The command argv names (its longest id prefix) and the rest of argv, or undefined. */
export function findCommand(argv: readonly string[], ids: readonly string[]): { id: string; rest: string[] } | undefined {
  const words: string[] = [];
  for (const token of argv) {
    if (token.startsWith('-')) break;
    words.push(token);
  }
  for (let n = Math.min(words.length, 3); n > 0; n--) {
    const id = words.slice(0, n).join(':');
    if (ids.includes(id)) return { id, rest: argv.slice(n) };
  }
  return undefined;
}

/** Flags and args as oclif would parse them, or undefined for anything this parser leaves to oclif. */
export function parseArgv(command: ManifestCommand, argv: readonly string[]): Parsed | undefined {
  const flags: Record<string, unknown> = {};
  const positional: string[] = [];
  const byChar = new Map(Object.values(command.flags).filter((f) => f.char).map((f) => [f.char!, f]));
  const set = (flag: ManifestFlag, value: unknown): boolean => {
    if (flag.type === 'option') {
      if (typeof value !== 'string' || (flag.options && !flag.options.includes(value))) return false;
      if (flag.multiple) flags[flag.name] = [...((flags[flag.name] as string[] | undefined) ?? []), value];
      else flags[flag.name] = value;
    } else flags[flag.name] = value;
    return true;
  };
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i]!;
    if (token === '--' || token === '--help' || token === '-h') return undefined;
    if (token.startsWith('--')) {
      const eq = token.indexOf('=');
      const name = token.slice(2, eq < 0 ? undefined : eq);
      const flag = command.flags[name];
      if (!flag && name.startsWith('no-')) {
        const negated = command.flags[name.slice(3)];
        if (negated?.type === 'boolean' && negated.allowNo && eq < 0) {
          flags[negated.name] = false;
          continue;
        }
      }
      if (!flag) return undefined;
      if (flag.type === 'boolean') {
        if (eq >= 0) return undefined;
        set(flag, true);
      } else if (!set(flag, eq >= 0 ? token.slice(eq + 1) : argv[++i])) return undefined;
    } else if (token.startsWith('-') && token.length > 1) {
      const flag = byChar.get(token[1]!);
      if (!flag) return undefined;
      if (flag.type === 'boolean') {
        if (token.length > 2) return undefined; // -Aq and the like: oclif's job
        set(flag, true);
      } else if (!set(flag, token.length > 2 ? token.slice(2).replace(/^=/, '') : argv[++i])) return undefined;
    } else positional.push(token);
  }
  const argDefs = Object.values(command.args);
  if (positional.length > argDefs.length) return undefined;
  const args: Record<string, string | undefined> = {};
  argDefs.forEach((a, i) => (args[a.name] = positional[i]));
  if (argDefs.some((a) => a.required && args[a.name] === undefined)) return undefined;
  for (const flag of Object.values(command.flags)) {
    if (flags[flag.name] !== undefined) continue;
    if (flag.required) return undefined;
    if (flag.default !== undefined) flags[flag.name] = flag.default;
    // The manifest leaves out `default: false`; every boolean flag of ours declares it.
    else if (flag.type === 'boolean') flags[flag.name] = false;
  }
  return { flags, args };
}
