// How an error becomes one sentence and an exit code (src/main.ts report):
// kubegarden's own errors keep their code, oclif's parse errors are usage
// errors, and anything else is a bug, exit 1, said so.
import assert from 'node:assert/strict';
import { report } from '../../../src/main.ts';
import { KubegardenError } from '../../../src/lib/ui/errors.ts';

async function captured(err: unknown, argv: string[] = []): Promise<{ code: number; stderr: string }> {
  const write = process.stderr.write.bind(process.stderr);
  let stderr = '';
  process.stderr.write = ((chunk: string) => {
    stderr += chunk;
    return true;
  }) as typeof process.stderr.write;
  try {
    return { code: await report(err, argv), stderr };
  } finally {
    process.stderr.write = write;
  }
}

describe('report: errors to sentences and exit codes', () => {
  it('1: an error kubegarden does not know is a bug, said in one sentence with what to do', async () => {
    const { code, stderr } = await captured(new TypeError('x.map is not a function'));
    assert.equal(code, 1);
    assert.match(stderr, /Unexpected error: x\.map is not a function/);
    assert.match(stderr, /This is a bug in kubegarden: rerun with --verbose/);
    assert.doesNotMatch(stderr, /at .*\.ts:\d+/, 'no stack without --verbose');
  });

  it('shows the stack of an unexpected error with --verbose', async () => {
    const { stderr } = await captured(new TypeError('boom'), ['--verbose']);
    assert.match(stderr, /TypeError: boom\n\s+at /);
  });

  it("keeps a KubegardenError's code: each code maps to its documented exit status", async () => {
    for (const [code, exit] of [['usage', 2], ['config', 3], ['notFound', 4], ['conflict', 5], ['timeout', 6], ['invalid', 7], ['partial', 8], ['unreachable', 9], ['forbidden', 10], ['aborted', 130]] as const) {
      assert.equal((await captured(new KubegardenError(code, 'Something.'))).code, exit, code);
    }
  });

  it("turns oclif's parse errors into one usage sentence, exit 2", async () => {
    const err = Object.assign(new Error('The following error occurred:\n  Missing required flag project\nSee more help with --help'), { oclif: { exit: 2 } });
    const { code, stderr } = await captured(err);
    assert.equal(code, 2);
    assert.match(stderr, /Missing required flag --project\./);
  });
});
