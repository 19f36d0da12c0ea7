// IPv4 ranges: parsing, overlap and address arithmetic for the networks a
// shoot and a seed use. Pure: no I/O.

export interface Cidr {
  /** Network address as an unsigned 32-bit integer. */
  base: number;
  prefix: number;
  text: string;
}

const IPV4_RE = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

export function parseIPv4(text: string): number | undefined {
  const m = IPV4_RE.exec(text);
  if (!m) return undefined;
  const parts = m.slice(1).map(Number);
  if (parts.some((p) => p > 255)) return undefined;
  if (m.slice(1).some((p) => p.length > 1 && p.startsWith('0'))) return undefined;
  return parts.reduce((acc, p) => acc * 256 + p, 0);
}

export function formatIPv4(value: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(value / 2 ** shift) % 256).join('.');
}

/** Parses "a.b.c.d/n"; rejects host bits set, since a range must name its network. */
export function parseCidr(text: string): Cidr | undefined {
  const slash = text.indexOf('/');
  if (slash < 0) return undefined;
  const ip = parseIPv4(text.slice(0, slash));
  const prefixText = text.slice(slash + 1);
  if (ip === undefined || !/^\d{1,2}$/.test(prefixText)) return undefined;
  const prefix = Number(prefixText);
  if (prefix > 32) return undefined;
  const size = 2 ** (32 - prefix);
  if (ip % size !== 0) return undefined;
  return { base: ip, prefix, text };
}

export function cidrSize(c: Cidr): number {
  return 2 ** (32 - c.prefix);
}

export function overlaps(a: Cidr, b: Cidr): boolean {
  return a.base < b.base + cidrSize(b) && b.base < a.base + cidrSize(a);
}

/** The n-th address of a range (1 = first usable), e.g. the kubernetes Service IP. */
export function nthAddress(c: Cidr | string, n: number): string {
  const parsed = typeof c === 'string' ? parseCidr(c) : c;
  if (!parsed) throw new Error(`not a CIDR: ${String(c)}`);
  if (n >= cidrSize(parsed)) throw new Error(`${parsed.text} has fewer than ${n + 1} addresses`);
  return formatIPv4(parsed.base + n);
}
