#!/usr/bin/env node
// Production entry point. kubegarden needs Node >= 22.18; when started by an
// older node and the project ships one in node_modules (npm's `node` package),
// run again under that one instead of failing on the first modern import.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 18)) {
  const bundled = fileURLToPath(new URL('../node_modules/node/bin/node', import.meta.url));
  if (existsSync(bundled) && process.execPath !== bundled) {
    const r = spawnSync(bundled, [fileURLToPath(import.meta.url), ...process.argv.slice(2)], { stdio: 'inherit' });
    process.exit(r.status ?? (r.signal ? 128 + 15 : 1));
  }
  process.stderr.write(`kubegarden needs Node.js >= 22.18 (this is ${process.version}): install a newer Node.js, or run 'npm install' in the kubegarden checkout to get one.\n`);
  process.exit(1);
}

const { main } = await import('../dist/main.js');
await main(process.argv.slice(2), new URL('..', import.meta.url));
