// The upgrade rules: which version moves are allowed, the plan of one-minor
// steps they lead to, and the sentence each refusal says.
import assert from 'node:assert/strict';
import { confirmationFor, describeSteps, kubeletSkew, planUpgrade, UpgradeRefusal, type UpgradeRule, type UpgradeSubject } from '../../../src/lib/api/upgrade.ts';
import { parseVersion } from '../../../src/lib/api/versions.ts';
import { KubegardenError } from '../../../src/lib/ui/errors.ts';

const shoot = (specVersion: string, extra: Partial<UpgradeSubject> = {}): UpgradeSubject => ({
  project: 'local',
  name: 'u1',
  specVersion,
  observedVersion: specVersion,
  workers: [{ name: 'pool' }],
  ...extra,
});

function refused(fn: () => unknown, rule: UpgradeRule, message: RegExp): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof UpgradeRefusal, `an UpgradeRefusal, got ${String(err)}`);
    assert.equal(err.rule, rule);
    assert.equal(err.code, 'invalid');
    assert.equal(err.exitCode, 7);
    assert.match(err.message, message);
    // One sentence: what, which object, what to do.
    assert.equal(err.message.split(/\.\s+(?=[A-Z])/).length, 1, err.message);
    return true;
  });
}

describe('upgrade rules', () => {
  describe('supported versions only', () => {
    it('refuses a version kubegarden does not provision, listing the supported ones', () => {
      refused(
        () => planUpgrade(shoot('1.36.4'), { version: '1.38.0' }),
        'supported',
        /^Shoot "local\/u1" cannot be upgraded to 1\.38\.0: kubegarden does not provision it \(rule: supported versions only\); pass one of 1\.37\.2, 1\.36\.4, 1\.35\.4\.$/,
      );
    });

    it('refuses text that is not a version, also for a worker pool', () => {
      refused(() => planUpgrade(shoot('1.36.4'), { version: 'v1.37.2' }), 'supported', /"v1\.37\.2": it is not a version of the form 1\.37\.2/);
      refused(() => planUpgrade(shoot('1.36.4'), { version: '1.37', pool: 'pool' }), 'supported', /^Worker pool "pool" of shoot "local\/u1" cannot be upgraded to "1\.37"/);
    });
  });

  describe('no downgrade', () => {
    it('refuses a lower version of the control plane', () => {
      refused(
        () => planUpgrade(shoot('1.37.2'), { version: '1.36.4' }),
        'noDowngrade',
        /^Shoot "local\/u1" cannot be upgraded to 1\.36\.4: it runs 1\.37\.2, and a Kubernetes version is never lowered \(rule: no downgrade\); pass 1\.37\.2 or newer\.$/,
      );
    });

    it('refuses to go back below an interrupted upgrade, and says how to finish it', () => {
      refused(
        () => planUpgrade(shoot('1.37.2', { observedVersion: '1.36.4' }), { version: '1.36.4' }),
        'noDowngrade',
        /it is being upgraded to 1\.37\.2, .*to finish its interrupted upgrade, pass 1\.37\.2 or run "kubegarden shoot reconcile u1 --project local"\.$/,
      );
    });

    it('refuses a lower version of a worker pool', () => {
      refused(
        () => planUpgrade(shoot('1.37.2', { workers: [{ name: 'pool', kubernetesVersion: '1.36.4' }] }), { version: '1.35.4', pool: 'pool' }),
        'noDowngrade',
        /^Worker pool "pool" of shoot "local\/u1" cannot be upgraded to 1\.35\.4: it runs 1\.36\.4, and a version is never lowered \(rule: no downgrade\); pass 1\.36\.4 or newer\.$/,
      );
    });
  });

  describe('one minor version at a time for the control plane', () => {
    it('plans a one-minor upgrade as one step', () => {
      const plan = planUpgrade(shoot('1.36.4'), { version: '1.37.2' });
      assert.deepEqual(plan, { kind: 'control-plane', from: '1.36.4', to: '1.37.2', steps: ['1.37.2'], resumes: false, pinnedPools: [] });
    });

    it('plans a later minor as a sequence of one-minor steps through supported releases', () => {
      const plan = planUpgrade(shoot('1.35.4'), { version: '1.37.2' });
      assert.equal(plan.kind, 'control-plane');
      assert.deepEqual(plan.kind === 'control-plane' && plan.steps, ['1.36.4', '1.37.2']);
      assert.equal(describeSteps(plan), '1.35.4 → 1.36.4 → 1.37.2');
    });

    it('refuses a step through a minor with no supported release', () => {
      refused(
        () => planUpgrade(shoot('1.33.7'), { version: '1.36.4' }),
        'oneMinor',
        /from 1\.33\.7 to 1\.36\.4: the control plane moves one minor version at a time and kubegarden provisions no 1\.34 release to step through \(rule: one minor version at a time for the control plane\); upgrade it to 1\.34 first with a kubegarden release that provisions one\.$/,
      );
    });

    it('needs a confirmation for a plan of several steps: asked on a terminal, --yes without one', () => {
      const subject = shoot('1.35.4');
      const plan = planUpgrade(subject, { version: '1.37.2' });
      assert.equal(confirmationFor(subject, plan, { yes: true, interactive: false }), 'run');
      assert.equal(confirmationFor(subject, plan, { yes: false, interactive: true }), 'ask');
      refused(
        () => confirmationFor(subject, plan, { yes: false, interactive: false }),
        'oneMinor',
        /^Shoot "local\/u1" needs 2 upgrades to reach 1\.37\.2, one minor version at a time \(rule: one minor version at a time for the control plane\): 1\.35\.4 → 1\.36\.4 → 1\.37\.2; pass --yes to run this plan without a terminal\.$/,
      );
    });

    it('runs a one-step plan without asking', () => {
      const subject = shoot('1.36.4');
      assert.equal(confirmationFor(subject, planUpgrade(subject, { version: '1.37.2' }), { yes: false, interactive: false }), 'run');
    });
  });

  describe('an upgrade run again', () => {
    it('has nothing left to do when the shoot runs the version already', () => {
      assert.deepEqual(planUpgrade(shoot('1.37.2'), { version: '1.37.2' }), { kind: 'control-plane', from: '1.37.2', to: '1.37.2', steps: [], resumes: false, pinnedPools: [] });
    });

    it('finishes an interrupted upgrade: the plan starts from what runs', () => {
      const plan = planUpgrade(shoot('1.37.2', { observedVersion: '1.36.4' }), { version: '1.37.2' });
      assert.deepEqual(plan, { kind: 'control-plane', from: '1.36.4', to: '1.37.2', steps: ['1.37.2'], resumes: true, pinnedPools: [] });
    });

    it('runs the step again when nothing says the shoot runs its spec', () => {
      const plan = planUpgrade(shoot('1.37.2', { observedVersion: undefined }), { version: '1.37.2' });
      assert.deepEqual(plan.kind === 'control-plane' && plan.steps, ['1.37.2']);
    });

    it('continues an interrupted multi-step plan from the version that runs', () => {
      const plan = planUpgrade(shoot('1.36.4', { observedVersion: '1.35.4' }), { version: '1.37.2' });
      assert.deepEqual(plan.kind === 'control-plane' && [plan.from, plan.steps, plan.resumes], ['1.35.4', ['1.36.4', '1.37.2'], true]);
    });
  });

  describe('workers never newer than the control plane', () => {
    it('upgrades one pool up to the control plane version', () => {
      const plan = planUpgrade(shoot('1.37.2', { workers: [{ name: 'pool', kubernetesVersion: '1.35.4' }, { name: 'other' }] }), { version: '1.37.2', pool: 'pool' });
      assert.deepEqual(plan, { kind: 'worker-pool', pool: 'pool', from: '1.35.4', to: '1.37.2', controlPlane: '1.37.2' });
    });

    it('refuses a pool version newer than the control plane, and says to upgrade the control plane first', () => {
      refused(
        () => planUpgrade(shoot('1.36.4'), { version: '1.37.2', pool: 'pool' }),
        'workersNotAhead',
        /^Worker pool "pool" of shoot "local\/u1" cannot be upgraded to 1\.37\.2: the control plane runs 1\.36\.4, and workers may never be newer \(rule: workers never newer than the control plane\); upgrade the control plane first with "kubegarden shoot upgrade u1 --project local --kubernetes-version 1\.37\.2"\.$/,
      );
    });

    it('measures against what the control plane runs while its upgrade is unfinished', () => {
      refused(() => planUpgrade(shoot('1.37.2', { observedVersion: '1.36.4' }), { version: '1.37.2', pool: 'pool' }), 'workersNotAhead', /runs 1\.36\.4 \(its upgrade to 1\.37\.2 has not finished\)/);
    });

    it('names an unknown pool (not found, exit 4)', () => {
      assert.throws(
        () => planUpgrade(shoot('1.37.2'), { version: '1.37.2', pool: 'gpu' }),
        (err: unknown) => err instanceof KubegardenError && err.exitCode === 4 && /^Shoot "local\/u1" has no worker pool "gpu" \(its pools: "pool"\): name one of them with --worker-pool\.$/.test(err.message),
      );
    });
  });

  describe('kubelets at most three minors behind the control plane', () => {
    it('is three minors since 1.28, two before', () => {
      assert.equal(kubeletSkew(parseVersion('1.37.2')!), 3);
      assert.equal(kubeletSkew(parseVersion('1.28.0')!), 3);
      assert.equal(kubeletSkew(parseVersion('1.27.9')!), 2);
    });

    it('lists pools with a version of their own, which keep it', () => {
      const plan = planUpgrade(shoot('1.36.4', { workers: [{ name: 'pool', kubernetesVersion: '1.35.4' }, { name: 'other' }] }), { version: '1.37.2' });
      assert.deepEqual(plan.kind === 'control-plane' && plan.pinnedPools, [{ name: 'pool', version: '1.35.4' }]);
    });

    it('refuses a control-plane upgrade that would leave a pool too far behind, and names the pool to upgrade first', () => {
      refused(
        () => planUpgrade(shoot('1.36.4', { workers: [{ name: 'old', kubernetesVersion: '1.33.1' }] }), { version: '1.37.2' }),
        'kubeletSkew',
        /^Shoot "local\/u1" cannot be upgraded to 1\.37\.2: worker pool "old" runs 1\.33\.1, which would be more than 3 minor versions behind \(rule: kubelets at most three minor versions behind the control plane\); upgrade the pool first with "kubegarden shoot upgrade u1 --project local --worker-pool old --kubernetes-version 1\.36\.4"\.$/,
      );
    });
  });
});
