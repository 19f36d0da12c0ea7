// The rules of a Kubernetes version upgrade, and the plan they allow. Pure:
// every refusal is decided here from the Shoot as read, before anything is
// written, and names the rule it enforces.
//
//   - supported versions only: the target is one kubegarden provisions;
//   - no downgrade: of the control plane, nor of a worker pool;
//   - one minor version at a time for the control plane: a later minor is
//     reached through a plan of one-minor steps, each a supported release;
//   - workers never newer than the control plane;
//   - kubelets at most three minors behind the control plane (two before 1.28).
//
// What the shoot runs is `status.kubernetesVersion` (recorded when an
// operation succeeds); the spec says what was last asked for. The two differ
// only while an upgrade is unfinished: the plan then starts from what runs,
// and its first step finishes the interrupted one.
import { invalid, KubegardenError, notFound } from '../ui/errors.ts';
import { compareVersions, formatVersion, isSupportedVersion, parseVersion, SUPPORTED_KUBERNETES_VERSIONS, type SemVer } from './versions.ts';

/** How each rule is named in refusals. */
export const UPGRADE_RULES = {
  supported: 'supported versions only',
  noDowngrade: 'no downgrade',
  oneMinor: 'one minor version at a time for the control plane',
  workersNotAhead: 'workers never newer than the control plane',
  kubeletSkew: 'kubelets at most three minor versions behind the control plane',
} as const;

export type UpgradeRule = keyof typeof UPGRADE_RULES;

/** A refusal: code 'invalid' (exit 7), with the rule it enforces. */
export class UpgradeRefusal extends KubegardenError {
  readonly rule: UpgradeRule;

  constructor(rule: UpgradeRule, message: string) {
    super('invalid', message);
    this.rule = rule;
  }
}

/** What the rules need of a Shoot. */
export interface UpgradeSubject {
  project: string;
  name: string;
  /** spec.kubernetes.version: what was last asked for. */
  specVersion: string;
  /** status.kubernetesVersion: what the last successful operation left running. */
  observedVersion?: string | undefined;
  workers: ReadonlyArray<{ name: string; kubernetesVersion?: string | undefined }>;
}

export interface UpgradeRequest {
  version: string;
  /** Upgrade this worker pool only. */
  pool?: string | undefined;
}

export interface ControlPlaneUpgradePlan {
  kind: 'control-plane';
  /** What runs now. */
  from: string;
  to: string;
  /** The version after each step, each at most one minor above the one before; empty when the shoot runs `to` already. */
  steps: string[];
  /** The first step finishes an upgrade that was interrupted (the spec names a version the shoot does not run yet). */
  resumes: boolean;
  /** Pools with a version of their own: they keep it. Every other pool follows the control plane. */
  pinnedPools: Array<{ name: string; version: string }>;
}

export interface WorkerPoolUpgradePlan {
  kind: 'worker-pool';
  pool: string;
  from: string;
  to: string;
  /** The version the control plane surely runs. */
  controlPlane: string;
}

export type UpgradePlan = ControlPlaneUpgradePlan | WorkerPoolUpgradePlan;

/** How many minors a kubelet may lag behind the API server: three since 1.28, two before. */
export function kubeletSkew(controlPlane: SemVer): number {
  return controlPlane.major > 1 || controlPlane.minor >= 28 ? 3 : 2;
}

/** The newest supported release of a minor, if any. */
export function newestSupportedOfMinor(major: number, minor: number): string | undefined {
  return SUPPORTED_KUBERNETES_VERSIONS.filter((v) => {
    const p = parseVersion(v)!;
    return p.major === major && p.minor === minor;
  }).sort((a, b) => compareVersions(parseVersion(b)!, parseVersion(a)!))[0];
}

/** "1.35.4 → 1.36.4 → 1.37.2" */
export function describeSteps(plan: UpgradePlan): string {
  return plan.kind === 'worker-pool' ? `${plan.from} → ${plan.to}` : [plan.from, ...plan.steps].join(' → ');
}

/** Checks a request against the rules and returns the plan they allow; throws an UpgradeRefusal (or notFound for an unknown pool). */
export function planUpgrade(subject: UpgradeSubject, request: UpgradeRequest): UpgradePlan {
  const who = `Shoot "${subject.project}/${subject.name}"`;
  const target = parseVersion(request.version);
  const supported = SUPPORTED_KUBERNETES_VERSIONS.join(', ');
  const subjectWhat = request.pool === undefined ? who : `Worker pool "${request.pool}" of shoot "${subject.project}/${subject.name}"`;
  if (!target) {
    throw new UpgradeRefusal('supported', `${subjectWhat} cannot be upgraded to "${request.version}": it is not a version of the form 1.37.2 (rule: ${UPGRADE_RULES.supported}); pass one of ${supported}.`);
  }
  if (!isSupportedVersion(request.version)) {
    throw new UpgradeRefusal('supported', `${subjectWhat} cannot be upgraded to ${request.version}: kubegarden does not provision it (rule: ${UPGRADE_RULES.supported}); pass one of ${supported}.`);
  }
  const spec = parseVersion(subject.specVersion);
  if (!spec) throw invalid(`${who} has spec.kubernetes.version "${subject.specVersion}", which is not of the form 1.37.2: fix the Shoot's spec first.`);
  const observed = subject.observedVersion ? parseVersion(subject.observedVersion) : undefined;
  // What surely runs: an unfinished upgrade has not reached the spec yet.
  const running = observed && compareVersions(observed, spec) < 0 ? observed : spec;
  const runningText = formatVersion(running);
  const unfinished = compareVersions(running, spec) < 0 ? ` (its upgrade to ${subject.specVersion} has not finished)` : '';

  if (request.pool !== undefined) {
    const pool = subject.workers.find((w) => w.name === request.pool);
    if (!pool) {
      const names = subject.workers.map((w) => `"${w.name}"`).join(', ') || 'none';
      throw notFound(`${who} has no worker pool "${request.pool}" (its pools: ${names}): name one of them with --worker-pool.`);
    }
    const poolFrom = pool.kubernetesVersion ?? subject.specVersion;
    const from = parseVersion(poolFrom);
    if (from && compareVersions(target, from) < 0) {
      throw new UpgradeRefusal('noDowngrade', `${subjectWhat} cannot be upgraded to ${request.version}: it runs ${poolFrom}, and a version is never lowered (rule: ${UPGRADE_RULES.noDowngrade}); pass ${poolFrom} or newer.`);
    }
    if (compareVersions(target, running) > 0) {
      throw new UpgradeRefusal(
        'workersNotAhead',
        `${subjectWhat} cannot be upgraded to ${request.version}: the control plane runs ${runningText}${unfinished}, and workers may never be newer (rule: ${UPGRADE_RULES.workersNotAhead}); upgrade the control plane first with "kubegarden shoot upgrade ${subject.name} --project ${subject.project} --kubernetes-version ${request.version}".`,
      );
    }
    if (target.major !== running.major || running.minor - target.minor > kubeletSkew(running)) {
      throw new UpgradeRefusal(
        'kubeletSkew',
        `${subjectWhat} cannot be upgraded to ${request.version}: it would stay more than ${kubeletSkew(running)} minor versions behind the control plane ${runningText} (rule: ${UPGRADE_RULES.kubeletSkew}); pass a version of ${running.major}.${Math.max(0, running.minor - kubeletSkew(running))} or newer.`,
      );
    }
    return { kind: 'worker-pool', pool: pool.name, from: poolFrom, to: request.version, controlPlane: runningText };
  }

  const highest = observed && compareVersions(observed, spec) > 0 ? observed : spec;
  if (compareVersions(target, highest) < 0) {
    const interrupted = compareVersions(running, spec) < 0 ? `; to finish its interrupted upgrade, pass ${subject.specVersion} or run "kubegarden shoot reconcile ${subject.name} --project ${subject.project}"` : `; pass ${formatVersion(highest)} or newer`;
    throw new UpgradeRefusal('noDowngrade', `${who} cannot be upgraded to ${request.version}: it ${compareVersions(running, spec) < 0 ? 'is being upgraded to' : 'runs'} ${formatVersion(highest)}, and a Kubernetes version is never lowered (rule: ${UPGRADE_RULES.noDowngrade})${interrupted}.`);
  }
  if (target.major !== running.major) {
    throw new UpgradeRefusal('oneMinor', `${who} cannot be upgraded from ${runningText} to ${request.version}: that changes the major version (rule: ${UPGRADE_RULES.oneMinor}); pass a ${running.major}.x version.`);
  }

  const steps: string[] = [];
  if (compareVersions(target, running) === 0) {
    // Nothing left only when the shoot is known to run it; else run it again to finish (or confirm) it.
    if (!(observed && compareVersions(observed, target) === 0)) steps.push(request.version);
  } else {
    for (let minor = running.minor + 1; minor < target.minor; minor++) {
      const through = newestSupportedOfMinor(target.major, minor);
      if (!through) {
        throw new UpgradeRefusal(
          'oneMinor',
          `${who} cannot be upgraded from ${runningText} to ${request.version}: the control plane moves one minor version at a time and kubegarden provisions no ${target.major}.${minor} release to step through (rule: ${UPGRADE_RULES.oneMinor}); upgrade it to ${target.major}.${minor} first with a kubegarden release that provisions one.`,
        );
      }
      steps.push(through);
    }
    steps.push(request.version);
  }

  const pinnedPools: ControlPlaneUpgradePlan['pinnedPools'] = [];
  for (const w of subject.workers) {
    if (w.kubernetesVersion === undefined) continue;
    pinnedPools.push({ name: w.name, version: w.kubernetesVersion });
    const v = parseVersion(w.kubernetesVersion);
    if (!v) continue;
    if (v.major !== target.major || target.minor - v.minor > kubeletSkew(target)) {
      throw new UpgradeRefusal(
        'kubeletSkew',
        `${who} cannot be upgraded to ${request.version}: worker pool "${w.name}" runs ${w.kubernetesVersion}, which would be more than ${kubeletSkew(target)} minor versions behind (rule: ${UPGRADE_RULES.kubeletSkew}); upgrade the pool first with "kubegarden shoot upgrade ${subject.name} --project ${subject.project} --worker-pool ${w.name} --kubernetes-version ${runningText}".`,
      );
    }
  }
  return { kind: 'control-plane', from: runningText, to: request.version, steps, resumes: steps.length > 0 && compareVersions(running, spec) < 0, pinnedPools };
}

/**
 * Whether a plan may start: 'run', or 'ask' on a terminal. A plan of several
 * upgrades needs a confirmation; without a terminal, --yes is that
 * confirmation, and its absence is a refusal.
 */
export function confirmationFor(subject: Pick<UpgradeSubject, 'project' | 'name'>, plan: UpgradePlan, answer: { yes: boolean; interactive: boolean }): 'run' | 'ask' {
  if (plan.kind !== 'control-plane' || plan.steps.length <= 1 || answer.yes) return 'run';
  if (answer.interactive) return 'ask';
  throw new UpgradeRefusal(
    'oneMinor',
    `Shoot "${subject.project}/${subject.name}" needs ${plan.steps.length} upgrades to reach ${plan.to}, one minor version at a time (rule: ${UPGRADE_RULES.oneMinor}): ${describeSteps(plan)}; pass --yes to run this plan without a terminal.`,
  );
}
