// Benchmark: start-up and listing at scale, side by side with kubectl, with
// hyperfine, against a fresh local garden.
//
//   node hack/bench-cli.ts [--runs 20] [--write docs/benchmarks.md]
//
// 1. Start-up: `kubegarden --version`, `--help` against `kubectl version
//    --client`; `kubegarden shoot list -A` and `seed list` against `kubectl get`
//    on a garden with 20 shoots; and which packages each command loads.
// 2. Scale: 2,000 shoots across 50 projects and 100 seeds, listed.
//
// Not a test: it asserts nothing. Targets are stated next to the figures.
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { API_VERSION, type Shoot } from '../src/lib/api/types.ts';
import { KubeClient, type KubeObject } from '../src/lib/kube/client.ts';
import { createProject } from '../src/lib/garden/projects.ts';
import { hyperfine, machine, ms, run, writeBlock, type HyperfineResult } from './bench-lib.ts';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '20' }, write: { type: 'string' } } });
const runs = Number(values.runs);
const bin = fileURLToPath(new URL('../bin/run.js', import.meta.url));
const kg = `${process.execPath} ${bin}`;
const dir = await mkdtemp(join(tmpdir(), 'kubegarden-bench-cli-'));
const env = { ...process.env, KUBEGARDEN_LOCAL_DIR: dir, KUBECONFIG: join(dir, 'kubeconfig'), NO_COLOR: '1', CI: 'true' };

/** The npm packages a command imports, read from a resolve hook. */
function packagesLoaded(args: string[]): string[] {
  const hook = `data:text/javascript,import { registerHooks } from 'node:module'; registerHooks({ resolve(s, c, next) { const r = next(s, c); const m = /node_modules\\/((?:@[^/]+\\/)?[^/]+)/.exec(r.url); if (m) process.stderr.write('PKG ' + m[1] + '\\n'); return r; } });`;
  const r = spawnSync(process.execPath, ['--import', hook, bin, ...args], { env, encoding: 'utf8' });
  return [...new Set([...r.stderr.matchAll(/^PKG (.+)$/gm)].map((m) => m[1]!))];
}

const HEAVY = ['@oclif/core', '@kubernetes/client-node', 'listr2', '@inquirer/prompts', 'node-forge', 'execa', 'yaml', 'chalk'];

async function populate(garden: KubeClient, template: Shoot, projects: number, perProject: number, seeds: number): Promise<void> {
  const objects: Array<{ obj: KubeObject; status?: unknown }> = [];
  for (let p = 0; p < projects; p++) {
    const project = `p${String(p).padStart(2, '0')}`;
    await createProject(garden, project);
    for (let i = 0; i < perProject; i++) {
      const name = `s${String(i).padStart(3, '0')}`;
      const shoot = { ...template, metadata: { name, namespace: `garden-${project}`, labels: { 'kubegarden.io/project': project } } } as unknown as KubeObject;
      objects.push({ obj: shoot, status: template.status });
    }
  }
  const seed = await garden.get<KubeObject & { spec: unknown; status?: unknown }>({ apiVersion: API_VERSION, kind: 'Seed', name: 'local' });
  for (let i = 1; i < seeds; i++) {
    objects.push({ obj: { apiVersion: API_VERSION, kind: 'Seed', metadata: { name: `seed-${String(i).padStart(3, '0')}` }, spec: seed!.spec } as KubeObject, status: seed!.status });
  }
  let next = 0;
  const worker = async () => {
    while (next < objects.length) {
      const { obj, status } = objects[next++]!;
      await garden.apply(obj);
      if (status) await garden.applyStatus({ ...obj, status } as KubeObject);
    }
  };
  await Promise.all(Array.from({ length: 16 }, worker));
}

const row = (label: string, r: HyperfineResult, reference?: HyperfineResult, target?: number) => {
  const ratio = reference ? r.median / reference.median : undefined;
  const verdict = ratio === undefined || target === undefined ? '' : ratio <= target ? `met (≤ ${target}×)` : `**missed** (target ≤ ${target}×)`;
  return `| ${label} | ${ms(r.median)} | ${ms(r.min)}–${ms(r.max)} | ${ratio === undefined ? '–' : `${ratio.toFixed(2)}×`} | ${verdict} |`;
};

async function main(): Promise<string> {
  await run(process.execPath, [bin, 'local', 'up', '--quiet'], { env });
  const garden = await KubeClient.connect({ kubeconfig: env.KUBECONFIG }, 'the local garden');
  try {
    const { stdout } = await run(process.execPath, [bin, 'shoot', 'create', 'template', '-p', 'local', '--provider', 'local', '--dry-run', '-o', 'json'], { env });
    const template = JSON.parse(stdout) as Shoot;
    template.status = {
      seedName: template.spec.seedName,
      lastOperation: { type: 'Create', state: 'Succeeded', progress: 100, description: 'Shoot is ready.', lastUpdateTime: new Date().toISOString() },
    } as Shoot['status'];
    // 20 shoots in the project "local": the garden a user has on a normal day.
    for (let i = 0; i < 20; i++) {
      const shoot = { ...template, metadata: { name: `d${String(i).padStart(2, '0')}`, namespace: 'garden-local', labels: { 'kubegarden.io/project': 'local' } } } as unknown as KubeObject;
      await garden.apply(shoot);
      await garden.applyStatus({ ...shoot, status: template.status } as KubeObject);
    }
    const startup = await hyperfine(
      ['node -e 0', 'kubectl version --client', `${kg} --version`, `${kg} --help`, 'kubectl get shoots -A', `${kg} shoot list -A`, 'kubectl get seeds', `${kg} seed list`].map((c) =>
        c.startsWith('node ') ? `${process.execPath}${c.slice(4)}` : c,
      ),
      { runs, warmup: 5, env },
    );
    const [floor, kubectlVersion, version, help, kubectlShoots, shootList, kubectlSeeds, seedList] = startup;
    const loads = Object.fromEntries(
      [['--version'], ['--help'], ['shoot', 'list', '-A'], ['seed', 'list']].map((a) => [a.join(' '), packagesLoaded(a).filter((p) => HEAVY.includes(p))]),
    );

    const populateStart = performance.now();
    await populate(garden, template, 50, 40, 100);
    const populateMs = performance.now() - populateStart;
    const scale = await hyperfine([`${kg} shoot list -A`, `${kg} shoot list -A -o json`, `${kg} seed list`, 'kubectl get shoots -A', 'kubectl get seeds'], { runs: Math.max(5, Math.round(runs / 2)), warmup: 2, env });
    const [bigList, bigJson, bigSeeds, bigKubectl, bigKubectlSeeds] = scale as HyperfineResult[];

    return [
      `Measured with \`npm run bench\` (hyperfine ${(await run('hyperfine', ['--version'])).stdout.trim().split(' ')[1]}, ${runs} runs after 5 warm-ups, medians) on ${machine()}, against a fresh \`local up\` garden. \`kubegarden\` is \`node bin/run.js\` under that Node; kubectl ${(await run('kubectl', ['version', '--client', '-o', 'json'])).stdout.match(/"gitVersion": "([^"]+)"/)?.[1] ?? ''}.`,
      '',
      '### Start-up',
      '',
      '| Command | Median | Range | Ratio to kubectl | Target |',
      '| --- | --- | --- | --- | --- |',
      row('`node -e 0` (the floor)', floor!),
      row('`kubectl version --client`', kubectlVersion!),
      row('`kubegarden --version`', version!, kubectlVersion, 1.5),
      row('`kubegarden --help`', help!, kubectlVersion, 1.5),
      row('`kubectl get shoots -A` (20 shoots)', kubectlShoots!),
      row('`kubegarden shoot list -A` (20 shoots)', shootList!, kubectlShoots, 2),
      row('`kubectl get seeds`', kubectlSeeds!),
      row('`kubegarden seed list`', seedList!, kubectlSeeds, 2),
      '',
      'Packages a command imports, of those that cost the most to load (@oclif/core, @kubernetes/client-node, listr2, @inquirer/prompts, node-forge, execa, yaml, chalk):',
      '',
      ...Object.entries(loads).map(([cmd, pkgs]) => `- \`kubegarden ${cmd}\`: ${pkgs.length ? pkgs.join(', ') : 'none of them'}`),
      '',
      '### Listing at scale',
      '',
      `2,000 shoots in 50 projects (40 each) and 100 seeds, written in ${(populateMs / 1000).toFixed(1)} s through the API. Target: each list under 1 s.`,
      '',
      '| Command | Median | Range | Target |',
      '| --- | --- | --- | --- |',
      ...[
        ['`kubegarden shoot list -A` (2,000 shoots, table)', bigList!],
        ['`kubegarden shoot list -A -o json` (2,000 shoots)', bigJson!],
        ['`kubegarden seed list` (100 seeds)', bigSeeds!],
        ['`kubectl get shoots -A` (2,000 shoots, for reference)', bigKubectl!],
        ['`kubectl get seeds` (100 seeds, for reference)', bigKubectlSeeds!],
      ].map(([label, r]) => {
        const res = r as HyperfineResult;
        const target = String(label).startsWith('`kubegarden') ? (res.median < 1000 ? 'met (< 1 s)' : '**missed** (< 1 s)') : '–';
        return `| ${String(label)} | ${ms(res.median)} | ${ms(res.min)}–${ms(res.max)} | ${target} |`;
      }),
    ].join('\n');
  } finally {
    garden.close();
    await run(process.execPath, [bin, 'local', 'down', '--purge'], { env }).catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
  }
}

const section = await main();
process.stdout.write(`${section}\n`);
if (values.write) await writeBlock(values.write, 'cli', 'Start-up and listing at scale', section);
