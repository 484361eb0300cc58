import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startTestGateway, type TestGateway, OPERATOR_TOKEN } from '../../support/gateway';
import { expectOk, graphql } from '../../support/graphql';
import { CREATE_ACCESS, CREATE_REFRESH, createUser, IMPORT, rest } from './alation-support';

let t: TestGateway;
beforeAll(async () => {
  t = await startTestGateway({ config: { lifespans: { alation: { refresh: 3600, access: 600 } } } });
});
afterAll(() => t.close());

/** Every text-like column of every table, searched for a plain value. */
async function databaseContains(value: string): Promise<string[]> {
  const columns: { table_name: string; column_name: string }[] = await t.gateway.db.dataSource.query(
    `SELECT table_name, column_name FROM information_schema.columns
      WHERE table_schema = 'public' AND data_type IN ('text', 'character varying', 'jsonb', 'json')`,
  );
  const hits: string[] = [];
  for (const { table_name, column_name } of columns) {
    const [row] = await t.gateway.db.dataSource.query(`SELECT count(*) AS n FROM "${table_name}" WHERE "${column_name}"::text LIKE $1`, [`%${value}%`]);
    if (Number(row.n) > 0) hits.push(`${table_name}.${column_name}`);
  }
  return hits;
}

const EVERYTHING = `query($id: ID!) {
  serviceAccount(id: $id) { id provider kind name displayName email title role description clientId username userId createdAt createdBy lastUsedAt
    refreshTokens { id name status createdAt expiresAt lastUsedAt revokedAt provider accessToken { id kind name status createdAt expiresAt lastUsedAt revokedAt } }
    accessTokens { id kind name status createdAt expiresAt lastUsedAt revokedAt provider refreshToken { id name status } } }
  serviceAccounts(provider: ALATION) { totalCount nodes { id name userId role email } } }`;

test('secrets and passwords appear only in the response that created them, on both faces', async () => {
  const PASSWORD = 'Single-Shot-Passw0rd!';
  const CSV_PASSWORD = 'Csv-Row-Passw0rd!';
  const user = await createUser(t.url, 'once@example.com', 'STEWARD', PASSWORD);
  const preview = await graphql(t.url, IMPORT, { csv: `user,email,role,password\ncsv@example.com,csv@example.com,VIEWER,${CSV_PASSWORD}\n` }, OPERATOR_TOKEN);
  const imported = await graphql(t.url, IMPORT, { csv: `user,email,role,password\ncsv@example.com,csv@example.com,VIEWER,${CSV_PASSWORD}\n`, confirm: true }, OPERATOR_TOKEN);
  expect(preview.raw + imported.raw).not.toContain(CSV_PASSWORD);

  const restRefresh = await rest(t.url, '/integration/v1/createRefreshToken/', { username: 'once@example.com', password: PASSWORD, name: 'rest' });
  const restAccess = await rest(t.url, '/integration/v1/createAPIAccessToken/', { refresh_token: restRefresh.body.refresh_token, user_id: user.userId });
  const token = restAccess.body.api_access_token as string;
  const gqlRefresh = expectOk(await graphql(t.url, CREATE_REFRESH, { input: { name: 'gql' } }, token)).createRefreshToken;
  const gqlAccess = expectOk(await graphql(t.url, CREATE_ACCESS, { input: { refreshTokenId: gqlRefresh.refreshToken.id } }, token)).createAccessToken;
  const secrets = [restRefresh.body.refresh_token, token, gqlRefresh.secret, gqlAccess.secret] as string[];
  expect(secrets.every((s) => /^kg(rt|at)_/.test(s))).toBe(true);

  // Configured lifespans (KEYGATE_LIFESPANS): one hour and ten minutes here.
  expect(Date.parse(restRefresh.body.token_expires_at) - Date.parse(restRefresh.body.created_at)).toBe(3600 * 1000);
  expect(Date.parse(restAccess.body.token_expires_at) - Date.parse(restAccess.body.created_at)).toBe(600 * 1000);
  expect(Date.parse(gqlAccess.accessToken.expiresAt) - Date.parse(gqlAccess.accessToken.createdAt)).toBe(600 * 1000);

  // Everything one can read afterwards, as the user and as the operator.
  const reads = [
    (await graphql(t.url, EVERYTHING, { id: user.id }, OPERATOR_TOKEN)).raw,
    (await graphql(t.url, EVERYTHING.replace(/serviceAccounts\(provider: ALATION\).*\} \}$/s, '}'), { id: user.id }, token)).raw,
    (await graphql(t.url, '{ viewer { name kind role permissions credentialExpiresAt serviceAccount { userId refreshTokens { name } } } }', {}, token)).raw,
    (await rest(t.url, '/integration/v1/validateRefreshToken/', { refresh_token: restRefresh.body.refresh_token, user_id: user.userId })).raw,
    (await rest(t.url, '/keygate/alation/listRefreshTokens/', {}, { TOKEN: token })).raw,
    (await rest(t.url, '/integration/v1/revokeAPIAccessTokens/', { refresh_token: gqlRefresh.secret, user_id: user.userId })).raw,
  ];
  expect(reads[0]).toContain('once@example.com');
  for (const raw of reads) for (const value of [...secrets, PASSWORD, CSV_PASSWORD]) expect(raw).not.toContain(value);
  // validateAPIAccessToken echoes the token it was sent, as Alation does (Allie's `Alation(host, user_id, access_token)` keeps it), and nothing else.
  const validated = await rest(t.url, '/integration/v1/validateAPIAccessToken/', { api_access_token: token, user_id: user.userId });
  expect(validated.body.api_access_token).toBe(token);
  expect(validated.headers.get('cache-control')).toBe('no-store');
  for (const value of [...secrets.filter((s) => s !== token), PASSWORD, CSV_PASSWORD]) expect(validated.raw).not.toContain(value);
  for (const value of [...secrets, PASSWORD, CSV_PASSWORD]) {
    expect(await databaseContains(value)).toEqual([]);
    expect(t.logs.join('\n')).not.toContain(value);
  }
});

const execFileAsync = promisify(execFile);
async function pythonWithRequests(): Promise<boolean> {
  try {
    await execFileAsync('python3', ['-c', 'import requests']);
    return true;
  } catch {
    return false;
  }
}

test("the seed's Python examples run unchanged against keygate", async () => {
  if (!(await pythonWithRequests())) {
    console.warn('skipped: python3 with requests is not installed');
    return;
  }
  const user = await createUser(t.url, 'python@example.com', 'VIEWER', 'Pyth0n-Passw0rd!');
  const dir = await mkdtemp(join(tmpdir(), 'keygate-py-'));
  // The seed's two examples, verbatim but for the placeholders; each prints its answer, then a JSON line for the test.
  const script = `import requests
import json

EMAIL_ADDRESS_HERE = "python@example.com"
PASSWORD_HERE = "Pyth0n-Passw0rd!"
project_name_here = "AlationAPI"

BASE_URL = ${JSON.stringify(t.url)}
api_url = "/integration/v1/createRefreshToken/"
# Replace email_address_here and password_here with your email and password
data = {
  "username": EMAIL_ADDRESS_HERE,
  "password": PASSWORD_HERE,
  "name": project_name_here # can be anything, e.g. AlationAPI
}

# Get refresh token
response = requests.post(BASE_URL + api_url, json=data)
print(response.json())
print("JSON " + json.dumps({"status": response.status_code, "body": response.json()}))
refresh = response.json()

BASE_URL = ${JSON.stringify(t.url)}
api_url = "/integration/v1/createAPIAccessToken/"
# Replace user_id and refresh_token values with your user id and refresh token
data = {
    "refresh_token": refresh["refresh_token"],
    "user_id": refresh["user_id"]
}

# Get APIAccessToken for user using the RefreshToken
response = requests.post(BASE_URL + api_url, json=data)
print(response.json())
print("JSON " + json.dumps({"status": response.status_code, "body": response.json()}))
`;
  try {
    await writeFile(join(dir, 'seed.py'), script);
    const { stdout } = await execFileAsync('python3', [join(dir, 'seed.py')], { timeout: 30_000 });
    const answers = stdout.split('\n').filter((l) => l.startsWith('JSON ')).map((l) => JSON.parse(l.slice(5)));
    expect(answers).toHaveLength(2);
    expect(answers[0]).toMatchObject({ status: 201, body: { user_id: user.userId, name: 'AlationAPI', token_status: 'ACTIVE', refresh_token: expect.stringMatching(/^kgrt_/) } });
    expect(answers[1]).toMatchObject({ status: 201, body: { user_id: user.userId, token_status: 'ACTIVE', api_access_token: expect.stringMatching(/^kgat_/) } });
    // The token the script got works as the TOKEN header.
    const me = expectOk(await graphql(t.url, '{ viewer { name } }', {}, undefined, { TOKEN: answers[1].body.api_access_token })).viewer;
    expect(me.name).toBe('python@example.com');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
