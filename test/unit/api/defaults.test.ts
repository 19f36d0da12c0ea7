import { strict as assert } from 'node:assert';
import { defaultShoot, defaultShootSpec, defaultZones, DEFAULT_SEED_NETWORKS, DEFAULT_SHOOT_NETWORKS } from '../../../src/lib/api/defaults.ts';
import { API_VERSION, PROVIDER_TYPES, type Shoot, type ShootSpec } from '../../../src/lib/api/types.ts';
import { validateShoot } from '../../../src/lib/api/validation.ts';
import { DEFAULT_KUBERNETES_VERSION } from '../../../src/lib/api/versions.ts';
import { goodSeed, userShootSpec } from './fixtures.ts';

/** The least a user can write: provider type and region. */
function minimal(type: ShootSpec['provider']['type'], region: string): ShootSpec {
  return { provider: { type, region, workers: [] }, kubernetes: { version: '' }, networking: { nodes: '', pods: '', services: '' } };
}

describe('defaultShootSpec fills what a user leaves out', () => {
  it('uses the well-known shoot ranges: pods 100.96.0.0/11, services 100.64.0.0/13, nodes 10.250.0.0/16', () => {
    const spec = defaultShootSpec(minimal('local', 'local'));
    assert.deepEqual(spec.networking, { pods: '100.96.0.0/11', services: '100.64.0.0/13', nodes: '10.250.0.0/16' });
    assert.deepEqual(DEFAULT_SHOOT_NETWORKS, spec.networking);
  });

  it('chooses the newest supported Kubernetes version', () => {
    assert.equal(defaultShootSpec(minimal('local', 'local')).kubernetes.version, DEFAULT_KUBERNETES_VERSION);
    assert.equal(DEFAULT_KUBERNETES_VERSION, '1.37.2');
  });

  it('adds one pool "worker" of the provider\'s default machine type, 1 to 2 nodes, surge 1, 50Gi, in the default zone', () => {
    const spec = defaultShootSpec(minimal('aws', 'eu-central-1'));
    assert.deepEqual(spec.provider.zones, ['eu-central-1a']);
    assert.deepEqual(spec.provider.workers, [
      { name: 'worker', machineType: 'm5.large', minimum: 1, maximum: 2, maxSurge: 1, maxUnavailable: 0, zones: ['eu-central-1a'], volume: { size: '50Gi' } },
    ]);
  });

  it('picks a zone per provider', () => {
    assert.deepEqual(defaultZones('local', 'local'), ['local']);
    assert.deepEqual(defaultZones('aws', 'us-east-1'), ['us-east-1a']);
    assert.deepEqual(defaultZones('gcp', 'europe-west1'), ['europe-west1-a']);
    assert.deepEqual(defaultZones('azure', 'westeurope'), ['1']);
    assert.deepEqual(defaultZones('openstack', 'RegionOne'), ['nova']);
  });

  it('sets purpose evaluation, hibernation off and add-ons off', () => {
    const spec = defaultShootSpec(minimal('local', 'local'));
    assert.equal(spec.purpose, 'evaluation');
    assert.deepEqual(spec.hibernation, { enabled: false });
    assert.deepEqual(spec.addons, { metricsServer: { enabled: false }, dashboard: { enabled: false } });
  });

  it('produces a spec that validates clean for every provider', () => {
    for (const type of PROVIDER_TYPES) {
      const spec = defaultShootSpec(minimal(type, 'region-1'));
      assert.deepEqual(validateShoot(spec, { project: 'dev', name: 'demo' }), [], type);
    }
  });

  it('produces shoot ranges that do not overlap the default seed ranges', () => {
    const seed = goodSeed(DEFAULT_SEED_NETWORKS);
    assert.deepEqual(validateShoot(defaultShootSpec(minimal('local', 'local')), { project: 'dev', name: 'demo', seed }), []);
  });

  it('does not change the object it is given', () => {
    const input = userShootSpec();
    const copy = structuredClone(input);
    defaultShootSpec(input);
    assert.deepEqual(input, copy);
  });

  it('defaults the spec of a whole Shoot and keeps its metadata', () => {
    const shoot: Shoot = { apiVersion: API_VERSION, kind: 'Shoot', metadata: { name: 'demo', namespace: 'garden-dev' }, spec: minimal('local', 'local') };
    const defaulted = defaultShoot(shoot);
    assert.deepEqual(defaulted.metadata, { name: 'demo', namespace: 'garden-dev' });
    assert.equal(defaulted.spec.networking.pods, '100.96.0.0/11');
  });
});

describe('defaultShootSpec never overrides what is set', () => {
  it('keeps set ranges and fills only the missing ones', () => {
    const spec = defaultShootSpec({ ...minimal('local', 'local'), networking: { nodes: '', pods: '10.128.0.0/16', services: '' } });
    assert.deepEqual(spec.networking, { nodes: '10.250.0.0/16', pods: '10.128.0.0/16', services: '100.64.0.0/13' });
  });

  it('keeps the version, zones, purpose, hibernation and add-ons', () => {
    const spec = defaultShootSpec({
      ...userShootSpec(),
      kubernetes: { version: '1.35.4' },
      purpose: 'production',
      hibernation: { enabled: true },
      addons: { metricsServer: { enabled: true } },
    });
    assert.equal(spec.kubernetes.version, '1.35.4');
    assert.deepEqual(spec.provider.zones, ['eu-west-1a', 'eu-west-1b']);
    assert.equal(spec.purpose, 'production');
    assert.deepEqual(spec.hibernation, { enabled: true });
    assert.deepEqual(spec.addons, { metricsServer: { enabled: true } });
  });

  it('keeps set pools, with their zones, volume, surge of 0 and unavailable', () => {
    const spec = defaultShootSpec({
      ...userShootSpec(),
      provider: {
        type: 'aws',
        region: 'eu-west-1',
        zones: ['eu-west-1a', 'eu-west-1b'],
        workers: [
          { name: 'db', machineType: 'r5.large', minimum: 0, maximum: 5, maxSurge: 0, maxUnavailable: 1, zones: ['eu-west-1b'], volume: { size: '200Gi', type: 'gp3' } },
          { name: 'web', machineType: 'm5.large', minimum: 2, maximum: 4 },
        ],
      },
    });
    const [db, web] = spec.provider.workers;
    assert.deepEqual(db, { name: 'db', machineType: 'r5.large', minimum: 0, maximum: 5, maxSurge: 0, maxUnavailable: 1, zones: ['eu-west-1b'], volume: { size: '200Gi', type: 'gp3' } });
    // The second pool gets only what it lacks, and the shoot's zones.
    assert.deepEqual(web, { name: 'web', machineType: 'm5.large', minimum: 2, maximum: 4, maxSurge: 1, maxUnavailable: 0, zones: ['eu-west-1a', 'eu-west-1b'], volume: { size: '50Gi' } });
    assert.equal(spec.provider.workers.length, 2);
  });

  it('is idempotent: defaulting a defaulted spec changes nothing', () => {
    const once = defaultShootSpec(userShootSpec());
    assert.deepEqual(defaultShootSpec(once), once);
  });
});

describe('defaultShootSpec keeps machines replaceable', () => {
  it('allows one unavailable machine when the user sets only maxSurge 0', () => {
    const spec = minimal('aws', 'eu-central-1');
    spec.provider.workers = [{ name: 'pool', machineType: 'm5.large', minimum: 1, maximum: 3, maxSurge: 0 }];
    const pool = defaultShootSpec(spec).provider.workers[0]!;
    assert.equal(pool.maxSurge, 0);
    assert.equal(pool.maxUnavailable, 1);
  });
});
