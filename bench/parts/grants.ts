import { PEER_CLIENT } from '../peers/peer';
import { startKeygate, startPeer, withScratchDatabase } from '../support/processes';
import { compare } from '../support/rounds';
import { alationClient, basic, FORM, JSON_TYPE, talendServiceAccount } from './setup';

/**
 * OAuth client-credentials grants per second, each answered with an ES256 JWT: keygate's Alation
 * `/oauth/v2/token/` and Talend `/security/oauth/token` (each grant a token row, an event and an
 * audit row, durable before the answer) against oidc-provider issuing ES256 JWT access tokens
 * from memory.
 */
export async function grants(): Promise<void> {
  console.log('\n## Client-credentials grants (ES256 JWT) vs oidc-provider 8.8.1 (in memory)');
  await withScratchDatabase(async (databaseUrl) => {
    const [peer, keygate] = await Promise.all([startPeer('oidc-jwt'), startKeygate(databaseUrl)]);
    try {
      const alation = await alationClient(keygate.url);
      const talend = await talendServiceAccount(keygate.url);
      const contenders = [
        {
          name: 'oidc-provider',
          request: { url: peer.url + peer.info.tokenPath, headers: { 'content-type': FORM, authorization: basic(PEER_CLIENT.id, PEER_CLIENT.secret) }, body: 'grant_type=client_credentials' },
          pid: peer.child.pid,
        },
        {
          name: 'keygate Alation /oauth/v2/token/',
          request: { url: `${keygate.url}/oauth/v2/token/`, headers: { 'content-type': FORM, authorization: alation.authorization }, body: 'grant_type=client_credentials' },
          pid: keygate.child.pid,
          database: Boolean(databaseUrl),
        },
        {
          name: 'keygate Talend /security/oauth/token',
          request: {
            url: `${keygate.url}/security/oauth/token`,
            headers: { 'content-type': JSON_TYPE, authorization: talend.authorization },
            body: JSON.stringify({ audience: 'https://api.talend.io', grant_type: 'client_credentials' }),
          },
          pid: keygate.child.pid,
          database: Boolean(databaseUrl),
        },
      ];
      for (const concurrency of [16, 64]) await compare('grants/s', contenders, concurrency);
    } finally {
      await Promise.all([peer.stop(), keygate.stop()]);
    }
  });
}
