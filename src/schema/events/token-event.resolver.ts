import { Arg, Authorized, ID, Resolver, Root, Subscription } from 'type-graphql';
import type { TokenEvent as CoreTokenEvent } from '../../core';
import type { GraphQLContext } from '../context';
import { requireActor } from '../auth-checker';
import { Provider } from '../common/provider.enum';
import { eventStream, validateStreamArgs } from './event-stream';
import { TokenEventKind } from './token-event-kind.enum';
import { TokenEvent } from './token-event.type';

@Resolver()
export class TokenEventResolver {
  @Authorized()
  @Subscription(() => TokenEvent, {
    description: 'Revocations, live. The operator and provider administrators see their providers; a principal only its own tokens.',
    subscribe: ({ args, context }) => {
      const ctx = context as GraphQLContext;
      const filter = { provider: args.provider, serviceAccountId: args.serviceAccountId, kinds: ['REVOKED'] };
      validateStreamArgs(ctx, filter);
      requireActor(ctx);
      return eventStream(ctx, filter);
    },
  })
  tokenRevoked(
    @Root() event: CoreTokenEvent,
    @Arg('provider', () => Provider, { nullable: true }) _provider: string | undefined,
    @Arg('serviceAccountId', () => ID, { nullable: true }) _serviceAccountId: string | undefined,
  ): TokenEvent {
    return TokenEvent.from(event);
  }

  @Authorized()
  @Subscription(() => TokenEvent, {
    description:
      'Every token and service-account state change you may see. With `after` (a cursor from an event you received), first replays what you missed, in order, then continues live: no gap, no duplicate.',
    subscribe: ({ args, context }) => {
      const ctx = context as GraphQLContext;
      const filter = { provider: args.provider, kinds: args.kinds ?? undefined, serviceAccountId: args.serviceAccountId };
      validateStreamArgs(ctx, filter, args.after);
      requireActor(ctx);
      return eventStream(ctx, filter, args.after);
    },
  })
  tokenEvents(
    @Root() event: CoreTokenEvent,
    @Arg('provider', () => Provider, { nullable: true }) _provider: string | undefined,
    @Arg('kinds', () => [TokenEventKind], { nullable: true, description: 'Only these kinds; every kind when omitted.' }) _kinds: TokenEventKind[] | undefined,
    @Arg('serviceAccountId', () => ID, { nullable: true }) _serviceAccountId: string | undefined,
    @Arg('after', () => String, { nullable: true, description: 'Resume after this cursor.' }) _after: string | undefined,
  ): TokenEvent {
    return TokenEvent.from(event);
  }
}
