import { strict as assert } from 'node:assert';
import { canonicalIp, firstServiceIP, parseEndpoint } from '../../../src/lib/pki/addresses.ts';
import { isKubegardenError } from '../../../src/lib/ui/errors.ts';

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  assert.fail('expected an error');
}

describe('The first address of the services range (the kubernetes Service IP)', () => {
  for (const [cidr, ip] of [
    ['100.64.0.0/13', '100.64.0.1'],
    ['10.96.0.0/12', '10.96.0.1'],
    ['100.71.255.0/13', '100.64.0.1'], // host bits set: the network address counts
    ['192.168.7.128/25', '192.168.7.129'],
    ['fd00:10:96::/112', 'fd00:10:96::1'],
    ['2001:db8:0:0:ff::/64', '2001:db8::1'],
  ] as const) {
    it(`${cidr} -> ${ip}`, () => assert.equal(firstServiceIP(cidr), ip));
  }

  for (const cidr of ['100.64.0.0', '300.64.0.0/13', '10.0.0.0/31', '10.0.0.0/33', 'fd00::/127', 'x/8', '10.0.0.0/8/1', '10.0.0.0/ 8']) {
    it(`refuses "${cidr}" as invalid input`, () => {
      const err = thrown(() => firstServiceIP(cidr));
      assert.ok(isKubegardenError(err));
      assert.equal(err.code, 'invalid');
      assert.match(err.message, /^The services range ".*" is not an IPv4 or IPv6 CIDR/);
    });
  }
});

describe('Canonical IP text', () => {
  it('compares IPv6 spellings equal and leaves names alone', () => {
    assert.equal(canonicalIp('2001:DB8:0:0:0:0:0:1'), '2001:db8::1');
    assert.equal(canonicalIp('::ffff:192.0.2.1'), '::ffff:c000:201');
    assert.equal(canonicalIp('2001:db8:0:1:0:0:0:1'), '2001:db8:0:1::1');
    assert.equal(canonicalIp('api.example.com'), undefined);
  });
});

describe('The external API endpoint', () => {
  it('takes a host name, lower-cased, and serves it on the default port', () => {
    assert.deepEqual(parseEndpoint('API.Demo.example.com'), { host: 'api.demo.example.com', isIP: false, server: 'https://api.demo.example.com' });
  });

  it('takes an IP with a port, keeping the port in the server URL only', () => {
    assert.deepEqual(parseEndpoint('203.0.113.10:6443'), { host: '203.0.113.10', isIP: true, server: 'https://203.0.113.10:6443' });
  });

  it('takes IPv6, bracketed or not', () => {
    assert.deepEqual(parseEndpoint('[2001:db8::10]:443'), { host: '2001:db8::10', isIP: true, server: 'https://[2001:db8::10]' });
    assert.deepEqual(parseEndpoint('2001:db8::10'), { host: '2001:db8::10', isIP: true, server: 'https://[2001:db8::10]' });
  });

  it('takes an https URL', () => {
    assert.equal(parseEndpoint('https://api.example.com:8443').server, 'https://api.example.com:8443');
  });

  for (const endpoint of ['http://api.example.com', 'api.example.com/path', 'user@api.example.com', 'a b', '']) {
    it(`refuses "${endpoint}"`, () => {
      const err = thrown(() => parseEndpoint(endpoint));
      assert.ok(isKubegardenError(err));
      assert.equal(err.code, 'invalid');
    });
  }
});
