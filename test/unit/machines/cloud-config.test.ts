import { strict as assert } from 'node:assert';
import { parse } from 'yaml';
import { parseCloudConfig, PATHS, renderCloudConfig, type CloudConfigInput } from '../../../src/lib/machines/cloud-config.ts';
import { parseCommandLine, unitValue } from '../../../src/lib/machines/systemd.ts';
import { isKubegardenError } from '../../../src/lib/ui/errors.ts';

const CA = '-----BEGIN CERTIFICATE-----\nQ0E=\n-----END CERTIFICATE-----\n';
const CLIENT_CA = '-----BEGIN CERTIFICATE-----\nQ0xJRU5U\n-----END CERTIFICATE-----\n';
const TOKEN = 'abcdef.0123456789abcdef';

const input = (patch: Partial<CloudConfigInput> = {}): CloudConfigInput => ({
  kubernetesVersion: '1.37.2',
  apiServerUrl: 'https://api.demo.example.com',
  caPem: CA,
  clientCaPem: CLIENT_CA,
  bootstrapToken: { token: TOKEN },
  pool: { name: 'blue', labels: { team: 'blue' }, taints: [{ key: 'dedicated', value: 'blue', effect: 'NoSchedule' }] },
  clusterDns: '100.64.0.10',
  clusterDomain: 'cluster.local',
  ...patch,
});

interface Doc {
  write_files: Array<{ path: string; permissions: string; content: string }>;
  runcmd: unknown[];
  [key: string]: unknown;
}
const doc = (text: string) => parse(text) as Doc;
const file = (text: string, path: string) => {
  const f = doc(text).write_files.find((x) => x.path === path);
  assert.ok(f, `writes ${path}`);
  return f;
};

describe('cloud-config', () => {
  describe('renderCloudConfig', () => {
    const text = renderCloudConfig(input());

    it('is a #cloud-config YAML document that installs containerd and the kubelet of the shoot version', () => {
      assert.ok(text.startsWith('#cloud-config\n'));
      const d = doc(text);
      assert.deepEqual(Object.keys(d).sort(), ['package_update', 'packages', 'runcmd', 'write_files']);
      const commands = d.runcmd as string[][];
      assert.ok(commands.every((c) => Array.isArray(c) && c.every((a) => typeof a === 'string')), 'every command is an argument list (no shell)');
      const urls = commands.filter((c) => c[0] === 'curl').map((c) => c[c.length - 1]);
      assert.ok(urls.includes('https://dl.k8s.io/release/v1.37.2/bin/linux/amd64/kubelet'));
      assert.ok(urls.some((u) => /containerd-[\d.]+-linux-amd64\.tar\.gz$/.test(u ?? '')));
      assert.deepEqual(commands.at(-1), ['systemctl', 'enable', '--now', 'kubelet.service']);
    });

    it('writes a bootstrap kubeconfig with the token and the cluster CA, readable by root only', () => {
      const f = file(text, PATHS.bootstrapKubeconfig);
      assert.equal(f.permissions, '0600');
      const kc = parse(f.content);
      assert.equal(kc.users[0].user.token, TOKEN);
      assert.equal(kc.clusters[0].cluster.server, 'https://api.demo.example.com');
      assert.equal(Buffer.from(kc.clusters[0].cluster['certificate-authority-data'], 'base64').toString(), CA);
    });

    it('writes a KubeletConfiguration: cluster DNS, webhook auth, client CA, certificate rotation, serving certificates by CSR', () => {
      const config = parse(file(text, PATHS.kubeletConfig).content);
      assert.equal(config.kind, 'KubeletConfiguration');
      assert.deepEqual(config.clusterDNS, ['100.64.0.10']);
      assert.equal(config.clusterDomain, 'cluster.local');
      assert.equal(config.authentication.webhook.enabled, true);
      assert.equal(config.authentication.anonymous.enabled, false);
      assert.equal(config.authentication.x509.clientCAFile, PATHS.clientCaCert);
      assert.equal(file(text, PATHS.clientCaCert).content, CLIENT_CA);
      assert.equal(config.authorization.mode, 'Webhook');
      assert.equal(config.rotateCertificates, true);
      assert.equal(config.serverTLSBootstrap, true);
      assert.deepEqual(config.registerWithTaints, [{ key: 'dedicated', value: 'blue', effect: 'NoSchedule' }]);
    });

    it('starts the kubelet from a systemd unit with the pool labels (and its pool label)', () => {
      const unit = file(text, PATHS.kubeletUnit).content;
      const args = parseCommandLine(unitValue(unit, 'Service', 'ExecStart') ?? '');
      assert.equal(args[0], '/usr/local/bin/kubelet');
      assert.ok(args.includes(`--bootstrap-kubeconfig=${PATHS.bootstrapKubeconfig}`));
      assert.ok(args.includes(`--config=${PATHS.kubeletConfig}`));
      assert.ok(args.includes('--node-labels=team=blue,worker.kubegarden.io/pool=blue'));
      assert.equal(unitValue(unit, 'Install', 'WantedBy'), 'multi-user.target');
    });

    it('checks the downloads when every one has a sha256, before installing anything', () => {
      const sum = 'a'.repeat(64);
      const checked = renderCloudConfig(input({ downloads: { kubelet: { url: 'https://mirror.example.com/kubelet', sha256: sum }, containerd: { url: 'https://mirror.example.com/c.tgz', sha256: sum }, runc: { url: 'https://mirror.example.com/runc', sha256: sum } } }));
      const commands = doc(checked).runcmd as string[][];
      const check = commands.findIndex((c) => c[0] === 'sha256sum');
      const install = commands.findIndex((c) => c[0] === 'tar');
      assert.ok(check >= 0 && check < install);
      assert.match(file(checked, PATHS.checksums).content, new RegExp(`^${sum}  ${PATHS.downloads}/kubelet$`, 'm'));
      assert.ok(!doc(text).runcmd.some((c) => (c as string[])[0] === 'sha256sum'), 'no check without sums');
      assert.throws(() => renderCloudConfig(input({ downloads: { kubelet: { url: 'https://x/kubelet', sha256: 'nothex' } } })), /not 64 hex digits/);
      assert.throws(() => renderCloudConfig(input({ downloads: { kubelet: { url: 'file:///etc/passwd' } } })), /must be http\(s\)/);
    });
  });

  describe('hostile values stay data', () => {
    // Commas only in the taint: --node-labels cannot carry them (see the refusal below), the KubeletConfiguration can.
    const hostile = 'a"b\'c\nkey: injected\n- [rm -rf /]\n${HOME} $(id) `id` %h \\ ; #';
    const hostileTaint = `${hostile}\n- {key: x, effect: NoSchedule}, "`;
    const text = renderCloudConfig(
      input({
        pool: { name: 'blue', labels: { evil: hostile, 'example.com/x': '${PATH}' }, taints: [{ key: 'k', value: hostileTaint, effect: 'NoExecute' }] },
        bootstrapToken: TOKEN,
      }),
    );

    it('keeps the document shape: same keys, same files, every command an argument list', () => {
      const plain = doc(renderCloudConfig(input()));
      const d = doc(text);
      assert.deepEqual(Object.keys(d).sort(), Object.keys(plain).sort());
      assert.deepEqual(d.write_files.map((f) => f.path), plain.write_files.map((f) => f.path));
      assert.deepEqual((d.runcmd as string[][]).map((c) => c[0]), (plain.runcmd as string[][]).map((c) => c[0]));
      assert.doesNotMatch(text, /^key: injected$/m);
    });

    it('keeps the kubelet unit one ExecStart line with systemd expansions escaped', () => {
      const unit = file(text, PATHS.kubeletUnit).content;
      const lines = unit.split('\n').filter((l) => l.startsWith('ExecStart'));
      assert.equal(lines.length, 1);
      assert.doesNotMatch(lines[0] ?? '', /[^$]\$\{HOME\}/, '$ is doubled');
      assert.match(lines[0] ?? '', /%%h/, '% is doubled');
      assert.deepEqual(unit.match(/^\[\w+\]$/gm), ['[Unit]', '[Service]', '[Install]']);
    });

    it('reads back the exact labels and taints', () => {
      const parsed = parseCloudConfig(text);
      assert.deepEqual(parsed.labels, { evil: hostile, 'example.com/x': '${PATH}', 'worker.kubegarden.io/pool': 'blue' });
      assert.deepEqual(parsed.taints, [{ key: 'k', value: hostileTaint, effect: 'NoExecute' }]);
    });

    it('refuses labels --node-labels cannot carry (commas; "=" in keys) instead of letting them add labels', () => {
      assert.throws(() => renderCloudConfig(input({ pool: { name: 'blue', labels: { team: 'blue,node-role.kubernetes.io/master=' } } })), (err: unknown) => isKubegardenError(err) && /contains a comma/.test(err.message));
      assert.throws(() => renderCloudConfig(input({ pool: { name: 'blue', labels: { 'a=b': 'c' } } })), /cannot be passed to the kubelet/);
    });

    it('does not let a pool label claim another pool', () => {
      const parsed = parseCloudConfig(renderCloudConfig(input({ pool: { name: 'blue', labels: { 'worker.kubegarden.io/pool': 'red' } } })));
      assert.equal(parsed.labels['worker.kubegarden.io/pool'], 'blue');
    });
  });

  describe('parseCloudConfig', () => {
    it('round-trips what a machine needs: bootstrap kubeconfig, labels, taints, DNS, version, pool', () => {
      const text = renderCloudConfig(input({ podCidr: '100.96.1.0/24' }));
      const parsed = parseCloudConfig(text);
      assert.deepEqual(parsed.bootstrap, { server: 'https://api.demo.example.com', caPem: CA, token: TOKEN });
      assert.equal(parsed.bootstrapKubeconfig, file(text, PATHS.bootstrapKubeconfig).content);
      assert.deepEqual(parsed.labels, { team: 'blue', 'worker.kubegarden.io/pool': 'blue' });
      assert.deepEqual(parsed.taints, [{ key: 'dedicated', value: 'blue', effect: 'NoSchedule' }]);
      assert.deepEqual(parsed.clusterDns, ['100.64.0.10']);
      assert.equal(parsed.clusterDomain, 'cluster.local');
      assert.equal(parsed.kubernetesVersion, '1.37.2');
      assert.equal(parsed.pool, 'blue');
      assert.equal(parsed.podCidr, '100.96.1.0/24');
    });

    it('round-trips a pool without labels or taints, and a taint without a value', () => {
      const parsed = parseCloudConfig(renderCloudConfig(input({ pool: { name: 'plain', taints: [{ key: 'gpu', effect: 'NoSchedule' }] } })));
      assert.deepEqual(parsed.labels, { 'worker.kubegarden.io/pool': 'plain' });
      assert.deepEqual(parsed.taints, [{ key: 'gpu', effect: 'NoSchedule' }]);
    });

    it('says clearly what is wrong with a document it cannot use', () => {
      assert.throws(() => parseCloudConfig('#!/bin/sh\necho hi\n'), /does not start with "#cloud-config"/);
      assert.throws(() => parseCloudConfig('#cloud-config\nruncmd: []\n'), /has no write_files/);
      assert.throws(() => parseCloudConfig('#cloud-config\nwrite_files: []\n'), /writes no \/var\/lib\/kubelet\/bootstrap-kubeconfig/);
      assert.throws(() => parseCloudConfig('#cloud-config\nwrite_files: [\n'), /not valid YAML/);
    });
  });
});
