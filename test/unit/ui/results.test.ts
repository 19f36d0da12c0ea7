// The --json contract: every mutating command prints one of the documents of
// src/lib/ui/results.ts; scripts rely on their fields.
import assert from 'node:assert/strict';
import { RESULT_BASE_FIELDS, RESULT_FIELDS, resultProblems, shootResult, type GardenInitResult, type KubeconfigResult, type ProjectResult, type SeedResult } from '../../../src/lib/ui/results.ts';

describe('--json results', () => {
  it('say what was done, to which objects, with warnings and the duration', () => {
    assert.deepEqual(Object.keys(RESULT_BASE_FIELDS), ['action', 'change', 'objects', 'warnings', 'durationMs']);
  });

  it('of shoot operations carry the project, the shoot and its status, and keep the contract', () => {
    const r = shootResult('shoot reconcile', 'reconciled', 'dev', 'web', 1_000, { shoot: { status: { lastOperation: { state: 'Succeeded' } } }, warnings: ['w'] }, 4_500);
    assert.deepEqual(r, {
      action: 'shoot reconcile', change: 'reconciled', objects: ['shoot/dev/web'], warnings: ['w'], durationMs: 3_500,
      project: 'dev', shoot: 'web', status: { lastOperation: { state: 'Succeeded' } },
    });
    assert.deepEqual(resultProblems(JSON.parse(JSON.stringify(r))), []);
    assert.equal('status' in shootResult('shoot delete', 'deleted', 'dev', 'web', 0, { shoot: undefined }), false, 'no status after a delete');
  });

  it('are accepted for every command, as the types define them', () => {
    const base = { objects: [], warnings: [], durationMs: 1 };
    const samples = [
      { ...base, action: 'garden init', change: 'unchanged', server: 'https://x', changed: false, changes: [] } satisfies GardenInitResult,
      { ...base, action: 'project create', change: 'created', project: 'dev', namespace: 'garden-dev' } satisfies ProjectResult,
      { ...base, action: 'seed deregister', change: 'deleted', seed: 's', leftBehind: [] } satisfies SeedResult,
      { ...base, action: 'shoot kubeconfig', change: 'issued', project: 'p', shoot: 's', server: 'https://y', expiresAt: '2026-01-01T00:00:00Z' } satisfies KubeconfigResult,
    ];
    for (const s of samples) assert.deepEqual(resultProblems(s), [], s.action);
    assert.ok(Object.keys(RESULT_FIELDS).length >= 17);
  });

  it('are refused when a field is missing, mistyped, or the action or change is unknown', () => {
    assert.deepEqual(resultProblems([]), ['the result is array, not an object']);
    assert.deepEqual(resultProblems({ action: 'project create', change: 'created', objects: [], warnings: [], durationMs: 1, project: 'dev' }), ['namespace is undefined, not string']);
    assert.deepEqual(resultProblems({ action: 'shoot frobnicate', change: 'created', objects: [], warnings: [], durationMs: '1' }), [
      'durationMs is string, not number',
      'action "shoot frobnicate" is not a known command',
    ]);
    assert.deepEqual(resultProblems({ action: 'shoot wait', change: 'done', objects: [1], warnings: [], durationMs: 1, project: 'p', shoot: 's' }), [
      'change "done" is not one of created, updated, unchanged, deleted, deleting, started, reconciled, upgraded, hibernated, woken-up, rotated, issued, stopped',
      'objects holds a non-string',
    ]);
  });
});
