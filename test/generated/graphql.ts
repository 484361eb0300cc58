/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';
export type Maybe<T> = T | null;
export type InputMaybe<T> = Maybe<T>;
/** All built-in and custom scalars, mapped to their actual values */
export type Scalars = {
  ID: { input: string; output: string; }
  String: { input: string; output: string; }
  Boolean: { input: boolean; output: boolean; }
  Int: { input: number; output: number; }
  Float: { input: number; output: number; }
  /** A date-time string at UTC, such as 2007-12-03T10:15:30Z, compliant with the `date-time` format outlined in section 5.6 of the RFC 3339 profile of the ISO 8601 standard for representation of dates and times using the Gregorian calendar. */
  DateTime: { input: string; output: string; }
};

/** A bearer credential. Its value is shown once, at creation. */
export type AccessToken = Node & Token & {
  __typename?: 'AccessToken';
  createdAt: Scalars['DateTime']['output'];
  expiresAt?: Maybe<Scalars['DateTime']['output']>;
  id: Scalars['ID']['output'];
  /** How the provider issued it: access, api_token, personal, exchanged, jwt, operator. */
  kind: Scalars['String']['output'];
  lastUsedAt?: Maybe<Scalars['DateTime']['output']>;
  name?: Maybe<Scalars['String']['output']>;
  owner: ServiceAccount;
  provider: Provider;
  refreshToken?: Maybe<RefreshToken>;
  revokedAt?: Maybe<Scalars['DateTime']['output']>;
  status: TokenStatus;
};

export type CreateAccessTokenInput = {
  name?: InputMaybe<Scalars['String']['input']>;
  /** The refresh token to mint from (two-step providers). */
  refreshTokenId?: InputMaybe<Scalars['ID']['input']>;
  /** Replace the refresh token's current access token, revoking it. */
  regenerate?: InputMaybe<Scalars['Boolean']['input']>;
  /** Whose token, for providers that issue access tokens directly. */
  serviceAccountId?: InputMaybe<Scalars['ID']['input']>;
};

export type CreateAccessTokenPayload = {
  __typename?: 'CreateAccessTokenPayload';
  accessToken: AccessToken;
  /** Shown here once and never again. */
  secret: Scalars['String']['output'];
};

export type CreateOAuthClientInput = {
  /** 5 minutes (300) to 72 hours (259200). */
  accessTokenLifetimeSeconds: Scalars['Int']['input'];
  name: Scalars['String']['input'];
  /** The role of the client's system user. */
  role: Scalars['String']['input'];
};

export type CreateOAuthClientPayload = {
  __typename?: 'CreateOAuthClientPayload';
  client: OAuthClient;
  /** Shown here once and never again. */
  clientSecret: Scalars['String']['output'];
};

export type CreatePersonaInput = {
  name: Scalars['String']['input'];
  policies?: InputMaybe<Array<PersonaPolicyInput>>;
  /** Defaults to the caller's provider. */
  provider?: InputMaybe<Provider>;
  /** Defaults to `default/<name in kebab case>`. */
  qualifiedName?: InputMaybe<Scalars['String']['input']>;
};

export type CreateRefreshTokenInput = {
  /** Any name; a principal may hold several refresh tokens. */
  name: Scalars['String']['input'];
  password?: InputMaybe<Scalars['String']['input']>;
  /** Defaults to the account's, else the caller's provider. */
  provider?: InputMaybe<Provider>;
  /** Whose token; defaults to the caller. */
  serviceAccountId?: InputMaybe<Scalars['ID']['input']>;
  /** Alation: the user's name, with `password`, instead of a signed-in caller. */
  username?: InputMaybe<Scalars['String']['input']>;
};

export type CreateRefreshTokenPayload = {
  __typename?: 'CreateRefreshTokenPayload';
  refreshToken: RefreshToken;
  /** Shown here once and never again. */
  secret: Scalars['String']['output'];
};

/** The provider and that provider's fields; each provider reads its own and rejects what it lacks. */
export type CreateServiceAccountInput = {
  /** Atlan. */
  description?: InputMaybe<Scalars['String']['input']>;
  /** Alation, Atlan. */
  displayName?: InputMaybe<Scalars['String']['input']>;
  /** Alation. */
  email?: InputMaybe<Scalars['String']['input']>;
  /** Talend: the account name. */
  name?: InputMaybe<Scalars['String']['input']>;
  /** Alation: omit for an SSO user. */
  password?: InputMaybe<Scalars['String']['input']>;
  /** Talend: permission ids. */
  permissions?: InputMaybe<Array<Scalars['String']['input']>>;
  /** Atlan: the complete persona set. */
  personaQualifiedNames?: InputMaybe<Array<Scalars['String']['input']>>;
  provider: Provider;
  /** Alation: one of the six case-sensitive roles. */
  role?: InputMaybe<Scalars['String']['input']>;
  /** Alation. */
  title?: InputMaybe<Scalars['String']['input']>;
  /** Alation: the user name. */
  user?: InputMaybe<Scalars['String']['input']>;
  /** Atlan: token validity in seconds. */
  validitySeconds?: InputMaybe<Scalars['Int']['input']>;
};

export type CreateServiceAccountPayload = {
  __typename?: 'CreateServiceAccountPayload';
  /** Shown here once and never again; null where the provider issues none. */
  secret?: Maybe<Scalars['String']['output']>;
  serviceAccount: ServiceAccount;
};

export type DeleteServiceAccountPayload = {
  __typename?: 'DeleteServiceAccountPayload';
  deletedServiceAccountId: Scalars['String']['output'];
  revokedTokenCount: Scalars['Float']['output'];
};

export type ImportRowError = {
  __typename?: 'ImportRowError';
  field?: Maybe<Scalars['String']['output']>;
  /** The CSV line (the header is line 1). */
  line: Scalars['Int']['output'];
  message: Scalars['String']['output'];
};

export type ImportServiceAccountsPayload = {
  __typename?: 'ImportServiceAccountsPayload';
  /** False for a preview: nothing was written. */
  confirmed: Scalars['Boolean']['output'];
  errors: Array<ImportRowError>;
  /** The accounts created; empty for a preview or when any row failed. */
  serviceAccounts: Array<ServiceAccount>;
  total: Scalars['Int']['output'];
  valid: Scalars['Int']['output'];
};

export type Mutation = {
  __typename?: 'Mutation';
  createAccessToken: CreateAccessTokenPayload;
  createOAuthClient: CreateOAuthClientPayload;
  createPersona: Persona;
  createRefreshToken: CreateRefreshTokenPayload;
  createServiceAccount: CreateServiceAccountPayload;
  /** Deletes the account and revokes every token it holds, at once. */
  deleteServiceAccount: DeleteServiceAccountPayload;
  /** Validates every row (preview) unless `confirm`, which creates all rows in one transaction or none. */
  importServiceAccounts: ImportServiceAccountsPayload;
  /** Revokes a refresh token (with its access tokens) or an access token. */
  revokeToken: RevokeTokenPayload;
  rotateSigningKey: RotateSigningKeyPayload;
  updateServiceAccount: ServiceAccount;
};


export type MutationCreateAccessTokenArgs = {
  input: CreateAccessTokenInput;
};


export type MutationCreateOAuthClientArgs = {
  input: CreateOAuthClientInput;
};


export type MutationCreatePersonaArgs = {
  input: CreatePersonaInput;
};


export type MutationCreateRefreshTokenArgs = {
  input: CreateRefreshTokenInput;
};


export type MutationCreateServiceAccountArgs = {
  input: CreateServiceAccountInput;
};


export type MutationDeleteServiceAccountArgs = {
  id: Scalars['ID']['input'];
};


export type MutationImportServiceAccountsArgs = {
  confirm?: Scalars['Boolean']['input'];
  csv: Scalars['String']['input'];
  provider: Provider;
};


export type MutationRevokeTokenArgs = {
  id: Scalars['ID']['input'];
};


export type MutationUpdateServiceAccountArgs = {
  id: Scalars['ID']['input'];
  input: UpdateServiceAccountInput;
};

/** An object with a globally unique id, fetchable with `node(id:)`. */
export type Node = {
  id: Scalars['ID']['output'];
};

export type OAuthClient = {
  __typename?: 'OAuthClient';
  clientId: Scalars['String']['output'];
  id: Scalars['ID']['output'];
  name: Scalars['String']['output'];
  role: Scalars['String']['output'];
  serviceAccount: ServiceAccount;
};

export type PageInfo = {
  __typename?: 'PageInfo';
  endCursor?: Maybe<Scalars['String']['output']>;
  hasNextPage: Scalars['Boolean']['output'];
};

/** A grantable permission from a provider's catalog. */
export type Permission = {
  __typename?: 'Permission';
  /** The provider's permission id, e.g. TMC_USER_MANAGEMENT. */
  id: Scalars['ID']['output'];
  name: Scalars['String']['output'];
  provider: Provider;
};

export type Persona = Node & {
  __typename?: 'Persona';
  id: Scalars['ID']['output'];
  name: Scalars['String']['output'];
  policies: Array<PersonaPolicy>;
  provider: Provider;
  qualifiedName: Scalars['String']['output'];
};

export type PersonaConnection = {
  __typename?: 'PersonaConnection';
  edges: Array<PersonaEdge>;
  nodes: Array<Persona>;
  pageInfo: PageInfo;
  totalCount: Scalars['Float']['output'];
};

export type PersonaEdge = {
  __typename?: 'PersonaEdge';
  cursor: Scalars['String']['output'];
  node: Persona;
};

export type PersonaPolicy = {
  __typename?: 'PersonaPolicy';
  action: Scalars['String']['output'];
  resource: Scalars['String']['output'];
};

export type PersonaPolicyInput = {
  action: Scalars['String']['input'];
  resource: Scalars['String']['input'];
};

/** The vendor whose identity semantics a record follows. */
export type Provider =
  | 'ALATION'
  | 'ATLAN'
  | 'TALEND';

export type Query = {
  __typename?: 'Query';
  /** Any object by id: service account, token or persona. */
  node?: Maybe<Node>;
  /** The provider's grantable permissions. */
  permissions: Array<Permission>;
  personas: PersonaConnection;
  serviceAccount?: Maybe<ServiceAccount>;
  serviceAccounts: ServiceAccountConnection;
  viewer: Viewer;
};


export type QueryNodeArgs = {
  id: Scalars['ID']['input'];
};


export type QueryPermissionsArgs = {
  provider: Provider;
};


export type QueryPersonasArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
};


export type QueryServiceAccountArgs = {
  id: Scalars['ID']['input'];
};


export type QueryServiceAccountsArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
  kind?: InputMaybe<Scalars['String']['input']>;
  provider?: InputMaybe<Provider>;
};

/** A long-lived token that mints access tokens. Its value is shown once, at creation. */
export type RefreshToken = Node & Token & {
  __typename?: 'RefreshToken';
  /** The newest access token minted from it; null when none was. */
  accessToken?: Maybe<AccessToken>;
  createdAt: Scalars['DateTime']['output'];
  expiresAt?: Maybe<Scalars['DateTime']['output']>;
  id: Scalars['ID']['output'];
  lastUsedAt?: Maybe<Scalars['DateTime']['output']>;
  name: Scalars['String']['output'];
  owner: ServiceAccount;
  provider: Provider;
  revokedAt?: Maybe<Scalars['DateTime']['output']>;
  status: TokenStatus;
};

export type RevokeTokenPayload = {
  __typename?: 'RevokeTokenPayload';
  accessToken?: Maybe<AccessToken>;
  refreshToken?: Maybe<RefreshToken>;
  /** Every token this revocation ended (a refresh token takes its access tokens). */
  revokedIds: Array<Scalars['ID']['output']>;
};

export type RotateSigningKeyPayload = {
  __typename?: 'RotateSigningKeyPayload';
  /** The key id new tokens are signed with. */
  kid: Scalars['String']['output'];
  /** Every key id still published for verification. */
  publishedKids: Array<Scalars['String']['output']>;
};

/** A machine identity (or user) of one provider. */
export type ServiceAccount = Node & {
  __typename?: 'ServiceAccount';
  accessTokens: Array<AccessToken>;
  clientId?: Maybe<Scalars['String']['output']>;
  createdAt: Scalars['DateTime']['output'];
  createdBy?: Maybe<Scalars['String']['output']>;
  description?: Maybe<Scalars['String']['output']>;
  displayName?: Maybe<Scalars['String']['output']>;
  email?: Maybe<Scalars['String']['output']>;
  id: Scalars['ID']['output'];
  /** What the provider calls it: user, service_account, api_token, oauth_client. */
  kind: Scalars['String']['output'];
  lastUsedAt?: Maybe<Scalars['DateTime']['output']>;
  name: Scalars['String']['output'];
  permissions: Array<Permission>;
  personas: Array<Persona>;
  provider: Provider;
  refreshTokens: Array<RefreshToken>;
  role?: Maybe<Scalars['String']['output']>;
  title?: Maybe<Scalars['String']['output']>;
  /** The provider's integer id (Alation's user_id). */
  userId: Scalars['String']['output'];
  username?: Maybe<Scalars['String']['output']>;
};


/** A machine identity (or user) of one provider. */
export type ServiceAccountAccessTokensArgs = {
  status?: InputMaybe<TokenStatus>;
};


/** A machine identity (or user) of one provider. */
export type ServiceAccountRefreshTokensArgs = {
  status?: InputMaybe<TokenStatus>;
};

export type ServiceAccountConnection = {
  __typename?: 'ServiceAccountConnection';
  edges: Array<ServiceAccountEdge>;
  nodes: Array<ServiceAccount>;
  pageInfo: PageInfo;
  totalCount: Scalars['Float']['output'];
};

export type ServiceAccountEdge = {
  __typename?: 'ServiceAccountEdge';
  cursor: Scalars['String']['output'];
  node: ServiceAccount;
};

export type Subscription = {
  __typename?: 'Subscription';
  /** Every token and service-account state change you may see. With `after` (a cursor from an event you received), first replays what you missed, in order, then continues live: no gap, no duplicate. */
  tokenEvents: TokenEvent;
  /** Revocations, live. The operator and provider administrators see their providers; a principal only its own tokens. */
  tokenRevoked: TokenEvent;
};


export type SubscriptionTokenEventsArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  kinds?: InputMaybe<Array<Scalars['String']['input']>>;
  provider?: InputMaybe<Provider>;
  serviceAccountId?: InputMaybe<Scalars['ID']['input']>;
};


export type SubscriptionTokenRevokedArgs = {
  provider?: InputMaybe<Provider>;
  serviceAccountId?: InputMaybe<Scalars['ID']['input']>;
};

/** A refresh or access token. Its value is shown once, at creation, and never again. */
export type Token = {
  createdAt: Scalars['DateTime']['output'];
  expiresAt?: Maybe<Scalars['DateTime']['output']>;
  id: Scalars['ID']['output'];
  lastUsedAt?: Maybe<Scalars['DateTime']['output']>;
  provider: Provider;
  revokedAt?: Maybe<Scalars['DateTime']['output']>;
  status: TokenStatus;
};

/** One state change of a token or service account, from the event log. */
export type TokenEvent = {
  __typename?: 'TokenEvent';
  /** Who made the change: operator, <provider>:<principal id>, or system. */
  actor: Scalars['String']['output'];
  at: Scalars['DateTime']['output'];
  /** Position in the event log. */
  cursor: Scalars['String']['output'];
  /** CREATED, REVOKED, EXPIRED, DELETED, PERSONAS_CHANGED or PERMISSIONS_CHANGED. */
  kind: Scalars['String']['output'];
  provider: Provider;
  serviceAccountId: Scalars['ID']['output'];
  subjectId: Scalars['ID']['output'];
  /** SERVICE_ACCOUNT, REFRESH_TOKEN or ACCESS_TOKEN. */
  subjectType: Scalars['String']['output'];
};

/** Computed from expiry and revocation; revocation wins. */
export type TokenStatus =
  | 'ACTIVE'
  | 'EXPIRED'
  | 'REVOKED';

/** Fields to change; each provider accepts its editable ones. A list given is the complete set. */
export type UpdateServiceAccountInput = {
  /** Atlan. */
  description?: InputMaybe<Scalars['String']['input']>;
  /** Atlan. */
  displayName?: InputMaybe<Scalars['String']['input']>;
  /** Talend: the account name. */
  name?: InputMaybe<Scalars['String']['input']>;
  /** Talend: the complete permission set. */
  permissions?: InputMaybe<Array<Scalars['String']['input']>>;
  /** Atlan: the complete persona set; omitted or empty unlinks all, as Atlan does. */
  personaQualifiedNames?: InputMaybe<Array<Scalars['String']['input']>>;
};

/** Who the caller is. */
export type Viewer = {
  __typename?: 'Viewer';
  /** When the credential of this request expires. */
  credentialExpiresAt?: Maybe<Scalars['DateTime']['output']>;
  isOperator: Scalars['Boolean']['output'];
  /** What the provider calls this principal: user, service_account, api_token, operator. */
  kind: Scalars['String']['output'];
  name: Scalars['String']['output'];
  permissions: Array<Scalars['String']['output']>;
  /** Null for the gateway operator. */
  provider?: Maybe<Provider>;
  role?: Maybe<Scalars['String']['output']>;
  /** The principal itself; null for the operator. */
  serviceAccount?: Maybe<ServiceAccount>;
};

/** The vendor whose identity semantics a record follows. */
export type Provider =
  | 'ALATION'
  | 'ATLAN'
  | 'TALEND';

export type ViewerQueryVariables = Exact<{ [key: string]: never; }>;


export type ViewerQuery = { viewer: { isOperator: boolean, name: string, kind: string, provider: Provider | null, role: string | null, permissions: Array<string> } };


export const ViewerDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"Viewer"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"viewer"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"isOperator"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"kind"}},{"kind":"Field","name":{"kind":"Name","value":"provider"}},{"kind":"Field","name":{"kind":"Name","value":"role"}},{"kind":"Field","name":{"kind":"Name","value":"permissions"}}]}}]}}]} as unknown as DocumentNode<ViewerQuery, ViewerQueryVariables>;