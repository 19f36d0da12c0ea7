import { strict as assert } from 'node:assert';
import { configError, conflict, EXIT_CODE_DOCS, ExitCode, invalid, isKubegardenError, KubegardenError, notFound, type ErrorCode } from '../../../src/lib/ui/errors.ts';

describe('exit codes', () => {
  it('are unique, so a script can tell every kind of failure apart', () => {
    const codes = Object.values(ExitCode);
    assert.equal(new Set(codes).size, codes.length);
  });

  it('are all documented, each with the number it really exits with', () => {
    assert.deepEqual(
      EXIT_CODE_DOCS.map((d) => [d.name, d.code]),
      Object.entries(ExitCode),
    );
    assert.equal(new Set(EXIT_CODE_DOCS.map((d) => d.code)).size, EXIT_CODE_DOCS.length);
  });

  it('document each code with a sentence', () => {
    for (const doc of EXIT_CODE_DOCS) assert.match(doc.meaning, /^[A-Z].*\.$/, doc.name);
  });

  it('are 0 for success, 1 for a bug, 2 for usage and 130 for an abort, as shells expect', () => {
    assert.equal(ExitCode.ok, 0);
    assert.equal(ExitCode.unexpected, 1);
    assert.equal(ExitCode.usage, 2);
    assert.equal(ExitCode.aborted, 130);
  });
});

describe('KubegardenError', () => {
  it('exits with the code of its kind', () => {
    for (const [code, exit] of Object.entries(ExitCode) as Array<[ErrorCode, number]>) {
      assert.equal(new KubegardenError(code, 'x').exitCode, exit, code);
    }
  });

  it('keeps the message, the hint and the cause', () => {
    const cause = new Error('ENOENT');
    const err = new KubegardenError('config', 'No kubeconfig found.', { hint: 'Pass --kubeconfig.', cause });
    assert.equal(err.message, 'No kubeconfig found.');
    assert.equal(err.hint, 'Pass --kubeconfig.');
    assert.equal(err.cause, cause);
    assert.equal(err.name, 'KubegardenError');
    assert.ok(err instanceof Error);
  });

  it('has no hint and no cause unless given', () => {
    const err = new KubegardenError('invalid', 'Bad.');
    assert.equal(err.hint, undefined);
    assert.equal('cause' in err, false);
  });

  it('is recognised by isKubegardenError, and plain errors are not', () => {
    assert.equal(isKubegardenError(new KubegardenError('timeout', 'x')), true);
    assert.equal(isKubegardenError(new Error('x')), false);
    assert.equal(isKubegardenError('x'), false);
  });
});

describe('error constructors', () => {
  it('make errors of their kind with their exit code', () => {
    assert.equal(notFound('Seed "x" not found.').exitCode, 4);
    assert.equal(conflict('Locked.').exitCode, 5);
    assert.equal(invalid('Bad.').exitCode, 7);
    assert.equal(configError('No kubeconfig.').exitCode, 3);
    assert.equal(invalid('Bad.', { hint: 'Fix it.' }).hint, 'Fix it.');
  });
});
