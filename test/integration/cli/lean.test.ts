// The lean path (src/lean.ts) answers the common read commands without
// loading oclif. It must be invisible: for every form of these commands,
// stdout, stderr and the exit code are those of the oclif command, errors
// included; and it must really skip oclif.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { kubegarden } from '../../helpers/cli.ts';
import { operation, putShoot, startBed, type Bed } from './bed.ts';

describe('the lean read path (real CLI, real garden)', function () {
  this.timeout(120_000);
  let bed: Bed;

  before(async () => {
    bed = await startBed();
    await putShoot(bed.client, 'web', { lastOperation: operation('Create', 'Succeeded', 100, 'Shoot is ready.') });
    await putShoot(bed.client, 'api', { lastOperation: operation('Create', 'Error', 40, 'Creating the network with Terraform failed.') });
  });
  after(() => bed?.client.close());

  const forms = (): string[][] => [
    ['shoot', 'list', '-p', 'dev'],
    ['shoot', 'list', '-A', '-o', 'json'],
    ['shoot', 'list', '--all-projects', '--output=yaml'],
    ['shoot', 'list', '-A', '-o', 'name'],
    ['shoot', 'list', '-pdev', '--json'],
    ['shoot', 'list'],
    ['shoot', 'list', '-p', 'nope'],
    ['shoot', 'get', 'api', '-p', 'dev'],
    ['shoot', 'get', 'web', '-p', 'dev', '-o', 'json'],
    ['shoot', 'get', 'missing', '-p', 'dev'],
    ['shoot', 'get', 'BAD_NAME', '-p', 'dev'],
    ['seed', 'list'],
    ['seed', 'list', '-o', 'json'],
    ['seed', 'get', 'local', '-o', 'yaml'],
    ['seed', 'get', 'nope'],
    ['project', 'list', '-o', 'name'],
    ['project', 'list', '--verbose'],
    ['shoot', 'list', '-A', '--kubeconfig', '/nonexistent/kubeconfig'],
    ['shoot', 'list', '-o', 'xml'],
    ['shoot', 'list', '--help'],
  ];

  it('prints what oclif prints, errors and exit codes included, for every form', async () => {
    for (const form of forms()) {
      const args = form.includes('--kubeconfig') ? form : [...form, ...bed.g];
      const lean = await kubegarden(args);
      const oclif = await kubegarden(args, { env: { KUBEGARDEN_NO_LEAN: '1' } });
      // AGE columns may tick between the two runs; compare the rest.
      const steady = (s: string) => s.replace(/\b\d+s\b/g, 'Ns').replace(/\(\d+ms\)/g, '(Nms)');
      assert.equal(lean.exitCode, oclif.exitCode, `exit code of ${form.join(' ')}`);
      assert.equal(steady(lean.stdout), steady(oclif.stdout), `stdout of ${form.join(' ')}`);
      assert.equal(steady(lean.stderr), steady(oclif.stderr), `stderr of ${form.join(' ')}`);
    }
  });

  it('does not import oclif for them, nor the Kubernetes client, listr2, inquirer or node-forge; and does import oclif for anything else', () => {
    const hook = `data:text/javascript,import { registerHooks } from 'node:module'; registerHooks({ resolve(s, c, next) { if (/^(@oclif\\/|@kubernetes\\/client-node|listr2|@inquirer\\/|node-forge)/.test(s)) process.stderr.write('HEAVY ' + s + '\\n'); return next(s, c); } });`;
    const run = (args: string[]) =>
      spawnSync(process.execPath, ['--import', hook, fileURLToPath(new URL('../../../bin/dev.js', import.meta.url)), ...args], {
        encoding: 'utf8',
        env: { ...process.env, CI: 'true', NO_COLOR: '1', KUBEGARDEN_CONFIG: '/nonexistent/config.yaml' },
      });
    for (const args of [['shoot', 'list', '-A'], ['seed', 'list'], ['project', 'list'], ['shoot', 'get', 'web', '-p', 'dev'], ['seed', 'get', 'local']]) {
      const r = run([...args, ...bed.g]);
      assert.equal(r.status, 0, r.stderr);
      assert.doesNotMatch(r.stderr, /HEAVY/, `${args.join(' ')} loaded what it does not use`);
    }
    assert.match(run(['shoot', 'list', '--help']).stderr, /HEAVY @oclif\/core/);
  });
});
