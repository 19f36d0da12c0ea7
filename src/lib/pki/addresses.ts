// IP and endpoint arithmetic for certificate SANs: the first address of the
// services range (the `kubernetes` Service's ClusterIP) and the host part of
// the external API endpoint.
import { isIPv4, isIPv6 } from 'node:net';
import { invalid } from '../ui/errors.ts';

/** The 4 or 16 bytes of an IP address, or undefined when it is not one. */
export function ipToBytes(ip: string): Uint8Array | undefined {
  if (isIPv4(ip)) return Uint8Array.from(ip.split('.').map(Number));
  if (!isIPv6(ip)) return undefined;
  // Fold an embedded IPv4 tail (::ffff:1.2.3.4) into two hextets first.
  let text = ip.toLowerCase();
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4?.[1] !== undefined) {
    const [a = 0, b = 0, c = 0, d = 0] = v4[1].split('.').map(Number);
    text = `${text.slice(0, v4.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const left = head === '' ? [] : head.split(':');
  const right = tail === undefined || tail === '' ? [] : tail.split(':');
  const zeros = tail === undefined ? 0 : 8 - left.length - right.length;
  const groups = [...left, ...Array<string>(zeros).fill('0'), ...right].map((g) => Number.parseInt(g, 16));
  const bytes = new Uint8Array(16);
  groups.forEach((g, i) => {
    bytes[2 * i] = g >> 8;
    bytes[2 * i + 1] = g & 0xff;
  });
  return bytes;
}

/** Canonical text of an address given as bytes: dotted quad, or RFC 5952 IPv6. */
export function bytesToIp(bytes: Uint8Array): string {
  if (bytes.length === 4) return Array.from(bytes).join('.');
  const groups = Array.from({ length: 8 }, (_, i) => ((bytes[2 * i] ?? 0) << 8) | (bytes[2 * i + 1] ?? 0));
  // RFC 5952: compress the longest run (the first of equals) of two or more zero groups.
  let best = { start: -1, length: 0 };
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > best.length) best = { start: i, length: j - i };
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (best.length < 2) return hex.join(':');
  return `${hex.slice(0, best.start).join(':')}::${hex.slice(best.start + best.length).join(':')}`;
}

/** The canonical text of an IP address (so 2001:DB8:0::1 and 2001:db8::1 compare equal). */
export function canonicalIp(ip: string): string | undefined {
  const bytes = ipToBytes(ip);
  return bytes === undefined ? undefined : bytesToIp(bytes);
}

/**
 * The first usable address of a CIDR: the ClusterIP kube-apiserver gives the
 * `kubernetes` Service, e.g. 100.64.0.0/13 -> 100.64.0.1, fd00:10:96::/112 -> fd00:10:96::1.
 */
export function firstServiceIP(cidr: string): string {
  const [address = '', prefixText, ...rest] = cidr.trim().split('/');
  const bytes = ipToBytes(address);
  const prefix = Number(prefixText);
  const bits = bytes === undefined ? 0 : bytes.length * 8;
  if (bytes === undefined || rest.length > 0 || prefixText === undefined || !/^\d+$/.test(prefixText) || prefix > bits - 2) {
    throw invalid(`The services range "${cidr}" is not an IPv4 or IPv6 CIDR with room for a service address (e.g. 100.64.0.0/13).`);
  }
  // Clear the host bits, then add one.
  for (let bit = prefix; bit < bits; bit++) {
    const index = Math.floor(bit / 8);
    bytes[index] = (bytes[index] ?? 0) & ~(0x80 >> (bit % 8));
  }
  bytes[bytes.length - 1] = (bytes[bytes.length - 1] ?? 0) | 1;
  return bytesToIp(bytes);
}

export interface Endpoint {
  /** Host name or canonical IP, without port or brackets. */
  host: string;
  isIP: boolean;
  /** https URL clients use, port kept when one was given. */
  server: string;
}

/** Parses an API endpoint given as `host`, `host:port`, `[v6]:port` or an https URL. */
export function parseEndpoint(endpoint: string): Endpoint {
  const text = endpoint.trim();
  let url: URL | undefined;
  try {
    const withScheme = /^[a-z]+:\/\//i.test(text) ? text : `https://${isIPv6(text) ? `[${text}]` : text}`;
    url = new URL(withScheme);
  } catch {
    url = undefined;
  }
  if (url === undefined || url.protocol !== 'https:' || url.hostname === '' || (url.pathname !== '/' && url.pathname !== '') || url.username !== '') {
    throw invalid(`The API endpoint "${endpoint}" is not a host name or IP address with an optional port (e.g. api.example.com or 203.0.113.10:443).`);
  }
  const bare = url.hostname.replace(/^\[(.*)\]$/, '$1');
  const ip = canonicalIp(bare);
  return { host: ip ?? bare.toLowerCase(), isIP: ip !== undefined, server: `https://${url.host}` };
}
