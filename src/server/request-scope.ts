import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';

/**
 * What the edge knows about the request being served. It travels with the request's async work,
 * so every log line written while serving it carries its `requestId` without anyone passing it.
 */
export interface RequestScope {
  requestId: string;
  /** `graphql`, `rest`, `ws`, `health`, … */
  face: string;
  /** The route template (`/integration/v1/createRefreshToken/`), never the raw path. */
  route?: string;
  /** The provider whose route or credential this request used. */
  provider?: string;
  /** `operator`, `<provider>:<principal id>` or `anonymous`. */
  actor?: string;
  /** The GraphQL operation name. */
  operation?: string;
  /** Set by the first failed authentication, so a request counts once however many keys it failed. */
  authFailed?: boolean;
}

const storage = new AsyncLocalStorage<RequestScope>();

export function currentScope(): RequestScope | undefined {
  return storage.getStore();
}

export function runInScope<T>(scope: RequestScope, work: () => T): T {
  return storage.run(scope, work);
}

/** A caller's id when it is sane (1–128 visible characters of a safe set), else a new one. */
export function requestIdFrom(header: string | string[] | undefined): string {
  const value = Array.isArray(header) ? header[0] : header;
  return value && /^[A-Za-z0-9._:@/+=-]{1,128}$/.test(value) ? value : randomUUID();
}
