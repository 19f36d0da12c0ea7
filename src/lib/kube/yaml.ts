// YAML for the start-up path. The `yaml` package costs ~14 ms to load and a
// cold parse of a kubeconfig ~8 ms more: a quarter of `shoot list`. Kubeconfigs
// and kubegarden's config file use a small, regular part of YAML (block
// mappings and sequences of plain or quoted scalars), which parseSimpleYaml
// reads in well under a millisecond. It gives up (undefined) on anything
// outside that part, and parseYaml then hands the text to the real parser, so
// the result is always what `yaml` would have produced.
import { createRequire } from 'node:module';
import type * as YamlTypes from 'yaml';

type YamlModule = typeof YamlTypes;
let loaded: YamlModule | undefined;

/** The `yaml` package, loaded on first use (synchronously, from its CommonJS build). */
export function yaml(): YamlModule {
  return (loaded ??= createRequire(import.meta.url)('yaml') as YamlModule);
}

/** Parses YAML as the `yaml` package does, without loading it for simple documents. */
export function parseYaml(text: string): unknown {
  const simple = parseSimpleYaml(text);
  return simple === undefined ? yaml().parse(text) : simple;
}

export function stringifyYaml(value: unknown): string {
  return yaml().stringify(value);
}

class Unsupported extends Error {}

interface Line {
  indent: number;
  text: string;
}

/** The document as plain values, or undefined when it uses more YAML than this reader knows. */
export function parseSimpleYaml(text: string): unknown {
  try {
    return new SimpleReader(text).document();
  } catch (err) {
    if (err instanceof Unsupported) return undefined;
    throw err;
  }
}

const unsupported = (): never => {
  throw new Unsupported();
};

// Characters that start something other than a plain scalar or a plain key.
const SPECIAL_START = /^[&*!|>%@`{}[\],#?'"]/;

class SimpleReader {
  private readonly lines: Line[] = [];
  private i = 0;

  constructor(text: string) {
    if (text.startsWith('\uFEFF')) unsupported();
    for (const raw of text.split('\n')) {
      const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
      const body = line.trimStart();
      if (body === '' || body.startsWith('#')) continue;
      const lead = line.slice(0, line.length - body.length);
      if (lead.includes('\t')) unsupported();
      if (body === '---' || body === '...' || body.startsWith('--- ') || body.startsWith('%')) unsupported();
      this.lines.push({ indent: lead.length, text: body.trimEnd() });
    }
  }

  document(): unknown {
    if (this.lines.length === 0) return null;
    const first = this.lines[0]!;
    const value = this.block(first.indent);
    if (this.i < this.lines.length) unsupported();
    return value;
  }

  private block(indent: number): unknown {
    const line = this.lines[this.i]!;
    if (line.indent !== indent) unsupported();
    if (isItem(line.text)) return this.sequence(indent);
    if (entry(line.text) === undefined) unsupported(); // a lone scalar document
    return this.mapping(indent);
  }

  private mapping(indent: number): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    while (this.i < this.lines.length) {
      const line = this.lines[this.i]!;
      if (line.indent < indent) break;
      if (line.indent > indent || isItem(line.text)) unsupported();
      const e = entry(line.text) ?? unsupported();
      if (Object.hasOwn(out, e.key) || e.key === '__proto__' || e.key === '<<') unsupported();
      this.i++;
      out[e.key] = e.rest === '' ? this.nested(indent, true) : this.scalarEnd(e.rest, indent);
    }
    return out;
  }

  private sequence(indent: number): unknown[] {
    const out: unknown[] = [];
    while (this.i < this.lines.length) {
      const line = this.lines[this.i]!;
      // A sequence may sit at its key's indent: the next key there ends it.
      if (line.indent < indent || !isItem(line.text)) break;
      if (line.indent > indent) unsupported();
      const after = line.text.slice(1).trimStart();
      if (after === '') {
        this.i++;
        out.push(this.nested(indent, false));
      } else if (isItem(after)) {
        unsupported(); // "- - x": nested sequences in one line
      } else if (entry(after) !== undefined) {
        // "- key: value": a mapping whose keys line up with this first one.
        this.lines[this.i] = { indent: indent + (line.text.length - after.length), text: after };
        out.push(this.mapping(this.lines[this.i]!.indent));
      } else {
        this.i++;
        out.push(this.scalarEnd(after, indent));
      }
    }
    return out;
  }

  /** The value of "key:" or "-" with nothing after it: a deeper block, a sequence at the key's own indent, or null. */
  private nested(indent: number, sameIndentSequence: boolean): unknown {
    const next = this.lines[this.i];
    if (next === undefined || next.indent < indent) return null;
    if (next.indent > indent) return this.block(next.indent);
    if (sameIndentSequence && isItem(next.text)) return this.sequence(indent);
    return null;
  }

  /** A scalar that must not continue on the next lines (no multi-line plain scalars here). */
  private scalarEnd(text: string, indent: number): unknown {
    const next = this.lines[this.i];
    if (next !== undefined && next.indent > indent) unsupported();
    return scalar(text);
  }
}

const isItem = (text: string): boolean => text === '-' || text.startsWith('- ');

/** "key: rest" or "key:", with a plain key; undefined when the line is no such entry. */
function entry(text: string): { key: string; rest: string } | undefined {
  if (SPECIAL_START.test(text) || text.startsWith('- ')) return undefined;
  const colon = text.search(/:( |$)/);
  if (colon <= 0) return undefined;
  const key = text.slice(0, colon);
  if (key !== key.trim() || key.includes(' #')) unsupported();
  return { key, rest: text.slice(colon + 1).trim() };
}

function scalar(text: string): unknown {
  if (text.startsWith('"')) return quoted(text, '"');
  if (text.startsWith("'")) return quoted(text, "'");
  if (text === '{}') return {};
  if (text === '[]') return [];
  if (SPECIAL_START.test(text) || text.startsWith('- ')) unsupported();
  const comment = text.search(/ #/);
  const plain = (comment >= 0 ? text.slice(0, comment) : text).trim();
  if (/: |:$/.test(plain)) unsupported();
  if (/^(true|True|TRUE)$/.test(plain)) return true;
  if (/^(false|False|FALSE)$/.test(plain)) return false;
  if (/^(null|Null|NULL|~)$/.test(plain) || plain === '') return null;
  if (/^[-+]?[0-9]+$/.test(plain)) {
    const n = Number(plain);
    return Number.isSafeInteger(n) ? n : unsupported();
  }
  // Floats, octal/hex, .inf/.nan: rare here, and the real parser knows them.
  if (/^[-+]?(\.[0-9]|[0-9]|\.inf|\.Inf|\.INF|\.nan|\.NaN|\.NAN|0o|0x)/.test(plain)) unsupported();
  return plain;
}

function quoted(text: string, q: '"' | "'"): string {
  let end = -1;
  for (let j = 1; j < text.length; j++) {
    if (q === '"' && text[j] === '\\') {
      j++;
      continue;
    }
    if (text[j] === q) {
      if (q === "'" && text[j + 1] === "'") {
        j++;
        continue;
      }
      end = j;
      break;
    }
  }
  if (end < 0) unsupported(); // runs on over lines
  const rest = text.slice(end + 1).trim();
  if (rest !== '' && !rest.startsWith('#')) unsupported();
  const inner = text.slice(1, end);
  if (q === "'") return inner.replaceAll("''", "'");
  // JSON's escapes are a subset of YAML's: anything else is left to the real parser.
  if (/\\[^"\\/bfnrtu]/.test(inner)) unsupported();
  try {
    return JSON.parse(`"${inner}"`) as string;
  } catch {
    return unsupported();
  }
}
