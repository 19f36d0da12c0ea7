// The CustomResourceDefinitions kubegarden installs in the garden. The
// schemas are strict enough that the API server itself refuses bad objects:
// patterns, enums and ranges where OpenAPI can say it, CEL rules where it
// cannot (cross-field ranges, immutability). Pure: no I/O.
import { DNS_LABEL_PATTERN, MAX_PROJECT_AND_SHOOT_NAME, MAX_WORKER_NAME } from './names.ts';
import { GROUP, PROVIDER_TYPES, PURPOSES, TAINT_EFFECTS, VERSION, OPERATION_STATES, OPERATION_TYPES } from './types.ts';

type Schema = Record<string, unknown>;

const VERSION_PATTERN = '^[0-9]+\\.[0-9]+\\.[0-9]+$';

const str = (extra: Schema = {}): Schema => ({ type: 'string', ...extra });
const int = (extra: Schema = {}): Schema => ({ type: 'integer', ...extra });
const obj = (properties: Record<string, Schema>, required: string[] = [], extra: Schema = {}): Schema => ({
  type: 'object',
  properties,
  ...(required.length > 0 ? { required } : {}),
  ...extra,
});
const arr = (items: Schema, extra: Schema = {}): Schema => ({ type: 'array', items, ...extra });
const immutable = (what: string): Schema => ({ 'x-kubernetes-validations': [{ rule: 'self == oldSelf', message: `${what} is immutable` }] });

const cidrField = (): Schema =>
  str({
    maxLength: 43,
    'x-kubernetes-validations': [
      { rule: 'isCIDR(self) && cidr(self).ip().family() == 4', message: 'must be an IPv4 CIDR, like 10.250.0.0/16' },
      { rule: '!isCIDR(self) || cidr(self) == cidr(self).masked()', message: 'must name its network: host bits must be zero' },
    ],
  });

// Two IPv4 ranges overlap exactly when one contains the other's network address.
const noOverlap = (a: string, b: string): Schema => ({
  rule: `!isCIDR(self.${a}) || !isCIDR(self.${b}) || (!cidr(self.${a}).containsIP(cidr(self.${b}).masked().ip()) && !cidr(self.${b}).containsIP(cidr(self.${a}).masked().ip()))`,
  message: `${a} and ${b} ranges must not overlap`,
});

const networks = (immutableFields: string[]): Schema =>
  obj(
    Object.fromEntries(['nodes', 'pods', 'services'].map((k) => [k, immutableFields.includes(k) ? mergeRules(cidrField(), immutable(`${k} range`)) : cidrField()])),
    ['nodes', 'pods', 'services'],
    { 'x-kubernetes-validations': [noOverlap('nodes', 'pods'), noOverlap('nodes', 'services'), noOverlap('pods', 'services')] },
  );

function mergeRules(a: Schema, b: Schema): Schema {
  const rules = [...((a['x-kubernetes-validations'] as unknown[]) ?? []), ...((b['x-kubernetes-validations'] as unknown[]) ?? [])];
  return { ...a, ...b, 'x-kubernetes-validations': rules };
}

const nameRule = (maxLength: number, noDoubleDash: boolean): Schema[] => [
  { rule: `self.metadata.name.matches('${DNS_LABEL_PATTERN}')`, message: 'metadata.name must consist of lower-case letters, digits and "-", and start and end with a letter or digit' },
  { rule: `self.metadata.name.size() <= ${maxLength}`, message: `metadata.name must be at most ${maxLength} characters` },
  ...(noDoubleDash ? [{ rule: "!self.metadata.name.contains('--')", message: 'metadata.name must not contain "--"' }] : []),
];

const condition = obj(
  {
    type: str(),
    status: str({ enum: ['True', 'False', 'Unknown'] }),
    reason: str(),
    message: str(),
    lastTransitionTime: str({ format: 'date-time' }),
    lastUpdateTime: str({ format: 'date-time' }),
  },
  ['type', 'status'],
);

const conditions = arr(condition, { 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['type'] });

const providerType = (): Schema => mergeRules(str({ enum: [...PROVIDER_TYPES] }), immutable('provider type'));

const worker = obj(
  {
    name: str({ pattern: DNS_LABEL_PATTERN, maxLength: MAX_WORKER_NAME }),
    machineType: str({ minLength: 1, maxLength: 64 }),
    minimum: int({ minimum: 0, maximum: 1000 }),
    maximum: int({ minimum: 1, maximum: 1000 }),
    maxSurge: int({ minimum: 0 }),
    maxUnavailable: int({ minimum: 0 }),
    volume: obj({ size: str({ pattern: '^[1-9][0-9]*Gi$' }), type: str({ maxLength: 64 }) }, ['size']),
    zones: arr(str({ minLength: 1, maxLength: 64 }), { maxItems: 10, 'x-kubernetes-list-type': 'set' }),
    labels: { type: 'object', additionalProperties: str({ maxLength: 63 }), maxProperties: 50 },
    taints: arr(obj({ key: str({ minLength: 1, maxLength: 316 }), value: str({ maxLength: 63 }), effect: str({ enum: [...TAINT_EFFECTS] }) }, ['key', 'effect']), { maxItems: 20 }),
    kubernetesVersion: str({ pattern: VERSION_PATTERN }),
  },
  ['name', 'machineType', 'minimum', 'maximum'],
  {
    'x-kubernetes-validations': [
      { rule: 'self.minimum <= self.maximum', message: 'minimum must not be greater than maximum' },
      { rule: '!has(self.maxSurge) || !has(self.maxUnavailable) || self.maxSurge > 0 || self.maxUnavailable > 0', message: 'maxSurge and maxUnavailable must not both be 0' },
    ],
  },
);

const lastOperation = obj(
  {
    type: str({ enum: [...OPERATION_TYPES] }),
    state: str({ enum: [...OPERATION_STATES] }),
    progress: int({ minimum: 0, maximum: 100 }),
    description: str(),
    lastUpdateTime: str({ format: 'date-time' }),
    step: str(),
  },
  ['type', 'state', 'progress'],
);

const shootSchema: Schema = obj(
  {
    apiVersion: str(),
    kind: str(),
    metadata: { type: 'object' },
    spec: obj(
      {
        provider: obj(
          {
            type: providerType(),
            region: mergeRules(str({ minLength: 1, maxLength: 64 }), immutable('region')),
            zones: arr(str({ minLength: 1, maxLength: 64 }), { maxItems: 10, 'x-kubernetes-list-type': 'set' }),
            workers: arr(worker, { minItems: 1, maxItems: 20, 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['name'] }),
          },
          ['type', 'region', 'workers'],
        ),
        kubernetes: obj({ version: str({ pattern: VERSION_PATTERN }) }, ['version']),
        networking: networks(['pods', 'services']),
        seedName: str({ pattern: DNS_LABEL_PATTERN, maxLength: 63 }),
        credentialsRef: obj({ name: str({ minLength: 1, maxLength: 253 }) }, ['name']),
        hibernation: obj({ enabled: { type: 'boolean' } }),
        purpose: str({ enum: [...PURPOSES] }),
        addons: obj({
          metricsServer: obj({ enabled: { type: 'boolean' } }),
          dashboard: obj({ enabled: { type: 'boolean' } }),
        }),
      },
      ['provider', 'kubernetes', 'networking'],
      {
        'x-kubernetes-validations': [
          { rule: '!has(oldSelf.seedName) || (has(self.seedName) && self.seedName == oldSelf.seedName)', message: 'seedName cannot be changed once set' },
        ],
      },
    ),
    status: obj({
      lastOperation,
      lastErrors: arr(obj({ description: str(), step: str(), lastUpdateTime: str({ format: 'date-time' }) }, ['description'])),
      conditions,
      observedGeneration: int({ format: 'int64' }),
      seedName: str(),
      endpoint: str(),
      kubernetesVersion: str(),
      hibernated: { type: 'boolean' },
    }),
  },
  ['spec'],
  { 'x-kubernetes-validations': nameRule(MAX_PROJECT_AND_SHOOT_NAME - 1, true) },
);

const seedSchema: Schema = obj(
  {
    apiVersion: str(),
    kind: str(),
    metadata: { type: 'object' },
    spec: obj(
      {
        provider: obj(
          { type: providerType(), region: str({ minLength: 1, maxLength: 64 }), zones: arr(str({ minLength: 1, maxLength: 64 }), { maxItems: 10, 'x-kubernetes-list-type': 'set' }) },
          ['type', 'region'],
        ),
        secretRef: obj({ name: str({ minLength: 1, maxLength: 253 }), namespace: str({ minLength: 1, maxLength: 63 }) }, ['name', 'namespace']),
        networks: networks(['nodes', 'pods', 'services']),
        ingress: obj({ domain: str({ minLength: 1, maxLength: 253 }) }, ['domain']),
        capacity: obj({ shoots: int({ minimum: 1, maximum: 10000 }) }, ['shoots']),
      },
      ['provider', 'secretRef', 'networks', 'capacity'],
    ),
    status: obj({
      kubernetesVersion: str(),
      conditions,
      allocatedShoots: int({ minimum: 0 }),
      observedGeneration: int({ format: 'int64' }),
    }),
  },
  ['spec'],
  { 'x-kubernetes-validations': nameRule(40, false) },
);

export interface CustomResourceDefinition {
  apiVersion: 'apiextensions.k8s.io/v1';
  kind: 'CustomResourceDefinition';
  metadata: { name: string; labels: Record<string, string> };
  spec: Record<string, unknown>;
}

function crd(kind: string, plural: string, scope: 'Cluster' | 'Namespaced', shortNames: string[], schema: Schema, columns: Schema[]): CustomResourceDefinition {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${plural}.${GROUP}`, labels: { 'app.kubernetes.io/managed-by': 'kubegarden', 'app.kubernetes.io/part-of': 'kubegarden' } },
    spec: {
      group: GROUP,
      scope,
      names: { kind, listKind: `${kind}List`, plural, singular: kind.toLowerCase(), shortNames, categories: ['kubegarden'] },
      versions: [
        {
          name: VERSION,
          served: true,
          storage: true,
          schema: { openAPIV3Schema: schema },
          subresources: { status: {} },
          additionalPrinterColumns: columns,
        },
      ],
    },
  };
}

const col = (name: string, jsonPath: string, type = 'string', priority = 0): Schema => ({ name, jsonPath, type, ...(priority ? { priority } : {}) });

export const SEED_CRD = crd('Seed', 'seeds', 'Cluster', ['sd'], seedSchema, [
  col('Provider', '.spec.provider.type'),
  col('Region', '.spec.provider.region'),
  col('Ready', '.status.conditions[?(@.type=="Ready")].status'),
  col('Shoots', '.status.allocatedShoots', 'integer'),
  col('Capacity', '.spec.capacity.shoots', 'integer'),
  col('Version', '.status.kubernetesVersion'),
  col('Age', '.metadata.creationTimestamp', 'date'),
]);

export const SHOOT_CRD = crd('Shoot', 'shoots', 'Namespaced', ['sh'], shootSchema, [
  col('Provider', '.spec.provider.type'),
  col('Region', '.spec.provider.region'),
  col('Version', '.spec.kubernetes.version'),
  col('Seed', '.status.seedName'),
  col('Operation', '.status.lastOperation.type'),
  col('Status', '.status.lastOperation.state'),
  col('Progress', '.status.lastOperation.progress', 'integer'),
  col('Endpoint', '.status.endpoint', 'string', 1),
  col('Age', '.metadata.creationTimestamp', 'date'),
]);

export const CRDS: readonly CustomResourceDefinition[] = [SEED_CRD, SHOOT_CRD];
