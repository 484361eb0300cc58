import { Arg, Authorized, Ctx, ID, Resolver, Root, Subscription } from 'type-graphql';
import { CoreActions, isAllowed, type TokenEvent as CoreTokenEvent } from '../../core';
import type { GraphQLContext } from '../context';
import { requireActor } from '../auth-checker';
import { Provider } from '../common/provider.enum';
import { TokenEvent } from './token-event.type';

/** An async iterator over live events that pass `keep`, ended when the client goes away. */
function liveEvents(ctx: GraphQLContext, keep: (event: CoreTokenEvent) => Promise<boolean>): AsyncIterableIterator<CoreTokenEvent> {
  const queue: CoreTokenEvent[] = [];
  let wake: (() => void) | null = null;
  let done = false;
  const unsubscribe = ctx.core.events.subscribe((event) => {
    queue.push(event);
    wake?.();
  });
  const finish = () => {
    done = true;
    unsubscribe();
    wake?.();
  };
  return {
    [Symbol.asyncIterator]() {
      return this;
    },
    async next(): Promise<IteratorResult<CoreTokenEvent>> {
      while (!done) {
        const event = queue.shift();
        if (event) {
          if (await keep(event)) return { value: event, done: false };
          continue;
        }
        await new Promise<void>((resolve) => (wake = resolve));
        wake = null;
      }
      return { value: undefined, done: true };
    },
    async return(): Promise<IteratorResult<CoreTokenEvent>> {
      finish();
      return { value: undefined, done: true };
    },
  };
}

@Resolver()
export class TokenEventResolver {
  @Authorized()
  @Subscription(() => TokenEvent, {
    description: 'Revocations, live. The operator and provider administrators see their providers; a principal only its own tokens.',
    subscribe: ({ args, context }) => {
      const ctx = context as GraphQLContext;
      const actor = requireActor(ctx);
      const provider: string | undefined = args.provider;
      const serviceAccountId: string | undefined = args.serviceAccountId;
      if (provider) ctx.providers.get(provider);
      return liveEvents(ctx, async (event) => {
        if (event.kind !== 'REVOKED') return false;
        if (provider && event.provider !== provider) return false;
        if (serviceAccountId && event.serviceAccountId !== serviceAccountId) return false;
        if (!ctx.providers.has(event.provider)) return false;
        return isAllowed(actor, ctx.providers.get(event.provider), CoreActions.subscribeEvents, { ownerId: event.serviceAccountId });
      });
    },
  })
  tokenRevoked(
    @Root() event: CoreTokenEvent,
    @Arg('provider', () => Provider, { nullable: true }) _provider: string | undefined,
    @Arg('serviceAccountId', () => ID, { nullable: true }) _serviceAccountId: string | undefined,
    @Ctx() _ctx: GraphQLContext,
  ): TokenEvent {
    return TokenEvent.from(event);
  }
}
