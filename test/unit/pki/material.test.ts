import { strict as assert } from 'node:assert';
import {
  bootstrapTokenData,
  generateBootstrapToken,
  generateEncryptionConfig,
  generateOpenVPNStaticKey,
  isValidEncryptionConfig,
  readBootstrapToken,
  readOpenVPNStaticKey,
} from '../../../src/lib/pki/material.ts';
import { NOW } from './helpers.ts';

describe('Bootstrap tokens', () => {
  it('are fresh every time, in the [a-z0-9]{6}.[a-z0-9]{16} form, over the whole alphabet', () => {
    const tokens = Array.from({ length: 200 }, () => generateBootstrapToken(NOW, 3600).token);
    for (const token of tokens) assert.match(token, /^[a-z0-9]{6}\.[a-z0-9]{16}$/);
    assert.equal(new Set(tokens).size, tokens.length);
    const used = new Set(tokens.join('').replace('.', ''));
    assert.ok(used.has('a') && used.has('z') && used.has('0') && used.has('9'));
  });

  it('read back from their Secret data, and not from broken data', () => {
    const token = generateBootstrapToken(NOW, 3600);
    assert.deepEqual(readBootstrapToken(bootstrapTokenData(token)), token);
    assert.equal(readBootstrapToken({ ...bootstrapTokenData(token), 'token-id': 'ABCDEF' }), undefined);
    assert.equal(readBootstrapToken({ ...bootstrapTokenData(token), expiration: 'soon' }), undefined);
    assert.equal(readBootstrapToken({}), undefined);
  });
});

describe('Encryption configurations', () => {
  it('are recognised when well formed and carry a new key each time', () => {
    const a = generateEncryptionConfig(NOW);
    const b = generateEncryptionConfig(NOW);
    assert.ok(isValidEncryptionConfig(a));
    assert.notEqual(a, b);
  });

  it('are rejected when the key is not 32 bytes, the kind is wrong, or the YAML is broken', () => {
    const good = generateEncryptionConfig(NOW);
    const shortKey = good.replace(/secret: .*/, `secret: ${Buffer.alloc(16).toString('base64')}`);
    assert.equal(isValidEncryptionConfig(shortKey), false);
    assert.equal(isValidEncryptionConfig(good.replace('kind: EncryptionConfiguration', 'kind: Other')), false);
    assert.equal(isValidEncryptionConfig('{{{'), false);
  });
});

describe('OpenVPN static keys', () => {
  it('hold 256 random bytes that read back', () => {
    const a = generateOpenVPNStaticKey();
    const bytes = readOpenVPNStaticKey(a);
    assert.equal(bytes?.length, 256);
    assert.notDeepEqual(readOpenVPNStaticKey(generateOpenVPNStaticKey()), bytes);
  });

  it('are rejected when truncated or not hex', () => {
    const key = generateOpenVPNStaticKey();
    const lines = key.split('\n');
    assert.equal(readOpenVPNStaticKey(lines.filter((_, i) => i !== 5).join('\n')), undefined);
    assert.equal(readOpenVPNStaticKey(key.replace(/[0-9a-f]{32}/, 'z'.repeat(32))), undefined);
    assert.equal(readOpenVPNStaticKey('nothing'), undefined);
  });
});
