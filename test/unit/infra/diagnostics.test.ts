import { strict as assert } from 'node:assert';
import { errorSummaries, isStateBackendOutage, parseApplySummary, parseLockInfo, parsePlanSummary, translateFailure } from '../../../src/lib/infra/diagnostics.ts';

const LOCKED = `Acquiring state lock. This may take a few moments...

Error: Error acquiring the state lock

Error message: the state is already locked by another terraform client
Lock Info:
  ID:        10fed9c5-c441-f1de-ad8f-45bc8b1c065c
  Path:      
  Operation: OperationTypeApply
  Who:       root@vm
  Version:   1.11.4
  Created:   2026-11-25 02:02:14.280367358 +0000 UTC
  Info:      


Terraform acquires a state lock to protect the state from being written
by multiple users at the same time.`;

const TWO_ERRORS = `Planning failed.

╷
│ Error: Invalid value for variable
│ 
│   on variables.tf line 12:
╵
╷
│ Error: Unsupported argument
╵
Error: Invalid value for variable`;

describe('reading Terraform\'s output', () => {
  it('finds each error summary once, with or without the diagnostic box', () => {
    assert.deepEqual(errorSummaries(TWO_ERRORS), ['Invalid value for variable', 'Unsupported argument']);
  });

  it('reads the lock that blocks a run', () => {
    const lock = parseLockInfo(LOCKED);
    assert.ok(lock);
    assert.equal(lock.id, '10fed9c5-c441-f1de-ad8f-45bc8b1c065c');
    assert.equal(lock.who, 'root@vm');
    assert.equal(lock.operation, 'OperationTypeApply');
    assert.equal(lock.created?.toISOString(), '2026-11-25T02:02:14.280Z');
  });

  it('counts the changes of plans, applies and destroys', () => {
    assert.deepEqual(parseApplySummary('Apply complete! Resources: 4 added, 1 changed, 0 destroyed.'), { added: 4, changed: 1, destroyed: 0 });
    assert.deepEqual(parseApplySummary('Destroy complete! Resources: 5 destroyed.'), { added: 0, changed: 0, destroyed: 5 });
    assert.deepEqual(parsePlanSummary('Plan: 1 to add, 0 to change, 2 to destroy.'), { added: 1, changed: 0, destroyed: 2 });
  });
});

describe('translating Terraform failures', () => {
  const base = { target: 'shoot dev/web', exitCode: 1, signal: undefined, canceled: false };

  it('names the lock, its holder and its age in one sentence (conflict)', () => {
    const err = translateFailure({ ...base, operation: 'apply', output: LOCKED });
    assert.equal(err.code, 'conflict');
    assert.equal(err.message, 'The Terraform state of shoot dev/web is locked by another operation (lock 10fed9c5-c441-f1de-ad8f-45bc8b1c065c, apply by root@vm since 2026-11-25T02:02:14.280Z).');
    assert.match(err.hint ?? '', /force-unlock/);
    assert.equal((err.cause as Error).message, LOCKED);
  });

  it('summarises the Error: lines and keeps the whole output as the cause', () => {
    const err = translateFailure({ ...base, operation: 'plan', output: TWO_ERRORS });
    assert.equal(err.message, 'Terraform could not plan the infrastructure of shoot dev/web: Invalid value for variable; Unsupported argument.');
    assert.equal((err.cause as Error).message, TWO_ERRORS);
  });

  it('tells a failed apply from a failed plan: some resources may have changed', () => {
    assert.equal(translateFailure({ ...base, operation: 'apply', output: 'Error: boom' }).code, 'partial');
  });

  it('points at the plugin directory when a provider cannot be installed', () => {
    const err = translateFailure({ ...base, operation: 'init', output: 'Error: Failed to query available provider packages' });
    assert.equal(err.code, 'config');
    assert.match(err.hint ?? '', /KUBEGARDEN_TF_PLUGIN_DIR/);
  });

  it('reports credentials and reachability problems with their own codes', () => {
    assert.equal(translateFailure({ ...base, operation: 'plan', output: 'Error: retrieving account: InvalidClientTokenId: 403' }).code, 'forbidden');
    assert.equal(translateFailure({ ...base, operation: 'init', output: 'Error: dial tcp 127.0.0.1:6443: connect: connection refused' }).code, 'unreachable');
  });

  it('says when the shoot\'s namespace is missing in the seed', () => {
    const err = translateFailure({ ...base, operation: 'init', output: 'Error: Error loading state: namespaces "shoot--dev--web" not found' });
    assert.equal(err.code, 'notFound');
    assert.equal(err.message, 'Terraform could not initialise the state backend and providers of shoot dev/web: Error loading state: namespaces "shoot--dev--web" not found.');
  });

  it('says so when the user stopped it, or when it was killed', () => {
    assert.equal(translateFailure({ ...base, operation: 'apply', output: '', canceled: true }).code, 'aborted');
    const killed = translateFailure({ ...base, operation: 'apply', output: '', exitCode: undefined, signal: 'SIGKILL' });
    assert.equal(killed.code, 'partial');
    assert.match(killed.message, /killed \(SIGKILL\)/);
  });
});

describe('a seed that did not answer Terraform for a moment', () => {
  const base = { target: 'shoot local/o1', exitCode: 1, signal: undefined, canceled: false };
  // As terraform 1.11 printed it while the local seed's kube-apiserver restarted.
  const REFUSED =
    'Error: Failed to get existing workspaces: Get "https://127.0.0.1:41437/api/v1/namespaces/shoot--local--o1/secrets?labelSelector=tfstate%3Dtrue": dial tcp 127.0.0.1:41437: connect: connection refused';
  const RESET =
    'Error: Failed to load state: Get "https://127.0.0.1:41437/api/v1/namespaces/shoot--local--o1/secrets": dial tcp 127.0.0.1:41437: connect: connection refused - error from a previous attempt: read tcp 127.0.0.1:41690->127.0.0.1:41437: read: connection reset by peer';

  it('says so in one short sentence, and is worth running again', () => {
    const err = translateFailure({ ...base, operation: 'init', output: REFUSED });
    assert.equal(err.code, 'unreachable');
    assert.equal(err.message, "Terraform could not initialise the state backend and providers of shoot local/o1: the seed's API server, which holds its state, did not answer (connection refused).");
    assert.equal((err.cause as Error).message, REFUSED);
    assert.equal(isStateBackendOutage(err), true);
    assert.equal(isStateBackendOutage(translateFailure({ ...base, operation: 'output', output: RESET })), true);
  });

  it('is not worth running again when the cloud does not answer, the certificate is not trusted, or the error is not a network one', () => {
    const cloud = translateFailure({
      ...base,
      operation: 'apply',
      output: 'Error: Retrieving AWS account details: validating provider credentials: retrieving caller identity from STS: dial tcp: lookup sts.eu-west-1.amazonaws.com: no such host',
    });
    assert.equal(cloud.code, 'unreachable');
    assert.equal(isStateBackendOutage(cloud), false);
    const untrusted = translateFailure({ ...base, operation: 'init', output: 'Error: Failed to get existing workspaces: Get "https://10.0.0.1:6443/": x509: certificate signed by unknown authority' });
    assert.equal(isStateBackendOutage(untrusted), false);
    assert.equal(isStateBackendOutage(translateFailure({ ...base, operation: 'apply', output: 'Error: invalid AWS Region: mars-north-1' })), false);
    assert.equal(isStateBackendOutage(new Error('connection refused')), false);
  });
});
