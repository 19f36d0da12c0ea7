// Values every provider derives the same way.
import { bitsFor, formatCidr, parseCidr, subnet } from '../cidr.ts';
import { invalid } from '../../ui/errors.ts';
import { volumeSizeGb } from '../spec.ts';
import type { InfraSpec, WorkerPoolSpec } from '../types.ts';

/** The tags that mark every resource as this shoot's (for clouds that allow '/' in keys). */
export function shootTags(spec: InfraSpec): Record<string, string> {
  return {
    'app.kubernetes.io/managed-by': 'kubegarden',
    'kubegarden.io/project': spec.project,
    'kubegarden.io/shoot': spec.shootName,
  };
}

/** A record with sorted keys, so rendered values do not depend on input order. */
export function sorted<T>(record: Readonly<Record<string, T>>): Record<string, T> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

export function byPool<T>(spec: InfraSpec, value: (worker: WorkerPoolSpec) => T): Record<string, T> {
  return Object.fromEntries(spec.workers.map((worker) => [worker.name, value(worker)]));
}

export function userData(spec: InfraSpec, encoding: 'plain' | 'base64'): Record<string, string> {
  return byPool(spec, (worker) => (encoding === 'base64' ? Buffer.from(worker.userData, 'utf8').toString('base64') : worker.userData));
}

export function volumeGb(worker: WorkerPoolSpec, fallback: number): number {
  return worker.volume ? volumeSizeGb(worker.volume.size, `worker pool "${worker.name}"`) : fallback;
}

/** The taint as the cluster-autoscaler's node templates write it: value:effect. */
export function taintValue(taint: { value?: string; effect: string }): string {
  return `${taint.value ?? ''}:${taint.effect}`;
}

/**
 * Per-zone nodes subnets carved out of the nodes CIDR: the range splits in
 * 2^k blocks, one per zone; when `withPublic`, one block more is kept and
 * split again into a small public subnet per zone (NAT gateways, load
 * balancers). 10.250.0.0/16 with three zones: nodes /18 each, public /20 each.
 */
export function zoneSubnets(spec: InfraSpec, withPublic: boolean, smallestPrefix: number): Record<string, { nodes: string; public?: string }> {
  const nodes = parseCidr(spec.networks.nodes);
  if (!nodes) throw invalid(`The nodes network "${spec.networks.nodes}" is not an IPv4 CIDR.`);
  const count = spec.zones.length;
  const zoneBits = bitsFor(withPublic ? count + 1 : count);
  const publicBits = bitsFor(count);
  const deepest = nodes.prefix + zoneBits + (withPublic ? publicBits : 0);
  if (deepest > smallestPrefix) {
    throw invalid(`The nodes network ${spec.networks.nodes} is too small for ${count} zone${count === 1 ? '' : 's'}: the subnets would be smaller than /${smallestPrefix}.`, {
      hint: 'Use a larger nodes CIDR (a /16 is usual).',
    });
  }
  const publicBlock = withPublic ? subnet(nodes, zoneBits, 2 ** zoneBits - 1) : undefined;
  return Object.fromEntries(
    spec.zones.map((zone, index) => {
      const entry: { nodes: string; public?: string } = { nodes: formatCidr(subnet(nodes, zoneBits, index)) };
      if (publicBlock) entry.public = formatCidr(subnet(publicBlock, publicBits, index));
      return [zone, entry];
    }),
  );
}
