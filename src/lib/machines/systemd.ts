// Command lines of systemd units, written and read back as argument arrays.
//
// systemd reads `ExecStart=` itself (no shell): words split on whitespace,
// double quotes group, C escapes work inside quotes, `%` starts a specifier
// and `$`/`${}` substitutes variables. An argument is written either bare
// (only characters with no meaning) or double-quoted with every special
// character escaped, so any string arrives at the process as that one argument.

const BARE_RE = /^[A-Za-z0-9_@+=:,./-]+$/;

/** One argument, as systemd will hand it to the process. */
export function quoteArg(arg: string): string {
  // Specifiers and variables are expanded inside quotes too: double them.
  const literal = arg.replace(/%/g, '%%').replace(/\$/g, '$$$$');
  if (arg !== '' && BARE_RE.test(arg)) return literal;
  let out = '"';
  for (const ch of literal) {
    const code = ch.codePointAt(0) ?? 0;
    if (ch === '\\') out += '\\\\';
    else if (ch === '"') out += '\\"';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\r') out += '\\r';
    else if (code < 0x20 || code === 0x7f) out += `\\x${code.toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return `${out}"`;
}

/** A command line for ExecStart= from an argument array (the first is the absolute path of the program). */
export function commandLine(argv: readonly string[]): string {
  return argv.map(quoteArg).join(' ');
}

const C_ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', '"': '"', "'": "'", a: '\x07', b: '\b', f: '\f', v: '\v', s: ' ' };

/** Reads a command line back into its arguments: the inverse of commandLine for what it writes. */
export function parseCommandLine(line: string): string[] {
  const args: string[] = [];
  let i = 0;
  const n = line.length;
  while (i < n) {
    while (i < n && /\s/.test(line[i] ?? '')) i++;
    if (i >= n) break;
    let word = '';
    const quote = line[i] === '"' || line[i] === "'" ? line[i] : undefined;
    if (quote) i++;
    for (; i < n; i++) {
      const ch = line[i] ?? '';
      if (quote ? ch === quote : /\s/.test(ch)) break;
      if (ch === '\\' && i + 1 < n) {
        const next = line[i + 1] ?? '';
        if (next === 'x') {
          word += String.fromCharCode(parseInt(line.slice(i + 2, i + 4), 16));
          i += 3;
        } else {
          word += C_ESCAPES[next] ?? next;
          i += 1;
        }
        continue;
      }
      word += ch;
    }
    if (quote) {
      if (line[i] !== quote) throw new Error(`unterminated quote in command line: ${line}`);
      i++;
    }
    args.push(word.replace(/%%/g, '%').replace(/\$\$/g, '$'));
  }
  return args;
}

export interface UnitSection {
  name: string;
  entries: Array<[string, string]>;
}

/** A unit file from sections of key/value pairs; values are written as given (use commandLine for Exec*). */
export function renderUnit(sections: readonly UnitSection[]): string {
  return sections.map((s) => [`[${s.name}]`, ...s.entries.map(([k, v]) => `${k}=${v}`)].join('\n')).join('\n\n') + '\n';
}

/** The first value of key in section, or undefined. */
export function unitValue(text: string, section: string, key: string): string | undefined {
  let current = '';
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    const header = /^\[(.+)\]$/.exec(line);
    if (header) {
      current = header[1] ?? '';
      continue;
    }
    if (current !== section || line.startsWith('#') || line.startsWith(';')) continue;
    const eq = line.indexOf('=');
    if (eq > 0 && line.slice(0, eq).trim() === key) return line.slice(eq + 1).trim();
  }
  return undefined;
}
