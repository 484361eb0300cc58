import { PEER_CLIENT } from '../peers/peer';
import { call } from '../support/load';
import { startKeygate, startPeer, withScratchDatabase } from '../support/processes';
import { compare } from '../support/rounds';
import { alationClient, basic, FORM } from './setup';

const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);

/**
 * RFC 7662 introspection of an active token: keygate's Alation endpoint (a JWT and its row) vs
 * oidc-provider (opaque token in memory). Two reference lines answer the same form POST with a
 * constant body: bare `node:http` (the ceiling of any route) and bare Express 5 (the stack keygate's
 * static POST routes no longer pass through: server/direct-routes.ts).
 */
export async function introspection(): Promise<void> {
  console.log('\n## Token introspection (RFC 7662) vs oidc-provider 8.8.1 (opaque tokens in memory)');
  await withScratchDatabase(async (databaseUrl) => {
    const [peer, bareHttp, bareExpress, keygate] = await Promise.all([startPeer('oidc-opaque'), startPeer('http'), startPeer('express'), startKeygate(databaseUrl)]);
    try {
      const peerAuth = basic(PEER_CLIENT.id, PEER_CLIENT.secret);
      const peerToken = (await call({ url: peer.url + peer.info.tokenPath, headers: { 'content-type': FORM, authorization: peerAuth }, body: 'grant_type=client_credentials' })).body.access_token;
      const client = await alationClient(keygate.url);
      const token = (await call({ url: `${keygate.url}/oauth/v2/token/`, headers: { 'content-type': FORM, authorization: client.authorization }, body: 'grant_type=client_credentials' })).body.access_token;
      for (const [url, auth, value] of [[peer.url + peer.info.introspectionPath, peerAuth, peerToken], [`${keygate.url}/oauth/v2/introspect/`, client.authorization, token]]) {
        const check = await call({ url, headers: { 'content-type': FORM, authorization: auth }, body: `token=${encodeURIComponent(value)}` });
        if (check.body?.active !== true) throw new Error(`introspection setup failed at ${url}: ${JSON.stringify(check.body)}`);
      }
      await compare(
        'introspections/s',
        [
          {
            name: 'oidc-provider',
            request: { url: peer.url + peer.info.introspectionPath, headers: { 'content-type': FORM, authorization: peerAuth }, body: `token=${encodeURIComponent(peerToken)}` },
            pid: peer.child.pid,
          },
          {
            name: 'bare node:http (reference: the ceiling)',
            request: { url: `${bareHttp.url}/introspect`, headers: { 'content-type': FORM, authorization: peerAuth }, body: `token=${encodeURIComponent(peerToken)}` },
            pid: bareHttp.child.pid,
          },
          {
            name: 'bare Express 5 (reference)',
            request: { url: `${bareExpress.url}/introspect`, headers: { 'content-type': FORM, authorization: peerAuth }, body: `token=${encodeURIComponent(peerToken)}` },
            pid: bareExpress.child.pid,
          },
          {
            name: 'keygate Alation /oauth/v2/introspect/',
            request: { url: `${keygate.url}/oauth/v2/introspect/`, headers: { 'content-type': FORM, authorization: client.authorization }, body: `token=${encodeURIComponent(token)}` },
            pid: keygate.child.pid,
            database: Boolean(databaseUrl),
          },
        ],
        CONCURRENCY,
      );
    } finally {
      await Promise.all([peer.stop(), bareHttp.stop(), bareExpress.stop(), keygate.stop()]);
    }
  });
}
