import type { Server } from 'node:http';
import { createSourceEventStream, execute, GraphQLError, specifiedRules, validate, type DocumentNode, type ExecutionArgs, type ExecutionResult, type GraphQLSchema } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer, type WebSocket } from 'ws';
import { informational, isGatewayError, type Actor, type CoreServices, type TokenEvent } from '../core';
import type { ProviderRegistry } from '../plugins/registry';
import type { GraphQLContext } from '../schema/context';
import { feedOf } from '../schema/events/event-stream';
import { createLoaders } from '../schema/loaders';
import { gatewayValidationRules, parseLimited } from '../schema/validation-rules';
import { clientAddress, originOf, type ProxyTrust } from './client-address';
import { formatError } from './errors';
import { malformedText, malformedTextAt } from './well-formed';
import { bearerActor } from './route-kit';
import { EventFanOut, type FanOutTarget } from './event-fan-out';
import type { Logger } from './logger';

/** Close code for a connection whose credential is missing, bad, revoked or expired. */
export const CLOSE_FORBIDDEN = 4403;
/** connection_init refused by the failure limiter (429 on HTTP). */
export const CLOSE_RATE_LIMITED = 4429;
const MAX_DOCUMENT_BYTES = 64 * 1024;

interface ConnectionState {
  /** The credential as sent, resolved again for every operation (cached, so cheap). */
  authorization: string;
  /** Current grants: refreshed when an event says the principal's grants changed. */
  actor: Actor;
  close: () => void;
  cleanup?: () => void;
}

/**
 * The open connections by credential and by principal, so that one listener finds the few an
 * event concerns: closed when their credential is revoked or their account deleted, given fresh
 * grants when those change.
 */
class Connections {
  private readonly byCredential = new Map<string, Set<ConnectionState>>();
  private readonly byPrincipal = new Map<string, Set<ConnectionState>>();
  readonly stop: () => void;

  constructor(core: CoreServices) {
    this.stop = core.events.subscribe((event) => this.onEvent(core, event));
  }

  add(state: ConnectionState): () => void {
    const index = (map: Map<string, Set<ConnectionState>>, key: string) => (map.get(key) ?? map.set(key, new Set()).get(key)!).add(state);
    const unindex = (map: Map<string, Set<ConnectionState>>, key: string) => {
      const set = map.get(key);
      set?.delete(state);
      if (set?.size === 0) map.delete(key);
    };
    const { credentialId, principalId } = state.actor;
    index(this.byCredential, credentialId);
    index(this.byPrincipal, principalId);
    return () => (unindex(this.byCredential, credentialId), unindex(this.byPrincipal, principalId));
  }

  private onEvent(core: CoreServices, event: TokenEvent): void {
    if (event.kind === 'REVOKED') for (const state of this.byCredential.get(event.subjectId) ?? []) state.close();
    const ofPrincipal = this.byPrincipal.get(event.serviceAccountId);
    if (!ofPrincipal || informational(event.kind)) return;
    for (const state of ofPrincipal) {
      if (event.kind === 'DELETED') {
        state.close();
        continue;
      }
      // Grants changed: what this socket may see and do changes with them, at once.
      core.credentials.resolveHeaders({ authorization: state.authorization }).then(
        (fresh) => (fresh ? (state.actor = fresh) : state.close()),
        () => state.close(),
      );
    }
  }
}

/** Executes each source event for one subscriber: subscriptions that are not event feeds. */
async function* perSubscriber(source: AsyncIterable<unknown>, args: ExecutionArgs): AsyncGenerator<ExecutionResult> {
  for await (const payload of source) yield (await execute({ ...args, rootValue: payload })) as ExecutionResult;
}

/**
 * graphql-ws on the HTTP server's `/graphql` path. Apollo's plugins, validation rules and error
 * formatting do not reach this path, so it applies the same ones itself: authentication at
 * connection, the same validation limits, the same error masking.
 */
export function attachSubscriptions(options: { httpServer: Server; schema: GraphQLSchema; core: CoreServices; registry: ProviderRegistry; logger: Logger; trust: ProxyTrust }) {
  const { httpServer, schema, core, registry, logger, trust } = options;
  const server = new WebSocketServer({ server: httpServer, path: '/graphql', maxPayload: MAX_DOCUMENT_BYTES * 2 });
  const states = new WeakMap<object, ConnectionState>();
  const rules = [...specifiedRules, ...gatewayValidationRules];
  const mask = (errors: readonly GraphQLError[]) => errors.map((e) => formatError(e.toJSON(), e, logger));

  const connections = new Connections(core);
  const fanOut = new EventFanOut(core, mask);
  /** Where an operation's results go, by its context: the fan-out writes frames itself. */
  const targets = new WeakMap<object, Omit<FanOutTarget, 'args' | 'feed'>>();

  const { dispose } = useServer(
    {
      schema,
      onConnect: async (ctx) => {
        const authorization = ctx.connectionParams?.authorization;
        if (typeof authorization !== 'string') return false;
        let resolved: Actor | null;
        try {
          resolved = await bearerActor(core, { authorization }, clientAddress(ctx.extra.request, trust));
        } catch (error) {
          if (isGatewayError(error) && error.code === 'RATE_LIMITED') {
            // The WebSocket analogue of 429 + Retry-After: a close code of its own, the seconds in the reason.
            ctx.extra.socket.close(CLOSE_RATE_LIMITED, `Rate limited: retry after ${String(error.details?.retryAfterSeconds ?? 60)} s`);
          }
          return false;
        }
        if (!resolved) return false;
        const actor = resolved;
        const socket = ctx.extra.socket;
        const close = () => socket.readyState === socket.OPEN && socket.close(CLOSE_FORBIDDEN, 'Credential revoked or expired');
        const state: ConnectionState = { authorization, actor, close };
        const unindex = connections.add(state);
        const msLeft = actor.credentialExpiresAt ? actor.credentialExpiresAt.getTime() - core.clock.now().getTime() : null;
        const timer = msLeft !== null ? setTimeout(close, Math.min(Math.max(msLeft, 0), 2 ** 31 - 1)) : null;
        state.cleanup = () => (unindex(), timer && clearTimeout(timer));
        states.set(ctx, state);
        return true;
      },
      onClose: (ctx) => states.get(ctx)?.cleanup?.(),
      onSubscribe: async (ctx, id, payload) => {
        const state = states.get(ctx);
        const refused = [new GraphQLError('Authentication required.', { extensions: { code: 'UNAUTHENTICATED' } })];
        if (!state) return refused;
        try {
          // Each operation runs with the credential's grants as they are now, as over HTTP.
          state.actor = (await core.credentials.resolveHeaders({ authorization: state.authorization })) ?? state.actor;
        } catch {
          ctx.extra.socket.close(CLOSE_FORBIDDEN, 'Credential revoked or expired');
          return refused;
        }
        if (typeof payload.query !== 'string' || payload.query.length > MAX_DOCUMENT_BYTES)
          return [new GraphQLError('The query is missing or too large.', { extensions: { code: 'BAD_REQUEST' } })];
        const malformed = malformedTextAt(payload, 'payload');
        if (malformed) {
          const refusal = malformedText(malformed.replace(/^payload\./, ''));
          return [new GraphQLError(refusal.message, { extensions: { code: refusal.code, ...refusal.details } })];
        }
        let document: DocumentNode;
        try {
          document = parseLimited(payload.query);
        } catch (error) {
          return [new GraphQLError((error as Error).message, { extensions: { code: 'GRAPHQL_PARSE_FAILED' } })];
        }
        const errors = validate(schema, document, rules);
        if (errors.length) return errors.map((e) => new GraphQLError(e.message, { nodes: e.nodes, extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } }));
        const request = ctx.extra.request;
        const contextValue: GraphQLContext = {
          get actor() {
            return state.actor;
          },
          origin: originOf(request, 'ws', trust),
          address: clientAddress(request, trust),
          core,
          registry,
          loaders: createLoaders(core),
        };
        const operationKey = `${payload.query}\n${payload.operationName ?? ''}\n${JSON.stringify(payload.variables ?? null)}`;
        targets.set(contextValue, { id, socket: ctx.extra.socket as WebSocket, operationKey });
        return { schema, document, variableValues: payload.variables ?? undefined, operationName: payload.operationName ?? undefined, contextValue };
      },
      // Event feeds go to the fan-out (one execution per event and class); anything else runs per subscriber.
      subscribe: async (args) => {
        const source = await createSourceEventStream(args);
        if (!(Symbol.asyncIterator in source)) return source;
        const feed = feedOf(source);
        const target = targets.get(args.contextValue as object);
        if (!feed || !target) return perSubscriber(source, args);
        await (source as unknown as AsyncIterator<unknown>).return?.();
        return fanOut.add({ ...target, args: args as FanOutTarget['args'], feed });
      },
      onNext: (_ctx, _id, _payload, _args, result) => (result.errors ? { ...result, errors: mask(result.errors) } : undefined),
      onError: (_ctx, _id, _payload, errors) => mask(errors),
    },
    server,
  );
  return {
    server,
    /** Open event subscriptions on this instance (for the metrics). */
    openSubscriptions: () => fanOut.size,
    dispose: async () => {
      await dispose();
      fanOut.stop();
      connections.stop();
    },
  };
}
