// Benchmark: `kubegarden shoot create` on the local provider, from a fresh
// local garden. Measures the wall time of one create, split into kubegarden's
// own CPU time and the time spent waiting (for processes to start, Terraform,
// API servers); then N shoots created concurrently on one seed.
//
//   node hack/bench-create.ts [--concurrent 10] [--write docs/benchmarks.md]
//
// Not a test: it asserts nothing. It prints a markdown section and, with
// --write, replaces that section in the given file.
import { execFile } from 'node:child_process';
import { cpus, tmpdir, totalmem } from 'node:os';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const bin = fileURLToPath(new URL('../bin/run.js', import.meta.url));
const args = process.argv.slice(2);
const concurrent = Number(args[args.indexOf('--concurrent') + 1] ?? 10) || 10;
const writeTo = args.includes('--write') ? args[args.indexOf('--write') + 1] : undefined;
const dir = join(tmpdir(), `kubegarden-bench-${process.pid}`);
const env = { ...process.env, KUBEGARDEN_LOCAL_DIR: dir, KUBECONFIG: join(dir, 'kubeconfig'), CI: 'true', NO_COLOR: '1' };

interface Timed {
  wallMs: number;
  cpuMs: number;
}

/** Runs the CLI under /usr/bin/time to get its own user+system CPU time. */
async function timed(cliArgs: string[]): Promise<Timed> {
  const started = performance.now();
  const { stderr } = await run('/usr/bin/time', ['-f', 'BENCH-CPU %U %S', process.execPath, bin, ...cliArgs], { env, maxBuffer: 64 << 20 });
  const wallMs = performance.now() - started;
  const m = /BENCH-CPU ([\d.]+) ([\d.]+)/.exec(stderr);
  return { wallMs, cpuMs: m ? (Number(m[1]) + Number(m[2])) * 1000 : NaN };
}

const s = (ms: number) => `${(Math.max(0, ms) / 1000).toFixed(1)} s`;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

async function main(): Promise<void> {
  await run(process.execPath, [bin, 'local', 'up', '--quiet'], { env });
  const lines: string[] = [];
  try {
    const one = await timed(['shoot', 'create', 'bench', '-p', 'local', '--provider', 'local', '--quiet']);
    const again = await timed(['shoot', 'reconcile', 'bench', '-p', 'local', '--quiet']);
    const started = performance.now();
    const many = await Promise.all(
      Array.from({ length: concurrent }, (_, i) => timed(['shoot', 'create', `b${i}`, '-p', 'local', '--provider', 'local', '--quiet', '--timeout', '20m'])),
    );
    const totalMs = performance.now() - started;
    lines.push(
      '## Shoot create on the local provider',
      '',
      `Measured with \`node hack/bench-create.ts --concurrent ${concurrent}\` on ${cpus().length} cores (${cpus()[0]?.model.trim()}), ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}, from a fresh \`local up\`. One pool with one simulated machine per shoot. kubegarden's own time is the CLI process's user+system CPU (\`/usr/bin/time\`, which includes the Terraform runs it waited for); the rest of the wall time is waiting: for etcd, kube-apiserver and the other processes to start, for Terraform (two applies), and for the machine to join.`,
      '',
      '| Operation | Wall | kubegarden CPU | Waiting |',
      '| --- | --- | --- | --- |',
      `| One create, from nothing | ${s(one.wallMs)} | ${s(one.cpuMs)} | ${s(one.wallMs - one.cpuMs)} |`,
      `| Reconcile of that healthy shoot (changes nothing) | ${s(again.wallMs)} | ${s(again.cpuMs)} | ${s(again.wallMs - again.cpuMs)} |`,
      `| ${concurrent} creates at once, all of them | ${s(totalMs)} | ${s(many.reduce((a, b) => a + b.cpuMs, 0))} (sum) | – |`,
      `| ${concurrent} creates at once, per shoot (median) | ${s(median(many.map((m) => m.wallMs)))} | ${s(median(many.map((m) => m.cpuMs)))} | ${s(median(many.map((m) => m.wallMs - m.cpuMs)))} |`,
      '',
      `With ${concurrent} shoots at once, ${concurrent * 4} control-plane processes and ${concurrent} Terraform runs share the machine's ${cpus().length} cores, so each create waits longer; kubegarden's own CPU per shoot stays about the same.`,
      '',
    );
  } finally {
    await run(process.execPath, [bin, 'local', 'down', '--purge'], { env }).catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
  }
  const section = lines.join('\n');
  process.stdout.write(section + '\n');
  if (writeTo) {
    const current = await readFile(writeTo, 'utf8').catch(() => '# Benchmarks\n');
    const start = current.indexOf('## Shoot create on the local provider');
    const next = start < 0 ? -1 : current.indexOf('\n## ', start + 1);
    const updated = start < 0 ? `${current.trimEnd()}\n\n${section}` : `${current.slice(0, start)}${section}${next < 0 ? '\n' : current.slice(next)}`;
    await writeFile(writeTo, updated);
  }
}

await main();
