// The start-up YAML reader must give exactly what the `yaml` package gives, or
// give up: every sample is checked against yaml.parse.
import assert from 'node:assert/strict';
import { parse, stringify } from 'yaml';
import { parseSimpleYaml, parseYaml } from '../../../src/lib/kube/yaml.ts';
import { renderKubeconfig } from '../../../src/lib/kube/kubeconfig.ts';

const pem = (label: string) => `-----BEGIN ${label}-----\nMIIBkTCB+wIJAK${'A'.repeat(120)}\n-----END ${label}-----\n`;

/** Documents the reader must read itself. */
const simple: Record<string, string> = {
  'kubegarden-rendered kubeconfig': renderKubeconfig({ name: 'local', server: 'https://127.0.0.1:6443', caPem: pem('CERTIFICATE'), user: { certPem: pem('CERTIFICATE'), keyPem: pem('RSA PRIVATE KEY') } }),
  'kubectl-written kubeconfig': `apiVersion: v1
clusters:
- cluster:
    certificate-authority-data: LS0tLS1CRUdJTg==
    server: https://10.0.0.1:443
  name: prod
- cluster:
    insecure-skip-tls-verify: true
    server: "https://dev.example.com:6443"
    tls-server-name: api.dev
  name: dev
contexts:
- context:
    cluster: prod
    namespace: kube-system
    user: admin
  name: prod
current-context: prod
kind: Config
preferences: {}
users:
- name: admin
  user:
    token: 'abc''def'
- name: exec-user
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1
      args:
      - eks
      - get-token
      - --cluster-name
      - "prod # not a comment"
      command: aws
      env: []
      interactiveMode: Never
      provideClusterInfo: false
`,
  'comments, CRLF, indented sequences, numbers and nulls': '# a kubeconfig\r\napiVersion: v1 # trailing\r\nclusters:\r\n  - name: a\r\n    cluster:\r\n      server: https://a:1\r\nn: 42\r\nneg: -7\r\nempty:\r\ntilde: ~\r\nyes: yes\r\nurl: http://x/#frag\r\n',
  'kubegarden config file': stringify({ gardens: [{ name: 'local', kubeconfig: '/home/u/.local/state/kubegarden/local/kubeconfig', context: 'local' }], target: { garden: 'local', project: 'dev', shoot: 'demo' } }),
  'a mapping in a sequence followed by a key at the same indent': 'items:\n- a: 1\n  b:\n  - x\n  - y\n  c: 3\nafter: z\n',
  empty: '',
  'only comments': '# nothing\n\n',
};

/** Documents that use more YAML: the reader gives up, parseYaml still answers as yaml does. */
const beyond: Record<string, string> = {
  anchors: 'a: &x 1\nb: *x\n',
  'block scalar': 'a: |\n  line one\n  line two\n',
  'folded plain scalar': 'a: one\n  two\n',
  'flow mapping': 'a: {b: 1}\n',
  'flow sequence': 'a: [1, 2]\n',
  tag: 'a: !!str 1\n',
  float: 'a: 1.5\n',
  hex: 'a: 0x1F\n',
  'YAML escape': 'a: "\\x41"\n',
  'quoted key': '"a b": 1\n',
  'two documents': 'a: 1\n---\nb: 2\n',
  'a tab in the indent': 'a:\n\tb: 1\n',
  'a scalar document': 'just text\n',
  'multi-line quoted': 'a: "one\n  two"\n',
  'merge key': 'a:\n  <<: {b: 1}\n',
};

describe('the start-up YAML reader', () => {
  for (const [what, text] of Object.entries(simple)) {
    it(`reads ${what} exactly as yaml.parse does`, () => {
      const ours = parseSimpleYaml(text);
      assert.notEqual(ours, undefined, 'read without the yaml package');
      assert.deepEqual(ours, parse(text));
    });
  }

  for (const [what, text] of Object.entries(beyond)) {
    it(`gives up on ${what}, and parseYaml answers as yaml.parse does`, () => {
      assert.equal(parseSimpleYaml(text), undefined);
      let expected: unknown;
      try {
        expected = parse(text);
      } catch (err) {
        assert.throws(() => parseYaml(text), { message: (err as Error).message });
        return;
      }
      assert.deepEqual(parseYaml(text), expected);
    });
  }

  it('gives up on a duplicate key, which yaml refuses', () => {
    const text = 'a: 1\na: 2\n';
    assert.equal(parseSimpleYaml(text), undefined);
    assert.throws(() => parseYaml(text));
  });
});
