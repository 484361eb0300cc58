import type { Server } from 'node:http';
import { GraphQLError, parse, specifiedRules, validate, type DocumentNode, type GraphQLSchema } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import type { Actor, CoreServices } from '../core';
import type { ProviderRegistry } from '../plugins/registry';
import type { GraphQLContext } from '../schema/context';
import { createLoaders } from '../schema/loaders';
import { gatewayValidationRules } from '../schema/validation-rules';
import { clientAddress, originOf } from './client-address';
import { formatError } from './errors';
import { bearerActor } from './route-kit';
import type { Logger } from './logger';

/** Close code for a connection whose credential is missing, bad, revoked or expired. */
export const CLOSE_FORBIDDEN = 4403;
const MAX_DOCUMENT_BYTES = 64 * 1024;

interface ConnectionState {
  /** The credential as sent, resolved again for every operation (cached, so cheap). */
  authorization: string;
  /** Current grants: refreshed when an event says the principal's grants changed. */
  actor: Actor;
  cleanup?: () => void;
}

/**
 * graphql-ws on the HTTP server's `/graphql` path. Apollo's plugins, validation rules and error
 * formatting do not reach this path, so it applies the same ones itself: authentication at
 * connection, the same validation limits, the same error masking.
 */
export function attachSubscriptions(options: { httpServer: Server; schema: GraphQLSchema; core: CoreServices; registry: ProviderRegistry; logger: Logger }) {
  const { httpServer, schema, core, registry, logger } = options;
  const server = new WebSocketServer({ server: httpServer, path: '/graphql', maxPayload: MAX_DOCUMENT_BYTES * 2 });
  const states = new WeakMap<object, ConnectionState>();
  const rules = [...specifiedRules, ...gatewayValidationRules];
  const mask = (errors: readonly GraphQLError[]) => errors.map((e) => formatError(e.toJSON(), e, logger));

  const { dispose } = useServer(
    {
      schema,
      onConnect: async (ctx) => {
        const authorization = ctx.connectionParams?.authorization;
        if (typeof authorization !== 'string') return false;
        let resolved: Actor | null;
        try {
          resolved = await bearerActor(core, { authorization }, clientAddress(ctx.extra.request));
        } catch {
          return false;
        }
        if (!resolved) return false;
        const actor = resolved;
        const socket = ctx.extra.socket;
        const close = () => socket.readyState === socket.OPEN && socket.close(CLOSE_FORBIDDEN, 'Credential revoked or expired');
        const state: ConnectionState = { authorization, actor };
        const unsubscribe = core.events.subscribe((event) => {
          const ownCredential = event.kind === 'REVOKED' && event.subjectId === actor.credentialId;
          const ownAccount = event.kind === 'DELETED' && event.serviceAccountId === actor.principalId;
          if (ownCredential || ownAccount) return void close();
          // Grants changed: what this socket may see and do changes with them, at once.
          if (event.serviceAccountId === actor.principalId && event.kind !== 'CREATED' && event.kind !== 'EXPIRED') {
            core.credentials.resolveHeaders({ authorization }).then(
              (fresh) => (fresh ? (state.actor = fresh) : close()),
              () => close(),
            );
          }
        });
        const msLeft = actor.credentialExpiresAt ? actor.credentialExpiresAt.getTime() - core.clock.now().getTime() : null;
        const timer = msLeft !== null ? setTimeout(close, Math.min(Math.max(msLeft, 0), 2 ** 31 - 1)) : null;
        state.cleanup = () => (unsubscribe(), timer && clearTimeout(timer));
        states.set(ctx, state);
        return true;
      },
      onClose: (ctx) => states.get(ctx)?.cleanup?.(),
      onSubscribe: async (ctx, _id, payload) => {
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
        let document: DocumentNode;
        try {
          document = parse(payload.query);
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
          origin: originOf(request, 'ws'),
          address: clientAddress(request),
          core,
          registry,
          loaders: createLoaders(core),
        };
        return { schema, document, variableValues: payload.variables ?? undefined, operationName: payload.operationName ?? undefined, contextValue };
      },
      onNext: (_ctx, _id, _payload, _args, result) => (result.errors ? { ...result, errors: mask(result.errors) } : undefined),
      onError: (_ctx, _id, _payload, errors) => mask(errors),
    },
    server,
  );
  return { server, dispose: async () => void (await dispose()) };
}
