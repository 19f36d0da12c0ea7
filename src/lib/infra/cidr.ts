// IPv4 CIDR arithmetic, enough to carve per-zone subnets out of the nodes
// range before the values go to Terraform (so a reviewer sees every subnet in
// terraform.tfvars.json).

export interface Cidr {
  /** The network address as an unsigned 32-bit number. */
  base: number;
  prefix: number;
}

const CIDR_RE = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;

/** Parses 'a.b.c.d/n'; undefined unless it is an IPv4 CIDR whose host bits are zero. */
export function parseCidr(text: string): Cidr | undefined {
  const m = CIDR_RE.exec(text);
  if (!m) return undefined;
  const octets = m.slice(1, 5).map(Number);
  const prefix = Number(m[5]);
  if (octets.some((o) => o > 255) || prefix > 32) return undefined;
  const base = octets.reduce((acc, o) => acc * 256 + o, 0);
  if (base % 2 ** (32 - prefix) !== 0) return undefined;
  return { base, prefix };
}

export function formatCidr(cidr: Cidr): string {
  const octets = [24, 16, 8, 0].map((shift) => Math.floor(cidr.base / 2 ** shift) % 256);
  return `${octets.join('.')}/${cidr.prefix}`;
}

/** Like Terraform's cidrsubnet(): the index-th subnet with newBits more prefix bits. */
export function subnet(cidr: Cidr, newBits: number, index: number): Cidr {
  const prefix = cidr.prefix + newBits;
  if (prefix > 32) throw new RangeError(`/${cidr.prefix} has no room for ${newBits} more bits`);
  if (!Number.isInteger(index) || index < 0 || index >= 2 ** newBits) throw new RangeError(`subnet index ${index} out of range`);
  return { base: cidr.base + index * 2 ** (32 - prefix), prefix };
}

/** Bits needed to number `count` things. */
export function bitsFor(count: number): number {
  return count <= 1 ? 0 : Math.ceil(Math.log2(count));
}

export function overlaps(a: Cidr, b: Cidr): boolean {
  const aEnd = a.base + 2 ** (32 - a.prefix);
  const bEnd = b.base + 2 ** (32 - b.prefix);
  return a.base < bEnd && b.base < aEnd;
}
