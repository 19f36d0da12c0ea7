#!/usr/bin/env node
// Development entry point: runs the TypeScript sources directly, with Node's
// own type stripping (Node >= 22.18), without a build.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 18)) {
  const bundled = fileURLToPath(new URL('../node_modules/node/bin/node', import.meta.url));
  if (existsSync(bundled) && process.execPath !== bundled) {
    const r = spawnSync(bundled, [fileURLToPath(import.meta.url), ...process.argv.slice(2)], { stdio: 'inherit' });
    process.exit(r.status ?? 1);
  }
  process.stderr.write(`kubegarden needs Node.js >= 22.18 (this is ${process.version}).\n`);
  process.exit(1);
}

const argv = process.argv.slice(2);
const root = new URL('..', import.meta.url);
const { leanRun } = await import('../src/lean.ts');
if (!(await leanRun(argv, root))) {
  const { main } = await import('../src/main.ts');
  await main(argv, root, { development: true });
}
