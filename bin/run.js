#!/usr/bin/env node
// Production entry point. kubegarden needs Node >= 22.18; when started by an
// older node and the project ships one in node_modules (npm's `node` package),
// commands run again under that one instead of failing on the first modern import.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = new URL('..', import.meta.url);
const argv = process.argv.slice(2);
const [major, minor] = process.versions.node.split('.').map(Number);
const tooOld = major < 22 || (major === 22 && minor < 18);
const bundled = fileURLToPath(new URL('node_modules/node/bin/node', root));
const useBundled = tooOld && existsSync(bundled) && process.execPath !== bundled;
if (tooOld && !useBundled) {
  process.stderr.write(`kubegarden needs Node.js >= 22.18 (this is ${process.version}): install a newer Node.js, or run 'npm install' in the kubegarden checkout to get one.\n`);
  process.exit(1);
}

// --version and the root help are answered from package.json and the oclif
// manifest, before any re-exec and without loading oclif.
const { fastPath } = await import('../dist/fast-path.js');
const nodeVersion = useBundled ? `v${JSON.parse(readFileSync(new URL('node_modules/node/package.json', root), 'utf8')).version}` : process.version;
const fast = fastPath(argv, root, { width: process.stdout.columns || 80, nodeVersion });
if (fast !== undefined) {
  process.stdout.write(fast);
} else if (useBundled) {
  const r = spawnSync(bundled, [fileURLToPath(import.meta.url), ...argv], { stdio: 'inherit' });
  process.exit(r.status ?? (r.signal ? 128 + 15 : 1));
} else {
  // Repeated runs skip recompiling kubegarden's and oclif's modules.
  const { enableCompileCache } = await import('node:module');
  enableCompileCache?.();
  // The common read commands run without loading oclif when their flags are plain.
  const { leanRun } = await import('../dist/lean.js');
  if (!(await leanRun(argv, root))) {
    const { main } = await import('../dist/main.js');
    await main(argv, root);
  }
}
