import { Field, ObjectType } from 'type-graphql';
import type { PrincipalEntity } from '../../entities';
import { Node } from '../common/node.interface';
import { PageInfo } from '../common/page-info.type';
import { Provider } from '../common/provider.enum';
import { secretStateOf, type SecretState } from '../oauth/oauth-client-secret.type';

/** What GraphQL may ever show of a principal: no hashes, no internal numbers beyond `userId`. */
@ObjectType({ implements: Node, description: 'A machine identity (or user) of one provider.' })
export class ServiceAccount extends Node {
  @Field(() => Provider)
  provider: string;

  @Field({ description: 'What the provider calls it: user, service_account, api_token, oauth_client.' })
  kind: string;

  @Field()
  name: string;

  @Field(() => String, { nullable: true })
  displayName: string | null;

  @Field(() => String, { nullable: true })
  email: string | null;

  @Field(() => String, { nullable: true })
  title: string | null;

  @Field(() => String, { nullable: true })
  role: string | null;

  @Field(() => String, { nullable: true })
  description: string | null;

  @Field(() => String, { nullable: true })
  clientId: string | null;

  @Field(() => String, { nullable: true })
  username: string | null;

  @Field(() => String, { description: "The provider's integer id (Alation's user_id)." })
  userId: string;

  @Field()
  createdAt: Date;

  @Field(() => String, { nullable: true })
  createdBy: string | null;

  @Field(() => Date, { nullable: true })
  lastUsedAt: Date | null;

  /** Which secrets work, for `clientSecrets` (not a field itself). */
  secretState: SecretState;

  static from(entity: PrincipalEntity): ServiceAccount {
    return Object.assign(new ServiceAccount(), {
      id: entity.id,
      provider: entity.provider,
      kind: entity.kind,
      name: entity.name,
      displayName: entity.displayName,
      email: entity.email,
      title: entity.title,
      role: entity.role,
      description: entity.description,
      clientId: entity.clientId,
      username: entity.username,
      userId: String(entity.number),
      createdAt: entity.createdAt,
      createdBy: entity.createdBy,
      lastUsedAt: entity.lastUsedAt,
      secretState: secretStateOf(entity),
    });
  }
}

@ObjectType()
export class ServiceAccountEdge {
  @Field()
  cursor: string;

  @Field(() => ServiceAccount)
  node: ServiceAccount;
}

@ObjectType()
export class ServiceAccountConnection {
  @Field(() => [ServiceAccountEdge])
  edges: ServiceAccountEdge[];

  @Field(() => [ServiceAccount])
  nodes: ServiceAccount[];

  @Field(() => PageInfo)
  pageInfo: PageInfo;

  @Field()
  totalCount: number;
}
