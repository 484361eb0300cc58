import { registerEnumType } from 'type-graphql';

/** The GraphQL names of principal kinds; the values are what the providers store (`user`, …). */
export enum PrincipalKind {
  USER = 'user',
  SERVICE_ACCOUNT = 'service_account',
  API_TOKEN = 'api_token',
  OAUTH_CLIENT = 'oauth_client',
  OPERATOR = 'operator',
}

registerEnumType(PrincipalKind, {
  name: 'PrincipalKind',
  description: 'What a provider calls a principal: a user, a service account, an API token (Atlan), an OAuth client (Alation), the gateway operator.',
});
