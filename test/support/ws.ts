import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';

export interface Subscription<T> {
  events: T[];
  errors: unknown[];
  closed: Promise<{ code: number; reason: string }>;
  /** Resolves once `count` events have arrived. */
  next(count?: number, timeoutMs?: number): Promise<T[]>;
  dispose(): void;
}

/** A real graphql-ws client over a real WebSocket. */
export function wsClient(url: string, token?: string): { client: Client; closed: Promise<{ code: number; reason: string }> } {
  let resolveClosed!: (value: { code: number; reason: string }) => void;
  const closed = new Promise<{ code: number; reason: string }>((resolve) => (resolveClosed = resolve));
  const client = createClient({
    url: url.replace(/^http/, 'ws') + '/graphql',
    webSocketImpl: WebSocket,
    connectionParams: token ? { authorization: `Bearer ${token}` } : {},
    retryAttempts: 0,
    lazy: false,
    // Closes are what these tests look at; the client need not print them.
    onNonLazyError: () => undefined,
    on: { closed: (event) => resolveClosed({ code: (event as { code: number }).code, reason: String((event as { reason: string }).reason) }) },
  });
  return { client, closed };
}

export async function subscribe<T = any>(url: string, token: string | undefined, query: string, variables: Record<string, unknown> = {}): Promise<Subscription<T>> {
  const { client, closed } = wsClient(url, token);
  const events: T[] = [];
  const errors: unknown[] = [];
  const waiters: (() => void)[] = [];
  let connected!: () => void;
  const ready = new Promise<void>((resolve) => (connected = resolve));
  client.on('connected', () => connected());
  client.on('closed', () => connected());
  const dispose = client.subscribe<T>(
    { query, variables },
    {
      next: (value) => {
        if (value.errors) errors.push(...value.errors);
        if (value.data) events.push(value.data as T);
        waiters.splice(0).forEach((w) => w());
      },
      error: (error) => {
        errors.push(error);
        waiters.splice(0).forEach((w) => w());
      },
      complete: () => undefined,
    },
  );
  await ready;
  // Give the server a moment to register the subscription before the test acts.
  await new Promise((resolve) => setTimeout(resolve, 100));
  return {
    events,
    errors,
    closed,
    async next(count = 1, timeoutMs = 5000) {
      const deadline = Date.now() + timeoutMs;
      while (events.length < count && errors.length === 0) {
        if (Date.now() > deadline) throw new Error(`Timed out waiting for ${count} events (got ${events.length})`);
        await new Promise<void>((resolve) => {
          waiters.push(resolve);
          setTimeout(resolve, 100);
        });
      }
      return events;
    },
    dispose: () => {
      dispose();
      void client.dispose();
    },
  };
}

/** One query or mutation over an open graphql-ws connection (graphql-ws runs those too). */
export function wsOperation<T = any>(client: Client, query: string, variables: Record<string, unknown> = {}): Promise<{ data?: T; errors?: { message: string; extensions?: { code?: string } }[] }> {
  return new Promise((resolve, reject) => {
    let result: { data?: T; errors?: any[] } = {};
    client.subscribe<T>(
      { query, variables },
      {
        next: (value) => void (result = value as never),
        error: (error) => (Array.isArray(error) ? resolve({ errors: error as never }) : reject(error)),
        complete: () => resolve(result as never),
      },
    );
  });
}
