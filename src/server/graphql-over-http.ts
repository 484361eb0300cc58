import type { ApolloServerOptions, ApolloServerPlugin, BaseContext } from '@apollo/server';
import Negotiator from 'negotiator';

/**
 * Headers whose presence makes a browser preflight the request, so a request carrying one cannot
 * be a cross-site simple request: Apollo's own two, and the credentials keygate reads
 * (`Authorization`, Alation's `TOKEN`). A simple anonymous GET is still refused.
 */
export const PREFLIGHTED_HEADERS = ['x-apollo-operation-name', 'apollo-require-preflight', 'authorization', 'token'];

export const csrfPrevention: ApolloServerOptions<BaseContext>['csrfPrevention'] = { requestHeaders: PREFLIGHTED_HEADERS };

const APPLICATION_JSON = 'application/json';
/** Codes of the errors the spec calls request errors; a malformed HTTP request (BAD_REQUEST) stays 400. */
const REQUEST_ERROR_CODES = new Set(['GRAPHQL_PARSE_FAILED', 'GRAPHQL_VALIDATION_FAILED', 'BAD_USER_INPUT']);
const GRAPHQL_RESPONSE_JSON = 'application/graphql-response+json';

/** The media type Apollo will answer with for this `Accept` (it negotiates the same way). */
function responseMediaType(accept: string | undefined): string | undefined {
  if (!accept) return APPLICATION_JSON;
  return new Negotiator({ headers: { accept } }).mediaType([APPLICATION_JSON, GRAPHQL_RESPONSE_JSON]);
}

/**
 * GraphQL over HTTP: a request error (the document does not parse or validate, the variables do
 * not coerce) answered as `application/json` has status 200, as the spec says for that media type;
 * `application/graphql-response+json` keeps Apollo's 400. Authentication, rate-limit and other
 * edge statuses are left alone.
 */
export const requestErrorStatusPlugin: ApolloServerPlugin<BaseContext> = {
  async requestDidStart() {
    return {
      async willSendResponse({ request, response }) {
        if (response.body.kind !== 'single' || response.http.status !== 400) return;
        const result = response.body.singleResult;
        if ('data' in result && result.data !== undefined) return;
        if (!result.errors?.length || !result.errors.every((e) => REQUEST_ERROR_CODES.has(String(e.extensions?.code)))) return;
        if (responseMediaType(request.http?.headers.get('accept')) === APPLICATION_JSON) response.http.status = 200;
      },
    };
  },
};
