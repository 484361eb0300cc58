import { Field, ID, ObjectType } from 'type-graphql';
import type { PermissionEntity } from '../../entities';
import { Provider } from '../common/provider.enum';

@ObjectType({ description: "A grantable permission from a provider's catalog." })
export class Permission {
  @Field(() => ID, { description: "The provider's permission id, e.g. TMC_USER_MANAGEMENT." })
  id: string;

  @Field()
  name: string;

  @Field(() => Provider)
  provider: string;

  static from(entity: PermissionEntity): Permission {
    return Object.assign(new Permission(), { id: entity.code, name: entity.name, provider: entity.provider });
  }
}
