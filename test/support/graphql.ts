export interface GraphQLResponse<T = any> {
  status: number;
  data?: T;
  errors?: { message: string; path?: string[]; extensions?: { code?: string; [key: string]: unknown } }[];
  raw: string;
}

/** A GraphQL request over real HTTP, the way any client sends it. */
export async function graphql<T = any>(url: string, query: string, variables: Record<string, unknown> = {}, token?: string, headers: Record<string, string> = {}): Promise<GraphQLResponse<T>> {
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
    body: JSON.stringify({ query, variables }),
  });
  const raw = await response.text();
  let body: { data?: T; errors?: GraphQLResponse['errors'] } = {};
  try {
    body = JSON.parse(raw);
  } catch {
    // keep raw
  }
  return { status: response.status, data: body.data ?? undefined, errors: body.errors, raw };
}

export function codes(response: GraphQLResponse): (string | undefined)[] {
  return (response.errors ?? []).map((e) => e.extensions?.code);
}

/** Fails with the errors when a response has any. */
export function expectOk<T>(response: GraphQLResponse<T>): T {
  if (response.errors?.length || !response.data) throw new Error(`GraphQL errors: ${JSON.stringify(response.errors ?? response.raw)}`);
  return response.data;
}

/** A typed document from test/generated/graphql.ts (see codegen.yml), sent like any other. */
export async function typed<TResult, TVariables extends Record<string, unknown>>(
  url: string,
  document: import('@graphql-typed-document-node/core').TypedDocumentNode<TResult, TVariables>,
  variables: TVariables,
  token?: string,
): Promise<GraphQLResponse<TResult>> {
  const { print } = await import('graphql');
  return graphql<TResult>(url, print(document), variables, token);
}
