import { strict as assert } from 'node:assert';
import { cidrSize, formatIPv4, nthAddress, overlaps, parseCidr, parseIPv4, type Cidr } from '../../../src/lib/api/cidr.ts';

function cidr(text: string): Cidr {
  const c = parseCidr(text);
  if (!c) throw new Error(`test input ${text} should parse`);
  return c;
}

describe('parseCidr', () => {
  it('reads the network address and prefix of an IPv4 range', () => {
    assert.deepEqual(parseCidr('10.250.0.0/16'), { base: 10 * 2 ** 24 + 250 * 2 ** 16, prefix: 16, text: '10.250.0.0/16' });
    assert.deepEqual(parseCidr('0.0.0.0/0'), { base: 0, prefix: 0, text: '0.0.0.0/0' });
    assert.equal(parseCidr('255.255.255.255/32')?.base, 2 ** 32 - 1);
  });

  for (const bad of [
    ['10.250.0.0', 'no prefix length'],
    ['10.250.0.0/', 'an empty prefix length'],
    ['10.250.0.0/33', 'a prefix length over 32'],
    ['10.250.0.0/-1', 'a negative prefix length'],
    ['10.250.0.0/1a', 'a prefix length that is not a number'],
    ['10.250.1.0/16', 'host bits set'],
    ['10.250.0.1/31', 'the last host bit set'],
    ['256.0.0.0/8', 'an octet over 255'],
    ['10.250.0/16', 'three octets'],
    ['010.250.0.0/16', 'an octet with a leading zero (ambiguous: octal to some tools)'],
    ['fd00::/8', 'an IPv6 range'],
    [' 10.250.0.0/16', 'leading whitespace'],
    ['', 'an empty string'],
  ] as const) {
    it(`refuses ${bad[1]}: ${JSON.stringify(bad[0])}`, () => {
      assert.equal(parseCidr(bad[0]), undefined);
    });
  }
});

describe('parseIPv4 and formatIPv4', () => {
  it('round-trip addresses across the whole range', () => {
    for (const text of ['0.0.0.0', '10.0.0.1', '100.64.0.10', '192.168.255.1', '255.255.255.255']) {
      const n = parseIPv4(text);
      assert.notEqual(n, undefined, text);
      assert.equal(formatIPv4(n!), text);
    }
  });

  it('accepts a lone 0 octet but not 00', () => {
    assert.equal(parseIPv4('10.0.0.0'), 10 * 2 ** 24);
    assert.equal(parseIPv4('10.00.0.0'), undefined);
  });
});

describe('overlaps', () => {
  const cases: Array<[string, string, boolean, string]> = [
    ['10.0.0.0/24', '10.0.1.0/24', false, 'adjacent ranges do not overlap'],
    ['10.0.1.0/24', '10.0.0.0/24', false, 'adjacent ranges do not overlap, in either order'],
    ['100.64.0.0/13', '100.72.0.0/13', false, 'adjacent /13s do not overlap'],
    ['10.0.0.0/32', '10.0.0.1/32', false, 'adjacent single addresses do not overlap'],
    ['10.0.0.0/8', '10.1.0.0/16', true, 'a range overlaps one it contains'],
    ['10.1.0.0/16', '10.0.0.0/8', true, 'a range overlaps one that contains it'],
    ['10.250.0.0/16', '10.250.0.0/16', true, 'a range overlaps itself'],
    ['10.0.0.255/32', '10.0.0.0/24', true, 'the last address of a range is inside it'],
    ['0.0.0.0/0', '192.168.0.0/16', true, '0.0.0.0/0 overlaps everything'],
    ['255.255.255.0/24', '0.0.0.0/1', false, 'ranges at both ends of the address space do not overlap'],
  ];
  for (const [a, b, expected, title] of cases) {
    it(`${title} (${a}, ${b})`, () => {
      assert.equal(overlaps(cidr(a), cidr(b)), expected);
    });
  }
});

describe('cidrSize', () => {
  it('counts the addresses in a range', () => {
    assert.equal(cidrSize(cidr('10.0.0.0/24')), 256);
    assert.equal(cidrSize(cidr('100.64.0.0/13')), 2 ** 19);
    assert.equal(cidrSize(cidr('10.0.0.1/32')), 1);
    assert.equal(cidrSize(cidr('0.0.0.0/0')), 2 ** 32);
  });
});

describe('nthAddress', () => {
  it('gives the kubernetes Service IP as the first address of the services range', () => {
    assert.equal(nthAddress('100.64.0.0/13', 1), '100.64.0.1');
  });

  it('gives the cluster DNS IP as the tenth address', () => {
    assert.equal(nthAddress('100.64.0.0/13', 10), '100.64.0.10');
  });

  it('carries into the next octet', () => {
    assert.equal(nthAddress('100.64.0.0/13', 256), '100.64.1.0');
    assert.equal(nthAddress(cidr('10.0.0.0/8'), 2 ** 24 - 1), '10.255.255.255');
  });

  it('refuses an address past the end of the range', () => {
    assert.equal(nthAddress('10.0.0.0/24', 255), '10.0.0.255');
    assert.throws(() => nthAddress('10.0.0.0/24', 256), /10\.0\.0\.0\/24 has fewer than 257 addresses/);
  });

  it('refuses text that is not a CIDR', () => {
    assert.throws(() => nthAddress('10.0.0.1/24', 1), /not a CIDR: 10\.0\.0\.1\/24/);
  });
});
