// The lean parser stands in for oclif's on the read commands: whatever it
// accepts it must parse exactly as oclif does, and whatever it is unsure of
// it leaves to oclif. Checked against oclif's own parser on the real commands.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Parser } from '@oclif/core';
import { findCommand, parseArgv, type ManifestCommand } from '../../../src/lean/argv.ts';

const manifest = JSON.parse(readFileSync(new URL('../../../oclif.manifest.json', import.meta.url), 'utf8')) as { commands: Record<string, ManifestCommand> };

const samples: Record<string, string[][]> = {
  'shoot:list': [[], ['-A'], ['--all-projects'], ['-p', 'dev'], ['-pdev'], ['--project=dev', '-o', 'json'], ['-ojson', '-A'], ['-o', 'wide', '--verbose'], ['--kubeconfig', '/k', '--context', 'c', '-A'], ['--non-interactive', '-A', '-o', 'name']],
  'seed:list': [[], ['-o', 'yaml'], ['--output=name'], ['--kubeconfig=/k']],
  'project:list': [[], ['-o', 'json']],
  'shoot:get': [['demo', '-p', 'dev'], ['-p', 'dev', 'demo', '-o', 'json'], ['demo']],
  'seed:get': [['local'], ['local', '-o', 'yaml']],
};

const refused: Record<string, string[][]> = {
  'shoot:list': [['--help'], ['-h'], ['--unknown'], ['-o', 'xml'], ['-o'], ['-Ao', 'json'], ['extra'], ['--', '-A'], ['--all-projects=true']],
  'shoot:get': [['a', 'b']],
};

async function commandClass(id: string) {
  const mod = (await import(`../../../src/commands/${id.split(':').join('/')}.ts`)) as { default: { flags: never; args: never } };
  return mod.default;
}

const defined = (o: Record<string, unknown>) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));

describe('the lean argv parser (read commands without oclif)', () => {
  for (const [id, cases] of Object.entries(samples)) {
    for (const argv of cases) {
      it(`parses "${id.replace(':', ' ')} ${argv.join(' ')}" as oclif does`, async () => {
        const command = manifest.commands[id]!;
        const lean = parseArgv(command, argv);
        assert.ok(lean, 'the lean parser takes it');
        const C = await commandClass(id);
        const oclif = await Parser.parse(argv, { flags: C.flags, args: C.args, strict: true });
        assert.deepEqual(defined(lean.flags), defined(oclif.flags as Record<string, unknown>));
        assert.deepEqual(defined(lean.args), defined(oclif.args as Record<string, unknown>));
      });
    }
  }

  for (const [id, cases] of Object.entries(refused)) {
    for (const argv of cases) {
      it(`leaves "${id.replace(':', ' ')} ${argv.join(' ')}" to oclif`, () => {
        assert.equal(parseArgv(manifest.commands[id]!, argv), undefined);
      });
    }
  }

  it('finds the command by the longest id the leading words name', () => {
    const ids = Object.keys(manifest.commands);
    assert.deepEqual(findCommand(['shoot', 'list', '-A'], ids), { id: 'shoot:list', rest: ['-A'] });
    assert.deepEqual(findCommand(['shoot', 'get', 'demo'], ids), { id: 'shoot:get', rest: ['demo'] });
    assert.equal(findCommand(['--verbose', 'shoot', 'list'], ids), undefined);
    assert.equal(findCommand(['nothing'], ids), undefined);
  });
});
