import { Field, ObjectType } from 'type-graphql';
import type { PersonaEntity } from '../../entities';
import { Node } from '../common/node.interface';
import { PageInfo } from '../common/page-info.type';
import { Provider } from '../common/provider.enum';

@ObjectType()
export class PersonaPolicy {
  @Field()
  action: string;

  @Field()
  resource: string;
}

@ObjectType({ implements: Node })
export class Persona extends Node {
  @Field(() => Provider)
  provider: string;

  @Field()
  qualifiedName: string;

  @Field()
  name: string;

  @Field(() => [PersonaPolicy])
  policies: PersonaPolicy[];

  createdAt: Date;

  static from(entity: PersonaEntity): Persona {
    return Object.assign(new Persona(), {
      id: entity.id,
      provider: entity.provider,
      qualifiedName: entity.qualifiedName,
      name: entity.name,
      policies: entity.policies,
      createdAt: entity.createdAt,
    });
  }
}

@ObjectType()
export class PersonaEdge {
  @Field()
  cursor: string;

  @Field(() => Persona)
  node: Persona;
}

@ObjectType()
export class PersonaConnection {
  @Field(() => [PersonaEdge])
  edges: PersonaEdge[];

  @Field(() => [Persona])
  nodes: Persona[];

  @Field(() => PageInfo)
  pageInfo: PageInfo;

  @Field()
  totalCount: number;
}
