import 'reflect-metadata';
import type { GraphQLSchema } from 'graphql';
import { createPubSub } from '@graphql-yoga/subscription';
import { DateTimeResolver } from 'graphql-scalars';
import { buildSchema } from 'type-graphql';
import { AuditResolver } from './audit/audit.resolver';
import { authChecker } from './auth-checker';
import { defineProviderEnum } from './common/provider.enum';
import { NodeResolver } from './common/node.resolver';
import { TokenEventResolver } from './events/token-event.resolver';
import { ImportResolver } from './import/import.resolver';
import { OAuthResolver } from './oauth/oauth.resolver';
import { OperatorTokenResolver } from './operator-token/operator-token.resolver';
import { PermissionResolver } from './permission/permission.resolver';
import { PersonaResolver } from './persona/persona.resolver';
import { ServiceAccountResolver } from './service-account/service-account.resolver';
import { AccessTokenResolver, BulkRevocationResolver, RefreshTokenResolver, TokenMutationResolver } from './token/token.resolver';
import { TokensResolver } from './token/tokens.resolver';
import { ViewerResolver } from './viewer/viewer.resolver';
import { WebhookResolver } from './webhook/webhook.resolver';

export const resolvers = [
  ViewerResolver,
  NodeResolver,
  ServiceAccountResolver,
  TokenMutationResolver,
  BulkRevocationResolver,
  RefreshTokenResolver,
  AccessTokenResolver,
  TokensResolver,
  PersonaResolver,
  PermissionResolver,
  ImportResolver,
  OAuthResolver,
  TokenEventResolver,
  AuditResolver,
  OperatorTokenResolver,
  WebhookResolver,
] as const;

/** The schema for a set of providers: `Provider` has one value per registered provider id. */
export async function buildGatewaySchema(providerIds: readonly string[]): Promise<GraphQLSchema> {
  if (providerIds.length === 0) throw new Error('At least one provider must be registered.');
  defineProviderEnum(providerIds);
  return buildSchema({
    resolvers,
    authChecker,
    validate: { forbidUnknownValues: false },
    scalarsMap: [{ type: Date, scalar: DateTimeResolver }],
    emitSchemaFile: false,
    // Subscriptions read core's event stream themselves; type-graphql insists on a PubSub regardless.
    pubSub: createPubSub(),
  });
}
