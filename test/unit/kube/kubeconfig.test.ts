import { strict as assert } from 'node:assert';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { stringify } from 'yaml';
import {
  inlineKubeconfig,
  loadKubeconfig,
  parseKubeconfig,
  renderKubeconfig,
  serializeKubeconfig,
  type RawKubeconfig,
} from '../../../src/lib/kube/kubeconfig.ts';
import { KubegardenError } from '../../../src/lib/ui/errors.ts';

/** Asserts a promise rejects with a config error (exit code 3) whose message matches. */
async function rejectsConfig(promise: Promise<unknown>, message: RegExp | string): Promise<void> {
  await assert.rejects(promise, (err: unknown) => {
    assert.ok(err instanceof KubegardenError, `expected a KubegardenError, got ${String(err)}`);
    assert.equal(err.code, 'config');
    assert.equal(err.exitCode, 3);
    if (typeof message === 'string') assert.ok(err.message.includes(message), `${JSON.stringify(err.message)} should say ${JSON.stringify(message)}`);
    else assert.match(err.message, message);
    return true;
  });
}

function throwsConfig(fn: () => unknown, message: string): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof KubegardenError);
    assert.equal(err.code, 'config');
    assert.ok(err.message.includes(message), `${JSON.stringify(err.message)} should say ${JSON.stringify(message)}`);
    return true;
  });
}

/** A kubeconfig with one cluster, user and context of the same name. */
function config(name: string, server: string, extra: Partial<RawKubeconfig> = {}): RawKubeconfig {
  return {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name, cluster: { server } }],
    users: [{ name, user: { token: `token-${name}` } }],
    contexts: [{ name, context: { cluster: name, user: name } }],
    ...extra,
  };
}

describe('loadKubeconfig', () => {
  let dir: string;
  let savedKubeconfig: string | undefined;
  let savedHome: string | undefined;

  const write = async (name: string, content: RawKubeconfig | string): Promise<string> => {
    const file = join(dir, name);
    await mkdir(join(file, '..'), { recursive: true });
    await writeFile(file, typeof content === 'string' ? content : stringify(content));
    return file;
  };

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kubegarden-kubeconfig-'));
    savedKubeconfig = process.env['KUBECONFIG'];
    savedHome = process.env['HOME'];
    delete process.env['KUBECONFIG'];
    // No test may read the real ~/.kube/config.
    process.env['HOME'] = join(dir, 'home');
  });

  afterEach(async () => {
    if (savedKubeconfig === undefined) delete process.env['KUBECONFIG'];
    else process.env['KUBECONFIG'] = savedKubeconfig;
    if (savedHome === undefined) delete process.env['HOME'];
    else process.env['HOME'] = savedHome;
    await rm(dir, { recursive: true, force: true });
  });

  describe('with --kubeconfig', () => {
    it('refuses a file that does not exist, naming it and the flag', async () => {
      const missing = join(dir, 'nope.yaml');
      await rejectsConfig(loadKubeconfig({ kubeconfig: missing }), `The kubeconfig file ${missing} does not exist: check the --kubeconfig path.`);
    });

    it('uses only that file, even when KUBECONFIG is set', async () => {
      const flag = await write('flag.yaml', config('flag', 'https://flag:6443', { 'current-context': 'flag' }));
      process.env['KUBECONFIG'] = await write('env.yaml', config('env', 'https://env:6443', { 'current-context': 'env' }));
      const kc = await loadKubeconfig({ kubeconfig: flag });
      assert.equal(kc.cluster.server, 'https://flag:6443');
      assert.deepEqual(kc.files, [flag]);
      assert.deepEqual(kc.contexts, ['flag']);
    });

    it('refuses a directory, asking for the file itself', async () => {
      await mkdir(join(dir, 'kube'));
      await rejectsConfig(loadKubeconfig({ kubeconfig: join(dir, 'kube') }), `The kubeconfig path ${join(dir, 'kube')} is a directory, not a file`);
    });

    it('refuses a file that is not YAML', async () => {
      const file = await write('broken.yaml', 'clusters: [\n  - name: a\n');
      await rejectsConfig(loadKubeconfig({ kubeconfig: file }), new RegExp(`^The kubeconfig file ${file} is not valid YAML \\(.+\\): fix or regenerate it\\.$`));
    });

    it('refuses YAML that is not a mapping', async () => {
      const file = await write('list.yaml', '- just\n- a list\n');
      await rejectsConfig(loadKubeconfig({ kubeconfig: file }), 'is not a kubeconfig (expected a mapping with clusters, users and contexts)');
    });
  });

  describe('with KUBECONFIG listing several files', () => {
    it('merges them, ignores missing ones, and lets the first occurrence of each name win', async () => {
      const first = await write('first.yaml', {
        clusters: [{ name: 'shared', cluster: { server: 'https://first:6443' } }],
        users: [{ name: 'admin', user: { token: 'first-token' } }],
        contexts: [{ name: 'one', context: { cluster: 'shared', user: 'admin', namespace: 'garden-dev' } }],
      });
      const second = await write('second.yaml', {
        clusters: [
          { name: 'shared', cluster: { server: 'https://second:6443' } },
          { name: 'other', cluster: { server: 'https://other:6443' } },
        ],
        users: [{ name: 'admin', user: { token: 'second-token' } }],
        contexts: [
          { name: 'one', context: { cluster: 'other', user: 'admin' } },
          { name: 'two', context: { cluster: 'other', user: 'admin' } },
        ],
        'current-context': 'one',
      });
      process.env['KUBECONFIG'] = [join(dir, 'missing.yaml'), first, '', second].join(delimiter);

      const kc = await loadKubeconfig({});
      assert.deepEqual(kc.files, [first, second]);
      assert.equal(kc.contextName, 'one');
      // Context "one" and its cluster and user come from the first file.
      assert.equal(kc.clusterName, 'shared');
      assert.equal(kc.cluster.server, 'https://first:6443');
      assert.equal(kc.user.token, 'first-token');
      assert.equal(kc.namespace, 'garden-dev');
      assert.deepEqual(kc.contexts, ['one', 'two']);
    });

    it('takes the current context from the first file that sets one', async () => {
      const a = await write('a.yaml', config('a', 'https://a:6443'));
      const b = await write('b.yaml', config('b', 'https://b:6443', { 'current-context': 'b' }));
      const c = await write('c.yaml', config('c', 'https://c:6443', { 'current-context': 'c' }));
      process.env['KUBECONFIG'] = [a, b, c].join(delimiter);
      assert.equal((await loadKubeconfig({})).contextName, 'b');
      process.env['KUBECONFIG'] = [c, b].join(delimiter);
      assert.equal((await loadKubeconfig({})).contextName, 'c');
    });

    it('lets --context choose any context from any file', async () => {
      const a = await write('a.yaml', config('a', 'https://a:6443', { 'current-context': 'a' }));
      const b = await write('b.yaml', config('b', 'https://b:6443'));
      process.env['KUBECONFIG'] = [a, b].join(delimiter);
      const kc = await loadKubeconfig({ context: 'b' });
      assert.equal(kc.contextName, 'b');
      assert.equal(kc.cluster.server, 'https://b:6443');
    });

    it('says where it looked when none of the files exist', async () => {
      const x = join(dir, 'x.yaml');
      const y = join(dir, 'y.yaml');
      process.env['KUBECONFIG'] = [x, y].join(delimiter);
      await rejectsConfig(loadKubeconfig({}, 'seed "aws-eu"'), `No kubeconfig found for seed "aws-eu" (looked in ${x}, ${y}): pass --kubeconfig, set KUBECONFIG, or run "kubegarden local up".`);
    });
  });

  describe('without --kubeconfig or KUBECONFIG', () => {
    it('reads ~/.kube/config', async () => {
      await write('home/.kube/config', config('home', 'https://home:6443', { 'current-context': 'home' }));
      const kc = await loadKubeconfig({});
      assert.equal(kc.cluster.server, 'https://home:6443');
      assert.deepEqual(kc.files, [join(dir, 'home', '.kube', 'config')]);
    });

    it('treats an empty KUBECONFIG as unset', async () => {
      process.env['KUBECONFIG'] = '  ';
      await write('home/.kube/config', config('home', 'https://home:6443', { 'current-context': 'home' }));
      assert.equal((await loadKubeconfig({})).contextName, 'home');
    });

    it('says where it looked when ~/.kube/config does not exist', async () => {
      await rejectsConfig(loadKubeconfig({}), `No kubeconfig found for the garden (looked in ${join(dir, 'home', '.kube', 'config')})`);
    });
  });

  describe('paths inside a kubeconfig', () => {
    it('resolves relative certificate, key and token paths against the file\'s directory, not the working directory', async () => {
      const file = await write('conf/sub/config', {
        clusters: [{ name: 'c', cluster: { server: 'https://c:6443', 'certificate-authority': 'ca.crt' } }],
        users: [{ name: 'u', user: { 'client-certificate': '../certs/client.crt', 'client-key': '/abs/client.key', tokenFile: 'token' } }],
        contexts: [{ name: 'x', context: { cluster: 'c', user: 'u' } }],
        'current-context': 'x',
      });
      const kc = await loadKubeconfig({ kubeconfig: file });
      assert.equal(kc.cluster['certificate-authority'], join(dir, 'conf', 'sub', 'ca.crt'));
      assert.equal(kc.user['client-certificate'], join(dir, 'conf', 'certs', 'client.crt'));
      assert.equal(kc.user['client-key'], '/abs/client.key');
      assert.equal(kc.user.tokenFile, join(dir, 'conf', 'sub', 'token'));
    });

    it('resolves each file\'s paths against its own directory when merging', async () => {
      const a = await write('a/config', {
        clusters: [{ name: 'ca', cluster: { server: 'https://a:6443', 'certificate-authority': 'ca.crt' } }],
        users: [{ name: 'u', user: { token: 't' } }],
        contexts: [{ name: 'a', context: { cluster: 'ca', user: 'u' } }],
      });
      const b = await write('b/config', {
        clusters: [{ name: 'cb', cluster: { server: 'https://b:6443', 'certificate-authority': 'ca.crt' } }],
        contexts: [{ name: 'b', context: { cluster: 'cb', user: 'u' } }],
      });
      process.env['KUBECONFIG'] = [a, b].join(delimiter);
      assert.equal((await loadKubeconfig({ context: 'a' })).cluster['certificate-authority'], join(dir, 'a', 'ca.crt'));
      assert.equal((await loadKubeconfig({ context: 'b' })).cluster['certificate-authority'], join(dir, 'b', 'ca.crt'));
    });
  });

  describe('choosing the context', () => {
    it('refuses an unknown context and lists the known ones', async () => {
      const file = await write('config', { ...config('a', 'https://a:6443'), contexts: [{ name: 'a', context: { cluster: 'a', user: 'a' } }, { name: 'b', context: { cluster: 'a', user: 'a' } }] });
      await rejectsConfig(loadKubeconfig({ kubeconfig: file, context: 'prod' }), `Context "prod" is not in the kubeconfig ${file}: use one of a, b.`);
    });

    it('says the file defines no contexts when there are none', async () => {
      const file = await write('config', { clusters: [{ name: 'a', cluster: { server: 'https://a:6443' } }], 'current-context': 'a' });
      await rejectsConfig(loadKubeconfig({ kubeconfig: file }), 'the file defines no contexts');
    });

    it('asks for --context when there is no current context, listing the choices', async () => {
      const file = await write('config', config('a', 'https://a:6443'));
      await rejectsConfig(loadKubeconfig({ kubeconfig: file }), `The kubeconfig ${file} has no current context: pass --context (one of: a).`);
    });

    it('treats an empty file as a kubeconfig without a current context', async () => {
      const file = await write('config', '');
      await rejectsConfig(loadKubeconfig({ kubeconfig: file }), 'has no current context: pass --context.');
    });

    it('refuses a context that refers to a cluster that is not defined', async () => {
      const file = await write('config', { ...config('a', 'https://a:6443'), contexts: [{ name: 'a', context: { cluster: 'gone', user: 'a' } }], 'current-context': 'a' });
      await rejectsConfig(loadKubeconfig({ kubeconfig: file }), `Context "a" refers to cluster "gone", which is not defined (or has no server) in ${file}.`);
    });

    it('refuses a cluster without a server', async () => {
      const file = await write('config', { ...config('a', 'https://a:6443'), clusters: [{ name: 'a', cluster: { server: '' } }], 'current-context': 'a' });
      await rejectsConfig(loadKubeconfig({ kubeconfig: file }), 'refers to cluster "a", which is not defined (or has no server)');
    });

    it('returns the chosen context reduced to its own cluster, user and namespace', async () => {
      const file = await write('config', {
        clusters: [
          { name: 'garden', cluster: { server: 'https://garden:6443' } },
          { name: 'other', cluster: { server: 'https://other:6443' } },
        ],
        users: [
          { name: 'alice', user: { token: 'a' } },
          { name: 'bob', user: { token: 'b' } },
        ],
        contexts: [
          { name: 'garden', context: { cluster: 'garden', user: 'alice', namespace: 'garden-dev' } },
          { name: 'other', context: { cluster: 'other', user: 'bob' } },
        ],
        'current-context': 'other',
      });
      const kc = await loadKubeconfig({ kubeconfig: file, context: 'garden' });
      assert.equal(kc.userName, 'alice');
      assert.equal(kc.namespace, 'garden-dev');
      assert.deepEqual(kc.raw, {
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [{ name: 'garden', cluster: { server: 'https://garden:6443' } }],
        users: [{ name: 'alice', user: { token: 'a' } }],
        contexts: [{ name: 'garden', context: { cluster: 'garden', user: 'alice', namespace: 'garden-dev' } }],
        'current-context': 'garden',
      });
    });
  });

  describe('inlineKubeconfig', () => {
    it('reads the files a context names into the *-data fields, so the result stands alone', async () => {
      await write('conf/ca.crt', 'CA PEM');
      await write('conf/client.crt', 'CERT PEM');
      await write('conf/client.key', 'KEY PEM');
      const file = await write('conf/config', {
        clusters: [{ name: 'c', cluster: { server: 'https://c:6443', 'certificate-authority': 'ca.crt' } }],
        users: [{ name: 'u', user: { 'client-certificate': 'client.crt', 'client-key': 'client.key' } }],
        contexts: [{ name: 'x', context: { cluster: 'c', user: 'u' } }],
        'current-context': 'x',
      });
      const inlined = await inlineKubeconfig(await loadKubeconfig({ kubeconfig: file }));
      const b64 = (s: string) => Buffer.from(s).toString('base64');
      assert.deepEqual(inlined.clusters, [{ name: 'c', cluster: { server: 'https://c:6443', 'certificate-authority-data': b64('CA PEM') } }]);
      assert.deepEqual(inlined.users, [{ name: 'u', user: { 'client-certificate-data': b64('CERT PEM'), 'client-key-data': b64('KEY PEM') } }]);
      assert.equal(inlined['current-context'], 'x');

      // It still works after the files are gone.
      await rm(join(dir, 'conf'), { recursive: true });
      const reparsed = parseKubeconfig(serializeKubeconfig(inlined), 'the stored kubeconfig');
      assert.equal(reparsed.cluster['certificate-authority-data'], b64('CA PEM'));
      assert.equal(reparsed.user['client-key-data'], b64('KEY PEM'));
    });

    it('reads a token file into the token, without its trailing newline', async () => {
      await write('token', 'sekret\n');
      const file = await write('config', {
        clusters: [{ name: 'c', cluster: { server: 'https://c:6443' } }],
        users: [{ name: 'u', user: { tokenFile: 'token' } }],
        contexts: [{ name: 'x', context: { cluster: 'c', user: 'u' } }],
        'current-context': 'x',
      });
      const inlined = await inlineKubeconfig(await loadKubeconfig({ kubeconfig: file }));
      assert.deepEqual(inlined.users, [{ name: 'u', user: { token: 'sekret' } }]);
    });

    it('refuses a certificate file it cannot read, naming the file and the field', async () => {
      const file = await write('config', {
        clusters: [{ name: 'c', cluster: { server: 'https://c:6443', 'certificate-authority': 'missing-ca.crt' } }],
        contexts: [{ name: 'x', context: { cluster: 'c', user: 'u' } }],
        'current-context': 'x',
      });
      await rejectsConfig(
        inlineKubeconfig(await loadKubeconfig({ kubeconfig: file })),
        `The file ${join(dir, 'missing-ca.crt')} named by certificate-authority in context "x" cannot be read (ENOENT).`,
      );
    });

    it('leaves embedded data as it is', async () => {
      const file = await write('config', {
        clusters: [{ name: 'c', cluster: { server: 'https://c:6443', 'certificate-authority-data': 'Q0E=' } }],
        users: [{ name: 'u', user: { token: 't' } }],
        contexts: [{ name: 'x', context: { cluster: 'c', user: 'u' } }],
        'current-context': 'x',
      });
      const inlined = await inlineKubeconfig(await loadKubeconfig({ kubeconfig: file }));
      assert.deepEqual(inlined.clusters, [{ name: 'c', cluster: { server: 'https://c:6443', 'certificate-authority-data': 'Q0E=' } }]);
      assert.deepEqual(inlined.users, [{ name: 'u', user: { token: 't' } }]);
    });
  });
});

describe('malformed kubeconfigs are configuration errors, never crashes', () => {
  let dir: string;
  before(async () => (dir = await mkdtemp(join(tmpdir(), 'kg-malformed-'))));
  after(() => rm(dir, { recursive: true, force: true }));

  for (const [what, text] of [
    ['clusters that is not a list', 'clusters: foo\n'],
    ['a null entry', 'clusters: [null]\n'],
    ['an entry without a name', 'users: [{user: {token: x}}]\n'],
    ['a context that is a string', 'contexts: [{name: a, context: nope}]\n'],
  ] as const) {
    it(`reports ${what} with exit code 3`, async () => {
      const file = join(dir, `${what.replace(/ /g, '-')}.yaml`);
      await writeFile(file, text);
      await assert.rejects(loadKubeconfig({ kubeconfig: file }), (err: KubegardenError) => {
        assert.equal(err.code, 'config');
        assert.match(err.message, /is not a kubeconfig/);
        return true;
      });
    });
  }

  it('reports an unreadable tokenFile when inlining, like a missing certificate file', async () => {
    const file = join(dir, 'token.yaml');
    await writeFile(file, stringify({ clusters: [{ name: 'c', cluster: { server: 'https://x' } }], users: [{ name: 'u', user: { tokenFile: join(dir, 'missing-token') } }], contexts: [{ name: 'c', context: { cluster: 'c', user: 'u' } }], 'current-context': 'c' }));
    const kc = await loadKubeconfig({ kubeconfig: file });
    await assert.rejects(inlineKubeconfig(kc), (err: KubegardenError) => {
      assert.equal(err.code, 'config');
      assert.match(err.message, /missing-token named by tokenFile in context "c" cannot be read \(ENOENT\)/);
      return true;
    });
  });
});

describe('parseKubeconfig', () => {
  it('refuses text that is not YAML, naming whose kubeconfig it is', () => {
    throwsConfig(() => parseKubeconfig('clusters: [', 'seed "aws-eu"'), 'The kubeconfig of seed "aws-eu" is not valid YAML: re-register it.');
  });

  it('refuses empty text', () => {
    throwsConfig(() => parseKubeconfig('', 'seed "aws-eu"'), 'The kubeconfig of seed "aws-eu" is empty or not a kubeconfig: re-register it.');
    throwsConfig(() => parseKubeconfig('just text', 'seed "aws-eu"'), 'is empty or not a kubeconfig');
  });

  it('picks a context other than the current one when asked', () => {
    const text = stringify({ ...config('a', 'https://a:6443'), 'current-context': 'a' });
    throwsConfig(() => parseKubeconfig(text, 'seed "x"', 'b'), 'Context "b" is not in the kubeconfig seed "x": use one of a.');
  });
});

describe('renderKubeconfig', () => {
  const caPem = '-----BEGIN CERTIFICATE-----\nCA\n-----END CERTIFICATE-----\n';

  it('round-trips a certificate kubeconfig through parseKubeconfig', () => {
    const text = renderKubeconfig({
      name: 'shoot--dev--demo',
      server: 'https://api.demo:6443',
      caPem,
      user: { certPem: 'CERT', keyPem: 'KEY' },
      namespace: 'kube-system',
    });
    const kc = parseKubeconfig(text, 'shoot "demo"');
    assert.equal(kc.contextName, 'shoot--dev--demo');
    assert.equal(kc.cluster.server, 'https://api.demo:6443');
    assert.equal(Buffer.from(kc.cluster['certificate-authority-data'] ?? '', 'base64').toString(), caPem);
    assert.equal(kc.userName, 'shoot--dev--demo-admin');
    assert.equal(Buffer.from(kc.user['client-certificate-data'] ?? '', 'base64').toString(), 'CERT');
    assert.equal(Buffer.from(kc.user['client-key-data'] ?? '', 'base64').toString(), 'KEY');
    assert.equal(kc.namespace, 'kube-system');
  });

  it('round-trips a token kubeconfig with a chosen user name and no namespace', () => {
    const text = renderKubeconfig({ name: 'garden', server: 'https://127.0.0.1:6443', caPem, user: { token: 'abc.def' }, userName: 'ci' });
    const kc = parseKubeconfig(text, 'the garden');
    assert.equal(kc.userName, 'ci');
    assert.deepEqual(kc.user, { token: 'abc.def' });
    assert.equal(kc.namespace, undefined);
    assert.deepEqual(kc.contexts, ['garden']);
  });

  it('embeds everything: it names no files', () => {
    const text = renderKubeconfig({ name: 'garden', server: 'https://127.0.0.1:6443', caPem, user: { certPem: 'CERT', keyPem: 'KEY' } });
    assert.doesNotMatch(text, /certificate-authority:|client-certificate:|client-key:|tokenFile/);
    assert.doesNotMatch(text, /BEGIN CERTIFICATE/);
  });
});
