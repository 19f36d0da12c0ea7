// What the benchmark scripts share: statistics, the machine they ran on, and
// writing their generated tables into docs/benchmarks.md between markers, so
// that the prose around a table (what it means, what was done) survives.
import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { cpus, platform, release, totalmem } from 'node:os';
import { promisify } from 'node:util';

export const run = promisify(execFile);

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  if (s.length === 0) return NaN;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

export const ms = (x: number): string => `${Math.round(x)} ms`;
export const sec = (x: number): string => `${(Math.max(0, x) / 1000).toFixed(1)} s`;

export function machine(): string {
  return `${cpus().length} cores (${cpus()[0]?.model.trim() ?? 'unknown CPU'}), ${Math.round(totalmem() / 2 ** 30)} GiB, ${platform()} ${release()}, Node ${process.version}`;
}

/**
 * Replaces the generated block `id` in file (between <!-- bench:id --> and
 * <!-- /bench:id -->); when the file has none, appends `## heading` with it.
 */
export async function writeBlock(file: string, id: string, heading: string, markdown: string): Promise<void> {
  const current = await readFile(file, 'utf8').catch(() => '# Benchmarks\n');
  const open = `<!-- bench:${id} -->`;
  const close = `<!-- /bench:${id} -->`;
  const block = `${open}\n${markdown.trim()}\n${close}`;
  const start = current.indexOf(open);
  const end = current.indexOf(close);
  const updated =
    start >= 0 && end > start
      ? `${current.slice(0, start)}${block}${current.slice(end + close.length)}`
      : `${current.trimEnd()}\n\n## ${heading}\n\n${block}\n`;
  await writeFile(file, updated);
}

export interface HyperfineResult {
  command: string;
  mean: number;
  median: number;
  min: number;
  max: number;
  stddev: number;
}

/** Runs hyperfine without a shell over the commands; times in milliseconds. */
export async function hyperfine(commands: readonly string[], options: { runs: number; warmup: number; env?: NodeJS.ProcessEnv }): Promise<HyperfineResult[]> {
  const exportFile = `/tmp/kubegarden-hyperfine-${process.pid}-${Date.now()}.json`;
  await run('hyperfine', ['-N', '--style', 'none', '--warmup', String(options.warmup), '--runs', String(options.runs), '--export-json', exportFile, ...commands], {
    env: options.env ?? process.env,
    maxBuffer: 64 << 20,
  });
  const parsed = JSON.parse(await readFile(exportFile, 'utf8')) as { results: HyperfineResult[] };
  return parsed.results.map((r) => ({ ...r, mean: r.mean * 1000, median: r.median * 1000, min: r.min * 1000, max: r.max * 1000, stddev: r.stddev * 1000 }));
}
