/**
 * The baselines keygate is measured against, each a child process of the benchmark (so that it
 * has its own event loop and its CPU can be read from /proc): `node peer.js <name>` serves on a
 * random local port and prints one JSON line `{url, ...}`.
 *
 * - `oidc-jwt`, `oidc-opaque`: panva's oidc-provider (certified OAuth 2.0 server), in memory, one
 *   client-credentials client; access tokens as ES256 JWTs or opaque (for introspection).
 * - `apollo`: bare Apollo Server on the same Express stack keygate uses, one trivial resolver.
 * - `http`: bare `node:http` answering a constant JSON body: the ceiling for any HTTP route.
 * - `express`: bare Express 5 with its form parser, one POST route answering a constant JSON
 *   body: the floor of any route served by keygate's Express stack (a reference, not a target).
 * - `ws`: a bare `ws` server; `POST /broadcast` sends one pre-serialized frame to every socket.
 */
import 'reflect-metadata';
import { generateKeyPairSync } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer } from '@apollo/server';
import { expressMiddleware } from '@as-integrations/express5';
import express from 'express';
import WebSocket, { WebSocketServer } from 'ws';

export const PEER_CLIENT = { id: 'bench-client', secret: 'bench-client-secret-0123456789abcdef' };

function listen(server: Server): Promise<string> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)));
}

async function oidc(format: 'jwt' | 'opaque') {
  // oidc-provider is an ES module; node16 module resolution keeps this a real dynamic import.
  const { default: Provider } = await import('oidc-provider');
  const jwk = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'jwk' });
  const resource = 'urn:bench:api';
  const provider = new Provider('http://127.0.0.1', {
    clients: [{ client_id: PEER_CLIENT.id, client_secret: PEER_CLIENT.secret, grant_types: ['client_credentials'], response_types: [], redirect_uris: [], id_token_signed_response_alg: 'ES256' }],
    cookies: { keys: ['bench-cookie-key'] },
    jwks: { keys: [{ ...jwk, alg: 'ES256', use: 'sig', kid: 'bench' }] },
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      introspection: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => resource,
        useGrantedResource: () => true,
        getResourceServerInfo: () => ({ scope: 'api', audience: resource, accessTokenTTL: 3600, accessTokenFormat: format, ...(format === 'jwt' ? { jwt: { sign: { alg: 'ES256' } } } : {}) }),
      },
    },
  });
  // Errors of its own would otherwise print per request; the load generator counts non-200s anyway.
  provider.on('server_error', () => undefined);
  const url = await listen(createServer(provider.callback()));
  return { url, tokenPath: '/token', introspectionPath: '/token/introspection' };
}

async function apollo() {
  const app = express();
  const server = createServer(app);
  const apolloServer = new ApolloServer({ typeDefs: 'type Query { viewer: Viewer! } type Viewer { name: String! }', resolvers: { Query: { viewer: () => ({ name: 'bench' }) } } });
  await apolloServer.start();
  app.use('/graphql', express.json(), expressMiddleware(apolloServer));
  return { url: await listen(server) };
}

async function bareHttp() {
  const body = JSON.stringify({ user_id: 1, created_at: '2026-01-01T00:00:00.000000Z', token_expires_at: null, token_status: 'ACTIVE', last_used_at: null });
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }).end(body));
  });
  return { url: await listen(server) };
}

async function bareExpress() {
  const app = express();
  const body = { active: true, sub: 'bench', client_id: PEER_CLIENT.id, token_type: 'Bearer' };
  app.post('/introspect', express.urlencoded({ extended: false }), (_req, res) => void res.json(body));
  return { url: await listen(createServer(app)) };
}

async function bareWs() {
  const server = createServer();
  const wss = new WebSocketServer({ server, path: '/graphql' });
  server.on('request', (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      // One frame, serialized once, written to every socket.
      const frame = Buffer.from(JSON.stringify({ type: 'next', payload: { data: { tokenRevoked: { subjectId: Buffer.concat(chunks).toString() } } } }));
      for (const socket of wss.clients) if (socket.readyState === WebSocket.OPEN) socket.send(frame);
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  return { url: await listen(server) };
}

const peers: Record<string, () => Promise<object>> = {
  'oidc-jwt': () => oidc('jwt'),
  'oidc-opaque': () => oidc('opaque'),
  apollo,
  http: bareHttp,
  express: bareExpress,
  ws: bareWs,
};

if (require.main === module) {
  const start = peers[process.argv[2]];
  if (!start) {
    process.stderr.write(`unknown peer ${process.argv[2]}; one of ${Object.keys(peers).join(', ')}\n`);
    process.exit(2);
  }
  start().then(
    (info) => process.stdout.write(JSON.stringify(info) + '\n'),
    (error) => {
      process.stderr.write(String(error?.stack ?? error) + '\n');
      process.exit(1);
    },
  );
}
