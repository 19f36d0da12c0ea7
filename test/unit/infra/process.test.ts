import { strict as assert } from 'node:assert';
import { runProcess } from '../../../src/lib/infra/process.ts';
import { makeRedactor, REDACTED, secretFragments } from '../../../src/lib/infra/redact.ts';

const KEY = JSON.stringify({
  type: 'service_account',
  project_id: 'acme',
  private_key: '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\nBKcwggSjAgEAAoIBAQC7\n-----END PRIVATE KEY-----\n',
});

describe('redacting credentials', () => {
  it('hides whole values, their lines, and the strings inside JSON values', () => {
    const redact = makeRedactor(['s3cr3t-token', KEY]);
    assert.equal(redact('token=s3cr3t-token!'), `token=${REDACTED}!`);
    assert.equal(redact('  MIIEvQIBADANBgkqhkiG9w0BAQEFAASC'), `  ${REDACTED}`);
    assert.ok(!redact(`key: ${KEY}`).includes('BKcwggSjAgEAAoIBAQC7'));
  });

  it('leaves short values alone rather than shredding every line', () => {
    assert.deepEqual(secretFragments(['ab']), []);
  });
});

describe('running a terraform-like process', () => {
  const env = { PATH: process.env.PATH ?? '/usr/bin:/bin' };

  it('streams every line, redacted, and keeps the redacted output', async () => {
    const lines: string[] = [];
    const result = await runProcess('/bin/sh', ['-c', 'echo "token is hunter22-secret"; echo oops >&2; exit 3'], {
      cwd: '/',
      env,
      redact: makeRedactor(['hunter22-secret']),
      onLine: (line) => lines.push(line),
      graceMs: 1000,
    });
    assert.deepEqual(lines, [`token is ${REDACTED}`, 'oops']);
    assert.equal(result.exitCode, 3);
    assert.equal(result.output, `token is ${REDACTED}\noops`);
    assert.ok(!result.stdout.includes('hunter22'));
  });

  it('stops on abort with one SIGINT, so Terraform can release its lock', async () => {
    const controller = new AbortController();
    const lines: string[] = [];
    const script = 'trap "echo interrupted; exit 1" INT; echo ready; while :; do sleep 0.1; done';
    const running = runProcess('/bin/sh', ['-c', script], {
      cwd: '/',
      env,
      redact: (line) => line,
      onLine: (line) => {
        lines.push(line);
        if (line === 'ready') controller.abort();
      },
      signal: controller.signal,
      graceMs: 5000,
    });
    const result = await running;
    assert.equal(result.canceled, true);
    assert.ok(lines.includes('interrupted'), `the process did not see SIGINT: ${lines.join('|')}`);
  });

  it('kills what ignores SIGINT once the grace period is over', async () => {
    const controller = new AbortController();
    const started = Date.now();
    const running = runProcess('/bin/sh', ['-c', 'trap "" INT; echo ready; sleep 30'], {
      cwd: '/',
      env,
      redact: (line) => line,
      onLine: () => controller.abort(),
      signal: controller.signal,
      graceMs: 300,
    });
    const result = await running;
    assert.equal(result.canceled, true);
    assert.ok(Date.now() - started < 10_000, 'the process outlived its grace period');
  });
});
