import { strict as assert } from 'node:assert';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { kubectlKubeconfigFile, mergeKubeconfig, mergeKubeconfigFile } from '../../../src/lib/config/merge-kubeconfig.ts';

const issued = stringify({
  apiVersion: 'v1',
  kind: 'Config',
  clusters: [{ name: 'dev--demo', cluster: { server: 'https://127.0.0.1:1', 'certificate-authority-data': 'Q0E=' } }],
  users: [{ name: 'dev--demo', user: { 'client-certificate-data': 'Q0VSVA==', 'client-key-data': 'S0VZ' } }],
  contexts: [{ name: 'dev--demo', context: { cluster: 'dev--demo', user: 'dev--demo' } }],
  'current-context': 'dev--demo',
});

const other = {
  apiVersion: 'v1',
  kind: 'Config',
  preferences: { colors: true },
  clusters: [{ name: 'prod', cluster: { server: 'https://prod:6443' } }, { name: 'dev--demo', cluster: { server: 'https://old:1' } }],
  users: [{ name: 'me', user: { token: 't' } }],
  contexts: [{ name: 'prod', context: { cluster: 'prod', user: 'me', namespace: 'web' } }],
  'current-context': 'prod',
};

describe('merging a shoot kubeconfig into kubectl\'s', () => {
  it('adds cluster, user and context <project>--<shoot>, replaces an old one of that name, leaves the rest as it was and switches to it', () => {
    const merged = parse(mergeKubeconfig(stringify(other), issued, 'dev--demo', { switchContext: true }));
    assert.equal(merged['current-context'], 'dev--demo');
    assert.deepEqual(merged.preferences, { colors: true });
    assert.deepEqual(merged.clusters, [other.clusters[0], { name: 'dev--demo', cluster: { server: 'https://127.0.0.1:1', 'certificate-authority-data': 'Q0E=' } }]);
    assert.deepEqual(merged.users, [other.users[0], { name: 'dev--demo', user: { 'client-certificate-data': 'Q0VSVA==', 'client-key-data': 'S0VZ' } }]);
    assert.deepEqual(merged.contexts, [other.contexts[0], { name: 'dev--demo', context: { cluster: 'dev--demo', user: 'dev--demo' } }]);
  });

  it('keeps the current context with --no-switch, unless there is none', () => {
    assert.equal(parse(mergeKubeconfig(stringify(other), issued, 'dev--demo', { switchContext: false }))['current-context'], 'prod');
    assert.equal(parse(mergeKubeconfig('', issued, 'dev--demo', { switchContext: false }))['current-context'], 'dev--demo');
  });

  it('writes the file with mode 0600, creating it when missing', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kg-merge-'));
    try {
      const file = join(dir, 'kube', 'config');
      await mergeKubeconfigFile(file, issued, 'dev--demo', { switchContext: true });
      assert.equal((await stat(file)).mode & 0o777, 0o600);
      const existing = join(dir, 'existing');
      await writeFile(existing, stringify(other), { mode: 0o644 });
      await mergeKubeconfigFile(existing, issued, 'dev--demo', { switchContext: true });
      assert.equal((await stat(existing)).mode & 0o777, 0o600);
      assert.equal(parse(await readFile(existing, 'utf8')).clusters.length, 2);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('refuses a file that is not a kubeconfig, naming it', async () => {
    assert.throws(() => mergeKubeconfig('clusters: 3\n', issued, 'x', { switchContext: true }), /"clusters" that is not a list/);
  });

  it('goes to --file, else the first file of $KUBECONFIG, else ~/.kube/config', () => {
    assert.equal(kubectlKubeconfigFile('/f', { KUBECONFIG: '/a:/b' }), '/f');
    assert.equal(kubectlKubeconfigFile(undefined, { KUBECONFIG: ':/a:/b' }), '/a');
    assert.equal(kubectlKubeconfigFile(undefined, { HOME: '/h' }), '/h/.kube/config');
  });
});
