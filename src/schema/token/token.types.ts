import { Field, InterfaceType, ObjectType } from 'type-graphql';
import type { AccessTokenEntity, RefreshTokenEntity } from '../../entities';
import { Node } from '../common/node.interface';
import { TokenStatusValue } from '../common/token-status.enum';
import { Provider } from '../common/provider.enum';

/** What every token shows. Holds the owner id for the field resolvers; GraphQL does not show it directly. */
@InterfaceType('Token', { implements: Node, description: 'A refresh or access token. Its value is shown once, at creation, and never again.' })
export abstract class TokenFields extends Node {
  @Field(() => Provider)
  provider: string;

  @Field(() => TokenStatusValue)
  status: TokenStatusValue;

  @Field()
  createdAt: Date;

  @Field(() => Date, { nullable: true })
  expiresAt: Date | null;

  @Field(() => Date, { nullable: true })
  lastUsedAt: Date | null;

  @Field(() => Date, { nullable: true })
  revokedAt: Date | null;

  @Field(() => String, { nullable: true, description: 'What its owner named it; null for access tokens that have no name of their own.' })
  name: string | null;

  ownerId: string;
}

@ObjectType({ implements: [Node, TokenFields], description: 'A long-lived token that mints access tokens. Its value is shown once, at creation.' })
export class RefreshToken extends TokenFields {
  @Field(() => String)
  declare name: string;

  static from(entity: RefreshTokenEntity, status: string): RefreshToken {
    return Object.assign(new RefreshToken(), {
      id: entity.id,
      provider: entity.provider,
      name: entity.name,
      status,
      createdAt: entity.createdAt,
      expiresAt: entity.expiresAt,
      lastUsedAt: entity.lastUsedAt,
      revokedAt: entity.revokedAt,
      ownerId: entity.ownerId,
    });
  }
}

@ObjectType({ implements: [Node, TokenFields], description: 'A bearer credential. Its value is shown once, at creation.' })
export class AccessToken extends TokenFields {
  @Field({ description: 'How the provider issued it: access, api_token, personal, exchanged, jwt, operator.' })
  kind: string;

  @Field(() => String, { nullable: true })
  declare name: string | null;

  refreshTokenId: string | null;

  static from(entity: AccessTokenEntity, status: string): AccessToken {
    return Object.assign(new AccessToken(), {
      id: entity.id,
      provider: entity.provider,
      kind: entity.kind,
      name: entity.name,
      status,
      createdAt: entity.createdAt,
      expiresAt: entity.expiresAt,
      lastUsedAt: entity.lastUsedAt,
      revokedAt: entity.revokedAt,
      ownerId: entity.ownerId,
      refreshTokenId: entity.refreshTokenId,
    });
  }
}

