// The --json contract of the mutating commands: each prints exactly one of
// these documents on stdout, and nothing else (progress stays on stderr).
// Scripts may rely on every field here; add fields, never rename or drop one.
// test/unit/ui/results.test.ts checks the shapes.

/** What every result says: which command did what to which objects, and how long it took. */
export interface ResultBase<A extends string = string> {
  /** The command, e.g. "shoot create". */
  action: A;
  /** What happened: created, updated, unchanged, deleted, started (in the background), ... */
  change: ResultChange;
  /** The objects acted on, kubectl style: "shoot/<project>/<name>", "seed/<name>", "project/<name>". */
  objects: string[];
  warnings: string[];
  durationMs: number;
}

export const RESULT_CHANGES = ['created', 'updated', 'unchanged', 'deleted', 'deleting', 'started', 'reconciled', 'upgraded', 'hibernated', 'woken-up', 'rotated', 'issued', 'stopped'] as const;
export type ResultChange = (typeof RESULT_CHANGES)[number];

/** A shoot's status as results carry it (the Shoot's own status, verbatim). */
export type ShootStatusDoc = Record<string, unknown>;

export interface GardenInitResult extends ResultBase<'garden init'> {
  server: string;
  changed: boolean;
  changes: Array<{ kind: string; name: string; change: string }>;
}

export interface ProjectResult extends ResultBase<'project create' | 'project delete'> {
  project: string;
  namespace: string;
}

export interface SeedResult extends ResultBase<'seed register' | 'seed deregister'> {
  seed: string;
  kubernetesVersion?: string;
  leftBehind?: string[];
}

export interface LocalResult extends ResultBase<'local up' | 'local down'> {
  kubeconfig?: string;
  stopped?: string[];
  purged?: boolean;
}

export type ShootAction =
  | 'shoot create'
  | 'shoot apply'
  | 'shoot delete'
  | 'shoot reconcile'
  | 'shoot upgrade'
  | 'shoot hibernate'
  | 'shoot wake-up'
  | 'shoot rotate-credentials'
  | 'shoot wait';

export interface ShootResult extends ResultBase<ShootAction> {
  project: string;
  shoot: string;
  /** The Shoot's status after the operation; absent after a delete. */
  status?: ShootStatusDoc;
  /** With --no-wait: the background process and its log. */
  pid?: number;
  logFile?: string;
}

export interface KubeconfigResult extends ResultBase<'shoot kubeconfig'> {
  project: string;
  shoot: string;
  server: string;
  expiresAt: string;
  /** Where it was written (--output-file). */
  file?: string;
  /** The kubeconfig itself, only with --print. */
  kubeconfig?: string;
}

export type CommandResult = GardenInitResult | ProjectResult | SeedResult | LocalResult | ShootResult | KubeconfigResult;

/** The fields every result has, with their JSON types: the contract the unit test checks. */
export const RESULT_BASE_FIELDS = { action: 'string', change: 'string', objects: 'array', warnings: 'array', durationMs: 'number' } as const;

/** A ShootResult from a command's outcome. */
export function shootResult(
  action: ShootAction,
  change: ResultChange,
  project: string,
  name: string,
  startedAt: number,
  outcome: { shoot?: { status?: unknown } | undefined; warnings?: readonly string[] } = {},
  now = Date.now(),
): ShootResult {
  const status = outcome.shoot?.status as ShootStatusDoc | undefined;
  return {
    action,
    change,
    objects: [`shoot/${project}/${name}`],
    warnings: [...(outcome.warnings ?? [])],
    durationMs: Math.max(0, now - startedAt),
    project,
    shoot: name,
    ...(status ? { status } : {}),
  };
}

type FieldType = 'string' | 'number' | 'boolean' | 'array' | 'object';

const SHOOT_FIELDS = { project: 'string', shoot: 'string' } as const;

/** The fields each action's result must have beyond the base ones: the contract at run time (every action listed, by the type). */
export const RESULT_FIELDS: Record<CommandResult['action'], Readonly<Record<string, FieldType>>> = {
  'garden init': { server: 'string', changed: 'boolean', changes: 'array' },
  'project create': { project: 'string', namespace: 'string' },
  'project delete': { project: 'string', namespace: 'string' },
  'seed register': { seed: 'string', kubernetesVersion: 'string' },
  'seed deregister': { seed: 'string', leftBehind: 'array' },
  'local up': { kubeconfig: 'string' },
  'local down': { stopped: 'array', purged: 'boolean' },
  'shoot create': SHOOT_FIELDS,
  'shoot apply': SHOOT_FIELDS,
  'shoot delete': SHOOT_FIELDS,
  'shoot reconcile': SHOOT_FIELDS,
  'shoot upgrade': SHOOT_FIELDS,
  'shoot hibernate': SHOOT_FIELDS,
  'shoot wake-up': SHOOT_FIELDS,
  'shoot rotate-credentials': SHOOT_FIELDS,
  'shoot wait': SHOOT_FIELDS,
  'shoot kubeconfig': { ...SHOOT_FIELDS, server: 'string', expiresAt: 'string' },
};

function typeOf(v: unknown): FieldType | 'null' | 'undefined' {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v as FieldType | 'undefined';
}

/** What is wrong with a parsed --json document, as sentences; empty when it keeps the contract. */
export function resultProblems(doc: unknown): string[] {
  if (typeOf(doc) !== 'object') return [`the result is ${typeOf(doc)}, not an object`];
  const d = doc as Record<string, unknown>;
  const problems: string[] = [];
  const check = (fields: Readonly<Record<string, FieldType>>) => {
    for (const [k, t] of Object.entries(fields)) if (typeOf(d[k]) !== t) problems.push(`${k} is ${typeOf(d[k])}, not ${t}`);
  };
  check(RESULT_BASE_FIELDS);
  if (typeof d['action'] === 'string') {
    const extra = (RESULT_FIELDS as Record<string, Readonly<Record<string, FieldType>>>)[d['action']];
    if (extra) check(extra);
    else problems.push(`action "${d['action']}" is not a known command`);
  }
  if (typeof d['change'] === 'string' && !(RESULT_CHANGES as readonly string[]).includes(d['change'])) problems.push(`change "${d['change']}" is not one of ${RESULT_CHANGES.join(', ')}`);
  if (Array.isArray(d['objects']) && !d['objects'].every((o) => typeof o === 'string')) problems.push('objects holds a non-string');
  if (Array.isArray(d['warnings']) && !d['warnings'].every((o) => typeof o === 'string')) problems.push('warnings holds a non-string');
  return problems;
}
