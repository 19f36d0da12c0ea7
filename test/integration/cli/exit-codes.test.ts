// One table: every documented exit code, provoked through the real CLI
// against a real garden (kube-apiserver + etcd) — what a script branching on
// $? would see.
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { EXIT_CODE_DOCS } from '../../../src/lib/ui/errors.ts';
import { renderKubeconfig } from '../../../src/lib/kube/kubeconfig.ts';
import { freePort } from '../../../src/lib/local/ports.ts';
import { createCA } from '../../../src/lib/pki/primitives.ts';
import { kubegarden } from '../../helpers/cli.ts';
import { holdLock, operation, putShoot, startBed, type Bed } from './bed.ts';

const bin = fileURLToPath(new URL('../../../bin/dev.js', import.meta.url));

describe('exit codes, one per documented code (real CLI, real garden)', function () {
  this.timeout(120_000);
  let bed: Bed;
  const tested = new Set<number>();
  const expectExit = async (code: number, args: string[], stderr?: RegExp) => {
    const r = await kubegarden(args);
    assert.equal(r.exitCode, code, `kubegarden ${args.join(' ')}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
    if (stderr) assert.match(r.stderr, stderr);
    if (code !== 0) assert.equal(r.stdout, '', 'errors never reach stdout');
    tested.add(code);
    return r;
  };

  before(async () => {
    bed = await startBed();
    await putShoot(bed.client, 'ready', {
      lastOperation: operation('Create', 'Succeeded', 100, 'Shoot is ready.'),
      observedGeneration: 1,
      conditions: [{ type: 'APIServerAvailable', status: 'True', lastTransitionTime: new Date().toISOString() }],
    });
    await putShoot(bed.client, 'slow', { lastOperation: operation('Create', 'Processing', 40, 'Waiting for kube-apiserver.') });
    await putShoot(bed.client, 'broken', {
      lastOperation: operation('Create', 'Error', 60, 'Worker pools failed.'),
      lastErrors: [{ description: 'terraform apply of the worker pools failed: quota exceeded', step: 'workers', lastUpdateTime: new Date().toISOString() }],
    });
    await putShoot(bed.client, 'locked');
    await holdLock(bed.client, 'dev', 'locked', 'alice@elsewhere pid 4242 (Reconcile)');
  });
  after(() => bed?.client.close());

  it('0: success — shoot wait on a ready shoot, and on a shoot that is gone', async () => {
    await expectExit(0, ['shoot', 'wait', 'ready', '-p', 'dev', '--for', 'ready', ...bed.g], /Shoot "dev\/ready" is ready/);
    await expectExit(0, ['shoot', 'wait', 'never-was', '-p', 'dev', '--for', 'deleted', ...bed.g], /is gone/);
  });

  // 1 (unexpected) is a bug by definition, and each one found is fixed: test/unit/cli/report.test.ts
  // checks that an error kubegarden does not know becomes exit 1 with the "bug" sentence.
  it('7, not 1: a manifest whose worker pools are not a list is refused, naming the field', async () => {
    const file = join(bed.garden.dir, 'odd-shoot.yaml');
    await writeFile(file, 'apiVersion: kubegarden.io/v1alpha1\nkind: Shoot\nmetadata:\n  name: odd\nspec:\n  provider:\n    type: local\n    workers: abc\n');
    await expectExit(7, ['shoot', 'create', '-p', 'dev', '-f', file, '--dry-run', ...bed.g], /spec\.provider\.workers \(a list, not a string\)/);
  });

  it('2: usage — an unknown flag', async () => {
    await expectExit(2, ['project', 'list', '--frobnicate', ...bed.g], /frobnicate/);
  });

  it('3: config — a kubeconfig that does not exist', async () => {
    await expectExit(3, ['project', 'list', '--kubeconfig', '/nonexistent/kubeconfig'], /does not exist/);
  });

  it('4: not found — a shoot that does not exist', async () => {
    await expectExit(4, ['shoot', 'get', 'nope', '-p', 'dev', ...bed.g], /Shoot "dev\/nope" does not exist/);
  });

  it('5: conflict — the shoot is locked by another operation', async () => {
    await expectExit(5, ['shoot', 'reconcile', 'locked', '-p', 'dev', '--quiet', ...bed.g], /locked by alice@elsewhere pid 4242 \(Reconcile\)/);
  });

  it('6: timeout — shoot wait --timeout 1s on a shoot still being created', async () => {
    const r = await expectExit(6, ['shoot', 'wait', 'slow', '-p', 'dev', '--for', 'ready', '--timeout', '1s', ...bed.g], /Timed out after 1s waiting for shoot "dev\/slow" to be ready/);
    assert.match(r.stderr, /waiting for shoot "dev\/slow" to be ready: Create Processing 40% — Waiting for kube-apiserver\./, 'progress names the operation');
  });

  it('7: invalid — a project name that breaks the naming rules', async () => {
    await expectExit(7, ['project', 'create', 'Bad_Name', ...bed.g]);
  });

  it('8: partial — shoot wait on a shoot whose last operation ended in Error and is not being retried', async () => {
    await expectExit(8, ['shoot', 'wait', 'broken', '-p', 'dev', ...bed.g], /ended in state Error and nobody is running it again: terraform apply of the worker pools failed: quota exceeded \(step workers\)/);
  });

  it('9: unreachable — a garden whose API server does not answer', async () => {
    const dead = join(bed.garden.dir, 'dead.kubeconfig');
    const ca = createCA({ commonName: 'x', lifetimeSeconds: 3600 });
    await writeFile(dead, renderKubeconfig({ name: 'dead', server: `https://127.0.0.1:${await freePort()}`, caPem: ca.certPem, user: { token: 'x' } }));
    await expectExit(9, ['project', 'list', '--kubeconfig', dead]);
  });

  it('10: forbidden — a user without RBAC in the garden', async () => {
    const nobody = await bed.garden.userKubeconfig('nobody');
    await expectExit(10, ['shoot', 'list', '-p', 'dev', '--kubeconfig', nobody], /nobody/);
  });

  it('130: aborted — Ctrl-C (SIGINT) during shoot wait', async () => {
    const child = execa(process.execPath, [bin, 'shoot', 'wait', 'slow', '-p', 'dev', '--timeout', '10m', ...bed.g], {
      reject: false,
      stdin: 'ignore',
      env: { NO_COLOR: '1', CI: 'true', KUBECONFIG: '/nonexistent/kubeconfig' },
    });
    await new Promise<void>((resolve, reject) => {
      let seen = '';
      child.stderr!.on('data', (chunk: Buffer) => {
        seen += chunk.toString();
        if (seen.includes('waiting for shoot "dev/slow"')) resolve();
      });
      void child.then((r) => reject(new Error(`shoot wait ended before it was interrupted: ${r.exitCode} ${String(r.stderr)}`)));
    });
    child.kill('SIGINT');
    const r = await child;
    assert.equal(r.exitCode, 130, String(r.stderr));
    assert.match(String(r.stderr), /Aborted while waiting for shoot "dev\/slow" to be ready/);
    tested.add(130);
  });

  it('a failed operation that another process runs again is waited for, not failed fast', async () => {
    await holdLock(bed.client, 'dev', 'broken', 'bob@elsewhere pid 7 (Reconcile)');
    const r = await kubegarden(['shoot', 'wait', 'broken', '-p', 'dev', '--timeout', '3s', ...bed.g]);
    assert.equal(r.exitCode, 6, r.stderr);
    assert.match(r.stderr, /bob@elsewhere pid 7 \(Reconcile\) runs it again/);
    await bed.client.delete({ apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', name: 'shoot-broken-lock', namespace: 'garden-dev' });
  });

  it('are listed by "kubegarden help exit-codes", and "help COMMAND" is that command\'s --help', async () => {
    const r = await kubegarden(['help', 'exit-codes']);
    assert.equal(r.exitCode, 0, r.stderr);
    for (const d of EXIT_CODE_DOCS) assert.match(r.stdout, new RegExp(`^ +${d.code}  ${d.name} `, 'm'));
    const h = await kubegarden(['help', 'shoot', 'wait']);
    assert.equal(h.exitCode, 0, h.stderr);
    assert.match(h.stdout, /Wait until a shoot is ready, or gone\./);
  });

  it('covers every documented exit code (1, a bug by definition, in test/unit/cli/report.test.ts)', () => {
    assert.deepEqual([...tested, 1].sort((a, b) => a - b), EXIT_CODE_DOCS.map((d) => d.code));
  });
});
