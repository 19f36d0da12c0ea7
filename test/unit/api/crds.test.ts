// The structure of the CRDs that users and kubectl rely on. Whether the API
// server enforces the rules is proven by the integration tests.
import { strict as assert } from 'node:assert';
import { CRDS, SEED_CRD, SHOOT_CRD, type CustomResourceDefinition } from '../../../src/lib/api/crds.ts';
import { DNS_LABEL_PATTERN, MAX_WORKER_NAME } from '../../../src/lib/api/names.ts';
import { PROVIDER_TYPES, PURPOSES, TAINT_EFFECTS } from '../../../src/lib/api/types.ts';

type Schema = Record<string, unknown>;
interface Rule {
  rule: string;
  message: string;
}

function version(crd: CustomResourceDefinition): Schema {
  const versions = crd.spec['versions'] as Schema[];
  assert.equal(versions.length, 1);
  return versions[0]!;
}

function rootSchema(crd: CustomResourceDefinition): Schema {
  return (version(crd)['schema'] as Schema)['openAPIV3Schema'] as Schema;
}

/** The schema at a dotted path; "[]" steps into array items. */
function at(crd: CustomResourceDefinition, path: string): Schema {
  let s = rootSchema(crd);
  for (const step of path.split('.')) {
    if (step === '[]') s = s['items'] as Schema;
    else s = (s['properties'] as Record<string, Schema> | undefined)?.[step] as Schema;
    assert.ok(s, `${crd.metadata.name} has no schema at ${path}`);
  }
  return s;
}

function rules(s: Schema): Rule[] {
  return (s['x-kubernetes-validations'] as Rule[] | undefined) ?? [];
}

function names(crd: CustomResourceDefinition): Schema {
  return crd.spec['names'] as Schema;
}

describe('the CRDs', () => {
  it('are the Seed and Shoot CRDs, apiextensions.k8s.io/v1, named <plural>.kubegarden.io', () => {
    assert.deepEqual(
      CRDS.map((c) => [c.apiVersion, c.kind, c.metadata.name]),
      [
        ['apiextensions.k8s.io/v1', 'CustomResourceDefinition', 'seeds.kubegarden.io'],
        ['apiextensions.k8s.io/v1', 'CustomResourceDefinition', 'shoots.kubegarden.io'],
      ],
    );
  });

  for (const crd of [SEED_CRD, SHOOT_CRD]) {
    describe(crd.metadata.name, () => {
      it('is in group kubegarden.io and serves and stores v1alpha1', () => {
        assert.equal(crd.spec['group'], 'kubegarden.io');
        const v = version(crd);
        assert.equal(v['name'], 'v1alpha1');
        assert.equal(v['served'], true);
        assert.equal(v['storage'], true);
      });

      it('has a status subresource, so spec and status are written separately', () => {
        assert.deepEqual(version(crd)['subresources'], { status: {} });
      });

      it('is labelled as managed by kubegarden and in the kubegarden category', () => {
        assert.equal(crd.metadata.labels['app.kubernetes.io/managed-by'], 'kubegarden');
        assert.deepEqual(names(crd)['categories'], ['kubegarden']);
      });

      it('requires a spec and checks metadata.name with CEL', () => {
        assert.deepEqual(rootSchema(crd)['required'], ['spec']);
        assert.ok(rules(rootSchema(crd)).some((r) => r.rule.includes(`matches('${DNS_LABEL_PATTERN}')`)));
      });

      it('rejects provider types it does not know and never lets the type change', () => {
        const type = at(crd, 'spec.provider.type');
        assert.deepEqual(type['enum'], [...PROVIDER_TYPES]);
        assert.deepEqual(rules(type), [{ rule: 'self == oldSelf', message: 'provider type is immutable' }]);
      });
    });
  }
});

describe('the Seed CRD', () => {
  it('is cluster-scoped, kind Seed, plural seeds, short name sd', () => {
    assert.equal(SEED_CRD.spec['scope'], 'Cluster');
    assert.deepEqual(names(SEED_CRD), { kind: 'Seed', listKind: 'SeedList', plural: 'seeds', singular: 'seed', shortNames: ['sd'], categories: ['kubegarden'] });
  });

  it('prints provider, region, readiness, shoots, capacity, version and age', () => {
    const columns = version(SEED_CRD)['additionalPrinterColumns'] as Schema[];
    assert.deepEqual(columns.map((c) => c['name']), ['Provider', 'Region', 'Ready', 'Shoots', 'Capacity', 'Version', 'Age']);
    assert.equal(columns.find((c) => c['name'] === 'Age')?.['type'], 'date');
  });

  it('keeps every seed range immutable and the ranges apart', () => {
    for (const key of ['nodes', 'pods', 'services']) {
      assert.ok(rules(at(SEED_CRD, `spec.networks.${key}`)).some((r) => r.rule === 'self == oldSelf' && r.message === `${key} range is immutable`), key);
    }
    assert.deepEqual(rules(at(SEED_CRD, 'spec.networks')).map((r) => r.message), [
      'nodes and pods ranges must not overlap',
      'nodes and services ranges must not overlap',
      'pods and services ranges must not overlap',
    ]);
  });

  it('limits seed names to 40 characters and allows "--"', () => {
    const messages = rules(rootSchema(SEED_CRD)).map((r) => r.message);
    assert.ok(messages.includes('metadata.name must be at most 40 characters'));
    assert.ok(!messages.some((m) => m.includes('"--"')));
  });
});

describe('the Shoot CRD', () => {
  it('is namespaced, kind Shoot, plural shoots, short name sh', () => {
    assert.equal(SHOOT_CRD.spec['scope'], 'Namespaced');
    assert.deepEqual(names(SHOOT_CRD), { kind: 'Shoot', listKind: 'ShootList', plural: 'shoots', singular: 'shoot', shortNames: ['sh'], categories: ['kubegarden'] });
  });

  it('prints provider, region, version, seed, operation, status, progress and age, and the endpoint only with -o wide', () => {
    const columns = version(SHOOT_CRD)['additionalPrinterColumns'] as Schema[];
    assert.deepEqual(columns.map((c) => c['name']), ['Provider', 'Region', 'Version', 'Seed', 'Operation', 'Status', 'Progress', 'Endpoint', 'Age']);
    const priorities = Object.fromEntries(columns.map((c) => [c['name'], c['priority'] ?? 0]));
    assert.equal(priorities['Endpoint'], 1);
    assert.deepEqual(Object.entries(priorities).filter(([, p]) => p !== 0).map(([n]) => n), ['Endpoint']);
  });

  it('keeps the worker pools as a list map keyed by name, so server-side apply merges pools by name', () => {
    const workers = at(SHOOT_CRD, 'spec.provider.workers');
    assert.equal(workers['type'], 'array');
    assert.equal(workers['x-kubernetes-list-type'], 'map');
    assert.deepEqual(workers['x-kubernetes-list-map-keys'], ['name']);
    assert.equal(workers['minItems'], 1);
    assert.ok((at(SHOOT_CRD, 'spec.provider.workers.[]')['required'] as string[]).includes('name'));
  });

  it('checks pool names as DNS labels of at most 15 characters', () => {
    const name = at(SHOOT_CRD, 'spec.provider.workers.[].name');
    assert.equal(name['pattern'], DNS_LABEL_PATTERN);
    assert.equal(name['maxLength'], MAX_WORKER_NAME);
  });

  it('checks minimum against maximum and refuses maxSurge and maxUnavailable both 0', () => {
    assert.deepEqual(rules(at(SHOOT_CRD, 'spec.provider.workers.[]')).map((r) => r.rule), [
      'self.minimum <= self.maximum',
      '!has(self.maxSurge) || !has(self.maxUnavailable) || self.maxSurge > 0 || self.maxUnavailable > 0',
    ]);
  });

  it('knows the taint effects and purposes the CLI knows', () => {
    assert.deepEqual(at(SHOOT_CRD, 'spec.provider.workers.[].taints.[].effect')['enum'], [...TAINT_EFFECTS]);
    assert.deepEqual(at(SHOOT_CRD, 'spec.purpose')['enum'], [...PURPOSES]);
  });

  it('makes the pods and services ranges immutable, but not the nodes range', () => {
    for (const key of ['pods', 'services']) {
      assert.ok(rules(at(SHOOT_CRD, `spec.networking.${key}`)).some((r) => r.rule === 'self == oldSelf' && r.message === `${key} range is immutable`), key);
    }
    assert.ok(!rules(at(SHOOT_CRD, 'spec.networking.nodes')).some((r) => r.rule === 'self == oldSelf'));
  });

  it('checks every range is an IPv4 CIDR naming its network', () => {
    for (const key of ['nodes', 'pods', 'services']) {
      const messages = rules(at(SHOOT_CRD, `spec.networking.${key}`)).map((r) => r.message);
      assert.ok(messages.includes('must be an IPv4 CIDR, like 10.250.0.0/16'), key);
      assert.ok(messages.includes('must name its network: host bits must be zero'), key);
    }
    assert.equal(rules(at(SHOOT_CRD, 'spec.networking')).length, 3);
  });

  it('makes the region immutable and the seed name fixed once set', () => {
    assert.ok(rules(at(SHOOT_CRD, 'spec.provider.region')).some((r) => r.message === 'region is immutable'));
    assert.deepEqual(rules(at(SHOOT_CRD, 'spec')).map((r) => r.message), ['seedName cannot be changed once set']);
  });

  it('limits shoot names to 20 characters without "--"', () => {
    const messages = rules(rootSchema(SHOOT_CRD)).map((r) => r.message);
    assert.ok(messages.includes('metadata.name must be at most 20 characters'));
    assert.ok(messages.includes('metadata.name must not contain "--"'));
  });

  it('keeps conditions as a list map keyed by type in the status', () => {
    const conditions = at(SHOOT_CRD, 'status.conditions');
    assert.equal(conditions['x-kubernetes-list-type'], 'map');
    assert.deepEqual(conditions['x-kubernetes-list-map-keys'], ['type']);
  });
});
