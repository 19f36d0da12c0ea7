// No leaks, on the local provider end to end: a full shoot flow, everything
// it printed and every file it left under its temporary HOME, state and local
// directories, searched for every secret value the garden and the shoot's seed
// namespace hold (raw, base64, and a line of each private key's body). Only
// 0600 files in 0700 directories that are meant to hold secrets may: a
// kubeconfig the user asked for, the local clusters' own credentials and
// databases, and the Secret volumes the local runtime materialises.
import assert from 'node:assert/strict';
import { mkdir, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { KubeClient, type KubeObject } from '../../src/lib/kube/client.ts';
import { kubegarden, type CliResult } from '../helpers/cli.ts';

type Secret = KubeObject & { data?: Record<string, string> };

interface Needle {
  what: string;
  value: string;
}

const MAX_FILE = 64 * 1024 * 1024;

/** What must not show: every secret value of a Secret, in the forms it could be printed or written in. */
export function needlesOf(secret: Secret): Needle[] {
  const out: Needle[] = [];
  const name = `${secret.metadata.namespace}/${secret.metadata.name}`;
  for (const [key, b64] of Object.entries(secret.data ?? {})) {
    const what = `Secret ${name} key ${key}`;
    const value = Buffer.from(b64, 'base64').toString('utf8');
    const add = (v: string, form: string) => v.length >= 16 && out.push({ what: `${what} (${form})`, value: v });
    if (/^-----BEGIN CERTIFICATE-----/.test(value.trim()) && !value.includes('PRIVATE KEY')) continue; // certificates are public
    if (/^-----BEGIN PUBLIC KEY-----/.test(value.trim())) continue;
    if (/client-key-data:|token:/.test(value) && /kind: Config/.test(value)) {
      for (const m of value.matchAll(/client-key-data: (\S+)/g)) {
        add(m[1]!, 'client key of a kubeconfig, base64');
        out.push(...pemNeedles(Buffer.from(m[1]!, 'base64').toString('utf8'), `${what} (client key of a kubeconfig)`));
      }
      for (const m of value.matchAll(/\btoken: (\S+)/g)) add(m[1]!, 'token of a kubeconfig');
      continue;
    }
    if (value.includes('PRIVATE KEY')) {
      out.push(...pemNeedles(value, what));
      add(b64, 'base64');
      continue;
    }
    add(value, 'raw');
    add(b64, 'base64');
  }
  return out;
}

function pemNeedles(pem: string, what: string): Needle[] {
  const out: Needle[] = [];
  for (const block of pem.matchAll(/-----BEGIN ([A-Z ]*PRIVATE KEY)-----\n([\s\S]*?)\n-----END/g)) {
    const lines = block[2]!.split('\n').filter((l) => l.length === 64);
    // A line from the middle of the body survives re-wrapping and JSON escaping of the PEM.
    const middle = lines[Math.floor(lines.length / 2)];
    if (middle) out.push({ what: `${what} (private key body)`, value: middle });
    out.push({ what: `${what} (base64 PEM)`, value: Buffer.from(`-----BEGIN ${block[1]}-----\n${block[2]}\n-----END ${block[1]}-----`).toString('base64').slice(0, 64) });
  }
  return out;
}

async function walk(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await walk(path)));
    else if (entry.isFile()) out.push(path);
  }
  return out;
}

describe('no leaks: a full shoot flow on the local provider, searched for every secret value', function () {
  this.timeout(900_000);
  const root = join(tmpdir(), `kubegarden-no-leaks-${process.pid}`);
  const dir = join(root, 'local');
  const home = join(root, 'home');
  const state = join(root, 'state');
  const tmp = join(root, 'tmp');
  const kubeconfig = join(dir, 'kubeconfig');
  const userKubeconfig = join(root, 'out', 'demo.kubeconfig');
  const env = { KUBEGARDEN_LOCAL_DIR: dir, KUBECONFIG: kubeconfig, HOME: home, XDG_STATE_HOME: state, TMPDIR: tmp };
  const outputs: Array<{ command: string; text: string }> = [];
  const run = async (args: string[], ok = true): Promise<CliResult> => {
    const r = await kubegarden(args, { env });
    outputs.push({ command: `kubegarden ${args.join(' ')}`, text: `${r.stdout}\n${r.stderr}` });
    if (ok && r.exitCode !== 0) throw new Error(`kubegarden ${args.join(' ')} exited ${r.exitCode}\n${r.stderr}`);
    return r;
  };
  const secrets: Secret[] = [];

  before(async () => {
    for (const d of [dir, home, state, tmp, dirname(userKubeconfig)]) await mkdir(d, { recursive: true, mode: 0o700 });
  });
  after(async () => {
    await kubegarden(['local', 'down', '--purge'], { env });
    await rm(root, { recursive: true, force: true });
  });

  it('runs local up, create, get, kubeconfig, plan, list and delete, with and without --verbose', async () => {
    await run(['local', 'up']);
    const garden = await KubeClient.connect({ kubeconfig }, 'the local garden');
    try {
      await garden.apply({
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: 'cloud', namespace: 'garden-local' },
        stringData: { accessKeyID: 'AKIAEXAMPLEEXAMPLE42', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY-no-leaks' },
      } as KubeObject);
      await run(['shoot', 'create', 'demo', '-p', 'local', '--provider', 'local', '--credentials', 'cloud', '--worker', 'name=pool,min=1,max=2', '--timeout', '5m', '--verbose']);
      for (const verbose of [[], ['--verbose']]) {
        await run(['shoot', 'get', 'demo', '-p', 'local', '-o', 'yaml', ...verbose]);
        await run(['shoot', 'get', 'demo', '-p', 'local', ...verbose]);
        await run(['shoot', 'kubeconfig', 'demo', '-p', 'local', '--output-file', userKubeconfig, ...verbose]);
        await run(['shoot', 'plan', 'demo', '-p', 'local', ...verbose]);
        await run(['shoot', 'list', '-A', '-o', 'wide', ...verbose]);
        await run(['shoot', 'reconcile', 'demo', '-p', 'local', '--timeout', '5m', ...verbose]);
      }
      // Every secret value there is, before the delete takes the seed namespace away.
      secrets.push(...(await garden.list<Secret>('v1', 'Secret')));
      assert.ok(secrets.some((s) => s.metadata.namespace === 'shoot--local--demo'), 'the shoot namespace holds Secrets');
      await run(['shoot', 'delete', 'demo', '-p', 'local', '--yes', '--timeout', '5m', '--verbose']);
    } finally {
      garden.close();
    }
  });

  it('printed and wrote none of them, except in private files meant for them', async () => {
    const needles = secrets.flatMap(needlesOf);
    assert.ok(needles.length > 20, `found ${needles.length} secret values to look for`);
    const findings: string[] = [];
    let bytes = 0;
    for (const o of outputs) {
      bytes += o.text.length;
      for (const n of needles) if (o.text.includes(n.value)) findings.push(`${n.what} printed by "${o.command}"`);
    }
    const files = [...(await walk(root))];
    let searched = 0;
    let skipped = 0;
    const allowedHits: string[] = [];
    for (const file of files) {
      const st = await stat(file);
      if (st.size > MAX_FILE) {
        skipped++;
        continue;
      }
      const text = (await readFile(file)).toString('latin1');
      bytes += text.length;
      searched++;
      const hits = needles.filter((n) => text.includes(n.value));
      if (hits.length === 0) continue;
      const rel = relative(root, file);
      const privateFile = (st.mode & 0o777) === 0o600 && ((await stat(dirname(file))).mode & 0o777) === 0o700;
      const meantForSecrets =
        file === userKubeconfig ||
        file === kubeconfig ||
        /(^|\/)(pki\.json|[^/]*\.kubeconfig)$/.test(rel) ||
        /\/volumes\//.test(rel) ||
        /\/member\/(snap|wal)\//.test(rel);
      if (privateFile && meantForSecrets) allowedHits.push(rel);
      else findings.push(`${hits.map((h) => h.what).join(', ')} in ${rel} (mode ${(st.mode & 0o777).toString(8)})`);
    }
    process.stderr.write(
      `  [no-leaks] searched ${outputs.length} command outputs and ${searched} files (${skipped} larger than 64 MiB skipped), ${bytes} bytes, ` +
        `for ${needles.length} values of ${secrets.length} Secrets; ${allowedHits.length} private files hold secrets by design; ${findings.length} leaks\n`,
    );
    assert.deepEqual(findings, [], `secret values leaked:\n${findings.join('\n')}`);
  });
});
