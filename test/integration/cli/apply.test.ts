// shoot apply: the same Shoot from flags or from a file, immutable fields
// refused, the upgrade rules applied, nothing written on a refusal.
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'yaml';
import type { KubeObject } from '../../../src/lib/kube/client.ts';
import { kubegarden, kubegardenOk } from '../../helpers/cli.ts';
import { holdLock, startBed, type Bed } from './bed.ts';

const MANIFEST = `apiVersion: kubegarden.io/v1alpha1
kind: Shoot
metadata:
  name: web
spec:
  provider:
    type: local
    workers:
      - name: pool1
        machineType: local
        minimum: 1
        maximum: 3
  purpose: testing
`;

describe('shoot apply (real CLI, real garden)', function () {
  this.timeout(120_000);
  let bed: Bed;
  let file: string;
  const getShoot = () => bed.client.get<KubeObject & { spec: { networking: { nodes: string }; kubernetes: { version: string }; purpose?: string } }>({ apiVersion: 'kubegarden.io/v1alpha1', kind: 'Shoot', name: 'web', namespace: 'garden-dev' });

  before(async () => {
    bed = await startBed();
    file = join(bed.garden.dir, 'web.yaml');
    await writeFile(file, MANIFEST);
  });
  after(() => bed?.client.close());

  it('gives the same Shoot from flags, from create -f and from apply -f (--dry-run -o yaml), and writes nothing', async () => {
    const fromFlags = await kubegardenOk(['shoot', 'create', 'web', '-p', 'dev', '--provider', 'local', '--worker', 'name=pool1,machine=local,min=1,max=3', '--purpose', 'testing', '--dry-run', '-o', 'yaml', ...bed.g]);
    const fromCreateFile = await kubegardenOk(['shoot', 'create', '-p', 'dev', '-f', file, '--dry-run', '-o', 'yaml', ...bed.g]);
    const fromApply = await kubegardenOk(['shoot', 'apply', '-p', 'dev', '-f', file, '--dry-run', '-o', 'yaml', ...bed.g]);
    const fromStdin = await kubegardenOk(['shoot', 'apply', '-p', 'dev', '-f', '-', '--dry-run', '-o', 'yaml', ...bed.g], { stdin: 'pipe', input: MANIFEST });
    const shoot = parse(fromFlags.stdout) as { spec: { seedName: string; provider: { workers: Array<{ maximum: number; volume: unknown }> }; networking: { nodes: string } } };
    assert.equal(shoot.spec.seedName, 'local');
    assert.equal(shoot.spec.provider.workers[0]!.maximum, 3);
    assert.ok(shoot.spec.provider.workers[0]!.volume, 'defaults are filled in');
    assert.equal(shoot.spec.networking.nodes, '10.250.0.0/16');
    assert.deepEqual(parse(fromCreateFile.stdout), shoot);
    assert.deepEqual(parse(fromApply.stdout), shoot);
    assert.deepEqual(parse(fromStdin.stdout), shoot);
    assert.match(fromApply.stderr, /Shoot "dev\/web" would be created \(seed local\)/);
    assert.equal(await getShoot(), undefined, 'a dry run writes nothing');
  });

  describe('on an existing shoot', () => {
    before(async () => {
      // The Shoot as "shoot create" records it.
      const recorded = parse((await kubegardenOk(['shoot', 'apply', '-p', 'dev', '-f', file, '--dry-run', '-o', 'yaml', ...bed.g])).stdout) as KubeObject;
      await bed.client.apply(recorded);
    });

    it('changes nothing when the spec is the same', async () => {
      const before = await getShoot();
      const r = await kubegardenOk(['shoot', 'apply', '-p', 'dev', '-f', file, ...bed.g]);
      assert.match(r.stderr, /Shoot "dev\/web" is unchanged/);
      assert.equal((await getShoot())?.metadata.resourceVersion, before?.metadata.resourceVersion);
    });

    it('says which mutable fields a change touches (--dry-run)', async () => {
      await writeFile(join(bed.garden.dir, 'bigger.yaml'), MANIFEST.replace('maximum: 3', 'maximum: 5').replace('purpose: testing', 'purpose: development'));
      const r = await kubegardenOk(['shoot', 'apply', '-p', 'dev', '-f', join(bed.garden.dir, 'bigger.yaml'), '--dry-run', '-o', 'json', ...bed.g]);
      assert.match(r.stderr, /Shoot "dev\/web" would change spec\.provider\.workers, spec\.purpose/);
      assert.equal((JSON.parse(r.stdout) as { spec: { purpose: string } }).spec.purpose, 'development');
      assert.equal((await getShoot())?.spec.purpose, 'testing', 'a dry run writes nothing');
    });

    it('refuses to change an immutable field, naming it (exit 7), and writes nothing', async () => {
      const other = join(bed.garden.dir, 'renumbered.yaml');
      await writeFile(other, `${MANIFEST}  networking:\n    nodes: 10.251.0.0/16\n`);
      const r = await kubegarden(['shoot', 'apply', '-p', 'dev', '-f', other, ...bed.g]);
      assert.equal(r.exitCode, 7, r.stderr);
      assert.match(r.stderr, /cannot change spec\.networking\.nodes \(from "10\.250\.0\.0\/16" to "10\.251\.0\.0\/16"\): it is immutable/);
      assert.equal((await getShoot())?.spec.networking.nodes, '10.250.0.0/16');
    });

    it('checks a new version by the upgrade rules: a downgrade is refused (exit 7) and nothing is written', async () => {
      const older = join(bed.garden.dir, 'older.yaml');
      await writeFile(older, `${MANIFEST}  kubernetes:\n    version: 1.36.4\n`);
      const r = await kubegarden(['shoot', 'apply', '-p', 'dev', '-f', older, ...bed.g]);
      assert.equal(r.exitCode, 7, r.stderr);
      assert.match(r.stderr, /1\.36\.4/);
      assert.equal((await getShoot())?.spec.kubernetes.version, '1.37.2');
    });

    it('runs an update under the shoot lock: a lock held by another operation refuses it (exit 5) before anything is written', async () => {
      await holdLock(bed.client, 'dev', 'web', 'carol@elsewhere pid 9 (Reconcile)');
      const r = await kubegarden(['shoot', 'apply', '-p', 'dev', '-f', join(bed.garden.dir, 'bigger.yaml'), '--quiet', ...bed.g]);
      assert.equal(r.exitCode, 5, r.stderr);
      assert.match(r.stderr, /locked by carol@elsewhere/);
      assert.equal((await getShoot())?.spec.purpose, 'testing');
    });
  });
});
