import { createRemoteJWKSet, decodeJwt, jwtVerify } from 'jose';
import {
  allowInsecureRequests,
  ClientSecretBasic,
  ClientSecretPost,
  clientCredentialsGrant,
  discovery,
  tokenIntrospection,
  tokenRevocation,
  type Configuration,
} from 'openid-client';
import { createOAuthClient, type OAuthClient } from '../../plugins/alation/alation-support';
import { createServiceAccountGql } from '../../plugins/talend/talend-support';
import { startTestGateway, type TestGateway } from '../../support/gateway';
import { expectOk } from '../../support/graphql';

/**
 * panva's openid-client (discovery, client credentials, RFC 7662 introspection, RFC 7009
 * revocation) and jose's remote key set against both of keygate's token issuers, knowing nothing
 * but the `iss` of a token and a client's id and secret.
 */
let t: TestGateway;
let alation: OAuthClient;
let talend: { id: string; secret: string };

beforeAll(async () => {
  t = await startTestGateway();
  alation = await createOAuthClient(t.url, 'STEWARD');
  const created = expectOk(await createServiceAccountGql(t, 'oidc-sa', ['TMC_ENGINE_USE'])).createServiceAccount;
  talend = { id: created.serviceAccount.clientId, secret: created.secret };
}, 180_000);
afterAll(() => t.close());

/** The `iss` of a token each issuer hands out today, found the way a resource server finds it. */
async function issuerOf(which: 'alation' | 'talend'): Promise<URL> {
  const response =
    which === 'alation'
      ? await fetch(`${t.url}/oauth/v2/token/`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`${alation.clientId}:${alation.clientSecret}`).toString('base64')}` },
          body: 'grant_type=client_credentials',
        })
      : await fetch(`${t.url}/security/oauth/token`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Basic ${Buffer.from(`${talend.id}:${talend.secret}`).toString('base64')}` },
          body: JSON.stringify({ audience: 'https://api.talend.io', grant_type: 'client_credentials' }),
        });
  const { access_token } = (await response.json()) as { access_token: string };
  return new URL(String(decodeJwt(access_token).iss));
}

async function discover(which: 'alation' | 'talend', algorithm: 'oidc' | 'oauth2', auth: 'basic' | 'post'): Promise<Configuration> {
  const { id, secret } = which === 'alation' ? { id: alation.clientId, secret: alation.clientSecret } : talend;
  return discovery(await issuerOf(which), id, undefined, auth === 'basic' ? ClientSecretBasic(secret) : ClientSecretPost(secret), { algorithm, execute: [allowInsecureRequests] });
}

describe.each(['alation', 'talend'] as const)('%s issuer', (which) => {
  test('discovery (OpenID-style and RFC 8414) names the token, introspection, revocation and jwks endpoints and the true auth methods', async () => {
    for (const algorithm of ['oidc', 'oauth2'] as const) {
      const metadata = (await discover(which, algorithm, 'basic')).serverMetadata();
      expect(metadata.issuer).toBe((await issuerOf(which)).href);
      for (const endpoint of ['token_endpoint', 'introspection_endpoint', 'revocation_endpoint', 'jwks_uri'] as const) expect(metadata[endpoint]).toEqual(expect.stringMatching(/^http:\/\//));
      expect(metadata.token_endpoint_auth_methods_supported?.sort()).toEqual(['client_secret_basic', 'client_secret_post']);
      expect(metadata.grant_types_supported).toEqual(['client_credentials']);
    }
  });

  test.each(['basic', 'post'] as const)('clientCredentialsGrant, tokenIntrospection, tokenRevocation with client_secret_%s', async (auth) => {
    const config = await discover(which, 'oidc', auth);
    const grant = await clientCredentialsGrant(config);
    expect(grant.token_type.toLowerCase()).toBe('bearer');
    const introspected = await tokenIntrospection(config, grant.access_token);
    expect(introspected).toMatchObject({ active: true, iss: config.serverMetadata().issuer });
    await tokenRevocation(config, grant.access_token);
    expect((await tokenIntrospection(config, grant.access_token)).active).toBe(false);
    // The revoked token no longer authenticates anything.
    const viewer = await fetch(`${t.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${grant.access_token}` }, body: JSON.stringify({ query: '{ viewer { name } }' }) });
    expect(viewer.status).toBe(401);
  });

  test("jose's createRemoteJWKSet at the discovered jwks_uri verifies this issuer's tokens", async () => {
    const config = await discover(which, 'oidc', 'basic');
    const { access_token } = await clientCredentialsGrant(config);
    const keys = createRemoteJWKSet(new URL(config.serverMetadata().jwks_uri!));
    const { payload } = await jwtVerify(access_token, keys, { issuer: config.serverMetadata().issuer, algorithms: ['ES256'], typ: 'at+jwt' });
    expect(payload.jti).toEqual(expect.any(String));
  });
});

test('a Talend token does not verify as an Alation one, nor the other way round', async () => {
  const alationConfig = await discover('alation', 'oidc', 'basic');
  const talendConfig = await discover('talend', 'oidc', 'basic');
  const alationToken = (await clientCredentialsGrant(alationConfig)).access_token;
  const talendToken = (await clientCredentialsGrant(talendConfig)).access_token;
  const verifyAs = (config: Configuration, token: string) =>
    jwtVerify(token, createRemoteJWKSet(new URL(config.serverMetadata().jwks_uri!)), { issuer: config.serverMetadata().issuer, algorithms: ['ES256'], typ: 'at+jwt' });
  await expect(verifyAs(alationConfig, talendToken)).rejects.toThrow();
  await expect(verifyAs(talendConfig, alationToken)).rejects.toThrow();
  expect((await tokenIntrospection(alationConfig, talendToken)).active).toBe(false);
  expect((await tokenIntrospection(talendConfig, alationToken)).active).toBe(false);
});
