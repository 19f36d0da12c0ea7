// Benchmark: `kubegarden shoot create` on the local provider. For each N
// (default 1, 5, 10, 20), a fresh local garden, then N shoots created at once
// on its one seed: wall time per shoot, split into kubegarden's own CPU and
// waiting, and the API requests one create makes, counted from the audit logs
// of the garden/seed API server and of the shoot's own API server.
//
//   node hack/bench-create.ts [--concurrent 1,5,10,20] [--write docs/benchmarks.md]
//
// Not a test: it asserts nothing.
import { readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { machine, median, run, sec, writeBlock } from './bench-lib.ts';

const { values } = parseArgs({ options: { concurrent: { type: 'string', default: '1,5,10,20' }, write: { type: 'string' } } });
const counts = values.concurrent.split(',').map(Number);
const bin = fileURLToPath(new URL('../bin/run.js', import.meta.url));

interface Timed {
  wallMs: number;
  cpuMs: number;
}

interface Round {
  n: number;
  totalMs: number;
  creates: Timed[];
  reconcile: Timed;
  /** Requests of all N creates, by "VERB resource", from the garden/seed audit log. */
  garden: Map<string, number>;
  /** Requests of all N creates to their shoots' API servers. */
  shoot: Map<string, number>;
  /** GETs of the same object more than once within one create, summed over the creates. */
  repeatedGets: number;
  /** Server-side time of all those requests, garden/seed and shoots, summed over the creates. */
  apiMs: number;
  /** Requests of Terraform's kubernetes state backend (state Secret, lock Lease), all N creates. */
  terraform: number;
}

/** Runs the CLI under /usr/bin/time to get its own user+system CPU time (Terraform included). */
async function timed(env: NodeJS.ProcessEnv, cliArgs: string[]): Promise<Timed> {
  const started = performance.now();
  const { stderr } = await run('/usr/bin/time', ['-f', 'BENCH-CPU %U %S', process.execPath, bin, ...cliArgs], { env, maxBuffer: 64 << 20 });
  const wallMs = performance.now() - started;
  const m = /BENCH-CPU ([\d.]+) ([\d.]+)/.exec(stderr);
  return { wallMs, cpuMs: m ? (Number(m[1]) + Number(m[2])) * 1000 : NaN };
}

interface AuditEvent {
  verb: string;
  userAgent?: string;
  requestURI: string;
  objectRef?: { resource?: string; subresource?: string; name?: string; namespace?: string };
  requestReceivedTimestamp?: string;
  stageTimestamp?: string;
}

/** Server-side time of the requests, received to response complete, summed. */
const apiMs = (events: AuditEvent[]) =>
  events.reduce((sum, e) => sum + (e.requestReceivedTimestamp && e.stageTimestamp ? Date.parse(e.stageTimestamp) - Date.parse(e.requestReceivedTimestamp) : 0), 0);

async function auditEvents(file: string): Promise<AuditEvent[]> {
  const text = await readFile(file, 'utf8').catch(() => '');
  return text
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as AuditEvent);
}

async function findFiles(dir: string, name: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await findFiles(path, name)));
    else if (entry.name === name) out.push(path);
  }
  return out;
}

function tally(events: AuditEvent[], into: Map<string, number>): void {
  for (const e of events) {
    const resource = e.objectRef?.resource ? `${e.objectRef.resource}${e.objectRef.subresource ? `/${e.objectRef.subresource}` : ''}` : e.requestURI.split('?')[0]!;
    const key = `${e.verb} ${resource}`;
    into.set(key, (into.get(key) ?? 0) + 1);
  }
}

const byCreate = (e: AuditEvent) => /^kubegarden\/\S+ \(shoot create\)/.test(e.userAgent ?? '');

async function round(n: number): Promise<Round> {
  const dir = join(tmpdir(), `kubegarden-bench-${process.pid}-${n}`);
  const audit = join(dir, 'garden-audit.log');
  const env = { ...process.env, KUBEGARDEN_LOCAL_DIR: dir, KUBECONFIG: join(dir, 'kubeconfig'), KUBEGARDEN_LOCAL_AUDIT_LOG: audit, CI: 'true', NO_COLOR: '1' };
  await run(process.execPath, [bin, 'local', 'up', '--quiet'], { env });
  try {
    const started = performance.now();
    const creates = await Promise.all(
      Array.from({ length: n }, (_, i) => timed(env, ['shoot', 'create', `b${i}`, '-p', 'local', '--provider', 'local', '--quiet', '--timeout', '30m'])),
    );
    const totalMs = performance.now() - started;
    await new Promise((r) => setTimeout(r, 2000)); // the audit backends write in batches
    const allGarden = await auditEvents(audit);
    const gardenEvents = allGarden.filter(byCreate);
    const terraform = allGarden.filter((e) => /Terraform/i.test(e.userAgent ?? '')).length;
    const shootEvents = (await Promise.all((await findFiles(dir, 'audit.log')).map(auditEvents))).flat().filter(byCreate);
    const garden = new Map<string, number>();
    const shoot = new Map<string, number>();
    tally(gardenEvents, garden);
    tally(shootEvents, shoot);
    // The same object read again within one create: its namespace tells the shoot apart.
    const gets = new Map<string, number>();
    for (const e of gardenEvents.filter((e) => e.verb === 'get')) {
      const key = `${e.requestURI.split('?')[0]}`;
      gets.set(key, (gets.get(key) ?? 0) + 1);
    }
    const repeatedGets = [...gets.values()].reduce((a, c) => a + Math.max(0, c - 1), 0);
    const reconcile = await timed(env, ['shoot', 'reconcile', 'b0', '-p', 'local', '--quiet']);
    return { n, totalMs, creates, reconcile, garden, shoot, repeatedGets, apiMs: apiMs(gardenEvents) + apiMs(shootEvents), terraform };
  } finally {
    await run(process.execPath, [bin, 'local', 'down', '--purge'], { env }).catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
  }
}

const sum = (m: Map<string, number>) => [...m.values()].reduce((a, b) => a + b, 0);

async function main(): Promise<string> {
  const rounds: Round[] = [];
  for (const n of counts) {
    process.stderr.write(`N=${n}…\n`);
    rounds.push(await round(n));
  }
  const one = rounds[0]!;
  const top = (m: Map<string, number>, n: number) =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 12)
      .map(([k, v]) => `${k} ${(v / n).toFixed(1).replace(/\.0$/, '')}`)
      .join(', ');
  return [
    `Measured with \`npm run bench\` (\`node hack/bench-create.ts --concurrent ${counts.join(',')}\`) on ${machine()}. For each N a fresh \`local up\`, then N \`shoot create\` at once on its one seed, one pool with one simulated machine per shoot. kubegarden CPU is each CLI process's user+system time (\`/usr/bin/time\`, including the Terraform runs it waited for); waiting is the rest of its wall time: etcd, kube-apiserver and the other processes starting on the seed, Terraform, the machine joining. API requests are counted from the audit logs (User-Agent \`kubegarden/… (shoot create)\`): the garden/seed API server's (\`KUBEGARDEN_LOCAL_AUDIT_LOG\`) and each shoot's own; API server time is the sum of their server-side durations (received to response complete).`,
    '',
    '| N at once | All N done | Per shoot (median) | kubegarden CPU per shoot (median) | Waiting per shoot (median) | API requests per create: garden+seed / shoot | API server time per create |',
    '| --- | --- | --- | --- | --- | --- | --- |',
    ...rounds.map(
      (r) =>
        `| ${r.n} | ${sec(r.totalMs)} | ${sec(median(r.creates.map((c) => c.wallMs)))} | ${sec(median(r.creates.map((c) => c.cpuMs)))} | ${sec(median(r.creates.map((c) => c.wallMs - c.cpuMs)))} | ${Math.round(sum(r.garden) / r.n)} / ${Math.round(sum(r.shoot) / r.n)} | ${sec(r.apiMs / r.n)} |`,
    ),
    '',
    `A reconcile of a healthy shoot (changes nothing), after the N=${one.n} round: ${sec(one.reconcile.wallMs)} wall, ${sec(one.reconcile.cpuMs)} CPU.`,
    '',
    `Requests of one create (N=${one.n}), most frequent first — garden and seed: ${top(one.garden, one.n)}; the shoot's API server: ${top(one.shoot, one.n)}. Reads of an object already read in the same create: ${one.repeatedGets}. Terraform's state backend adds ${Math.round(one.terraform / one.n)} requests per create (its own User-Agent: the state Secret and its lock Lease in the seed).`,
  ].join('\n');
}

const section = await main();
process.stdout.write(`${section}\n`);
if (values.write) await writeBlock(values.write, 'create', 'Shoot create on the local provider', section);
