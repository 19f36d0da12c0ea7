// Completion scripts are generated from the commands in the manifest; each
// must be valid in its shell. bash is always here; zsh and fish are checked
// when the machine has them.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { argKind, completionScript, SHELLS, type CompletionCommand } from '../../../src/lib/ui/completion.ts';

const manifest = JSON.parse(readFileSync(new URL('../../../oclif.manifest.json', import.meta.url), 'utf8')) as { commands: Record<string, CompletionCommand> };
const commands = Object.values(manifest.commands);
const dir = mkdtempSync(join(tmpdir(), 'kubegarden-completion-'));
// A clean environment: no BASH_ENV or rc files of the machine's user.
const env = { PATH: process.env['PATH'] ?? '/usr/bin:/bin' };
const has = (shell: string) => spawnSync('sh', ['-c', `command -v ${shell}`], { env }).status === 0;

function checkSyntax(shell: string, script: string): void {
  const file = join(dir, `script.${shell}`);
  writeFileSync(file, script);
  const args = shell === 'fish' ? ['--no-execute', file] : shell === 'bash' ? ['--norc', '--noprofile', '-n', file] : ['-n', file];
  const r = spawnSync(shell, args, { encoding: 'utf8', env, stdio: ['ignore', 'pipe', 'pipe'] });
  assert.equal(r.status, 0, `${shell} rejects the script: ${r.stderr}`);
}

/** Runs the bash function with COMP_WORDS as a user's line, with no kubegarden to call. */
function complete(script: string, words: string[]): string[] {
  const file = join(dir, 'complete.bash');
  writeFileSync(file, script);
  const line = words.map((w) => `'${w}'`).join(' ');
  const out = execFileSync('bash', ['--norc', '--noprofile', '-c', `source ${file}; COMP_WORDS=(${line}); COMP_CWORD=${words.length - 1}; _kubegarden; printf '%s\\n' "\${COMPREPLY[@]}"`], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { PATH: '/usr/bin:/bin' }, // no kubegarden here: names complete to nothing
  });
  return out.split('\n').filter(Boolean);
}

describe('shell completion scripts', () => {
  for (const shell of SHELLS) {
    it(`for ${shell} ${has(shell) ? 'are valid ' + shell : 'are generated (' + shell + ' is not installed here, so its syntax is not checked)'}`, function () {
      const script = completionScript(shell, 'kubegarden', commands);
      assert.match(script, /kubegarden/);
      assert.match(script, /__complete/);
      if (has(shell)) checkSyntax(shell, script);
    });
  }

  it('complete topics, commands, flags and flag choices from the manifest', () => {
    const script = completionScript('bash', 'kubegarden', commands);
    assert.ok(complete(script, ['kubegarden', '']).includes('shoot'));
    assert.deepEqual(complete(script, ['kubegarden', 'shoot', 'wa']), ['wait', 'wake-up']);
    assert.deepEqual(complete(script, ['kubegarden', 'shoot', 'wait', '--fo']), ['--for']);
    assert.deepEqual(complete(script, ['kubegarden', 'shoot', 'wait', 'demo', '--for', '']), ['ready', 'deleted']);
    assert.deepEqual(complete(script, ['kubegarden', 'completion', '']), ['bash', 'zsh', 'fish']);
    assert.deepEqual(complete(script, ['kubegarden', 'shoot', 'get', '-o', 'j']), ['json']);
  });

  it('name what an argument completes to: shoots, projects or seeds', () => {
    assert.equal(argKind('shoot:get'), 'shoots');
    assert.equal(argKind('shoot:create'), undefined);
    assert.equal(argKind('project:delete'), 'projects');
    assert.equal(argKind('seed:deregister'), 'seeds');
  });
});
