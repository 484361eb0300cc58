import type { ApolloServerPlugin } from '@apollo/server';
import type { GatewayMetrics } from './metrics';
import { currentScope } from './request-scope';

/** Client-chosen names are labels only while they stay few and plain; the rest count as `other`. */
const MAX_OPERATION_NAMES = 200;
const PLAIN_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

/** GraphQL operations by name, type and outcome (`ok` or the first error's code), with their duration. */
export function graphqlMetricsPlugin(metrics: GatewayMetrics): ApolloServerPlugin {
  const names = new Set<string>();
  const label = (name: string | null | undefined): string => {
    if (!name) return 'anonymous';
    if (!PLAIN_NAME.test(name)) return 'other';
    if (names.has(name)) return name;
    if (names.size >= MAX_OPERATION_NAMES) return 'other';
    names.add(name);
    return name;
  };
  return {
    async requestDidStart() {
      const started = process.hrtime.bigint();
      return {
        async didResolveOperation({ operationName }) {
          const scope = currentScope();
          if (scope) scope.operation = label(operationName);
        },
        async willSendResponse({ operationName, operation, response }) {
          const type = operation?.operation ?? 'invalid';
          const operationLabel = operation ? label(operationName) : 'invalid';
          const errors = response.body.kind === 'single' ? response.body.singleResult.errors : undefined;
          const code = errors?.[0]?.extensions?.code;
          const outcome = errors?.length ? (typeof code === 'string' ? code : 'ERROR') : 'ok';
          metrics.graphqlOperations.inc({ operation: operationLabel, type, outcome });
          metrics.graphqlDuration.observe({ operation: operationLabel, type }, Number(process.hrtime.bigint() - started) / 1e9);
        },
      };
    },
  };
}
