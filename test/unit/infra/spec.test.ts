import { strict as assert } from 'node:assert';
import { formatCidr, parseCidr, subnet } from '../../../src/lib/infra/cidr.ts';
import { zoneSubnets } from '../../../src/lib/infra/providers/common.ts';
import { rollingBudget, stateLeaseName, stateSecretName, validateInfraSpec, volumeSizeGb } from '../../../src/lib/infra/spec.ts';
import type { InfraSpec, WorkerPoolSpec } from '../../../src/lib/infra/types.ts';
import { oneZoneSpec, threeZoneSpec } from './specs.ts';

function withWorker(spec: InfraSpec, patch: Partial<WorkerPoolSpec>): InfraSpec {
  const [first, ...rest] = spec.workers;
  assert.ok(first);
  return { ...spec, workers: [{ ...first, ...patch }, ...rest] };
}

describe('checking an infrastructure spec', () => {
  it('accepts the specs the other tests use', () => {
    validateInfraSpec(oneZoneSpec('aws'));
    validateInfraSpec(threeZoneSpec('openstack'));
  });

  const refusals: Array<[string, (spec: InfraSpec) => InfraSpec, RegExp]> = [
    ['an unknown provider', (s) => ({ ...s, provider: 'vsphere' as InfraSpec['provider'] }), /not one of local, aws, gcp, azure, openstack/],
    ['a namespace that is not a DNS label', (s) => ({ ...s, namespace: 'Shoot--x' }), /namespace "Shoot--x"/],
    ['no zone', (s) => ({ ...s, zones: [] }), /names no zone/],
    ['a repeated zone', (s) => ({ ...s, zones: ['a', 'a'] }), /repeat a zone/],
    ['a network that is no CIDR', (s) => ({ ...s, networks: { ...s.networks, pods: '100.96.0.0' } }), /pods network "100.96.0.0"/],
    ['a CIDR with host bits', (s) => ({ ...s, networks: { ...s.networks, nodes: '10.250.0.1/16' } }), /nodes network/],
    ['overlapping networks', (s) => ({ ...s, networks: { ...s.networks, pods: '10.250.128.0/17' } }), /nodes and pods networks .* overlap/],
    ['minimum above maximum', (s) => withWorker(s, { minimum: 3, maximum: 2 }), /0 <= minimum <= maximum/],
    ['a pool zone the shoot lacks', (s) => withWorker(s, { zones: ['elsewhere'] }), /zones the shoot does not have: elsewhere/],
    ['a malformed max surge', (s) => withWorker(s, { maxSurge: 'lots' }), /max surge .* percentage/],
    ['a malformed volume size', (s) => withWorker(s, { volume: { size: 'big' } }), /volume size "big"/],
    ['an unknown taint effect', (s) => withWorker(s, { taints: [{ key: 'k', effect: 'Sometimes' as 'NoSchedule' }] }), /effect "Sometimes"/],
    ['a long pool name', (s) => withWorker(s, { name: 'a-very-long-pool-name-indeed' }), /at most 20 characters/],
    ['a repeated pool name', (s) => ({ ...s, workers: [...s.workers, ...s.workers] }), /appears twice/],
  ];
  for (const [what, change, message] of refusals) {
    it(`refuses ${what} with one sentence`, () => {
      assert.throws(() => validateInfraSpec(change(oneZoneSpec('aws'))), (err: Error & { code?: string }) => {
        assert.equal(err.code, 'invalid');
        assert.match(err.message, message);
        assert.equal(err.message.split(/\.\s/).length, 1, `more than one sentence: ${err.message}`);
        return true;
      });
    });
  }
});

describe('volume sizes', () => {
  it('reads Kubernetes quantities as whole GiB, rounded up', () => {
    assert.equal(volumeSizeGb('50Gi'), 50);
    assert.equal(volumeSizeGb('1Ti'), 1024);
    assert.equal(volumeSizeGb('100G'), 94);
    assert.equal(volumeSizeGb('1536Mi'), 2);
    assert.throws(() => volumeSizeGb('512Mi0'), /not a quantity/);
    assert.equal(volumeSizeGb('100Mi'), 1);
    assert.throws(() => volumeSizeGb('0Gi'), /below 1Gi/);
  });
});

describe('rolling-update budgets', () => {
  const pool = (patch: Partial<WorkerPoolSpec>): WorkerPoolSpec => ({ ...(oneZoneSpec('local').workers[0] as WorkerPoolSpec), ...patch });
  it('resolves percentages of the minimum like a Deployment: surge up, unavailable down', () => {
    assert.deepEqual(rollingBudget(pool({ minimum: 4, maxSurge: '25%', maxUnavailable: '30%' })), { surge: 1, unavailable: 1, base: 4 });
    assert.deepEqual(rollingBudget(pool({ minimum: 3, maxSurge: '34%', maxUnavailable: 0 })), { surge: 2, unavailable: 0, base: 3 });
  });
  it('never lets both be zero', () => {
    assert.equal(rollingBudget(pool({ maxSurge: 0, maxUnavailable: 0 })).surge, 1);
  });
});

describe('per-zone subnets', () => {
  it('computes like cidrsubnet()', () => {
    const cidr = parseCidr('10.250.0.0/16');
    assert.ok(cidr);
    assert.equal(formatCidr(subnet(cidr, 2, 3)), '10.250.192.0/18');
    assert.equal(parseCidr('10.250.0.0/33'), undefined);
  });

  it('gives each zone its nodes subnet and, where asked, a public one, all disjoint', () => {
    const subnets = zoneSubnets(threeZoneSpec('aws'), true, 28);
    assert.deepEqual(subnets, {
      'eu-west-1a': { nodes: '10.250.0.0/18', public: '10.250.192.0/20' },
      'eu-west-1b': { nodes: '10.250.64.0/18', public: '10.250.208.0/20' },
      'eu-west-1c': { nodes: '10.250.128.0/18', public: '10.250.224.0/20' },
    });
    assert.deepEqual(zoneSubnets(oneZoneSpec('local'), false, 30), { 'local-1': { nodes: '10.250.0.0/16' } });
  });

  it('refuses a nodes range too small for the zones', () => {
    const spec = { ...threeZoneSpec('aws'), networks: { nodes: '10.250.0.0/26', pods: '100.96.0.0/11', services: '100.64.0.0/13' } };
    assert.throws(() => zoneSubnets(spec, true, 28), /too small for 3 zones/);
  });
});

describe('where the state lives', () => {
  it('is the Secret tfstate-default-infra with the Lease lock-tfstate-default-infra', () => {
    assert.equal(stateSecretName(), 'tfstate-default-infra');
    assert.equal(stateLeaseName(), 'lock-tfstate-default-infra');
    // The kubernetes backend refuses suffixes that end in -<number>.
    assert.doesNotMatch(stateSecretName(), /-\d+$/);
  });
});
