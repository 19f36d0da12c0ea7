// A few error types, each with a stable code that maps to an exit code, so
// that people read one sentence (what failed, for which object, what to do)
// and scripts can branch on the exit status. The cause is kept for --verbose.

export const ExitCode = {
  ok: 0,
  unexpected: 1,
  usage: 2,
  config: 3,
  notFound: 4,
  conflict: 5,
  timeout: 6,
  invalid: 7,
  partial: 8,
  unreachable: 9,
  forbidden: 10,
  aborted: 130,
} as const;

export type ErrorCode = keyof typeof ExitCode;

/** What each exit code means, for the README and `kubegarden help exit-codes`. */
export const EXIT_CODE_DOCS: ReadonlyArray<{ code: number; name: ErrorCode; meaning: string }> = [
  { code: 0, name: 'ok', meaning: 'Success.' },
  { code: 1, name: 'unexpected', meaning: 'Unexpected error: a bug in kubegarden; rerun with --verbose and report it.' },
  { code: 2, name: 'usage', meaning: 'Usage error: unknown flag, missing argument, or a flag value of the wrong form.' },
  { code: 3, name: 'config', meaning: 'Local configuration problem: kubeconfig missing or unreadable, unknown context, missing binary.' },
  { code: 4, name: 'notFound', meaning: 'A named object (project, seed, shoot, secret) does not exist.' },
  { code: 5, name: 'conflict', meaning: 'Conflict: the object exists, is in use, changed underneath us, or is locked by another operation.' },
  { code: 6, name: 'timeout', meaning: 'Timed out waiting for a condition; the operation may still complete, and a re-run resumes it.' },
  { code: 7, name: 'invalid', meaning: 'Refused by validation: the input breaks a rule (names, ranges, versions, sizes).' },
  { code: 8, name: 'partial', meaning: 'Partial failure: some steps succeeded, some failed; a re-run resumes.' },
  { code: 9, name: 'unreachable', meaning: 'A cluster could not be reached, or its TLS certificate could not be verified.' },
  { code: 10, name: 'forbidden', meaning: 'Authentication or authorization failed (401/403).' },
  { code: 130, name: 'aborted', meaning: 'Aborted by the user (Ctrl-C or a declined confirmation).' },
];

export interface ErrorOptions {
  /** What to do next, shown under the message. */
  hint?: string;
  cause?: unknown;
}

/** An error a user can fix: the message is the whole story. */
export class KubegardenError extends Error {
  readonly code: ErrorCode;
  readonly hint: string | undefined;

  constructor(code: ErrorCode, message: string, options: ErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'KubegardenError';
    this.code = code;
    this.hint = options.hint;
  }

  get exitCode(): number {
    return ExitCode[this.code];
  }
}

export function isKubegardenError(err: unknown): err is KubegardenError {
  return err instanceof KubegardenError;
}

export function notFound(message: string, options?: ErrorOptions): KubegardenError {
  return new KubegardenError('notFound', message, options);
}

export function invalid(message: string, options?: ErrorOptions): KubegardenError {
  return new KubegardenError('invalid', message, options);
}

export function conflict(message: string, options?: ErrorOptions): KubegardenError {
  return new KubegardenError('conflict', message, options);
}

export function configError(message: string, options?: ErrorOptions): KubegardenError {
  return new KubegardenError('config', message, options);
}
