// Keeps cloud credentials out of everything Terraform prints: each value, each
// line of a multi-line value (a PEM key prints line by line), and each string
// inside a JSON value (a service account key).

const MIN_SECRET_LENGTH = 4;
const MIN_FRAGMENT_LENGTH = 8;
export const REDACTED = '[redacted]';

/** The strings to hide for these secret values, longest first. */
export function secretFragments(values: Iterable<string>): string[] {
  const fragments = new Set<string>();
  const addWithLines = (text: string, min: number) => {
    if (text.length >= min) fragments.add(text);
    for (const line of text.split(/\r?\n|\\n/)) {
      const trimmed = line.trim();
      if (trimmed.length >= MIN_FRAGMENT_LENGTH) fragments.add(trimmed);
    }
  };
  for (const value of values) {
    addWithLines(value, MIN_SECRET_LENGTH);
    for (const nested of jsonStrings(value)) addWithLines(nested, MIN_FRAGMENT_LENGTH);
  }
  return [...fragments].sort((a, b) => b.length - a.length);
}

export function makeRedactor(values: Iterable<string>): (line: string) => string {
  const fragments = secretFragments(values);
  if (fragments.length === 0) return (line) => line;
  return (line) => {
    let out = line;
    for (const fragment of fragments) {
      if (out.includes(fragment)) out = out.split(fragment).join(REDACTED);
    }
    return out;
  };
}

function jsonStrings(text: string): string[] {
  const trimmed = text.trim();
  if (!trimmed.startsWith('{') && !trimmed.startsWith('[')) return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(trimmed);
  } catch {
    return [];
  }
  const out: string[] = [];
  const walk = (node: unknown): void => {
    if (typeof node === 'string') out.push(node);
    else if (Array.isArray(node)) node.forEach(walk);
    else if (node !== null && typeof node === 'object') Object.values(node).forEach(walk);
  };
  walk(parsed);
  return out;
}
