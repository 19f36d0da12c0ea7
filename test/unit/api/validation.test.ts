import { strict as assert } from 'node:assert';
import {
  mistypedShootSpecFields,
  unknownShootSpecFields,
  describeErrors,
  validateProjectName,
  validateSeedName,
  validateSeedSpec,
  validateShoot,
  type FieldError,
  type ShootValidationContext,
} from '../../../src/lib/api/validation.ts';
import type { ProviderType, Purpose, Seed, SeedSpec, ShootSpec, TaintEffect, Worker } from '../../../src/lib/api/types.ts';
import { goodSeed, goodShootSpec } from './fixtures.ts';

const CTX: ShootValidationContext = { project: 'dev', name: 'demo' };

function pool(spec: ShootSpec, index = 0): Worker {
  const w = spec.provider.workers[index];
  if (!w) throw new Error(`fixture has no worker ${index}`);
  return w;
}

interface BadShoot {
  title: string;
  change: (spec: ShootSpec, ctx: ShootValidationContext) => void;
  field: string;
  message: string;
  /** How many errors the change causes, all on `field` (default 1). */
  count?: number;
}

const W = 'spec.provider.workers[worker]';

const BAD_SHOOTS: BadShoot[] = [
  // ---- names
  { title: 'an upper-case shoot name', change: (_s, c) => (c.name = 'Demo'), field: 'shoot name', message: '"Demo" must consist of lower-case letters, digits and "-"' },
  { title: 'an underscore in the shoot name', change: (_s, c) => (c.name = 'my_shoot'), field: 'shoot name', message: '"my_shoot" must consist of lower-case letters' },
  { title: 'a shoot name ending in "-"', change: (_s, c) => (c.name = 'demo-'), field: 'shoot name', message: 'start and end with a letter or digit' },
  { title: 'an empty shoot name', change: (_s, c) => (c.name = ''), field: 'shoot name', message: 'must not be empty' },
  { title: 'a shoot name of 21 characters', change: (_s, c) => (c.name = 'a'.repeat(21)), field: 'shoot name', message: 'must be at most 20 characters (it has 21)' },
  { title: '"--" in the shoot name', change: (_s, c) => (c.name = 'my--shoot'), field: 'shoot name', message: 'must not contain "--"' },
  {
    title: 'project and shoot name longer than 21 together',
    change: (_s, c) => {
      c.project = 'platform-team';
      c.name = 'frontend-x';
    },
    field: 'shoot name',
    message: 'is too long for project "platform-team": project and shoot name together may have at most 21 characters (they have 23)',
  },
  { title: 'an upper-case project name', change: (_s, c) => (c.project = 'Dev'), field: 'project name', message: '"Dev" must consist of lower-case letters' },
  { title: '"--" in the project name', change: (_s, c) => (c.project = 'a--b'), field: 'project name', message: 'must not contain "--"' },

  // ---- networks
  { title: 'a nodes range without a prefix length', change: (s) => (s.networking.nodes = '10.250.0.0'), field: 'spec.networking.nodes', message: '"10.250.0.0" is not an IPv4 CIDR' },
  { title: 'a prefix length over 32', change: (s) => (s.networking.pods = '100.96.0.0/33'), field: 'spec.networking.pods', message: '"100.96.0.0/33" is not an IPv4 CIDR' },
  { title: 'an octet over 255', change: (s) => (s.networking.services = '256.64.0.0/13'), field: 'spec.networking.services', message: '"256.64.0.0/13" is not an IPv4 CIDR' },
  { title: 'a range with host bits set', change: (s) => (s.networking.nodes = '10.250.1.0/16'), field: 'spec.networking.nodes', message: 'with its host bits unset' },
  { title: 'an IPv6 pods range', change: (s) => (s.networking.pods = 'fd00:10::/48'), field: 'spec.networking.pods', message: '"fd00:10::/48" is not an IPv4 CIDR' },
  { title: 'a missing nodes range', change: (s) => (s.networking.nodes = ''), field: 'spec.networking.nodes', message: 'is required' },
  { title: 'nodes overlapping pods', change: (s) => (s.networking.nodes = '100.96.0.0/16'), field: 'spec.networking.nodes', message: '100.96.0.0/16 overlaps spec.networking.pods 100.96.0.0/11' },
  { title: 'nodes overlapping services', change: (s) => (s.networking.nodes = '100.64.0.0/16'), field: 'spec.networking.nodes', message: '100.64.0.0/16 overlaps spec.networking.services 100.64.0.0/13' },
  { title: 'pods containing services', change: (s) => (s.networking.pods = '100.64.0.0/11'), field: 'spec.networking.pods', message: '100.64.0.0/11 overlaps spec.networking.services 100.64.0.0/13' },
  {
    title: 'nodes overlapping the seed nodes range',
    change: (_s, c) => (c.seed = goodSeed({ nodes: '10.250.0.0/16' })),
    field: 'spec.networking.nodes',
    message: '10.250.0.0/16 overlaps the nodes range 10.250.0.0/16 of seed "aws-eu"',
  },
  {
    title: 'pods overlapping the seed services range',
    change: (_s, c) => (c.seed = goodSeed({ services: '100.100.0.0/16' })),
    field: 'spec.networking.pods',
    message: '100.96.0.0/11 overlaps the services range 100.100.0.0/16 of seed "aws-eu"',
  },
  {
    title: 'pods overlapping two seed ranges',
    change: (s, c) => {
      s.networking.pods = '10.0.0.0/14';
      c.seed = goodSeed();
    },
    field: 'spec.networking.pods',
    message: 'of seed "aws-eu"',
    count: 2,
  },
  { title: 'pods smaller than a /22', change: (s) => (s.networking.pods = '100.96.0.0/23'), field: 'spec.networking.pods', message: '100.96.0.0/23 is too small: nodes get a /24 each, so use a /22 or larger' },
  { title: 'services larger than a /12', change: (s) => (s.networking.services = '100.64.0.0/11'), field: 'spec.networking.services', message: '100.64.0.0/11 must be between a /12 and a /27' },
  { title: 'services smaller than a /27', change: (s) => (s.networking.services = '100.64.0.0/28'), field: 'spec.networking.services', message: '100.64.0.0/28 must be between a /12 and a /27' },

  // ---- versions
  { title: 'a version without a patch', change: (s) => (s.kubernetes.version = '1.37'), field: 'spec.kubernetes.version', message: '"1.37" is not a version of the form 1.37.2' },
  { title: 'a version that is a word', change: (s) => (s.kubernetes.version = 'latest'), field: 'spec.kubernetes.version', message: '"latest" is not a version' },
  {
    title: 'an unsupported version',
    change: (s) => (s.kubernetes.version = '1.30.0'),
    field: 'spec.kubernetes.version',
    message: '1.30.0 is not supported (supported: 1.37.2, 1.36.4, 1.35.4)',
  },

  // ---- workers
  { title: 'no worker pools', change: (s) => (s.provider.workers = []), field: 'spec.provider.workers', message: 'must have at least one worker pool' },
  { title: 'maximum 0', change: (s) => (pool(s).maximum = 0), field: `${W}.maximum`, message: 'must be a whole number of at least 1 (got 0)' },
  { title: 'a fractional maximum', change: (s) => (pool(s).maximum = 2.5), field: `${W}.maximum`, message: '(got 2.5)' },
  {
    title: 'minimum greater than maximum',
    change: (s) => {
      pool(s).minimum = 3;
      pool(s).maximum = 2;
    },
    field: `${W}.minimum`,
    message: '3 is greater than maximum 2',
  },
  { title: 'a negative minimum', change: (s) => (pool(s).minimum = -1), field: `${W}.minimum`, message: 'must be a whole number of at least 0 (got -1)' },
  {
    title: 'two pools with the same name',
    change: (s) => s.provider.workers.push({ ...pool(s), machineType: 'm5.xlarge' }),
    field: `${W}.name`,
    message: '"worker" is used by more than one pool',
  },
  { title: 'a pool name of 16 characters', change: (s) => (pool(s).name = 'p'.repeat(16)), field: `spec.provider.workers[${'p'.repeat(16)}].name`, message: 'must be at most 15 characters (it has 16)' },
  { title: 'an upper-case pool name', change: (s) => (pool(s).name = 'Pool'), field: 'spec.provider.workers[Pool].name', message: '"Pool" must consist of lower-case letters' },
  { title: 'a pool without a machine type', change: (s) => (pool(s).machineType = ''), field: `${W}.machineType`, message: 'is required' },
  {
    title: 'a pool zone the shoot does not have',
    change: (s) => (pool(s).zones = ['eu-west-1a', 'eu-west-1c']),
    field: `${W}.zones`,
    message: '"eu-west-1c" is not one of the shoot\'s zones (eu-west-1a, eu-west-1b)',
  },
  { title: 'a repeated shoot zone', change: (s) => (s.provider.zones = ['eu-west-1a', 'eu-west-1b', 'eu-west-1a']), field: 'spec.provider.zones', message: 'must not repeat a zone' },
  {
    title: 'a label key with an upper-case prefix',
    change: (s) => (pool(s).labels = { 'Example.com/role': 'db' }),
    field: `${W}.labels`,
    message: 'key "Example.com/role" has an invalid prefix',
  },
  { title: 'a label key with a "!"', change: (s) => (pool(s).labels = { 'role!': 'db' }), field: `${W}.labels`, message: 'key "role!" must be at most 63 characters of letters, digits' },
  { title: 'a label key of 64 characters', change: (s) => (pool(s).labels = { ['k'.repeat(64)]: 'db' }), field: `${W}.labels`, message: `key "${'k'.repeat(64)}" must be at most 63 characters` },
  { title: 'a label value with a space', change: (s) => (pool(s).labels = { tier: 'back end' }), field: `${W}.labels`, message: 'value "back end" of "tier" must be at most 63 characters' },
  {
    title: 'an unknown taint effect',
    change: (s) => (pool(s).taints = [{ key: 'dedicated', value: 'db', effect: 'NoExecution' as TaintEffect }]),
    field: `${W}.taints`,
    message: 'effect "NoExecution" is not one of NoSchedule, PreferNoSchedule, NoExecute',
  },
  { title: 'a taint with an invalid key', change: (s) => (pool(s).taints = [{ key: 'dedi cated', effect: 'NoSchedule' }]), field: `${W}.taints`, message: 'key "dedi cated"' },
  {
    title: 'maxSurge and maxUnavailable both 0',
    change: (s) => {
      pool(s).maxSurge = 0;
      pool(s).maxUnavailable = 0;
    },
    field: `${W}.maxSurge`,
    message: 'and maxUnavailable must not both be 0, or machines could never be replaced',
  },
  { title: 'a negative maxSurge', change: (s) => (pool(s).maxSurge = -1), field: `${W}.maxSurge`, message: 'must be a whole number of at least 0' },
  { title: 'a negative maxUnavailable', change: (s) => (pool(s).maxUnavailable = -1), field: `${W}.maxUnavailable`, message: 'must be a whole number of at least 0' },
  { title: 'a volume size in G rather than Gi', change: (s) => (pool(s).volume = { size: '50G' }), field: `${W}.volume.size`, message: '"50G" must be a size in Gi, like 50Gi' },
  { title: 'a zero volume size', change: (s) => (pool(s).volume = { size: '0Gi' }), field: `${W}.volume.size`, message: '"0Gi" must be a size in Gi' },
  {
    title: 'a worker version newer than the control plane',
    change: (s) => {
      s.kubernetes.version = '1.36.4';
      pool(s).kubernetesVersion = '1.37.2';
    },
    field: `${W}.kubernetesVersion`,
    message: '1.37.2 is newer than the control plane 1.36.4: workers may never be ahead',
  },
  {
    title: 'a worker version four minors behind',
    change: (s) => (pool(s).kubernetesVersion = '1.33.5'),
    field: `${W}.kubernetesVersion`,
    message: '1.33.5 is more than three minors behind the control plane 1.37.2',
  },
  { title: 'a malformed worker version', change: (s) => (pool(s).kubernetesVersion = '1.36'), field: `${W}.kubernetesVersion`, message: '"1.36" is not a version of the form 1.37.2' },

  // ---- provider and purpose
  {
    title: 'an unknown provider',
    change: (s) => (s.provider.type = 'vsphere' as ProviderType),
    field: 'spec.provider.type',
    message: '"vsphere" is not a known provider type (known: local, aws, gcp, azure, openstack)',
  },
  { title: 'a missing region', change: (s) => (s.provider.region = ''), field: 'spec.provider.region', message: 'is required' },
  {
    title: 'an unknown purpose',
    change: (s) => (s.purpose = 'infrastructure' as Purpose),
    field: 'spec.purpose',
    message: '"infrastructure" is not one of evaluation, testing, development, production',
  },
];

describe('validateShoot refuses a bad shoot with the field and the reason', () => {
  it('accepts the unchanged fixture, so each error below comes from its change', () => {
    assert.deepEqual(validateShoot(goodShootSpec(), { ...CTX, seed: goodSeed() }), []);
  });

  it('has at least 30 distinct bad cases', () => {
    assert.ok(BAD_SHOOTS.length >= 30);
    assert.equal(new Set(BAD_SHOOTS.map((c) => c.title)).size, BAD_SHOOTS.length);
  });

  for (const c of BAD_SHOOTS) {
    it(`refuses ${c.title}`, () => {
      const spec = goodShootSpec();
      const ctx: ShootValidationContext = { ...CTX };
      c.change(spec, ctx);
      const errors = validateShoot(spec, ctx);
      assert.equal(errors.length, c.count ?? 1, `expected ${c.count ?? 1} error(s), got ${JSON.stringify(errors, null, 2)}`);
      for (const e of errors) {
        assert.equal(e.field, c.field);
        if (c.count === undefined) assert.ok(e.message.includes(c.message), `message ${JSON.stringify(e.message)} should say ${JSON.stringify(c.message)}`);
      }
      assert.ok(errors.some((e) => e.message.includes(c.message)), `no message says ${JSON.stringify(c.message)}: ${JSON.stringify(errors)}`);
    });
  }
});

describe('validateShoot reports every problem at once', () => {
  it('lists a bad name, a bad range and a bad pool together rather than stopping at the first', () => {
    const spec = goodShootSpec();
    spec.networking.pods = '100.96.0.0/24';
    pool(spec).maximum = 0;
    const errors = validateShoot(spec, { project: 'dev', name: 'Demo' });
    assert.deepEqual(
      errors.map((e) => e.field),
      ['shoot name', 'spec.networking.pods', `${W}.maximum`],
    );
  });
});

describe('validateShoot accepts what the rules allow', () => {
  const ok = (change: (s: ShootSpec, c: ShootValidationContext) => void): FieldError[] => {
    const spec = goodShootSpec();
    const ctx: ShootValidationContext = { ...CTX };
    change(spec, ctx);
    return validateShoot(spec, ctx);
  };

  it('accepts a project and shoot name of exactly 21 characters together', () => {
    assert.deepEqual(ok((_s, c) => Object.assign(c, { project: 'platform-team', name: 'frontend' })), []);
  });

  it('accepts a worker on an older supported minor than the control plane', () => {
    assert.deepEqual(ok((s) => (pool(s).kubernetesVersion = '1.35.4')), []);
  });

  it('accepts the skew policy but not a version kubegarden cannot provision (1.34.9: three minors behind, unsupported)', () => {
    assert.deepEqual(
      ok((s) => (pool(s).kubernetesVersion = '1.34.9')).map((e) => e.message),
      ['1.34.9 is not supported (supported: 1.37.2, 1.36.4, 1.35.4)'],
    );
  });

  it('accepts pods of exactly /22 and services of exactly /12 and /27', () => {
    assert.deepEqual(ok((s) => Object.assign(s.networking, { pods: '100.96.0.0/22', services: '100.64.0.0/12' })), []);
    assert.deepEqual(ok((s) => (s.networking.services = '100.64.0.0/27')), []);
  });

  it('accepts a pool with maxSurge 0 when maxUnavailable is 1', () => {
    assert.deepEqual(ok((s) => Object.assign(pool(s), { maxSurge: 0, maxUnavailable: 1 })), []);
  });

  it('accepts valid labels, an empty label value and a prefixed taint key', () => {
    assert.deepEqual(
      ok((s) => Object.assign(pool(s), { labels: { 'node.example.com/role': 'db', empty: '' }, taints: [{ key: 'example.com/dedicated', effect: 'NoExecute' }] })),
      [],
    );
  });

  it('accepts a pool in a subset of the shoot zones', () => {
    assert.deepEqual(ok((s) => (pool(s).zones = ['eu-west-1b'])), []);
  });

  it('accepts an unsupported but well-formed version when supported versions are not required', () => {
    assert.deepEqual(ok((s, c) => {
      s.kubernetes.version = '1.30.0';
      c.requireSupportedVersion = false;
    }), []);
  });

  it('still refuses a malformed version when supported versions are not required', () => {
    const errors = ok((s, c) => {
      s.kubernetes.version = '1.30';
      c.requireSupportedVersion = false;
    });
    assert.deepEqual(errors.map((e) => e.field), ['spec.kubernetes.version']);
  });

  it('accepts a shoot next to a seed whose ranges are adjacent but disjoint', () => {
    // 100.128.0.0/16 starts right after the shoot's pods 100.96.0.0/11 end.
    assert.deepEqual(ok((_s, c) => (c.seed = goodSeed({ pods: '100.128.0.0/16', services: '100.72.0.0/16' }))), []);
  });
});

interface BadSeed {
  title: string;
  change: (spec: SeedSpec) => void;
  field: string;
  message: string;
}

const BAD_SEEDS: BadSeed[] = [
  { title: 'an unknown provider', change: (s) => (s.provider.type = 'vsphere' as ProviderType), field: 'spec.provider.type', message: '"vsphere" is not a known provider type' },
  { title: 'a missing region', change: (s) => (s.provider.region = ''), field: 'spec.provider.region', message: 'is required' },
  { title: 'a capacity of 0', change: (s) => (s.capacity.shoots = 0), field: 'spec.capacity.shoots', message: 'must be a whole number of at least 1 (got 0)' },
  { title: 'a fractional capacity', change: (s) => (s.capacity.shoots = 2.5), field: 'spec.capacity.shoots', message: '(got 2.5)' },
  { title: 'an ingress domain with one label', change: (s) => (s.ingress = { domain: 'localhost' }), field: 'spec.ingress.domain', message: '"localhost" is not a DNS domain' },
  { title: 'an upper-case ingress domain', change: (s) => (s.ingress = { domain: 'Ingress.Example.com' }), field: 'spec.ingress.domain', message: 'is not a DNS domain' },
  { title: 'a malformed nodes range', change: (s) => (s.networks.nodes = '172.18.0.0/40'), field: 'spec.networks.nodes', message: '"172.18.0.0/40" is not an IPv4 CIDR' },
  { title: 'a missing services range', change: (s) => (s.networks.services = ''), field: 'spec.networks.services', message: 'is required' },
  { title: 'pods overlapping services', change: (s) => (s.networks.pods = '10.0.0.0/8'), field: 'spec.networks.pods', message: '10.0.0.0/8 overlaps spec.networks.services 10.2.0.0/16' },
];

describe('validateSeedSpec refuses a bad seed with the field and the reason', () => {
  const seedSpec = (): Seed['spec'] => structuredClone(goodSeed().spec);

  it('accepts the unchanged fixture', () => {
    assert.deepEqual(validateSeedSpec(seedSpec()), []);
    assert.deepEqual(validateSeedSpec({ ...seedSpec(), ingress: { domain: 'ingress.seed.example.com' } }), []);
  });

  for (const c of BAD_SEEDS) {
    it(`refuses ${c.title}`, () => {
      const spec = seedSpec();
      c.change(spec);
      const errors = validateSeedSpec(spec);
      assert.equal(errors.length, 1, JSON.stringify(errors));
      assert.equal(errors[0]?.field, c.field);
      assert.ok(errors[0]?.message.includes(c.message), errors[0]?.message);
    });
  }
});

describe('validateSeedName and validateProjectName', () => {
  it('refuses upper case and names over 40 characters for seeds', () => {
    assert.deepEqual(validateSeedName('Local'), [{ field: 'seed name', message: '"Local" must consist of lower-case letters, digits and "-", and start and end with a letter or digit' }]);
    assert.match(validateSeedName('s'.repeat(41))[0]?.message ?? '', /at most 40 characters \(it has 41\)/);
    assert.deepEqual(validateSeedName('s'.repeat(40)), []);
  });

  it('allows "--" in seed names, which never become namespace segments', () => {
    assert.deepEqual(validateSeedName('aws--eu'), []);
  });

  it('limits project names to 20 characters so a one-letter shoot still fits', () => {
    assert.deepEqual(validateProjectName('p'.repeat(20)), []);
    assert.match(validateProjectName('p'.repeat(21))[0]?.message ?? '', /at most 20 characters/);
  });
});

describe('describeErrors', () => {
  it('says everything wrong with one object in one sentence', () => {
    const spec = goodShootSpec();
    spec.networking.pods = '100.96.0.0/24';
    pool(spec).maximum = 0;
    const text = describeErrors('Shoot "dev/demo"', validateShoot(spec, CTX));
    assert.equal(
      text,
      'Shoot "dev/demo" is invalid: spec.networking.pods 100.96.0.0/24 is too small: nodes get a /24 each, so use a /22 or larger; ' +
        'spec.provider.workers[worker].maximum must be a whole number of at least 1 (got 0).',
    );
    assert.ok(!text.includes('\n'));
  });

  it('names the field before its message for a single error', () => {
    assert.equal(describeErrors('Seed "x"', [{ field: 'spec.capacity.shoots', message: 'must be a whole number of at least 1 (got 0)' }]), 'Seed "x" is invalid: spec.capacity.shoots must be a whole number of at least 1 (got 0).');
  });
});

describe('the Shoot schema checks of a file (before anything is built from it)', () => {
  it('accepts a good spec: no field unknown, none of the wrong type', () => {
    assert.deepEqual(mistypedShootSpecFields(goodShootSpec()), []);
    assert.deepEqual(unknownShootSpecFields(goodShootSpec()), []);
  });

  it('names fields of the wrong type with the type expected and the one found', () => {
    const spec = goodShootSpec() as unknown as { provider: Record<string, unknown>; networking: Record<string, unknown> };
    spec.provider['workers'] = 'abc';
    spec.networking['pods'] = 42;
    assert.deepEqual(mistypedShootSpecFields(spec), ['spec.provider.workers (a list, not a string)', 'spec.networking.pods (a string, not a whole number)']);
  });

  it('looks inside lists: a pool whose minimum is text', () => {
    const spec = goodShootSpec();
    (spec.provider.workers[0] as unknown as Record<string, unknown>)['minimum'] = 'two';
    assert.deepEqual(mistypedShootSpecFields(spec), ['spec.provider.workers[0].minimum (a whole number, not a string)']);
  });

  it('names fields the Shoot API does not have, however deep', () => {
    const spec = goodShootSpec() as unknown as Record<string, unknown> & { provider: { workers: Array<Record<string, unknown>> } };
    spec['colour'] = 'green';
    spec.provider.workers[0]!['machineTyp'] = 'm5.large';
    assert.deepEqual(unknownShootSpecFields(spec), ['spec.provider.workers[0].machineTyp', 'spec.colour']);
  });
});
