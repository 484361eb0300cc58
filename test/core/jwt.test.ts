import { createSecretKey, generateKeyPairSync } from 'node:crypto';
import { compactVerify, SignJWT } from 'jose';
import { decodeJwt, generateEcKeyPair, signJwt, verifyJwt, type JwtCheck } from '../../src/core/signing';

/** The RFC 8725 checks, on tokens made here with jose itself (no gateway, no database). */
const { privateKey, publicKey, kid } = generateEcKeyPair();
const now = new Date('2030-01-01T00:00:00Z');
const iat = Math.floor(now.getTime() / 1000);
const claims = { iss: 'https://keygate.test/talend', aud: 'api', sub: 's', iat, exp: iat + 600, jti: 'j' };
const check: JwtCheck = {
  issuer: claims.iss,
  audience: 'api',
  type: 'at+jwt',
  now,
  clockToleranceSeconds: 30,
  keyFor: async (wanted) => (wanted === kid ? publicKey : null),
};

test('a token keygate signs verifies, with its kid and typ in the header', async () => {
  const token = await signJwt({ typ: 'at+jwt', kid }, claims, privateKey);
  expect(decodeJwt(token)?.header).toEqual({ alg: 'ES256', typ: 'at+jwt', kid });
  expect(await verifyJwt(token, check)).toMatchObject(claims);
});

test('signed by node:crypto, it is a JWS jose verifies on its own: ES256 with the 64-byte IEEE P1363 signature', async () => {
  const token = await signJwt({ typ: 'at+jwt', kid }, claims, privateKey);
  const [header, payload, signature] = token.split('.');
  expect(Buffer.from(signature, 'base64url')).toHaveLength(64);
  expect(JSON.parse(Buffer.from(payload, 'base64url').toString())).toEqual(claims);
  const { protectedHeader } = await compactVerify(token, publicKey, { algorithms: ['ES256'] });
  expect(protectedHeader).toEqual(JSON.parse(Buffer.from(header, 'base64url').toString()));
  // A signature over anything else fails.
  await expect(compactVerify(`${header}.${Buffer.from(JSON.stringify({ ...claims, sub: 'x' })).toString('base64url')}.${signature}`, publicKey)).rejects.toThrow();
});

test('refused: alg none, HS256 keyed with the public key, another key, no kid, an unknown kid', async () => {
  const unsigned = `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'at+jwt', kid })).toString('base64url')}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.`;
  const confused = await new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256', typ: 'at+jwt', kid })
    .sign(createSecretKey(Buffer.from(publicKey.export({ format: 'pem', type: 'spki' }) as string)));
  const other = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
  const foreign = await signJwt({ typ: 'at+jwt', kid }, claims, other);
  const noKid = await new SignJWT(claims).setProtectedHeader({ alg: 'ES256', typ: 'at+jwt' }).sign(privateKey);
  const unknownKid = await signJwt({ typ: 'at+jwt', kid: '00000000-0000-0000-0000-000000000000' }, claims, privateKey);
  for (const token of [unsigned, confused, foreign, noKid, unknownKid, 'not.a.jwt', '', 'a'.repeat(9000)]) expect(await verifyJwt(token, check)).toBeNull();
});

test('refused: wrong typ, issuer or audience; no exp; expired; not yet valid; issued in the future', async () => {
  const sign = (extra: Record<string, unknown>, typ = 'at+jwt') => signJwt({ typ, kid }, { ...claims, ...extra }, privateKey);
  const { exp: _exp, ...withoutExp } = claims;
  const tokens = [
    await sign({}, 'JWT'),
    await sign({ iss: 'urn:keygate:alation' }),
    await sign({ aud: 'other' }),
    await signJwt({ typ: 'at+jwt', kid }, withoutExp, privateKey),
    await sign({ exp: iat - 31 }),
    await sign({ nbf: iat + 31 }),
    await sign({ iat: iat + 31 }),
  ];
  for (const token of tokens) expect(await verifyJwt(token, check)).toBeNull();
  // Within the clock tolerance, a slightly skewed clock is fine.
  expect(await verifyJwt(await sign({ iat: iat + 20, nbf: iat + 20 }), check)).not.toBeNull();
});

test("a failing key lookup is the gateway's error, not an invalid token", async () => {
  const token = await signJwt({ typ: 'at+jwt', kid }, claims, privateKey);
  await expect(verifyJwt(token, { ...check, keyFor: async () => Promise.reject(new Error('database down')) })).rejects.toThrow('database down');
});
