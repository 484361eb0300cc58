import { allowInsecureRequests, discovery } from 'openid-client';
import { loadConfig } from '../../src/config';
import { startTestGateway, type TestGateway } from '../support/gateway';

/** Discovery documents for declared token issuers, read by openid-client's discovery. */
const paths = { issuer: '/test/issuer', token: '/test/issuer/token', introspection: '/test/issuer/introspect', revocation: '/test/issuer/revoke', jwks: '/.well-known/jwks.json' };

describe('with the default public URL', () => {
  let t: TestGateway;
  beforeAll(async () => {
    t = await startTestGateway();
    t.gateway.core.issuers.declare(paths);
  }, 180_000);
  afterAll(() => t.close());

  test('the public URL is http://<bound host>:<bound port>', () => {
    expect(t.gateway.core.publicUrl.get()).toBe(t.url);
    expect(t.gateway.core.issuers.url(paths.issuer)).toBe(`${t.url}/test/issuer`);
  });

  test('RFC 8414 and OpenID-style documents: the same metadata, the true auth methods', async () => {
    const rfc8414 = await fetch(`${t.url}/.well-known/oauth-authorization-server/test/issuer`);
    const openid = await fetch(`${t.url}/test/issuer/.well-known/openid-configuration`);
    expect(rfc8414.status).toBe(200);
    const metadata = await rfc8414.json();
    expect(await openid.json()).toEqual(metadata);
    expect(metadata).toMatchObject({
      issuer: `${t.url}/test/issuer`,
      token_endpoint: `${t.url}/test/issuer/token`,
      introspection_endpoint: `${t.url}/test/issuer/introspect`,
      revocation_endpoint: `${t.url}/test/issuer/revoke`,
      jwks_uri: `${t.url}/.well-known/jwks.json`,
      grant_types_supported: ['client_credentials'],
      token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
    });
    for (const algorithm of ['oidc', 'oauth2'] as const) {
      const config = await discovery(new URL(`${t.url}/test/issuer`), 'client', undefined, undefined, { algorithm, execute: [allowInsecureRequests] });
      expect(config.serverMetadata().issuer).toBe(`${t.url}/test/issuer`);
    }
  });

  test('an issuer nobody declared is a 404', async () => {
    expect((await fetch(`${t.url}/.well-known/oauth-authorization-server/nope`)).status).toBe(404);
    expect((await fetch(`${t.url}/nope/.well-known/openid-configuration`)).status).toBe(404);
  });
});

test('KEYGATE_PUBLIC_URL with a path: the issuers live under it, RFC 8414 puts the path after the well-known prefix', async () => {
  const t = await startTestGateway({ config: { publicUrl: 'http://127.0.0.1:0/keygate' } });
  try {
    t.gateway.core.issuers.declare(paths);
    const base = `${t.url}/keygate`;
    expect(t.gateway.core.publicUrl.get()).toBe(base);
    const metadata = (await (await fetch(`${t.url}/.well-known/oauth-authorization-server/keygate/test/issuer`)).json()) as Record<string, string>;
    expect(metadata.issuer).toBe(`${base}/test/issuer`);
    expect(metadata.token_endpoint).toBe(`${base}/test/issuer/token`);
  } finally {
    await t.close();
  }
}, 180_000);

test('KEYGATE_PUBLIC_URL must be an absolute http(s) URL without credentials, query or fragment', () => {
  expect(loadConfig({ KEYGATE_PUBLIC_URL: 'https://keygate.example.com/' }).publicUrl).toBe('https://keygate.example.com');
  for (const bad of ['keygate.example.com', 'ftp://x.example.com', 'https://u:p@x.example.com', 'https://x.example.com/?a=1', 'https://x.example.com/#f'])
    expect(() => loadConfig({ KEYGATE_PUBLIC_URL: bad })).toThrow(/KEYGATE_PUBLIC_URL/);
});
