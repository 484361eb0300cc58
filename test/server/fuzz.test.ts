import fc from 'fast-check';
import { bearerFor, createUser as createAtlanUser } from '../plugins/atlan/atlan-support';
import { signedInUser } from '../plugins/alation/alation-support';
import { userWithToken } from '../plugins/talend/talend-support';
import { OPERATOR_TOKEN, startTestGateway, type TestGateway } from '../support/gateway';
import { rowCounts } from '../support/secret-scan';

/**
 * Property-based fuzzing of the real server (both databases in CI): hostile GraphQL documents,
 * hostile variables for real operations, and hostile bodies, query strings and path parameters
 * for every declared vendor REST route. For every request: no 5xx, no masked internal error, no
 * stack trace or SQL in the answer; and when the request is refused, no row count changes.
 * The counts are bounded (FUZZ_RUNS scales them) and the seed fixed (FUZZ_SEED to vary it).
 */
const RUNS = Number(process.env.FUZZ_RUNS ?? 1);
const SEED = Number(process.env.FUZZ_SEED ?? 20261201);
const runs = (n: number) => Math.max(1, Math.round(n * RUNS));

let t: TestGateway;
let credentials: Record<string, Record<string, string>>;
let alationUserId: number;
beforeAll(async () => {
  t = await startTestGateway();
  const alation = await signedInUser(t.url, 'fuzz@example.com', 'SERVER_ADMIN');
  const atlan = (await bearerFor(t.url, await createAtlanUser(t.url, 'fuzz-atlan', '$admin'))).secret;
  const talend = (await userWithToken(t, 'fuzz-talend@example.com', ['TMC_SERVICE_ACCOUNT_MANAGEMENT', 'TMC_USER_MANAGEMENT'])).token;
  alationUserId = alation.userId;
  credentials = {
    none: {},
    operator: { authorization: `Bearer ${OPERATOR_TOKEN}` },
    alation: { token: alation.token },
    atlan: { authorization: `Bearer ${atlan}` },
    garbage: { authorization: 'Bearer kgat_not-a-token' },
    talend: { authorization: `Bearer ${talend}` },
  };
});
afterAll(() => {
  // The closing note of the suite: what was sent, and how it was answered.
  const statuses = Object.entries(tally.statuses).sort(([a], [b]) => a.localeCompare(b)).map(([s, n]) => `${s}:${n}`).join(' ');
  process.stdout.write(`fuzz: ${tally.requests} requests, ${tally.shapes.size} shapes, ${tally.refused} refused (row counts checked), statuses ${statuses}\n`);
  return t.close();
});

const tally = { requests: 0, refused: 0, shapes: new Set<string>(), statuses: {} as Record<string, number> };

// ---- hostile values ------------------------------------------------------------------------------

const NASTY_STRINGS = [
  '', ' ', '\u0000', 'a\u0000b', '\ud800', 'x\udfffy', '\ufffd', '\u202e', '😀', 'é', 'ß'.repeat(300), '%00', '%ff', '%', '..%2f..%2f',
  "'; DROP TABLE service_account; --", '" OR 1=1 --', '\\', '"', '\n\r\t', '${jndi:ldap://x}', '<script>alert(1)</script>', '__proto__', 'constructor',
  '=cmd|calc', '@SUM(1)', '+1', '-1', '0x10', '1e999', 'NaN', 'null', 'true', '[]', '{}', 'kgat_', 'Bearer ', 'A'.repeat(5000),
];
/** A string of lone surrogates and NULs mixed into ordinary characters. */
const brokenUnicode = fc.array(fc.oneof(fc.constantFrom('\u0000', '\ud800', '\udc00', 'a', 'é', '😀'), fc.string({ maxLength: 3 })), { maxLength: 12 }).map((parts) => parts.join(''));
const hostileString = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...NASTY_STRINGS) },
  { weight: 2, arbitrary: fc.string({ maxLength: 40 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 4, arbitrary: brokenUnicode },
  { weight: 1, arbitrary: fc.nat({ max: 200_000 }).map((n) => 'x'.repeat(n)) },
);

/** A number JSON.stringify cannot write: spliced into the JSON text as is. */
class RawNumber {
  constructor(readonly text: string) {}
}
const hostileNumber = fc.oneof(
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.constantFrom(0, -0, 1, -1, 2 ** 31, 2 ** 53 + 1, -(2 ** 63), 1e308, 5e-324),
  fc.constantFrom('1e999', '-1e999', '123456789012345678901234567890', '0.0000000000000000000000000001', '1E+400').map((text) => new RawNumber(text)),
);

const FIELD_NAMES = [
  'username', 'password', 'name', 'refresh_token', 'api_access_token', 'user_id', 'email', 'role', 'displayName', 'description', 'personas',
  'personaQualifiedNames', 'validitySeconds', 'grant_type', 'client_id', 'client_secret', 'audience', 'token', 'permissions', 'title', 'id',
  'expirationDate', 'filter', 'limit', 'offset', 'level', 'guid', 'value', 'csv',
];
const key = fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...FIELD_NAMES) }, { weight: 1, arbitrary: hostileString.filter((s) => s.length < 50) });

const { value: hostileValue } = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    hostileString,
    hostileNumber,
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(key, tie('value'), { maxKeys: 5 }),
  ),
}));

/** An object of vendor field names (some missing, some extra) with hostile values. */
const hostileObject = fc.dictionary(key, hostileValue, { maxKeys: 8 });

function jsonText(value: unknown): string {
  const raws: string[] = [];
  const text = JSON.stringify(value, (_k, v) => (v instanceof RawNumber ? `__fuzz_raw_number_${raws.push(v.text) - 1}__` : v)) ?? 'null';
  return text.replace(/"__fuzz_raw_number_(\d+)__"/g, (_m, i) => raws[Number(i)]);
}

/** Bytes that are not UTF-8, inside otherwise plausible JSON. */
const brokenUtf8 = fc.tuple(hostileObject, fc.constantFrom([0xff], [0xc3, 0x28], [0xed, 0xa0, 0x80], [0xf8, 0x88, 0x80, 0x80, 0x80])).map(([object, bytes]) => {
  const opening = jsonText(object).slice(0, -1);
  return Buffer.concat([Buffer.from(`${opening}${opening.length > 1 ? ',' : ''}"broken":"`), Buffer.from(bytes), Buffer.from('"}')]);
});

interface Body {
  shape: string;
  contentType?: string;
  payload?: string | Buffer;
}
const hostileBody: fc.Arbitrary<Body> = fc.oneof(
  hostileObject.map((o) => ({ shape: 'json-object', contentType: 'application/json', payload: jsonText(o) })),
  hostileValue.map((v) => ({ shape: 'json-any', contentType: 'application/json', payload: jsonText(v) })),
  hostileObject.map((o) => ({ shape: 'form', contentType: 'application/x-www-form-urlencoded', payload: formText(o) })),
  hostileString.map((s) => ({ shape: 'json-garbage', contentType: 'application/json', payload: s })),
  brokenUtf8.map((b) => ({ shape: 'json-broken-utf8', contentType: 'application/json', payload: b })),
  hostileString.map((s) => ({ shape: 'text-plain', contentType: 'text/plain', payload: s })),
  fc.constant({ shape: 'no-body' }),
);

function formText(object: Record<string, unknown>): string {
  return Object.entries(object)
    .map(([k, v]) => `${encodeSegment(k)}=${encodeSegment(typeof v === 'string' ? v : jsonText(v))}`)
    .join('&');
}

/** Percent-encoding that also writes lone surrogates (as the bytes of their invalid UTF-8 encoding). */
function encodeSegment(text: string): string {
  return Array.from(text, (c) => (/^[\ud800-\udfff]$/.test(c) ? '%ED%A0%80' : encodeURIComponent(c))).join('');
}

// ---- the checks ---------------------------------------------------------------------------------

const LEAK = /at [\w.<>]+ \(|node_modules|\.[jt]s:\d+:\d+|QueryFailedError|\bSELECT\b[^"]{0,80}\bFROM\b|\bINSERT INTO\b|\bUPDATE "?\w+"? SET\b|violates .* constraint|syntax error at or near|invalid byte sequence|INTERNAL_SERVER_ERROR|Internal server error/i;
/** Tables that record refusals on purpose: the audit log keeps denials, the failure limiter counts bad secrets. */
const RECORDS_REFUSALS = /audit|auth_failure/;

async function send(shape: string, path: string, init: RequestInit, refused: (status: number, body: string) => boolean): Promise<void> {
  const before = await rowCounts(t);
  const response = await fetch(`${t.url}${path}`, { ...init, redirect: 'manual' });
  const text = await response.text();
  tally.requests++;
  tally.shapes.add(shape);
  tally.statuses[String(response.status)] = (tally.statuses[String(response.status)] ?? 0) + 1;
  const what = `${shape}: ${init.method} ${path.slice(0, 200)} → ${response.status} ${text.slice(0, 300)}`;
  expect({ what, serverError: response.status >= 500 }).toEqual({ what, serverError: false });
  expect({ what, leak: text.match(LEAK)?.[0] ?? null }).toEqual({ what, leak: null });
  if (refused(response.status, text)) {
    tally.refused++;
    const after = await rowCounts(t);
    const changed = Object.keys(after).filter((table) => !RECORDS_REFUSALS.test(table) && after[table] !== before[table]);
    expect({ what, changed }).toEqual({ what, changed: [] });
  }
}

/** A GraphQL answer is a refusal when nothing came back in `data`. */
function graphqlRefused(status: number, text: string): boolean {
  if (status >= 400) return true;
  try {
    const body = JSON.parse(text) as { data?: Record<string, unknown> | null; errors?: unknown[] };
    return Boolean(body.errors?.length) && (!body.data || Object.values(body.data).every((v) => v === null));
  } catch {
    return true;
  }
}

const bodyOf = (payload: string | Buffer | undefined) => (payload === undefined ? undefined : typeof payload === 'string' ? payload : new Uint8Array(payload));

// ---- GraphQL ------------------------------------------------------------------------------------

/** GraphQL literals, well formed or not. */
const literal = fc.oneof(
  hostileString.map((s) => JSON.stringify(s)),
  hostileNumber.map((n) => (n instanceof RawNumber ? n.text : String(n))),
  fc.constantFrom('true', 'null', 'ALATION', 'NOPE', '[1, "a", null]', '{a: 1}', '$undefined', '"""block\u0000"""', '"unterminated', '0x1F', '-'),
);
const FIELDS = ['id', 'name', 'kind', 'viewer', 'serviceAccounts', 'nodes', 'edges', 'node', 'refreshTokens', 'accessTokens', 'owner', 'permissions', '__typename', '__schema', 'types', 'auditEvents', 'secret', 'totalCount', 'x'];
const { selection } = fc.letrec<{ selection: string }>((tie) => ({
  selection: fc
    .array(
      fc.tuple(
        fc.option(fc.constantFrom('a', 'b', '__a', '0bad'), { nil: undefined }),
        fc.constantFrom(...FIELDS),
        fc.option(fc.tuple(fc.constantFrom('id', 'first', 'after', 'provider', 'kind', 'name', 'status'), literal), { nil: undefined }),
        fc.option(fc.constantFrom('@include(if: true)', '@skip(if: $v)', '@deprecated', '@nope', '@include(if: "x")'), { nil: undefined }),
        fc.option(tie('selection'), { depthSize: 'small', nil: undefined }),
      ),
      { minLength: 1, maxLength: 4 },
    )
    .map((items) =>
      items.map(([alias, field, arg, directive, sub]) => `${alias ? `${alias}: ` : ''}${field}${arg ? `(${arg[0]}: ${arg[1]})` : ''} ${directive ?? ''} ${sub ? `{ ${sub} }` : ''}`).join(' '),
    ),
}));
const TEMPLATES = [
  (l: string) => `{ serviceAccount(id: ${l}) { id name } }`,
  (l: string) => `{ serviceAccounts(first: ${l}) { totalCount } }`,
  (l: string) => `{ serviceAccounts(after: ${l}, provider: ALATION) { nodes { id } } }`,
  (l: string) => `{ node(id: ${l}) { id } }`,
  (l: string) => `{ auditEvents(first: 5, after: ${l}) { nodes { id } } }`,
  (l: string) => `{ permissions(provider: ${l}) { id } }`,
  (l: string) => `mutation { revokeToken(id: ${l}) { revokedIds } }`,
  (l: string) => `mutation { deleteServiceAccount(id: ${l}) { id } }`,
  (l: string) => `mutation { regenerateOAuthClientSecret(clientId: ${l}) { clientSecret } }`,
  (l: string) => `mutation { createServiceAccount(input: { provider: ALATION, user: ${l}, role: ${l} }) { secret } }`,
  (l: string) => `mutation { importServiceAccounts(provider: ALATION, csv: ${l}) { total valid } }`,
];
const hostileDocument: fc.Arbitrary<{ shape: string; query: string }> = fc.oneof(
  fc.tuple(fc.nat({ max: TEMPLATES.length - 1 }), literal).map(([i, l]) => ({ shape: `graphql-template-${i}`, query: TEMPLATES[i](l) })),
  fc.tuple(fc.constantFrom('query', 'mutation', 'subscription', 'query Q($v: Boolean)', ''), selection).map(([op, sel]) => ({ shape: `graphql-random-${op.split(' ')[0] || 'short'}`, query: `${op} { ${sel} }` })),
  fc.tuple(selection, fc.constantFrom('Viewer', 'Query', 'ServiceAccount', 'Nope')).map(([sel, type]) => ({ shape: 'graphql-fragments', query: `query { viewer { ...F } } fragment F on ${type} { ${sel} ...F }` })),
  hostileString.map((query) => ({ shape: 'graphql-garbage', query })),
);

/** Real operations, with variables that are valid ones broken: fields dropped, added, retyped. */
const OPERATIONS: { query: string; variables: Record<string, unknown> }[] = [
  { query: 'mutation($input: CreateServiceAccountInput!) { createServiceAccount(input: $input) { serviceAccount { id } secret } }', variables: { input: { provider: 'ALATION', user: 'fz@example.com', email: 'fz@example.com', role: 'VIEWER' } } },
  { query: 'mutation($input: CreateServiceAccountInput!) { createServiceAccount(input: $input) { secret } }', variables: { input: { provider: 'ATLAN', displayName: 'fz', description: '', personaQualifiedNames: [], validitySeconds: 3600 } } },
  { query: 'mutation($input: CreateRefreshTokenInput!) { createRefreshToken(input: $input) { secret } }', variables: { input: { serviceAccountId: '00000000-0000-0000-0000-000000000000', name: 'fz' } } },
  { query: 'mutation($input: CreateOAuthClientInput!) { createOAuthClient(input: $input) { clientSecret } }', variables: { input: { name: 'fz', accessTokenLifetimeSeconds: 300, role: 'VIEWER' } } },
  { query: 'mutation($input: CreatePersonaInput!) { createPersona(input: $input) { id } }', variables: { input: { provider: 'ATLAN', name: 'fz', qualifiedName: 'fz/q', policies: [] } } },
  { query: 'mutation($csv: String!, $confirm: Boolean!) { importServiceAccounts(provider: ALATION, csv: $csv, confirm: $confirm) { total valid } }', variables: { csv: 'email,role\nfz@example.com,VIEWER', confirm: false } },
  { query: 'query($first: Int, $after: String) { serviceAccounts(first: $first, after: $after) { totalCount } }', variables: { first: 5, after: null } },
  { query: 'mutation($id: ID!, $input: UpdateServiceAccountInput!) { updateServiceAccount(id: $id, input: $input) { id } }', variables: { id: '00000000-0000-0000-0000-000000000000', input: { displayName: 'x' } } },
];
type Edit = { path: string[]; op: 'drop' | 'set' | 'extra'; value: unknown };
const edits = fc.array(
  fc.record({ path: fc.array(fc.constantFrom('input', 'provider', 'user', 'role', 'name', 'csv', 'first', 'after', 'id', 'policies', 'displayName', 'validitySeconds', 'zzz'), { minLength: 1, maxLength: 2 }), op: fc.constantFrom<Edit['op']>('drop', 'set', 'extra'), value: hostileValue }),
  { minLength: 1, maxLength: 4 },
);
function edited(variables: Record<string, unknown>, changes: Edit[]): Record<string, unknown> {
  const copy = structuredClone(variables);
  for (const { path, op, value } of changes) {
    let target: Record<string, unknown> = copy;
    for (const step of path.slice(0, -1)) target = target[step] && typeof target[step] === 'object' ? (target[step] as Record<string, unknown>) : target;
    const last = path[path.length - 1];
    if (op === 'drop') delete target[last];
    else if (op === 'set') target[last] = value;
    else target[`${last}_extra`] = value;
  }
  return copy;
}

const credential = fc.constantFrom('none', 'operator', 'alation', 'atlan', 'talend', 'garbage');

test('hostile GraphQL documents: never a 5xx or a leak; refusals change nothing', async () => {
  await fc.assert(
    fc.asyncProperty(hostileDocument, credential, fc.option(hostileObject, { nil: undefined }), async (doc, who, variables) => {
      await send(`${doc.shape}${variables ? '+variables' : ''}`, '/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...credentials[who] },
        body: jsonText({ query: doc.query, ...(variables ? { variables } : {}) }),
      }, graphqlRefused);
    }),
    { numRuns: runs(100), seed: SEED, endOnFailure: true },
  );
});

test('real operations with broken variables, and hostile request envelopes', async () => {
  const envelope = fc.oneof(
    fc.tuple(fc.nat({ max: OPERATIONS.length - 1 }), edits).map(([i, changes]) => ({ shape: `graphql-variables-${i}`, body: jsonText({ query: OPERATIONS[i].query, variables: edited(OPERATIONS[i].variables, changes) }) })),
    hostileObject.map((o) => ({ shape: 'graphql-envelope', body: jsonText({ query: '{ viewer { name } }', ...o }) })),
    hostileValue.map((v) => ({ shape: 'graphql-envelope-any', body: jsonText(v) })),
  );
  await fc.assert(
    fc.asyncProperty(envelope, fc.constantFrom('operator', 'operator', 'alation', 'none'), async ({ shape, body }, who) => {
      await send(shape, '/graphql', { method: 'POST', headers: { 'content-type': 'application/json', ...credentials[who] }, body }, graphqlRefused);
    }),
    { numRuns: runs(150), seed: SEED, endOnFailure: true },
  );
});

test('every declared REST route with hostile bodies, query strings and path parameters', async () => {
  const routes = t.gateway.routes;
  const request = fc.record({
    route: fc.nat({ max: routes.length - 1 }),
    body: hostileBody,
    param: hostileString,
    query: fc.option(hostileObject, { nil: undefined }),
    who: credential,
  });
  await fc.assert(
    fc.asyncProperty(request, async ({ route: index, body, param, query, who }) => {
      const route = routes[index];
      const method = route.method === 'ALL' ? 'POST' : route.method;
      const path = route.path.replace(/:\w+/g, () => encodeSegment(param) || 'x') + (query ? `?${formText(query)}` : '');
      const headers: Record<string, string> = { ...credentials[who], ...(body.contentType ? { 'content-type': body.contentType } : {}) };
      const sendsBody = method !== 'GET' && body.payload !== undefined;
      await send(`rest-${body.shape}${query ? '+query' : ''}`, path, { method, headers, body: sendsBody ? bodyOf(body.payload) : undefined }, (status) => status >= 400);
    }),
    { numRuns: runs(150), seed: SEED, endOnFailure: true },
  );
});

/** Vendor requests that would succeed, to be broken field by field: the bad value then reaches the act. */
const VENDOR_REQUESTS: { path: string; who: string; body: () => Record<string, unknown> }[] = [
  { path: '/api/service/apikeys', who: 'atlan', body: () => ({ displayName: 'fz', description: '', personas: [], personaQualifiedNames: [], validitySeconds: 3600 }) },
  { path: '/integration/v1/createRefreshToken/', who: 'none', body: () => ({ username: 'fuzz@example.com', password: 'Whatever-1234', name: 'fz' }) },
  { path: '/integration/v1/validateAPIAccessToken/', who: 'none', body: () => ({ api_access_token: 'kgat_x', user_id: alationUserId }) },
  { path: '/keygate/alation/listRefreshTokens', who: 'alation', body: () => ({ user_id: alationUserId }) },
  { path: '/account/service-accounts', who: 'talend', body: () => ({ name: 'fz', permissions: [] }) },
  { path: '/account/personal-access-tokens', who: 'talend', body: () => ({ name: 'fz' }) },
  { path: '/security/oauth/token', who: 'none', body: () => ({ audience: 'https://api.talend.io', grant_type: 'client_credentials' }) },
];

const KEEP = Symbol('keep');
const DROP = Symbol('drop');

test('vendor requests that would succeed, broken field by field (values, types, sizes, missing and extra fields)', async () => {
  const broken = fc.nat({ max: VENDOR_REQUESTS.length - 1 }).chain((index) => {
    // Each field kept, dropped, or replaced (mostly by a string: a field that reads text is where a bad one goes furthest).
    const field = fc.oneof({ weight: 2, arbitrary: fc.constant<unknown>(KEEP) }, { weight: 3, arbitrary: hostileString }, { weight: 1, arbitrary: hostileValue }, { weight: 1, arbitrary: fc.constant<unknown>(DROP) });
    return fc.record({
      index: fc.constant(index),
      fields: fc.record(Object.fromEntries(Object.keys(VENDOR_REQUESTS[index].body()).map((k) => [k, field]))),
      extra: fc.option(hostileObject, { nil: undefined }),
      form: fc.boolean(),
    });
  });
  await fc.assert(
    fc.asyncProperty(broken, async ({ index, fields, extra, form }) => {
      const { path, who, body } = VENDOR_REQUESTS[index];
      const sent: Record<string, unknown> = { ...extra };
      for (const [k, v] of Object.entries(body())) if (fields[k] !== DROP) sent[k] = fields[k] === KEEP ? v : fields[k];
      const contentType = form ? 'application/x-www-form-urlencoded' : 'application/json';
      await send(`vendor-${index}-${form ? 'form' : 'json'}${extra ? '+extra' : ''}`, path, { method: 'POST', headers: { 'content-type': contentType, ...credentials[who] }, body: form ? formText(sent) : jsonText(sent) }, (status) => status >= 400);
    }),
    { numRuns: runs(150), seed: SEED, endOnFailure: true },
  );
});
