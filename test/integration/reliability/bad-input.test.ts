// Bad input, row by row, through the real CLI against a real garden (an
// initialised garden with a project and a registered seed, each a real
// kube-apiserver + etcd). Every row must end with a documented exit code, one
// sentence on stderr (what, which object, what to do; at most a hint line
// after it) and nothing written: the Shoots, Secrets, Namespaces and Leases of
// the garden and the namespaces of the seed are the same before and after.
import assert from 'node:assert/strict';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeClient, type KubeObject } from '../../../src/lib/kube/client.ts';
import { renderKubeconfig } from '../../../src/lib/kube/kubeconfig.ts';
import { createCA, issueCertificate } from '../../../src/lib/pki/primitives.ts';
import type { LocalCluster } from '../../../src/lib/local/cluster.ts';
import { kubegarden, kubegardenOk } from '../../helpers/cli.ts';
import { startTestCluster } from '../../helpers/testbed.ts';
import { minimalShoot } from '../../helpers/shoots.ts';

interface Row {
  what: string;
  args: () => string[];
  exit: number;
  /** Key words of the one sentence. */
  says: RegExp;
}

export const ONE_SENTENCE = /^Error: [^\n]+[.:)"]\n(Hint: [^\n]+\n)?$/;

describe('bad input: one sentence, a documented exit code, nothing created (real garden and seed)', function () {
  this.timeout(300_000);
  const scratch = join(tmpdir(), `kubegarden-bad-input-${process.pid}`);
  const file = (name: string) => join(scratch, name);
  let garden: LocalCluster;
  let seed: LocalCluster;
  let client: KubeClient;
  let seedAdmin: KubeClient;
  let g: string[];
  const kubeconfigs: Record<string, string> = {};

  before(async () => {
    [garden, seed] = await Promise.all([startTestCluster('garden'), startTestCluster('seed')]);
    client = await KubeClient.connect({ kubeconfig: garden.kubeconfigPath });
    seedAdmin = await KubeClient.connect({ kubeconfig: seed.kubeconfigPath }, 'seed');
    g = ['--kubeconfig', garden.kubeconfigPath];
    await kubegardenOk(['garden', 'init', ...g]);
    await kubegardenOk(['project', 'create', 'alpha', ...g]);
    await kubegardenOk(['seed', 'register', 'seed-one', ...g, '--seed-kubeconfig', seed.kubeconfigPath, '--provider', 'local', '--region', 'local']);
    // A Shoot recorded in the garden, without a control plane: enough for the checks an upgrade makes before it changes anything.
    await client.apply(minimalShoot('up', 'alpha', { version: '1.36.4', seed: 'seed-one' }));

    await mkdir(scratch, { recursive: true });
    const manifest = (patch: string) => `apiVersion: kubegarden.io/v1alpha1\nkind: Shoot\nmetadata:\n  name: fromfile\n${patch}`;
    const spec = 'spec:\n  provider:\n    type: local\n    region: local\n';
    await writeFile(file('malformed.yaml'), 'apiVersion: kubegarden.io/v1alpha1\nkind: Shoot\nspec: [provider: {type: local\n');
    await writeFile(file('wrong-version.yaml'), manifest(spec).replace('kubegarden.io/v1alpha1', 'kubegarden.io/v1'));
    await writeFile(file('wrong-kind.yaml'), manifest(spec).replace('kind: Shoot', 'kind: Seed'));
    await writeFile(file('unknown-field.yaml'), manifest(`${spec}  colour: green\n`));
    await writeFile(file('no-provider.yaml'), manifest('spec:\n  kubernetes:\n    version: 1.37.2\n'));
    await writeFile(file('no-spec.yaml'), manifest(''));
    await writeFile(file('two-docs.yaml'), `${manifest(spec)}---\n${manifest(spec)}`);

    // A kubeconfig for another cluster: the garden's address, someone else's CA.
    const otherCa = createCA({ commonName: 'another-cluster', lifetimeSeconds: 3600 });
    await writeFile(file('wrong-cluster.kubeconfig'), renderKubeconfig({ name: 'other', server: garden.server, caPem: otherCa.certPem, user: { token: 'x' } }));
    // A client certificate from the garden's CA that expired yesterday.
    const expired = issueCertificate(garden.pki.ca, { commonName: 'late', usages: ['client'], lifetimeSeconds: 3600, now: new Date(Date.now() - 2 * 86_400_000) });
    await writeFile(file('expired.kubeconfig'), renderKubeconfig({ name: 'garden', server: garden.server, caPem: garden.caPem, user: expired, userName: 'late' }));
    // A client certificate signed by a CA the garden does not know.
    const stranger = issueCertificate(otherCa, { commonName: 'stranger', usages: ['client'], lifetimeSeconds: 3600 });
    await writeFile(file('unknown-ca.kubeconfig'), renderKubeconfig({ name: 'garden', server: garden.server, caPem: garden.caPem, user: stranger, userName: 'stranger' }));
    kubeconfigs['nobody'] = await garden.userKubeconfig('nobody');
  });
  after(async () => {
    client?.close();
    seedAdmin?.close();
    await rm(scratch, { recursive: true, force: true });
  });

  /** What bad input must never change: names and resourceVersions of what the garden and seed hold. */
  async function snapshot(): Promise<string[]> {
    const out: string[] = [];
    const add = (prefix: string, objects: KubeObject[]) => {
      for (const o of objects) out.push(`${prefix} ${o.metadata.namespace ?? ''}/${o.metadata.name} ${o.metadata.resourceVersion}`);
    };
    add('garden Shoot', await client.list('kubegarden.io/v1alpha1', 'Shoot'));
    add('garden Seed', await client.list('kubegarden.io/v1alpha1', 'Seed'));
    add('garden Secret', await client.list('v1', 'Secret'));
    add('garden Lease', (await client.list('coordination.k8s.io/v1', 'Lease')).filter((l) => l.metadata.namespace?.startsWith('garden-')));
    add('garden Namespace', (await client.list('v1', 'Namespace')).map((n) => ({ ...n, metadata: { ...n.metadata, resourceVersion: '' } })));
    add('seed Namespace', (await seedAdmin.list('v1', 'Namespace')).map((n) => ({ ...n, metadata: { ...n.metadata, resourceVersion: '' } })));
    return out.sort();
  }

  const create = (name: string, ...extra: string[]) => () => ['shoot', 'create', name, '-p', 'alpha', '--provider', 'local', ...g, ...extra];
  const withKubeconfig = (path: () => string, ...args: string[]) => () => [...args, '--kubeconfig', path()];

  const rows: Row[] = [
    // Names.
    { what: 'an uppercase shoot name', args: create('Web'), exit: 7, says: /Shoot "alpha\/Web" is invalid: shoot name "Web" must consist of lower-case letters/ },
    { what: 'project and shoot name longer than 21', args: create('abcdefghijklmnopq'), exit: 7, says: /"abcdefghijklmnopq" is too long for project "alpha": .* at most 21 characters \(they have 22\)/ },
    { what: 'a shoot name with "--"', args: create('a--b'), exit: 7, says: /shoot name "a--b" .*"--"/ },
    { what: 'a worker pool name too long', args: create('web', '--worker', 'name=averyveryverylongpool,min=1,max=2'), exit: 7, says: /spec\.provider\.workers\[averyveryverylongpool\]\.name .*at most 15/ },
    // Ranges.
    { what: 'nodes overlapping pods', args: create('web', '--nodes-cidr', '100.96.0.0/16'), exit: 7, says: /spec\.networking\.nodes 100\.96\.0\.0\/16 overlaps spec\.networking\.pods 100\.96\.0\.0\/11/ },
    { what: 'nodes overlapping services', args: create('web', '--nodes-cidr', '100.64.0.0/16'), exit: 7, says: /spec\.networking\.nodes 100\.64\.0\.0\/16 overlaps spec\.networking\.services 100\.64\.0\.0\/13/ },
    { what: 'pods overlapping services', args: create('web', '--services-cidr', '100.96.0.0/13'), exit: 7, says: /spec\.networking\.pods 100\.96\.0\.0\/11 overlaps spec\.networking\.services 100\.96\.0\.0\/13/ },
    { what: 'nodes overlapping the seed\'s nodes', args: create('web', '--nodes-cidr', '172.18.0.0/16'), exit: 7, says: /spec\.networking\.nodes 172\.18\.0\.0\/16 overlaps the nodes range 172\.18\.0\.0\/16 of seed "seed-one"/ },
    { what: 'services overlapping the seed\'s pods', args: create('web', '--services-cidr', '10.1.0.0/16'), exit: 7, says: /spec\.networking\.services 10\.1\.0\.0\/16 overlaps the pods range 10\.1\.0\.0\/16 of seed "seed-one"/ },
    { what: 'host bits set in a CIDR', args: create('web', '--pods-cidr', '100.96.0.1/11'), exit: 7, says: /spec\.networking\.pods "100\.96\.0\.1\/11" is not an IPv4 CIDR with its host bits unset/ },
    { what: 'a prefix longer than 32', args: create('web', '--nodes-cidr', '10.250.0.0/33'), exit: 7, says: /spec\.networking\.nodes "10\.250\.0\.0\/33" is not an IPv4 CIDR/ },
    { what: 'a pods range too small for nodes', args: create('web', '--pods-cidr', '100.96.0.0/24'), exit: 7, says: /spec\.networking\.pods 100\.96\.0\.0\/24 is too small/ },
    // Versions and providers.
    { what: 'an unknown Kubernetes version', args: create('web', '--kubernetes-version', '1.30.0'), exit: 7, says: /spec\.kubernetes\.version 1\.30\.0 is not supported \(supported: 1\.37\.2/ },
    { what: 'a version that is not a version', args: create('web', '--kubernetes-version', 'latest'), exit: 7, says: /spec\.kubernetes\.version "latest" is not a version of the form 1\.37\.2/ },
    { what: 'an unknown provider', args: () => ['shoot', 'create', 'web', '-p', 'alpha', '--provider', 'vsphere', '--region', 'x', ...g], exit: 7, says: /Shoot "alpha\/web" cannot be created: --provider "vsphere" is not a known provider type \(known: local, aws/ },
    { what: 'an unknown purpose', args: create('web', '--purpose', 'fun'), exit: 7, says: /spec\.purpose "fun" is not one of/ },
    // Worker pools.
    { what: 'a pool with maximum 0', args: create('web', '--worker', 'name=pool,min=0,max=0'), exit: 7, says: /spec\.provider\.workers\[pool\]\.maximum must be a whole number of at least 1 \(got 0\)/ },
    { what: 'minimum above maximum', args: create('web', '--worker', 'name=pool,min=3,max=2'), exit: 7, says: /spec\.provider\.workers\[pool\]\.minimum 3 is greater than maximum 2/ },
    { what: 'two pools of one name', args: create('web', '--worker', 'name=pool,min=1,max=2', '--worker', 'name=pool,min=1,max=1'), exit: 7, says: /spec\.provider\.workers\[pool\]\.name "pool" is used by more than one pool/ },
    { what: 'maxSurge and maxUnavailable both 0', args: create('web', '--worker', 'name=pool,min=1,max=2,surge=0,unavailable=0'), exit: 7, says: /maxSurge and maxUnavailable must not both be 0/ },
    { what: 'a --worker with an unknown key', args: create('web', '--worker', 'name=pool,size=3'), exit: 7, says: /--worker "name=pool,size=3" has an unknown key "size" \(known: name, machine/ },
    { what: 'a --worker with a non-number', args: create('web', '--worker', 'name=pool,max=many'), exit: 7, says: /max must be a whole number \(got "many"\)/ },
    // Files.
    { what: 'malformed YAML in -f', args: () => ['shoot', 'create', '-p', 'alpha', '-f', file('malformed.yaml'), ...g], exit: 7, says: /The shoot file .*malformed\.yaml is not valid YAML: / },
    { what: 'a file with the wrong apiVersion', args: () => ['shoot', 'create', '-p', 'alpha', '-f', file('wrong-version.yaml'), ...g], exit: 7, says: /holds Shoot of kubegarden\.io\/v1: expected kind Shoot of kubegarden\.io\/v1alpha1/ },
    { what: 'a file with the wrong kind', args: () => ['shoot', 'create', '-p', 'alpha', '-f', file('wrong-kind.yaml'), ...g], exit: 7, says: /holds Seed of kubegarden\.io\/v1alpha1: expected kind Shoot/ },
    { what: 'a file with an unknown field', args: () => ['shoot', 'create', '-p', 'alpha', '-f', file('unknown-field.yaml'), ...g], exit: 7, says: /The shoot file .*unknown-field\.yaml has an unknown field spec\.colour: remove it/ },
    { what: 'a file without a provider', args: () => ['shoot', 'create', '-p', 'alpha', '-f', file('no-provider.yaml'), ...g], exit: 7, says: /Shoot "alpha\/fromfile" needs a provider: pass --provider/ },
    { what: 'a file without a spec', args: () => ['shoot', 'create', '-p', 'alpha', '-f', file('no-spec.yaml'), ...g], exit: 7, says: /The shoot file .*no-spec\.yaml has no spec/ },
    { what: 'a file with two documents', args: () => ['shoot', 'create', '-p', 'alpha', '-f', file('two-docs.yaml'), ...g], exit: 7, says: /must hold exactly one document \(it has 2\)/ },
    { what: 'a file that does not exist', args: () => ['shoot', 'create', '-p', 'alpha', '-f', file('absent.yaml'), ...g], exit: 3, says: /Cannot read the shoot file .*absent\.yaml \(ENOENT\)/ },
    { what: 'a file and a NAME that disagree', args: () => ['shoot', 'create', 'other', '-p', 'alpha', '-f', file('no-provider.yaml'), ...g], exit: 7, says: /The shoot file names "fromfile" but the command names "other": use one name/ },
    // Kubeconfigs and users.
    { what: 'a kubeconfig for another cluster (its CA does not match)', args: withKubeconfig(() => file('wrong-cluster.kubeconfig'), 'shoot', 'list', '-p', 'alpha'), exit: 9, says: /Cannot trust the garden at https:\/\/127\.0\.0\.1:\d+: its certificate .*check the certificate-authority/ },
    { what: 'an expired client certificate', args: withKubeconfig(() => file('expired.kubeconfig'), 'shoot', 'list', '-p', 'alpha'), exit: 10, says: /The garden at .* rejected the credentials of user "late" \(401 Unauthorized\): renew the client certificate/ },
    { what: 'a client certificate of an unknown CA', args: withKubeconfig(() => file('unknown-ca.kubeconfig'), 'shoot', 'create', 'web', '-p', 'alpha', '--provider', 'local'), exit: 10, says: /rejected the credentials of user "stranger" \(401 Unauthorized\)/ },
    { what: 'a missing context', args: () => ['shoot', 'list', '-p', 'alpha', ...g, '--context', 'nope'], exit: 3, says: /Context "nope" is not in the kubeconfig .*: use one of / },
    { what: 'a missing kubeconfig file', args: () => ['shoot', 'list', '-p', 'alpha', '--kubeconfig', file('nowhere.kubeconfig')], exit: 3, says: /The kubeconfig file .*nowhere\.kubeconfig does not exist: check the --kubeconfig path/ },
    { what: 'a user without permissions', args: withKubeconfig(() => kubeconfigs['nobody']!, 'shoot', 'create', 'web', '-p', 'alpha', '--provider', 'local'), exit: 10, says: /User "nobody" may not get namespaces "garden-alpha" in the garden \(403 Forbidden\): ask a garden administrator/ },
    // Objects that do not exist.
    { what: 'a project that does not exist', args: () => ['shoot', 'create', 'web', '-p', 'nope', '--provider', 'local', ...g], exit: 4, says: /Project "nope" does not exist/ },
    { what: 'a seed that does not exist', args: create('web', '--seed', 'nope'), exit: 4, says: /Shoot "alpha\/web" names seed "nope", which is not registered/ },
    { what: 'no seed for the region', args: create('web', '--region', 'mars'), exit: 4, says: /No ready seed of provider local in region mars can host Shoot "alpha\/web"/ },
    { what: 'a credentials Secret that does not exist', args: create('web', '--credentials', 'missing-creds'), exit: 4, says: /The credentials Secret "missing-creds" of shoot "alpha\/web" does not exist in namespace garden-alpha/ },
    { what: 'a shoot that does not exist (get)', args: () => ['shoot', 'get', 'ghost', '-p', 'alpha', ...g], exit: 4, says: /Shoot "alpha\/ghost" does not exist: list shoots with/ },
    { what: 'a shoot that does not exist (delete)', args: () => ['shoot', 'delete', 'ghost', '-p', 'alpha', '--yes', ...g], exit: 4, says: /Shoot "alpha\/ghost" does not exist/ },
    // Flags.
    { what: 'a bad --timeout', args: create('web', '--timeout', 'soon'), exit: 2, says: /--timeout "soon" is not a duration like 30m/ },
    { what: 'an unknown flag', args: create('web', '--colour', 'green'), exit: 2, says: /Nonexistent flag: --colour/ },
    { what: 'a missing --project', args: () => ['shoot', 'create', 'web', '--provider', 'local', ...g], exit: 2, says: /--project/ },
    { what: 'an unknown --output', args: () => ['shoot', 'list', '-p', 'alpha', '-o', 'xml', ...g], exit: 2, says: /--output=xml .*one of: table/ },
    { what: 'delete without --yes and without a terminal', args: () => ['shoot', 'delete', 'up', '-p', 'alpha', ...g], exit: 2, says: /--yes/ },
    // Upgrades, refused before anything changes.
    { what: 'an upgrade to an unknown version', args: () => ['shoot', 'upgrade', 'up', '-p', 'alpha', '--kubernetes-version', '1.38.0', '--yes', ...g], exit: 7, says: /Shoot "alpha\/up" cannot be upgraded to 1\.38\.0: kubegarden does not provision it .*pass one of 1\.37\.2/ },
    { what: 'a downgrade', args: () => ['shoot', 'upgrade', 'up', '-p', 'alpha', '--kubernetes-version', '1.35.4', '--yes', ...g], exit: 7, says: /downgrade/i },
    { what: 'a worker pool newer than the control plane', args: () => ['shoot', 'upgrade', 'up', '-p', 'alpha', '--worker-pool', 'worker', '--kubernetes-version', '1.37.2', '--yes', ...g], exit: 7, says: /newer than the control plane|ahead/ },
    { what: 'an upgrade of a pool that does not exist', args: () => ['shoot', 'upgrade', 'up', '-p', 'alpha', '--worker-pool', 'nope', '--kubernetes-version', '1.36.4', '--yes', ...g], exit: 4, says: /nope/ },
  ];

  it(`has at least 30 rows (${rows.length})`, () => assert.ok(rows.length >= 30));

  for (const row of rows) {
    it(`refuses ${row.what}`, async () => {
      const before = await snapshot();
      const args = row.args();
      const r = await kubegarden(args);
      const shown = `kubegarden ${args.join(' ')}\nexit ${r.exitCode}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`;
      assert.equal(r.exitCode, row.exit, shown);
      assert.match(r.stderr, ONE_SENTENCE, shown);
      assert.match(r.stderr, row.says, shown);
      assert.equal(r.stdout, '', shown);
      assert.deepEqual(await snapshot(), before, `${row.what} changed the garden or the seed`);
    });
  }
});
