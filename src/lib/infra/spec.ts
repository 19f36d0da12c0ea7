// Checks an InfraSpec before anything is rendered, and the small value
// conversions every provider shares (volume sizes, rolling-update budgets).
// Pure: no I/O.
import { invalid } from '../ui/errors.ts';
import { overlaps, parseCidr } from './cidr.ts';
import { INFRA_PROVIDERS } from './types.ts';
import type { InfraSpec, WorkerPoolSpec } from './types.ts';

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const TAINT_EFFECTS = new Set(['NoSchedule', 'PreferNoSchedule', 'NoExecute']);

/**
 * The Secret suffix of the Terraform state: the state lives in
 * `tfstate-default-infra` in the shoot's namespace. The namespace already
 * names the shoot; the kubernetes backend refuses suffixes ending in -<number>.
 */
export const STATE_SECRET_SUFFIX = 'infra';

export function stateSecretName(): string {
  return `tfstate-default-${STATE_SECRET_SUFFIX}`;
}

export function stateLeaseName(): string {
  return `lock-tfstate-default-${STATE_SECRET_SUFFIX}`;
}

/** Throws KubegardenError('invalid') naming the first rule the spec breaks. */
export function validateInfraSpec(spec: InfraSpec): void {
  const where = `shoot ${spec.project}/${spec.shootName}`;
  if (!(INFRA_PROVIDERS as readonly string[]).includes(spec.provider)) {
    throw invalid(`The infrastructure provider "${spec.provider}" of ${where} is not one of ${INFRA_PROVIDERS.join(', ')}.`);
  }
  for (const [what, value] of [['shoot name', spec.shootName], ['project', spec.project], ['namespace', spec.namespace]] as const) {
    if (!DNS_LABEL.test(value) || value.length > 63) {
      throw invalid(`The ${what} "${value}" of ${where} is not a DNS label (lowercase letters, digits and '-', at most 63 characters).`);
    }
  }
  if (spec.region.trim() === '') throw invalid(`The region of ${where} is empty.`);
  if (spec.zones.length === 0) throw invalid(`${capitalize(where)} names no zone.`);
  if (new Set(spec.zones).size !== spec.zones.length) throw invalid(`The zones of ${where} repeat a zone.`);
  if (spec.zones.some((zone) => zone.trim() === '')) throw invalid(`A zone of ${where} is empty.`);

  const cidrs = Object.entries(spec.networks).map(([name, text]) => {
    const cidr = parseCidr(text);
    if (!cidr) throw invalid(`The ${name} network "${text}" of ${where} is not an IPv4 CIDR such as 10.250.0.0/16.`);
    return { name, cidr };
  });
  for (const [i, a] of cidrs.entries()) {
    for (const b of cidrs.slice(i + 1)) {
      if (overlaps(a.cidr, b.cidr)) throw invalid(`The ${a.name} and ${b.name} networks of ${where} overlap.`);
    }
  }

  const names = new Set<string>();
  for (const worker of spec.workers) {
    validateWorker(worker, spec, where);
    if (names.has(worker.name)) throw invalid(`The worker pool name "${worker.name}" appears twice in ${where}.`);
    names.add(worker.name);
  }
}

function validateWorker(worker: WorkerPoolSpec, spec: InfraSpec, where: string): void {
  const pool = `worker pool "${worker.name}" of ${where}`;
  // Pool names end up in cloud resource names next to the namespace; 20
  // characters keeps "<namespace>-<pool>" within every cloud's limits for
  // sensible namespaces.
  if (!DNS_LABEL.test(worker.name) || worker.name.length > 20) {
    throw invalid(`The name of the ${pool} is not a DNS label of at most 20 characters.`);
  }
  if (worker.machineType.trim() === '') throw invalid(`The ${pool} has no machine type.`);
  if (!Number.isInteger(worker.minimum) || !Number.isInteger(worker.maximum) || worker.minimum < 0 || worker.minimum > worker.maximum) {
    throw invalid(`The ${pool} needs whole numbers 0 <= minimum <= maximum (has ${worker.minimum} and ${worker.maximum}).`);
  }
  if (worker.zones.length === 0) throw invalid(`The ${pool} names no zone.`);
  const unknown = worker.zones.filter((zone) => !spec.zones.includes(zone));
  if (unknown.length > 0) throw invalid(`The ${pool} uses zones the shoot does not have: ${unknown.join(', ')}.`);
  if (new Set(worker.zones).size !== worker.zones.length) throw invalid(`The zones of the ${pool} repeat a zone.`);
  parseIntOrPercent(worker.maxSurge, `max surge of the ${pool}`);
  parseIntOrPercent(worker.maxUnavailable, `max unavailable of the ${pool}`);
  if (worker.volume) volumeSizeGb(worker.volume.size, pool);
  for (const taint of worker.taints) {
    if (taint.key === '') throw invalid(`A taint of the ${pool} has no key.`);
    if (!TAINT_EFFECTS.has(taint.effect)) throw invalid(`A taint of the ${pool} has the effect "${taint.effect}", not NoSchedule, PreferNoSchedule or NoExecute.`);
  }
  if (Object.keys(worker.labels).some((key) => key === '')) throw invalid(`A label of the ${pool} has no key.`);
}

const QUANTITY = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|Ti|Pi|k|M|G|T|P)?$/;
const FACTORS: Record<string, number> = {
  '': 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50,
};

/** A Kubernetes quantity ('50Gi', '100G') in whole GiB, rounded up. */
export function volumeSizeGb(size: string, what = 'a worker pool'): number {
  const m = QUANTITY.exec(size.trim());
  const factor = m ? FACTORS[m[2] ?? ''] : undefined;
  if (!m || factor === undefined) throw invalid(`The volume size "${size}" of ${what} is not a quantity such as 50Gi.`);
  const gib = Math.ceil((Number(m[1]) * factor) / 2 ** 30 - 1e-9);
  if (gib < 1) throw invalid(`The volume size "${size}" of ${what} is below 1Gi.`);
  return gib;
}

type IntOrPercent = { count: number } | { percent: number };

function parseIntOrPercent(value: number | string, what: string): IntOrPercent {
  if (typeof value === 'number') {
    if (!Number.isInteger(value) || value < 0) throw invalid(`The ${what} must be a whole number or a percentage (has ${value}).`);
    return { count: value };
  }
  const m = /^(\d+)%$/.exec(value.trim());
  if (m) return { percent: Number(m[1]) };
  if (/^\d+$/.test(value.trim())) return { count: Number(value.trim()) };
  throw invalid(`The ${what} must be a whole number or a percentage such as 25% (has "${value}").`);
}

/**
 * The rolling-update budget as machine counts, the way Kubernetes resolves a
 * Deployment's: percentages of the group's size (its minimum, at least 1),
 * surge rounded up, unavailable rounded down; never both zero.
 */
export function rollingBudget(worker: WorkerPoolSpec): { surge: number; unavailable: number; base: number } {
  const base = Math.max(worker.minimum, 1);
  const resolve = (v: IntOrPercent, roundUp: boolean): number =>
    'count' in v ? v.count : (roundUp ? Math.ceil : Math.floor)((v.percent * base) / 100);
  const surge = resolve(parseIntOrPercent(worker.maxSurge, 'max surge'), true);
  const unavailable = resolve(parseIntOrPercent(worker.maxUnavailable, 'max unavailable'), false);
  return { surge: surge === 0 && unavailable === 0 ? 1 : surge, unavailable, base };
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
