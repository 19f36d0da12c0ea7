import { strict as assert } from 'node:assert';
import {
  compareVersions,
  DEFAULT_KUBERNETES_VERSION,
  formatVersion,
  isSupportedVersion,
  minorOf,
  parseVersion,
  SUPPORTED_KUBERNETES_VERSIONS,
  type SemVer,
} from '../../../src/lib/api/versions.ts';

function v(text: string): SemVer {
  const parsed = parseVersion(text);
  if (!parsed) throw new Error(`test input ${text} should parse`);
  return parsed;
}

describe('parseVersion', () => {
  it('reads major.minor.patch exactly as the CRD schema accepts it', () => {
    assert.deepEqual(parseVersion('1.37.2'), { major: 1, minor: 37, patch: 2 });
    assert.deepEqual(parseVersion('1.36.4'), { major: 1, minor: 36, patch: 4 });
  });

  for (const bad of ['1.37', '1', 'latest', '', '1.37.2-rc.1', '1.37.x', 'v', '1..2', 'v1.37.2', ' 1.37.2']) {
    it(`refuses ${JSON.stringify(bad)}`, () => {
      assert.equal(parseVersion(bad), undefined);
    });
  }
});

describe('compareVersions', () => {
  it('orders by minor numerically, not as text', () => {
    assert.ok(compareVersions(v('1.10.0'), v('1.9.9')) > 0);
    assert.ok(compareVersions(v('1.36.4'), v('1.37.0')) < 0);
  });

  it('orders by patch within a minor and by major first', () => {
    assert.ok(compareVersions(v('1.37.2'), v('1.37.10')) < 0);
    assert.ok(compareVersions(v('2.0.0'), v('1.99.99')) > 0);
    assert.equal(compareVersions(v('1.37.2'), v('1.37.2')), 0);
  });
});

describe('supported versions', () => {
  it('lists newest first and defaults to the newest', () => {
    const sorted = [...SUPPORTED_KUBERNETES_VERSIONS].sort((a, b) => compareVersions(v(b), v(a)));
    assert.deepEqual([...SUPPORTED_KUBERNETES_VERSIONS], sorted);
    assert.equal(DEFAULT_KUBERNETES_VERSION, SUPPORTED_KUBERNETES_VERSIONS[0]);
  });

  it('accepts each listed version and refuses others', () => {
    for (const version of SUPPORTED_KUBERNETES_VERSIONS) assert.ok(isSupportedVersion(version), version);
    assert.equal(isSupportedVersion('1.37.1'), false);
    assert.equal(isSupportedVersion('1.30.0'), false);
    assert.equal(isSupportedVersion('1.37'), false);
  });
});

describe('formatVersion and minorOf', () => {
  it('print a parsed version without the v', () => {
    assert.equal(formatVersion(v('1.36.4')), '1.36.4');
  });

  it('give the minor of a version, or nothing for a malformed one', () => {
    assert.equal(minorOf('1.37.2'), '1.37');
    assert.equal(minorOf('1.37'), undefined);
  });
});
