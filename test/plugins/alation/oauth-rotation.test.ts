import { createPrivateKey } from 'node:crypto';
import { startTestGateway, OPERATOR_TOKEN, type TestGateway } from '../../support/gateway';
import { codes, expectOk, graphql } from '../../support/graphql';
import { basic, clientToken, createOAuthClient, form, jose, jwtParts, ROTATE_SIGNING_KEY, signedInUser, type OAuthClient } from './alation-support';

/** Signing-key rotation, watched by jose, an independent client that only knows the JWKS URL. */
let t: TestGateway;
let client: OAuthClient;
let longLived: OAuthClient;
/** The `iss`: a URL under the gateway's public URL. */
const issuer = () => `${t.url}/oauth/v2`;
const AUDIENCE = 'urn:keygate:alation:api';
const JWKS = '/oauth/v2/.well-known/jwks.json/';

beforeAll(async () => {
  t = await startTestGateway();
  client = await createOAuthClient(t.url, 'STEWARD', { lifetime: 600 });
  longLived = await createOAuthClient(t.url, 'VIEWER', { lifetime: 7200 });
});
afterAll(() => t.close());

/** jose with a fresh key-set cache each time, so a cached set cannot hide a change. */
async function joseVerify(token: string, at: Date = t.clock.now()) {
  const { createRemoteJWKSet, jwtVerify } = jose();
  return jwtVerify(token, createRemoteJWKSet(new URL(t.url + JWKS)), { issuer: issuer(), audience: AUDIENCE, algorithms: ['ES256'], typ: 'at+jwt', currentDate: at });
}
const publishedKids = async (): Promise<string[]> => (await form(t.url, JWKS, '', {}, 'GET')).body.keys.map((k: { kid: string }) => k.kid);
const introspect = (token: string) => form(t.url, '/oauth/v2/introspect/', { token }, { authorization: basic(client.clientId, client.clientSecret) });
const rotate = async (token = OPERATOR_TOKEN) => expectOk(await graphql(t.url, ROTATE_SIGNING_KEY, {}, token)).rotateSigningKey as { kid: string; publishedKids: string[] };

test('across a rotation: old tokens verify until they expire, new tokens carry the new kid, then the old key leaves', async () => {
  const old = await clientToken(t.url, client);
  const oldKid = jwtParts(old).header.kid;
  expect((await joseVerify(old)).protectedHeader.kid).toBe(oldKid);
  expect(await publishedKids()).toEqual([oldKid]);

  const rotated = await rotate();
  expect(rotated.kid).not.toBe(oldKid);
  expect([...rotated.publishedKids].sort()).toEqual([oldKid, rotated.kid].sort());

  // New tokens use the new key at once.
  const fresh = await clientToken(t.url, client);
  expect(jwtParts(fresh).header.kid).toBe(rotated.kid);
  expect((await joseVerify(fresh)).protectedHeader.kid).toBe(rotated.kid);
  // The old token still verifies, offline and online, and still authenticates.
  expect((await joseVerify(old)).payload.sub).toBe(client.id);
  expect((await introspect(old)).body.active).toBe(true);
  expectOk(await graphql(t.url, '{ viewer { role } }', {}, old));
  expect((await publishedKids()).sort()).toEqual([oldKid, rotated.kid].sort());

  // Just before the old token expires, its key is still there…
  t.clock.advance(599 * 1000);
  expect(await publishedKids()).toContain(oldKid);
  // …and once it has expired, the key leaves the set: jose no longer finds it, even asked about a time when the token was valid.
  t.clock.advance(1000);
  expect(await publishedKids()).toEqual([rotated.kid]);
  const { errors } = jose();
  await expect(joseVerify(old, new Date(jwtParts(old).claims.iat * 1000))).rejects.toBeInstanceOf(errors.JWKSNoMatchingKey);
  expect((await introspect(old)).raw).toBe('{"active":false}');
  expect(codes(await graphql(t.url, '{ viewer { role } }', {}, old))).toEqual(['UNAUTHENTICATED']);
  // The new key goes on: a new token signed after the old one's expiry verifies.
  expect((await joseVerify(await clientToken(t.url, client))).protectedHeader.kid).toBe(rotated.kid);
});

test("the longest-lived unrevoked token decides; a key whose tokens are all revoked leaves at once", async () => {
  const current = jwtParts(await clientToken(t.url, client)).header.kid; // the key of the first test's rotation
  const short = await clientToken(t.url, client); // 10 minutes
  const long = await clientToken(t.url, longLived); // 2 hours
  const revokedLong = await clientToken(t.url, longLived);
  expect((await form(t.url, '/oauth/v2/revoke/', { token: revokedLong }, { authorization: basic(longLived.clientId, longLived.clientSecret) })).status).toBe(200);
  const rotated = await rotate();
  t.clock.advance(3600 * 1000);
  // The short token has expired; the long one keeps its key published.
  expect((await publishedKids()).sort()).toEqual([current, rotated.kid].sort());
  expect((await joseVerify(long)).payload.sub).toBe(longLived.id);
  await expect(joseVerify(short)).rejects.toThrow();

  // Now revoke the last token of the key that is retiring next, and rotate: that key leaves at once.
  const last = await clientToken(t.url, longLived);
  expect(jwtParts(last).header.kid).toBe(rotated.kid);
  expect((await form(t.url, '/oauth/v2/revoke/', { token: last }, { authorization: basic(longLived.clientId, longLived.clientSecret) })).status).toBe(200);
  // `last` was the only live token signed with rotated.kid.
  const next = await rotate();
  expect(next.publishedKids).not.toContain(rotated.kid);
  expect((await publishedKids()).sort()).toEqual([current, next.kid].sort());
  expect((await introspect(last)).raw).toBe('{"active":false}');
  t.clock.advance(3600 * 1000);
  expect(await publishedKids()).toEqual([next.kid]);
});

test('only a Server Admin or the operator rotates', async () => {
  const kidsBefore = await publishedKids();
  for (const role of ['CATALOG_ADMIN', 'SOURCE_ADMIN', 'STEWARD', 'COMPOSER', 'VIEWER']) {
    const user = await signedInUser(t.url, `rotator-${role.toLowerCase()}@example.com`, role);
    expect(codes(await graphql(t.url, ROTATE_SIGNING_KEY, {}, user.token))).toEqual(['FORBIDDEN']);
  }
  expect(codes(await graphql(t.url, ROTATE_SIGNING_KEY, {}, await clientToken(t.url, client)))).toEqual(['FORBIDDEN']);
  expect(codes(await graphql(t.url, ROTATE_SIGNING_KEY))).toEqual(['UNAUTHENTICATED']);
  expect(await publishedKids()).toEqual(kidsBefore);
  const admin = await signedInUser(t.url, 'rotator-admin@example.com', 'SERVER_ADMIN');
  const byUser = await rotate(admin.token);
  const adminClient = await createOAuthClient(t.url, 'SERVER_ADMIN');
  const byClient = await rotate(await clientToken(t.url, adminClient));
  expect(byClient.kid).not.toBe(byUser.kid);
  const [row] = await t.gateway.db.dataSource.query("SELECT actor, outcome FROM audit_event WHERE action = 'signingKey.rotate' AND target = $1", [byClient.kid]);
  expect(row).toEqual({ actor: `alation:${adminClient.id}`, outcome: 'success' });
});

test('private keys are stored encrypted, never as JWK or PEM', async () => {
  const rows: { public_jwk: Record<string, unknown>; private_key_encrypted: string }[] = await t.gateway.db.dataSource.query('SELECT public_jwk, private_key_encrypted FROM signing_key');
  expect(rows.length).toBeGreaterThan(1);
  for (const row of rows) {
    expect(row.public_jwk).not.toHaveProperty('d');
    expect(row.private_key_encrypted).not.toMatch(/BEGIN|"d"/);
    // AES-GCM ciphertext of the PKCS#8 key, not the key itself.
    expect(() => createPrivateKey({ key: Buffer.from(row.private_key_encrypted, 'base64'), format: 'der', type: 'pkcs8' })).toThrow();
  }
});
