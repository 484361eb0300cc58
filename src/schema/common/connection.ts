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
