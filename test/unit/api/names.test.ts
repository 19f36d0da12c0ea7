import { strict as assert } from 'node:assert';
import { dnsLabelProblem, labelKeyProblem, labelValueProblem, segmentNameProblem } from '../../../src/lib/api/names.ts';

describe('dnsLabelProblem', () => {
  it('accepts lower-case letters, digits and inner dashes', () => {
    for (const name of ['a', 'demo', 'demo-1', '1demo', 'a'.repeat(63)]) assert.equal(dnsLabelProblem(name), undefined, name);
  });

  it('says what is wrong with a name', () => {
    assert.equal(dnsLabelProblem(''), 'must not be empty');
    assert.equal(dnsLabelProblem('a'.repeat(64)), 'must be at most 63 characters (it has 64)');
    assert.equal(dnsLabelProblem('demo', 3), 'must be at most 3 characters (it has 4)');
    for (const name of ['Demo', 'my_shoot', '-demo', 'demo-', 'de.mo', 'dé']) {
      assert.match(dnsLabelProblem(name) ?? '', /lower-case letters, digits and "-"/, name);
    }
  });
});

describe('segmentNameProblem', () => {
  it('refuses "--", the separator of seed namespaces shoot--<project>--<name>', () => {
    assert.equal(segmentNameProblem('a--b'), 'must not contain "--"');
    assert.equal(segmentNameProblem('a-b'), undefined);
  });

  it('reports the DNS label problem first', () => {
    assert.match(segmentNameProblem('A--b') ?? '', /lower-case/);
  });
});

describe('labelKeyProblem and labelValueProblem', () => {
  it('accepts Kubernetes label keys with and without a prefix', () => {
    for (const key of ['role', 'Role_1.x', 'node.kubernetes.io/role', 'example.com/a-b', 'k'.repeat(63)]) assert.equal(labelKeyProblem(key), undefined, key);
  });

  it('refuses a bad prefix, an empty name and a name over 63 characters', () => {
    assert.match(labelKeyProblem('Example.com/role') ?? '', /invalid prefix/);
    assert.match(labelKeyProblem('/role') ?? '', /invalid prefix/);
    assert.match(labelKeyProblem('example.com/') ?? '', /at most 63 characters/);
    assert.match(labelKeyProblem('k'.repeat(64)) ?? '', /at most 63 characters/);
    assert.match(labelKeyProblem('-role') ?? '', /starting and ending with a letter or digit/);
  });

  it('accepts an empty value and refuses spaces and 64 characters', () => {
    assert.equal(labelValueProblem(''), undefined);
    assert.equal(labelValueProblem('v1.2_x-y'), undefined);
    assert.match(labelValueProblem('a b') ?? '', /at most 63 characters/);
    assert.match(labelValueProblem('v'.repeat(64)) ?? '', /at most 63 characters/);
  });
});
