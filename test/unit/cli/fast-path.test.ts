// `--version` and the root help are answered without loading oclif: they must
// say what oclif would say, from the same package.json and manifest.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { fastPath } from '../../../src/fast-path.ts';

const root = new URL('../../../', import.meta.url);
const pjson = JSON.parse(readFileSync(new URL('package.json', root), 'utf8')) as { version: string; oclif: { topics: Record<string, { description: string }> } };
const manifest = JSON.parse(readFileSync(new URL('oclif.manifest.json', root), 'utf8')) as { commands: Record<string, { hidden?: boolean }> };

describe('the fast path for --version and the root help', () => {
  it('answers --version with the package version, platform and the Node.js that runs commands', () => {
    assert.equal(fastPath(['--version'], root, { nodeVersion: 'v24.0.0' }), `kubegarden/${pjson.version} ${process.platform}-${process.arch} node-v24.0.0\n`);
  });

  it('lists every topic and every visible top-level command in the root help, for no arguments, --help, -h and help', () => {
    for (const argv of [[], ['--help'], ['-h'], ['help']]) {
      const help = fastPath(argv, root);
      assert.ok(help, `answers ${JSON.stringify(argv)}`);
      assert.match(help, /^USAGE\n {2}\$ kubegarden \[COMMAND\]$/m);
      for (const topic of Object.keys(pjson.oclif.topics)) assert.match(help, new RegExp(`^ {2}${topic} `, 'm'), `topic ${topic}`);
      for (const [id, cmd] of Object.entries(manifest.commands)) {
        if (cmd.hidden || id.includes(':') || pjson.oclif.topics[id]) continue;
        assert.match(help, new RegExp(`^ {2}${id} `, 'm'), `command ${id}`);
      }
    }
  });

  it('keeps lines within the terminal width', () => {
    const help = fastPath(['--help'], root, { width: 60 })!;
    for (const line of help.split('\n')) assert.ok(line.length <= 60, `"${line}" is ${line.length} wide`);
  });

  it('leaves everything else to oclif', () => {
    for (const argv of [['shoot'], ['shoot', 'list'], ['--help', 'shoot'], ['help', 'exit-codes'], ['version'], ['--verbose']]) {
      assert.equal(fastPath(argv, root), undefined, JSON.stringify(argv));
    }
  });

  it('is what bin/run.js prints, without importing oclif (needs the build, as npm test makes it)', () => {
    const hook = `data:text/javascript,import { registerHooks } from 'node:module'; registerHooks({ resolve(s, c, next) { if (s.includes('@oclif')) process.stderr.write('LOADED ' + s + '\\n'); return next(s, c); } });`;
    for (const argv of [['--version'], ['--help']]) {
      const r = spawnSync(process.execPath, ['--import', hook, fileURLToPath(new URL('bin/run.js', root)), ...argv], { encoding: 'utf8', env: { ...process.env, COLUMNS: '' } });
      assert.equal(r.status, 0, r.stderr);
      assert.equal(r.stderr, '', 'nothing from oclif was imported');
      assert.equal(r.stdout, fastPath(argv, root, { width: 80 }));
    }
  });
});
