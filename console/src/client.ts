import { createClient as createWsClient, type Client as WsClient } from 'graphql-ws';
import { cacheExchange, Client, fetchExchange, subscriptionExchange } from 'urql';

export interface Connection {
  urql: Client;
  ws: WsClient;
  close(): void;
}

/** Close codes after which reconnecting cannot help: the credential is gone. */
export const CREDENTIAL_CLOSE_CODES = new Set([4401, 4403]);

/** One urql client per signed-in credential: HTTP for queries and mutations, graphql-ws for subscriptions. */
export function connect(credential: string, on: { connected(): void; closed(code: number): void }): Connection {
  const wsUrl = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/graphql`;
  const ws = createWsClient({
    url: wsUrl,
    connectionParams: { authorization: `Bearer ${credential}` },
    lazy: true,
    // The event feed resubscribes itself from its last cursor, so the client need not retry.
    retryAttempts: 0,
    on: { connected: () => on.connected(), closed: (event) => on.closed((event as CloseEvent).code ?? 1006) },
  });
  const urql = new Client({
    url: '/graphql',
    exchanges: [
      cacheExchange,
      fetchExchange,
      subscriptionExchange({
        forwardSubscription: (request) => ({
          subscribe: (sink) => ({ unsubscribe: ws.subscribe({ ...request, query: request.query ?? '' }, sink) }),
        }),
      }),
    ],
    fetchOptions: () => ({ headers: { authorization: `Bearer ${credential}` } }),
    requestPolicy: 'cache-and-network',
    // POST with a JSON body: never a simple request, so no CSRF question arises.
    preferGetMethod: false,
  });
  return { urql, ws, close: () => void ws.dispose() };
}

/** A JSON call to one of keygate's REST routes (vendor faces), with an optional bearer. */
export async function rest(path: string, body: unknown, bearer?: string): Promise<{ status: number; body: any }> {
  const response = await fetch(path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(bearer ? { authorization: `Bearer ${bearer}` } : {}) },
    body: JSON.stringify(body),
  });
  let parsed: unknown = null;
  try {
    parsed = await response.json();
  } catch {
    parsed = null;
  }
  return { status: response.status, body: parsed };
}

/** The message of an urql error, GraphQL's first error when there is one. */
export function errorMessage(error: { graphQLErrors?: { message: string }[]; message: string } | undefined | null): string | null {
  if (!error) return null;
  return error.graphQLErrors?.[0]?.message ?? error.message;
}
