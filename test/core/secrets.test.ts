import { constantTimeEqual, generateSecret, hashPassword, hashSecret, parseSecret, SECRET_KINDS, verifyPassword, verifySecret } from '../../src/core';

describe('secret format', () => {
  test('a secret names its kind, carries 256 random bits and a checksum', () => {
    const secret = generateSecret(SECRET_KINDS.refreshToken);
    expect(secret).toMatch(/^kgrt_[0-9A-Za-z]{49}$/);
    expect(parseSecret(secret)).toEqual({ kind: 'rt' });
    const many = new Set(Array.from({ length: 1000 }, () => generateSecret('at')));
    expect(many.size).toBe(1000);
  });

  test('a typo anywhere is caught by the checksum before any lookup', () => {
    const secret = generateSecret(SECRET_KINDS.accessToken);
    for (const index of [5, 20, 47, secret.length - 1]) {
      const c = secret[index];
      const typo = secret.slice(0, index) + (c === 'a' ? 'b' : 'a') + secret.slice(index + 1);
      expect(parseSecret(typo)).toBeNull();
    }
    expect(parseSecret('kgat_short')).toBeNull();
    expect(parseSecret('Bearer ' + secret)).toBeNull();
    expect(parseSecret('')).toBeNull();
  });

  test('hashes are SHA-256 hex and never contain the value', () => {
    const secret = generateSecret('sa');
    const hash = hashSecret(secret);
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(hash).not.toContain(secret.slice(5, 20));
    expect(verifySecret(secret, hash)).toBe(true);
    expect(verifySecret(generateSecret('sa'), hash)).toBe(false);
  });

  test('constant-time comparison handles unequal lengths', () => {
    expect(constantTimeEqual('abc', 'abc')).toBe(true);
    expect(constantTimeEqual('abc', 'abcd')).toBe(false);
    expect(constantTimeEqual('abc', 'abd')).toBe(false);
  });
});

describe('passwords', () => {
  test('scrypt with the parameters in the stored form, random salt', async () => {
    const a = await hashPassword('correct horse battery staple');
    const b = await hashPassword('correct horse battery staple');
    expect(a).toMatch(/^scrypt\$32768\$8\$1\$/);
    expect(a).not.toBe(b);
    expect(a).not.toContain('horse');
    await expect(verifyPassword('correct horse battery staple', a)).resolves.toBe(true);
    await expect(verifyPassword('wrong', a)).resolves.toBe(false);
    await expect(verifyPassword('x', null)).resolves.toBe(false);
    await expect(verifyPassword('x', 'garbage')).resolves.toBe(false);
  });
});
