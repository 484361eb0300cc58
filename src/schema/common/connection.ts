import type { FieldNode, GraphQLResolveInfo, SelectionSetNode } from 'graphql';
import type { Page } from '../../core';
import { encodeCursor } from '../../core';

/** A core Page as a Relay connection. */
export function toConnection<E extends { createdAt: Date; id: string }, N>(page: Page<E>, map: (entity: E) => N) {
  const edges = page.nodes.map((entity) => ({ cursor: encodeCursor(entity), node: map(entity) }));
  return {
    edges,
    nodes: edges.map((e) => e.node),
    pageInfo: { hasNextPage: page.hasNextPage, endCursor: page.endCursor },
    totalCount: page.totalCount,
  };
}

/** Whether the query reads `field` of the object this resolver returns (through fragments too): what is not read is not computed. */
export function selects(info: GraphQLResolveInfo, field: string): boolean {
  const visit = (set: SelectionSetNode | undefined, seen: Set<string>): boolean =>
    (set?.selections ?? []).some((selection) => {
      if (selection.kind === 'Field') return selection.name.value === field;
      if (selection.kind === 'InlineFragment') return visit(selection.selectionSet, seen);
      const name = selection.name.value;
      if (seen.has(name)) return false;
      seen.add(name);
      return visit(info.fragments[name]?.selectionSet, seen);
    });
  return info.fieldNodes.some((node: FieldNode) => visit(node.selectionSet, new Set()));
}
