// Completion against a real garden: the hidden `__complete` command lists
// names from it, and the bash script, sourced into a real bash with
// COMP_WORDS set as a user's line, offers them.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmod, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { kubegarden, kubegardenOk } from '../../helpers/cli.ts';
import { putShoot, startBed, type Bed } from './bed.ts';

const devBin = fileURLToPath(new URL('../../../bin/dev.js', import.meta.url));

describe('shell completion (real CLI, real garden)', function () {
  this.timeout(120_000);
  let bed: Bed;
  let script: string;
  let wrapperDir: string;

  before(async () => {
    bed = await startBed();
    await kubegardenOk(['project', 'create', 'qa', ...bed.g]);
    await putShoot(bed.client, 'alpha');
    await putShoot(bed.client, 'beta');
    await putShoot(bed.client, 'other', undefined, 'qa');
    script = join(bed.garden.dir, 'kubegarden.bash');
    await writeFile(script, (await kubegardenOk(['completion', 'bash'])).stdout);
    // A "kubegarden" on PATH, as "npm link" puts it there.
    wrapperDir = bed.garden.dir;
    await writeFile(join(wrapperDir, 'kubegarden'), `#!/bin/sh\nexec "${process.execPath}" "${devBin}" "$@"\n`);
    await chmod(join(wrapperDir, 'kubegarden'), 0o755);
  });
  after(() => bed?.client.close());

  describe('__complete', () => {
    it('lists the shoots of a project, one a line', async () => {
      assert.equal((await kubegardenOk(['__complete', 'shoots', '-p', 'dev', ...bed.g])).stdout, 'alpha\nbeta\n');
      assert.equal((await kubegardenOk(['__complete', 'shoots', '-p', 'qa', ...bed.g])).stdout, 'other\n');
    });

    it('lists projects and seeds', async () => {
      assert.equal((await kubegardenOk(['__complete', 'projects', ...bed.g])).stdout, 'dev\nqa\n');
      assert.equal((await kubegardenOk(['__complete', 'seeds', ...bed.g])).stdout, 'local\n');
    });

    it('prints nothing, and no error, when the garden cannot be read', async () => {
      const r = await kubegarden(['__complete', 'projects', '--kubeconfig', '/nonexistent/kubeconfig']);
      assert.deepEqual([r.exitCode, r.stdout, r.stderr], [0, '', '']);
      const nobody = await bed.garden.userKubeconfig('nobody');
      const f = await kubegarden(['__complete', 'shoots', '-p', 'dev', '--kubeconfig', nobody]);
      assert.deepEqual([f.exitCode, f.stdout, f.stderr], [0, '', '']);
    });
  });

  describe('the bash script in a real bash', () => {
    const complete = (words: string[]): string[] => {
      const line = words.map((w) => `'${w}'`).join(' ');
      const out = execFileSync('bash', ['--norc', '--noprofile', '-c', `source '${script}'; COMP_WORDS=(${line}); COMP_CWORD=${words.length - 1}; _kubegarden; printf '%s\\n' "\${COMPREPLY[@]}"`], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { PATH: `${wrapperDir}:/usr/bin:/bin`, KUBECONFIG: bed.garden.kubeconfigPath, HOME: bed.garden.dir, CI: 'true' },
      });
      return out.split('\n').filter(Boolean);
    };

    it('completes shoot names of the project given with -p or --project', () => {
      assert.deepEqual(complete(['kubegarden', 'shoot', 'get', '-p', 'dev', '']), ['alpha', 'beta']);
      assert.deepEqual(complete(['kubegarden', 'shoot', 'delete', '--project', 'dev', 'a']), ['alpha']);
      assert.deepEqual(complete(['kubegarden', 'shoot', 'wait', '-p', 'qa', '']), ['other']);
      assert.deepEqual(complete(['kubegarden', 'shoot', 'get', '-p', 'dev', 'alpha', '']), [], 'only the first argument is a shoot');
    });

    it('completes project names after --project and seed names after --seed', () => {
      assert.deepEqual(complete(['kubegarden', 'shoot', 'list', '--project', '']), ['dev', 'qa']);
      assert.deepEqual(complete(['kubegarden', 'shoot', 'create', 'x', '--seed', '']), ['local']);
      assert.deepEqual(complete(['kubegarden', 'seed', 'get', '']), ['local']);
    });

    it('completes commands and flags from the manifest', () => {
      assert.deepEqual(complete(['kubegarden', 'shoot', 'ap']), ['apply']);
      assert.ok(complete(['kubegarden', 'shoot', 'wait', '--']).includes('--timeout'));
    });
  });
});
