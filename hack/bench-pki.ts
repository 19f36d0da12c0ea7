// How much one shoot's full credential set costs: CPU and wall time of
// generating it into an empty store, and of a re-run that finds it intact.
// Run: node hack/bench-pki.ts [--runs N] [--write docs/benchmarks.md]. Prints
// a markdown table, and with --write puts it into that file.
import { generateKeyPairSync } from 'node:crypto';
import { cpus, platform, release } from 'node:os';
import { parseArgs } from 'node:util';
import { CREDENTIAL_NAMES } from '../src/lib/pki/catalog.ts';
import { reconcileCredentials } from '../src/lib/pki/reconcile.ts';
import { InMemorySecretStore } from '../src/lib/pki/store.ts';
import { median, ms, writeBlock } from './bench-lib.ts';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '5' }, write: { type: 'string' } } });
const runs = Number(values.runs);
if (!Number.isInteger(runs) || runs < 1) throw new Error('--runs takes a positive whole number');

const params = { shootName: 'bench', namespace: 'shoot--bench--demo', servicesCIDR: '100.64.0.0/13', externalEndpoint: 'api.demo.example.com' };

interface Sample {
  cpuMs: number;
  mainThreadMs: number;
  wallMs: number;
}

async function measure(fn: () => Promise<unknown>): Promise<Sample> {
  const cpu = process.cpuUsage();
  const thread = process.threadCpuUsage();
  const start = performance.now();
  await fn();
  const wallMs = performance.now() - start;
  const c = process.cpuUsage(cpu);
  const t = process.threadCpuUsage(thread);
  // process.cpuUsage covers every thread, including libuv's pool where keys are generated.
  return { cpuMs: (c.user + c.system) / 1000, mainThreadMs: (t.user + t.system) / 1000, wallMs };
}

const range = (xs: number[]): string => `${Math.round(Math.min(...xs))}–${Math.round(Math.max(...xs))}`;

// The first run pays for lazy compilation and JIT warm-up, like a CLI invocation does.
const cold = await measure(() => reconcileCredentials(new InMemorySecretStore(), params));

const full: Sample[] = [];
const noop: Sample[] = [];
let keys = 0;
for (let i = 0; i < runs; i++) {
  const store = new InMemorySecretStore();
  full.push(await measure(() => reconcileCredentials(store, params)));
  keys = new Set([...store.secrets.values()].flatMap((s) => [s.data['ca.key'], s.data['tls.key'], s.data['sa.key']]).filter(Boolean)).size;
  const before = JSON.stringify(store.snapshot());
  const writes = store.writes.length;
  noop.push(await measure(() => reconcileCredentials(store, params)));
  if (store.writes.length !== writes || JSON.stringify(store.snapshot()) !== before) throw new Error('the re-run wrote to the store');
}

const single: number[] = [];
for (let i = 0; i < 4 * runs; i++) {
  const cpu = process.cpuUsage();
  generateKeyPairSync('rsa', { modulusLength: 2048 });
  const c = process.cpuUsage(cpu);
  single.push((c.user + c.system) / 1000);
}

const cpuModel = cpus()[0]?.model.trim() ?? 'unknown CPU';
const lines = [
  `Measured with \`node hack/bench-pki.ts --runs ${runs}\` on ${cpus().length} cores (${cpuModel}), Node ${process.version}, ${platform()} ${release()}.`,
  `${CREDENTIAL_NAMES.length} Secrets: 7 CAs, 11 leaf certificates, the service-account key, the encryption configuration, a bootstrap token and the VPN tls-auth key; ${keys} RSA-2048 key pairs.`,
  `CPU is process.cpuUsage (all threads: keys are generated in libuv's pool), median of ${runs} runs, each into a fresh in-memory store.`,
  '',
  '| Operation | CPU (median) | CPU (range) | main thread CPU | wall (median) |',
  '| --- | --- | --- | --- | --- |',
  `| Full set, empty store | ${ms(median(full.map((s) => s.cpuMs)))} | ${range(full.map((s) => s.cpuMs))} ms | ${ms(median(full.map((s) => s.mainThreadMs)))} | ${ms(median(full.map((s) => s.wallMs)))} |`,
  `| Full set, first run in the process (cold) | ${ms(cold.cpuMs)} | – | ${ms(cold.mainThreadMs)} | ${ms(cold.wallMs)} |`,
  `| Re-run over an intact set (no writes) | ${ms(median(noop.map((s) => s.cpuMs)))} | ${range(noop.map((s) => s.cpuMs))} ms | ${ms(median(noop.map((s) => s.mainThreadMs)))} | ${ms(median(noop.map((s) => s.wallMs)))} |`,
  `| One RSA-2048 key pair, native (for scale) | ${ms(median(single))} | ${range(single)} ms | – | – |`,
  '',
];
process.stdout.write(`${lines.join('\n')}\n`);
if (values.write) await writeBlock(values.write, 'pki', "PKI: one shoot's full credential set", lines.join('\n'));
