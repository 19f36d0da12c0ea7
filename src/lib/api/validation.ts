// Validation of Seeds, Shoots and names, shared by every command and run
// before anything is sent. The CRD schemas repeat the rules the API server can
// check by itself; the rules that need other objects (the seed's ranges, the
// project name) live only here. Pure: no I/O.
import { overlaps, parseCidr, type Cidr } from './cidr.ts';
import {
  dnsLabelProblem,
  labelKeyProblem,
  labelValueProblem,
  MAX_PROJECT_AND_SHOOT_NAME,
  MAX_WORKER_NAME,
  segmentNameProblem,
} from './names.ts';
import { PROVIDER_TYPES, PURPOSES, TAINT_EFFECTS, type Networks, type Seed, type SeedSpec, type ShootSpec } from './types.ts';
import { compareVersions, isSupportedVersion, parseVersion, SUPPORTED_KUBERNETES_VERSIONS } from './versions.ts';
import { SHOOT_CRD } from './crds.ts';

export interface FieldError {
  field: string;
  message: string;
}

/** One sentence for a list of problems with one object. */
export function describeErrors(what: string, errors: readonly FieldError[]): string {
  const parts = errors.map((e) => `${e.field} ${e.message}`);
  return `${what} is invalid: ${parts.join('; ')}.`;
}

export function validateProjectName(name: string): FieldError[] {
  const problem = segmentNameProblem(name, MAX_PROJECT_AND_SHOOT_NAME - 1);
  return problem ? [{ field: 'project name', message: `"${name}" ${problem}` }] : [];
}

export function validateSeedName(name: string): FieldError[] {
  const problem = dnsLabelProblem(name, 40);
  return problem ? [{ field: 'seed name', message: `"${name}" ${problem}` }] : [];
}

export function validateShootName(project: string, name: string): FieldError[] {
  const problem = segmentNameProblem(name, MAX_PROJECT_AND_SHOOT_NAME - 1);
  if (problem) return [{ field: 'shoot name', message: `"${name}" ${problem}` }];
  if (project.length + name.length > MAX_PROJECT_AND_SHOOT_NAME) {
    return [
      {
        field: 'shoot name',
        message: `"${name}" is too long for project "${project}": project and shoot name together may have at most ${MAX_PROJECT_AND_SHOOT_NAME} characters (they have ${project.length + name.length})`,
      },
    ];
  }
  return [];
}

function isProvider(value: string): boolean {
  return (PROVIDER_TYPES as readonly string[]).includes(value);
}

export function providerProblem(value: string): string | undefined {
  return isProvider(value) ? undefined : `"${value}" is not a known provider type (known: ${PROVIDER_TYPES.join(', ')})`;
}

const NETWORK_FIELDS = ['nodes', 'pods', 'services'] as const;

function parseNetworks(prefix: string, networks: Partial<Networks>, errors: FieldError[]): Partial<Record<keyof Networks, Cidr>> {
  const parsed: Partial<Record<keyof Networks, Cidr>> = {};
  for (const key of NETWORK_FIELDS) {
    const value = networks[key];
    if (value === undefined || value === '') {
      errors.push({ field: `${prefix}.${key}`, message: 'is required' });
      continue;
    }
    const cidr = parseCidr(value);
    if (!cidr) errors.push({ field: `${prefix}.${key}`, message: `"${value}" is not an IPv4 CIDR with its host bits unset (like 10.250.0.0/16)` });
    else parsed[key] = cidr;
  }
  for (let i = 0; i < NETWORK_FIELDS.length; i++) {
    for (let j = i + 1; j < NETWORK_FIELDS.length; j++) {
      const a = parsed[NETWORK_FIELDS[i]!];
      const b = parsed[NETWORK_FIELDS[j]!];
      if (a && b && overlaps(a, b)) {
        errors.push({ field: `${prefix}.${NETWORK_FIELDS[i]}`, message: `${a.text} overlaps ${prefix}.${NETWORK_FIELDS[j]} ${b.text}` });
      }
    }
  }
  return parsed;
}

export function validateSeedSpec(spec: SeedSpec): FieldError[] {
  const errors: FieldError[] = [];
  const p = providerProblem(spec.provider.type);
  if (p) errors.push({ field: 'spec.provider.type', message: p });
  if (!spec.provider.region) errors.push({ field: 'spec.provider.region', message: 'is required' });
  parseNetworks('spec.networks', spec.networks, errors);
  if (!Number.isInteger(spec.capacity.shoots) || spec.capacity.shoots < 1) {
    errors.push({ field: 'spec.capacity.shoots', message: `must be a whole number of at least 1 (got ${spec.capacity.shoots})` });
  }
  if (spec.ingress?.domain !== undefined && !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)+$/.test(spec.ingress.domain)) {
    errors.push({ field: 'spec.ingress.domain', message: `"${spec.ingress.domain}" is not a DNS domain` });
  }
  return errors;
}

export interface ShootValidationContext {
  project: string;
  name: string;
  /** When known, the shoot's ranges must not overlap the seed's: the VPN routes between them. */
  seed?: Seed;
  /** Client-side only: require a version kubegarden can provision (the schema only checks the format). */
  requireSupportedVersion?: boolean;
}

/** Validates a defaulted ShootSpec. */
export function validateShoot(spec: ShootSpec, ctx: ShootValidationContext): FieldError[] {
  const errors: FieldError[] = [...validateProjectName(ctx.project), ...validateShootName(ctx.project, ctx.name)];
  const p = providerProblem(spec.provider.type);
  if (p) errors.push({ field: 'spec.provider.type', message: p });
  if (!spec.provider.region) errors.push({ field: 'spec.provider.region', message: 'is required' });

  const version = spec.kubernetes.version;
  if (!parseVersion(version)) {
    errors.push({ field: 'spec.kubernetes.version', message: `"${version}" is not a version of the form 1.37.2` });
  } else if ((ctx.requireSupportedVersion ?? true) && !isSupportedVersion(version)) {
    errors.push({ field: 'spec.kubernetes.version', message: `${version} is not supported (supported: ${SUPPORTED_KUBERNETES_VERSIONS.join(', ')})` });
  }

  if (spec.purpose !== undefined && !(PURPOSES as readonly string[]).includes(spec.purpose)) {
    errors.push({ field: 'spec.purpose', message: `"${spec.purpose}" is not one of ${PURPOSES.join(', ')}` });
  }

  const nets = parseNetworks('spec.networking', spec.networking, errors);
  if (nets.pods && nets.pods.prefix > 22) {
    errors.push({ field: 'spec.networking.pods', message: `${nets.pods.text} is too small: nodes get a /24 each, so use a /22 or larger` });
  }
  if (nets.services && (nets.services.prefix < 12 || nets.services.prefix > 27)) {
    errors.push({ field: 'spec.networking.services', message: `${nets.services.text} must be between a /12 and a /27` });
  }
  if (ctx.seed) {
    const seedErrors: FieldError[] = [];
    const seedNets = parseNetworks('seed', ctx.seed.spec.networks, seedErrors);
    for (const key of NETWORK_FIELDS) {
      for (const seedKey of NETWORK_FIELDS) {
        const a = nets[key];
        const b = seedNets[seedKey];
        if (a && b && overlaps(a, b)) {
          errors.push({
            field: `spec.networking.${key}`,
            message: `${a.text} overlaps the ${seedKey} range ${b.text} of seed "${ctx.seed.metadata.name}"`,
          });
        }
      }
    }
  }

  const zones = spec.provider.zones ?? [];
  if (new Set(zones).size !== zones.length) errors.push({ field: 'spec.provider.zones', message: 'must not repeat a zone' });
  const workers = spec.provider.workers;
  if (workers.length === 0) errors.push({ field: 'spec.provider.workers', message: 'must have at least one worker pool' });
  const seen = new Set<string>();
  workers.forEach((w, i) => {
    const f = `spec.provider.workers[${w.name || i}]`;
    const nameProblem = dnsLabelProblem(w.name, MAX_WORKER_NAME);
    if (nameProblem) errors.push({ field: `${f}.name`, message: `"${w.name}" ${nameProblem}` });
    if (seen.has(w.name)) errors.push({ field: `${f}.name`, message: `"${w.name}" is used by more than one pool` });
    seen.add(w.name);
    if (!w.machineType) errors.push({ field: `${f}.machineType`, message: 'is required' });
    if (!Number.isInteger(w.minimum) || w.minimum < 0) errors.push({ field: `${f}.minimum`, message: `must be a whole number of at least 0 (got ${w.minimum})` });
    if (!Number.isInteger(w.maximum) || w.maximum < 1) errors.push({ field: `${f}.maximum`, message: `must be a whole number of at least 1 (got ${w.maximum})` });
    else if (w.minimum > w.maximum) errors.push({ field: `${f}.minimum`, message: `${w.minimum} is greater than maximum ${w.maximum}` });
    if (w.maxSurge !== undefined && (!Number.isInteger(w.maxSurge) || w.maxSurge < 0)) errors.push({ field: `${f}.maxSurge`, message: 'must be a whole number of at least 0' });
    if (w.maxUnavailable !== undefined && (!Number.isInteger(w.maxUnavailable) || w.maxUnavailable < 0)) errors.push({ field: `${f}.maxUnavailable`, message: 'must be a whole number of at least 0' });
    if (w.maxSurge === 0 && w.maxUnavailable === 0) errors.push({ field: `${f}.maxSurge`, message: 'and maxUnavailable must not both be 0, or machines could never be replaced' });
    if (w.volume && !/^[1-9]\d*Gi$/.test(w.volume.size)) errors.push({ field: `${f}.volume.size`, message: `"${w.volume.size}" must be a size in Gi, like 50Gi` });
    for (const z of w.zones ?? []) {
      if (zones.length > 0 && !zones.includes(z)) errors.push({ field: `${f}.zones`, message: `"${z}" is not one of the shoot's zones (${zones.join(', ')})` });
    }
    for (const [k, v] of Object.entries(w.labels ?? {})) {
      const kp = labelKeyProblem(k);
      if (kp) errors.push({ field: `${f}.labels`, message: `key "${k}" ${kp}` });
      const vp = labelValueProblem(v);
      if (vp) errors.push({ field: `${f}.labels`, message: `value "${v}" of "${k}" ${vp}` });
    }
    for (const t of w.taints ?? []) {
      const kp = labelKeyProblem(t.key);
      if (kp) errors.push({ field: `${f}.taints`, message: `key "${t.key}" ${kp}` });
      if (!(TAINT_EFFECTS as readonly string[]).includes(t.effect)) errors.push({ field: `${f}.taints`, message: `effect "${t.effect}" is not one of ${TAINT_EFFECTS.join(', ')}` });
    }
    if (w.kubernetesVersion !== undefined) {
      const wv = parseVersion(w.kubernetesVersion);
      const cv = parseVersion(version);
      if (!wv) errors.push({ field: `${f}.kubernetesVersion`, message: `"${w.kubernetesVersion}" is not a version of the form 1.37.2` });
      else if (cv && wv.major !== cv.major) errors.push({ field: `${f}.kubernetesVersion`, message: `${w.kubernetesVersion} is of another major version than the control plane ${version}` });
      else if (cv && compareVersions(wv, cv) > 0) errors.push({ field: `${f}.kubernetesVersion`, message: `${w.kubernetesVersion} is newer than the control plane ${version}: workers may never be ahead` });
      else if (cv && cv.minor - wv.minor > 3) errors.push({ field: `${f}.kubernetesVersion`, message: `${w.kubernetesVersion} is more than three minors behind the control plane ${version}` });
      else if ((ctx.requireSupportedVersion ?? true) && !isSupportedVersion(w.kubernetesVersion)) errors.push({ field: `${f}.kubernetesVersion`, message: `${w.kubernetesVersion} is not supported (supported: ${SUPPORTED_KUBERNETES_VERSIONS.join(', ')})` });
    }
  });
  return errors;
}

type Schema = Record<string, unknown>;

/** Fields of value that its (structural) OpenAPI schema does not declare, as dotted paths. */
export function unknownFields(value: unknown, schema: Schema, path: string): string[] {
  if (schema['x-kubernetes-preserve-unknown-fields'] === true || value === null || typeof value !== 'object') return [];
  if (Array.isArray(value)) {
    const items = schema['items'] as Schema | undefined;
    return items ? value.flatMap((v, i) => unknownFields(v, items, `${path}[${i}]`)) : [];
  }
  const properties = schema['properties'] as Record<string, Schema> | undefined;
  const additional = schema['additionalProperties'] as Schema | boolean | undefined;
  return Object.entries(value as Record<string, unknown>).flatMap(([key, v]) => {
    const child = properties?.[key] ?? (typeof additional === 'object' ? additional : undefined);
    if (child) return unknownFields(v, child, `${path}.${key}`);
    return properties && additional === undefined ? [`${path}.${key}`] : [];
  });
}

const TYPE_NAMES: Record<string, string> = { object: 'a mapping', array: 'a list', string: 'a string', integer: 'a whole number', number: 'a number', boolean: 'true or false' };

function typeOf(value: unknown): string {
  if (Array.isArray(value)) return 'a list';
  if (value === null) return 'null';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'number') return Number.isInteger(value) ? 'a whole number' : 'a number';
  return typeof value === 'boolean' ? 'true or false' : `a ${typeof value}`;
}

function hasType(value: unknown, type: string, schema: Schema): boolean {
  if (schema['x-kubernetes-int-or-string'] === true) return typeof value === 'string' || Number.isInteger(value);
  switch (type) {
    case 'object':
      return value !== null && typeof value === 'object' && !Array.isArray(value);
    case 'array':
      return Array.isArray(value);
    case 'integer':
      return Number.isInteger(value);
    case 'number':
      return typeof value === 'number';
    default:
      return typeof value === type;
  }
}

/** Fields of value whose type is not the one its (structural) OpenAPI schema declares, as "path (a list, not a string)". */
export function mistypedFields(value: unknown, schema: Schema, path: string): string[] {
  const type = schema['type'] as string | undefined;
  if (value === undefined || value === null || schema['x-kubernetes-preserve-unknown-fields'] === true) return [];
  if (type && !hasType(value, type, schema)) return [`${path} (${TYPE_NAMES[type] ?? type}, not ${typeOf(value)})`];
  if (Array.isArray(value)) {
    const items = schema['items'] as Schema | undefined;
    return items ? value.flatMap((v, i) => mistypedFields(v, items, `${path}[${i}]`)) : [];
  }
  if (typeof value !== 'object') return [];
  const properties = schema['properties'] as Record<string, Schema> | undefined;
  const additional = schema['additionalProperties'] as Schema | boolean | undefined;
  return Object.entries(value as Record<string, unknown>).flatMap(([key, v]) => {
    const child = properties?.[key] ?? (typeof additional === 'object' ? additional : undefined);
    return child ? mistypedFields(v, child, `${path}.${key}`) : [];
  });
}

function shootSpecSchema(): Schema {
  const version = (SHOOT_CRD.spec['versions'] as Array<{ schema: { openAPIV3Schema: Schema } }>)[0]!;
  return (version.schema.openAPIV3Schema['properties'] as Record<string, Schema>)['spec']!;
}

/** Fields of a Shoot's spec of the wrong type: refused before anything is built from them. */
export function mistypedShootSpecFields(spec: unknown): string[] {
  return mistypedFields(spec, shootSpecSchema(), 'spec');
}

/** Fields of a Shoot's spec the Shoot API does not have: the API server would refuse them, so say so before anything is written. */
export function unknownShootSpecFields(spec: unknown): string[] {
  return unknownFields(spec, shootSpecSchema(), 'spec');
}
