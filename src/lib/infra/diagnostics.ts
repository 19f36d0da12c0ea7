// Reads Terraform's human output: the summaries of its "Error:" diagnostics,
// the state lock's details, the change counts; and turns a failed run into one
// sentence for people, with the whole (already redacted) output as the cause.
import { KubegardenError } from '../ui/errors.ts';
import type { ErrorCode } from '../ui/errors.ts';

/** The summary line of each "Error:" diagnostic, in order, without repeats. */
export function errorSummaries(output: string): string[] {
  const summaries: string[] = [];
  for (const line of output.split(/\r?\n/)) {
    // With -no-color the line starts with "Error: "; with colour off in older
    // versions a diagnostic box prefixes it with "│ ".
    const m = /^(?:[│|╷]\s*)?Error: (.+?)\s*$/.exec(line);
    if (m?.[1] && !summaries.includes(m[1])) summaries.push(m[1]);
  }
  return summaries;
}

export interface LockInfo {
  id: string;
  operation: string;
  /** user@host of the process that holds the lock. */
  who: string;
  version: string;
  created: Date | undefined;
  /** As Terraform printed it. */
  createdText: string;
}

export const LOCK_ERROR = 'Error acquiring the state lock';

export function isLockError(output: string): boolean {
  return output.includes(LOCK_ERROR);
}

/** The "Lock Info:" block Terraform prints when the state is locked. */
export function parseLockInfo(output: string): LockInfo | undefined {
  const start = output.indexOf('Lock Info:');
  if (start < 0) return undefined;
  const fields = new Map<string, string>();
  for (const line of output.slice(start).split(/\r?\n/).slice(1, 10)) {
    const m = /^\s*(ID|Path|Operation|Who|Version|Created|Info):\s*(.*?)\s*$/.exec(line);
    if (m?.[1]) fields.set(m[1], m[2] ?? '');
  }
  const id = fields.get('ID');
  if (!id) return undefined;
  const createdText = fields.get('Created') ?? '';
  return {
    id,
    operation: fields.get('Operation') ?? '',
    who: fields.get('Who') ?? '',
    version: fields.get('Version') ?? '',
    created: parseGoTime(createdText),
    createdText,
  };
}

/** Go's time.Time String(): "2026-11-25 02:02:14.280367358 +0000 UTC". */
function parseGoTime(text: string): Date | undefined {
  const m = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2})(\.\d+)? ([+-]\d{2})(\d{2})/.exec(text);
  if (!m) return undefined;
  const fraction = m[3] ? m[3].slice(0, 4) : '';
  const date = new Date(`${m[1]}T${m[2]}${fraction}${m[4]}:${m[5]}`);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

export interface ChangeSummary {
  added: number;
  changed: number;
  destroyed: number;
}

/** "Apply complete! Resources: 1 added, 0 changed, 0 destroyed." / "Destroy complete! Resources: 4 destroyed." */
export function parseApplySummary(output: string): ChangeSummary | undefined {
  const apply = /Resources: (\d+) added, (\d+) changed, (\d+) destroyed/.exec(output);
  if (apply) return { added: Number(apply[1]), changed: Number(apply[2]), destroyed: Number(apply[3]) };
  const destroy = /Destroy complete! Resources: (\d+) destroyed/.exec(output);
  if (destroy) return { added: 0, changed: 0, destroyed: Number(destroy[1]) };
  return undefined;
}

/** "Plan: 1 to add, 0 to change, 0 to destroy." */
export function parsePlanSummary(output: string): ChangeSummary | undefined {
  const m = /Plan: (\d+) to add, (\d+) to change, (\d+) to destroy/.exec(output);
  return m ? { added: Number(m[1]), changed: Number(m[2]), destroyed: Number(m[3]) } : undefined;
}

export type TerraformOperation = 'init' | 'plan' | 'apply' | 'destroy' | 'output' | 'validate' | 'force-unlock' | 'state-push';

const VERBS: Record<TerraformOperation, string> = {
  init: 'initialise the state backend and providers',
  plan: 'plan the infrastructure',
  apply: 'apply the infrastructure',
  destroy: 'destroy the infrastructure',
  output: 'read the infrastructure outputs',
  validate: 'validate the Terraform configuration',
  'force-unlock': 'release the state lock',
  'state-push': 'save the unsaved state',
};

/** Terraform could not release its state lock (it then exits non-zero, leaving the Lease behind). */
export function lockLeftBehind(output: string): boolean {
  return /Error releasing the state lock/i.test(output);
}

const AUTH = /\b(401|403)\b|Unauthorized|Forbidden|AuthFailure|InvalidClientTokenId|SignatureDoesNotMatch|UnrecognizedClientException|invalid_grant|AADSTS\d+|could not find default credentials|No valid credential sources|Authentication failed|authentication required/i;
const UNREACHABLE = /connection refused|no such host|i\/o timeout|x509: |certificate signed by unknown authority|TLS handshake timeout|network is unreachable/i;
const NO_NAMESPACE = /namespaces "[^"]+" not found/;
/** Terraform's own words when its state backend (the seed's API server) failed it. */
const STATE_BACKEND = /Failed to (?:load|save|persist|read|write) state|Failed to get existing workspaces|Error (?:acquiring|releasing) the state lock|Error loading state|Failed to (?:lock|unlock) state/i;
/** Network failures that go away by themselves (a restarting API server), unlike a wrong address or an untrusted certificate. */
const TRANSIENT_NETWORK = /connection refused|connection reset by peer|i\/o timeout|TLS handshake timeout|network is unreachable|unexpected EOF/i;
const PLUGINS = /Failed to query available provider packages|Failed to install provider|Incompatible provider version|could not connect to registry|Could not retrieve the list of available versions|Failed to load plugin schemas|missing or corrupted provider plugins/i;

export interface FailureContext {
  operation: TerraformOperation;
  /** e.g. "shoot garden-dev/web" */
  target: string;
  output: string;
  exitCode: number | undefined;
  signal: string | undefined;
  canceled: boolean;
}

/** One sentence that says what failed, for which shoot, and what Terraform said. */
export function translateFailure(context: FailureContext): KubegardenError {
  const { operation, target, output } = context;
  const verb = VERBS[operation];
  const cause = new Error(output === '' ? `terraform ${operation} produced no output` : output);
  const verbose = 'Run again with --verbose to see Terraform\'s full output.';

  if (context.canceled) {
    return new KubegardenError('aborted', `Stopped Terraform while it was trying to ${verb} of ${target}.`, {
      hint: 'Terraform was asked to stop gracefully and to release its state lock; run the command again to continue.',
      cause,
    });
  }
  if (context.exitCode === undefined) {
    return new KubegardenError('partial', `Terraform was killed (${context.signal ?? 'signal'}) while trying to ${verb} of ${target}.`, {
      hint: 'Run the command again: it recovers the state lock a killed Terraform left behind.',
      cause,
    });
  }

  const lock = isLockError(output) ? parseLockInfo(output) : undefined;
  if (lock) return lockedError(target, lock, cause);

  const summaries = errorSummaries(output);
  const said = summaries.length > 0 ? `${summaries.map(clause).join('; ')}.` : `it exited with status ${context.exitCode}.`;
  const message = `Terraform could not ${verb} of ${target}: ${said}`;
  let code: ErrorCode = operation === 'apply' || operation === 'destroy' ? 'partial' : 'invalid';
  let hint = operation === 'apply' || operation === 'destroy' ? `Some resources may have changed; fix the cause and run again to resume. ${verbose}` : verbose;
  if (PLUGINS.test(output)) {
    code = 'config';
    hint = `Terraform could not install a provider plugin: give it network access to the registry, or a plugin directory (--plugin-dir or the KUBEGARDEN_TF_PLUGIN_DIR environment variable). ${verbose}`;
  } else if (NO_NAMESPACE.test(output)) {
    code = 'notFound';
    hint = 'The Terraform state lives in the shoot\'s namespace in its seed: create the namespace first.';
  } else if (AUTH.test(output)) {
    code = 'forbidden';
    hint = `Check the shoot's cloud credentials (or, for the state, the seed's kubeconfig). ${verbose}`;
  } else if (UNREACHABLE.test(output)) {
    code = 'unreachable';
    hint = `Check that the seed's API server (which holds the Terraform state) and the cloud's API are reachable. ${verbose}`;
    const network = TRANSIENT_NETWORK.exec(output)?.[0];
    if (STATE_BACKEND.test(output) && network) {
      // Terraform's sentence here is a URL and a chain of dial errors: say what it means.
      return new KubegardenError(code, `Terraform could not ${verb} of ${target}: the seed's API server, which holds its state, did not answer (${network}).`, {
        hint: `It may be restarting: run the command again once the seed answers. ${verbose}`,
        cause,
      });
    }
  }
  return new KubegardenError(code, message, { hint, cause });
}

/**
 * A Terraform run that failed only because the seed's API server, which holds
 * the state, did not answer for a moment (connection refused or reset while it
 * restarts): safe and worth running again. A cloud API that does not answer,
 * or a certificate the seed's kubeconfig does not trust, is not.
 */
export function isStateBackendOutage(error: unknown): boolean {
  if (!(error instanceof KubegardenError) || error.code !== 'unreachable') return false;
  const output = error.cause instanceof Error ? error.cause.message : '';
  return STATE_BACKEND.test(output) && TRANSIENT_NETWORK.test(output) && !/x509: |certificate signed by unknown authority/.test(output);
}

export function lockedError(target: string, lock: LockInfo, cause?: unknown): KubegardenError {
  const since = lock.created ? lock.created.toISOString() : lock.createdText || 'an unknown time';
  return new KubegardenError(
    'conflict',
    `The Terraform state of ${target} is locked by another operation (lock ${lock.id}, ${describeOperation(lock.operation)} by ${lock.who || 'an unknown user'} since ${since}).`,
    {
      hint: `Wait for that operation to finish and run again; if no Terraform process works on this shoot any more, release the lock ${lock.id} (force-unlock) and run again.`,
      cause,
    },
  );
}

function describeOperation(operation: string): string {
  const m = /^OperationType(\w+)$/.exec(operation);
  return m?.[1] ? m[1].toLowerCase() : operation || 'an operation';
}

function clause(text: string): string {
  return text.trim().replace(/[.!]+$/, '');
}
