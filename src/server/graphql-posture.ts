import type { ApolloServerPlugin } from '@apollo/server';
import { GraphQLError, NoSchemaIntrospectionCustomRule, validate, type GraphQLSchema } from 'graphql';
import type { GraphQLContext } from '../schema/context';

/** graphql-js's hints ("Did you mean "serviceAccounts"?") name fields a caller has not been shown. */
const SUGGESTION = / ?Did you mean [^?]*\?/g;

/**
 * What the schema tells a caller without a credential: nothing beyond what it asked for.
 * Introspection (`__schema`, `__type`) needs a credential, so codegen and GraphiQL work with a
 * token; anonymous errors lose graphql-js's field and value suggestions. `__typename` stays open.
 */
export function anonymousPosturePlugin(schema: GraphQLSchema): ApolloServerPlugin<GraphQLContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ contextValue, document }) {
          if (contextValue.actor || validate(schema, document, [NoSchemaIntrospectionCustomRule]).length === 0) return;
          throw new GraphQLError('Introspection needs a credential: send `Authorization: Bearer <token>`.', {
            extensions: { code: 'GRAPHQL_VALIDATION_FAILED', http: { status: 400 } },
          });
        },
        async didEncounterErrors({ contextValue, errors }) {
          if (contextValue?.actor) return;
          for (const error of errors) error.message = error.message.replace(SUGGESTION, '');
        },
      };
    },
  };
}
