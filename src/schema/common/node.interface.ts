import { Field, ID, InterfaceType } from 'type-graphql';

@InterfaceType('Node', { description: 'An object with a globally unique id, fetchable with `node(id:)`.' })
export abstract class Node {
  @Field(() => ID)
  id: string;
}
