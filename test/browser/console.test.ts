/// <reference lib="dom" />
/**
 * The console in a real browser (Debian's Chromium, headless, driven by playwright-core) against
 * a real `keygate serve` process, through accessible names only. After the flows: axe on every
 * screen, and the secret scan over database, data folder, server output and browser storage.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { Database, MasterKey } from '../../src/core';
import { axeFindings, browserStorage, eventually, hasText, launchBrowser, newContext, newTab, screenshot, type AxeFinding, type Tab, visible } from '../support/browser';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { expectOk, graphql } from '../support/graphql';
import { startGatewayProcess, type GatewayProcess } from '../support/process';
import { storedText } from '../support/secret-scan';

// Bounded, but patient: this suite shares two cores with whatever else the machine runs.
jest.setTimeout(240_000);
const START = { startTimeoutMs: 180_000 };

const OPERATOR = 'browser-operator-token-0123456789';
const ALATION_PASSWORD = 'Br0wser-Test-Passw0rd!';

let server: GatewayProcess;
let serverEnv: Record<string, string>;
/** Output of every server process this file started (the secret scan reads all of it). */
const outputs: (() => string)[] = [];
let database: TestDatabase;
let dataDir: string;
let browser: Browser;
let context: BrowserContext;
let tab: Tab;
const secrets: string[] = [ALATION_PASSWORD];
const findings: AxeFinding[] = [];
const shots: string[] = [];

const api = async (query: string, variables: Record<string, unknown> = {}, token = OPERATOR) => expectOk(await graphql(server.url, query, variables, token));

beforeAll(async () => {
  database = await createTestDatabase();
  dataDir = mkdtempSync(join(tmpdir(), 'keygate-browser-'));
  serverEnv = {
    KEYGATE_OPERATOR_TOKEN: OPERATOR,
    KEYGATE_DATA_DIR: dataDir,
    KEYGATE_MASTER_KEY: MasterKey.generate(),
    KEYGATE_AUTH_FAILURES_PER_MINUTE: '0',
    ...(database.url ? { DATABASE_URL: database.url } : {}),
  };
  server = await startGatewayProcess(serverEnv, START);
  outputs.push(server.output);
  browser = await launchBrowser();
  context = await newContext(browser, server.url);
  tab = await newTab(context);
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  await database?.drop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

/** axe and a screenshot of the screen as it is now. */
async function look(page: Page, name: string) {
  const { blocking, all } = await axeFindings(page, name);
  findings.push(...all);
  expect(blocking).toEqual([]);
  shots.push(await screenshot(page, name));
}

async function signIn(page: Page, token: string) {
  await page.goto('/console');
  await page.getByLabel('Token', { exact: true }).fill(token);
  await page.getByLabel('Token', { exact: true }).press('Enter');
  await visible(page.getByRole('button', { name: 'Sign out' }));
}

async function signOut(page: Page) {
  await page.getByRole('button', { name: 'Sign out' }).click();
  await visible(page.getByRole('button', { name: 'Sign in', exact: true }));
}

/** Reads the shown-once secret the way a user gets it: Copy, then the clipboard. */
async function copySecret(page: Page): Promise<string> {
  const shown = await page.getByLabel('Secret', { exact: true }).inputValue();
  await page.getByRole('button', { name: 'Copy', exact: true }).click();
  await visible(page.getByText('Secret copied to the clipboard.'));
  const copied = await page.evaluate(() => navigator.clipboard.readText());
  expect(copied).toBe(shown);
  secrets.push(shown);
  return shown;
}

async function stored(page: Page) {
  await page.getByRole('button', { name: 'I have stored it' }).click();
  await eventually(async () => expect(await page.getByLabel('Secret', { exact: true }).count()).toBe(0));
}

const nav = (page: Page, name: string) => page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name, exact: true }).click();

test('GET / and /graphql for browsers: the console and a GraphiQL of our own, under a strict CSP', async () => {
  const root = await fetch(server.url + '/', { headers: { accept: 'text/html' }, redirect: 'manual' });
  expect(root.status).toBe(302);
  expect(root.headers.get('location')).toBe('/console');
  expect((await fetch(server.url + '/', { headers: { accept: 'application/json' } })).status).toBe(404);
  const page = await fetch(server.url + '/console/tokens');
  expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
  const html = await page.text();
  expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
  expect(html).not.toMatch(/https?:\/\//);
  expect((await fetch(server.url + '/graphql', { headers: { accept: 'application/json' } })).status).not.toBe(200);

  const { page: graphiql, problems } = tab;
  const external: string[] = [];
  graphiql.on('request', (request) => {
    if (!request.url().startsWith(server.url) && !request.url().startsWith('data:') && !request.url().startsWith('ws://127.0.0.1')) external.push(request.url());
  });
  await graphiql.goto('/graphql');
  await visible(graphiql.getByRole('button', { name: 'Headers', exact: true }));
  await visible(graphiql.getByRole('button', { name: /Execute query/i }));
  shots.push(await screenshot(graphiql, 'graphiql'));
  expect(external).toEqual([]);
  expect(problems).toEqual([]);
});

test('sign in: a wrong token is refused, the operator sees every screen, sign out forgets the credential', async () => {
  const { page } = tab;
  await page.goto('/');
  await eventually(() => expect(page.url()).toMatch(/\/console$/));
  await visible(page.getByRole('button', { name: 'Sign in', exact: true }));
  await look(page, 'sign-in');
  await page.getByLabel('Token', { exact: true }).fill('kgat_not-a-real-token');
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await hasText(page.getByRole('alert'), 'not valid');
  expect(await page.evaluate(() => sessionStorage.length)).toBe(0);

  await signIn(page, OPERATOR);
  for (const name of ['Tokens', 'Service accounts', 'Import', 'Events', 'Audit']) await visible(page.getByRole('link', { name, exact: true }));
  await visible(page.getByText('Gateway operator'));
  await signOut(page);
  expect(await page.evaluate(() => ({ session: sessionStorage.length, local: localStorage.length }))).toEqual({ session: 0, local: 0 });
});

let alationUser: { id: string; name: string };

test('Alation: create a user, sign in as it, create a refresh token, copy it, go on to its access token, see the row ACTIVE', async () => {
  const { page } = tab;
  await signIn(page, OPERATOR);
  await nav(page, 'Service accounts');
  await page.getByRole('button', { name: 'Create service account' }).click();
  const dialog = page.getByRole('dialog', { name: 'Create an API service account' });
  await dialog.getByLabel('User', { exact: true }).fill('etl-bot@example.com');
  await dialog.getByLabel('Display name').fill('ETL bot');
  await dialog.getByLabel('Email').fill('etl-bot@example.com');
  await dialog.getByLabel('Role').selectOption('STEWARD');
  await dialog.getByLabel('Password').fill(ALATION_PASSWORD);
  await dialog.getByRole('button', { name: 'Create user' }).click();
  await visible(page.getByRole('status').filter({ hasText: 'Created user etl-bot@example.com' }));
  await visible(page.getByRole('row', { name: /etl-bot@example\.com.*STEWARD/ }));
  await look(page, 'service-accounts-alation');
  await signOut(page);

  await page.getByText('Alation user with a password').click();
  await page.getByLabel('User name').fill('etl-bot@example.com');
  await page.getByLabel('Password').fill(ALATION_PASSWORD);
  await page.getByRole('button', { name: 'Sign in with password' }).click();
  await visible(page.getByRole('button', { name: 'Sign out' }));
  await visible(page.getByText('etl-bot@example.com'));
  alationUser = (await api('{ serviceAccounts(provider: ALATION, kind: USER) { nodes { id name } } }')).serviceAccounts.nodes.find((n: { name: string }) => n.name === 'etl-bot@example.com');

  await nav(page, 'Service accounts');
  await page.getByRole('button', { name: 'Create Refresh Token' }).click();
  const create = page.getByRole('dialog', { name: 'Create Refresh Token' });
  await create.getByLabel('Refresh token name').fill('TableauRefreshToken');
  await create.getByRole('button', { name: 'Create Refresh Token' }).click();
  await visible(create.getByText('Token Secret Key'));
  await look(page, 'refresh-token-secret');
  const refreshSecret = await copySecret(page);
  expect(refreshSecret).toMatch(/^kgrt_/);
  await stored(page);
  await page.getByRole('button', { name: 'Create API Access Token' }).click();
  const accessSecret = await copySecret(page);
  expect(accessSecret).toMatch(/^kgat_/);
  // The copied key works: it is the user's own API access token.
  expect((await api('{ viewer { name } }', {}, accessSecret)).viewer.name).toBe('etl-bot@example.com');
  await stored(page);
  await page.getByRole('button', { name: 'Done' }).click();
  await visible(page.getByRole('row', { name: /TableauRefreshToken.*ACTIVE.*ACTIVE/ }));

  await nav(page, 'Tokens');
  const row = page.getByRole('row', { name: /TableauRefreshToken API access token/ });
  await hasText(row, 'ACTIVE');
  await hasText(page.getByRole('row', { name: /TableauRefreshToken Refresh token/ }), 'ACTIVE');
  await look(page, 'tokens');
});

test('revoked in a second tab by an admin: the first tab turns REVOKED, shows the badge and the feed event', async () => {
  const first = tab.page;
  const admin = await newTab(context);
  await signIn(admin.page, OPERATOR);
  expect(await first.evaluate(() => sessionStorage.length)).toBe(1);
  const row = admin.page.getByRole('row', { name: /TableauRefreshToken API access token.*etl-bot/ });
  const started = Date.now();
  await row.getByRole('button', { name: 'Revoke' }).click();
  await hasText(first.getByRole('row', { name: /TableauRefreshToken API access token/ }), 'REVOKED');
  const latency = Date.now() - started;
  await visible(first.getByRole('status').filter({ hasText: '1 revoked' }));
  await visible(first.getByRole('alert').filter({ hasText: 'One of your tokens was revoked' }));
  process.stdout.write(`revocation reached the other tab's table in ${latency} ms\n`);
  await look(first, 'tokens-revoked-badge');
  await nav(first, 'Events');
  await visible(first.getByRole('row', { name: /Revoked Access token/ }));
  await visible(first.getByRole('status').filter({ hasText: 'Live' }));
  await look(first, 'events');
  await signOut(admin.page);
  await admin.page.close();
});

test('Events: after the connection drops, the feed resumes from its last cursor and shows what it missed, once', async () => {
  const { page } = tab;
  await visible(page.getByRole('status').filter({ hasText: 'Live' }));
  const before = await page.getByRole('row', { name: /Revoked/ }).count();
  // The browser goes offline and keygate restarts on the same port: the socket drops and
  // cannot come back until the browser is online again.
  await context.setOffline(true);
  const port = new URL(server.url).port;
  await server.stop();
  await visible(page.getByRole('status').filter({ hasText: 'Reconnecting' }));
  server = await startGatewayProcess({ ...serverEnv, PORT: port }, START);
  outputs.push(server.output);
  // Made while the console is disconnected: only a replay from the last cursor can show it.
  const refresh = (await api('mutation($id: ID!) { createRefreshToken(input: {serviceAccountId: $id, name: "while-offline"}) { refreshToken { id } } }', { id: alationUser.id })).createRefreshToken.refreshToken.id;
  await api('mutation($id: ID!) { revokeToken(id: $id) { revokedIds } }', { id: refresh });
  await context.setOffline(false);
  await visible(page.getByRole('status').filter({ hasText: 'resumed once' }), 60_000);
  await eventually(async () => expect(await page.getByRole('row', { name: /Revoked Refresh token/ }).count()).toBe(1), 30_000);
  await eventually(async () => expect(await page.getByRole('row', { name: /Created Refresh token/ }).count()).toBe(2), 30_000);
  expect(await page.getByRole('row', { name: /Revoked/ }).count()).toBe(before + 1);
});

test('Import: one bad row is shown on its line and confirm creates nothing; fixed, confirm creates all', async () => {
  const { page } = tab;
  await signOut(page);
  await signIn(page, OPERATOR);
  await nav(page, 'Import');
  expect(await page.getByRole('link', { name: 'Download the CSV template' }).getAttribute('href')).toBe('/console/alation-users-template.csv');
  const template = await (await fetch(server.url + '/console/alation-users-template.csv')).text();
  expect(template.split('\n')[0]).toBe('user,display_name,email,title,role,password');
  const header = 'user,display_name,email,title,role,password';
  const good = 'loader@example.com,Loader,loader@example.com,API Service Account,CATALOG_ADMIN,L0ader-Secret-Passw0rd';
  const bad = 'reader@example.com,Reader,reader@example.com,API Service Account,server_admin,R3ader-Secret-Passw0rd';
  secrets.push('L0ader-Secret-Passw0rd', 'R3ader-Secret-Passw0rd');
  const file = (rows: string[]) => ({ name: 'users.csv', mimeType: 'text/csv', buffer: Buffer.from([header, ...rows].join('\n') + '\n') });

  await page.getByLabel('CSV file').setInputFiles(file([good, bad]));
  await page.getByRole('button', { name: 'Preview' }).click();
  const badRow = page.getByRole('row', { name: /^3 reader@example\.com/ });
  await hasText(badRow, 'Unknown role "server_admin"');
  await hasText(page.getByRole('row', { name: /^2 loader@example\.com/ }), 'OK');
  await look(page, 'import-preview');
  await page.getByRole('button', { name: 'Confirm' }).click();
  await hasText(page.getByRole('alert'), 'Refused: nothing was created');
  expect((await api('{ serviceAccounts(provider: ALATION, first: 100) { nodes { name } } }')).serviceAccounts.nodes.map((n: { name: string }) => n.name)).not.toContain('loader@example.com');

  await page.getByLabel('CSV file').setInputFiles(file([good, bad.replace('server_admin', 'SERVER_ADMIN')]));
  await page.getByRole('button', { name: 'Preview' }).click();
  await visible(page.getByRole('status').filter({ hasText: 'All 2 row(s) are valid' }));
  await page.getByRole('button', { name: 'Confirm' }).click();
  await visible(page.getByRole('status').filter({ hasText: 'Created 2 account(s)' }));
  const names = (await api('{ serviceAccounts(provider: ALATION, first: 100) { nodes { name } } }')).serviceAccounts.nodes.map((n: { name: string }) => n.name);
  expect(names).toEqual(expect.arrayContaining(['loader@example.com', 'reader@example.com']));
});

test('Atlan: an API token with two personas, then edited to one (the set replaces the old one)', async () => {
  const { page } = tab;
  for (const [name, qualifiedName] of [
    ['Readers', 'persona/readers'],
    ['Writers', 'persona/writers'],
  ])
    await api('mutation($n: String!, $q: String!) { createPersona(input: {provider: ATLAN, name: $n, qualifiedName: $q}) { id } }', { n: name, q: qualifiedName });
  await nav(page, 'Service accounts');
  await page.getByRole('tab', { name: 'Atlan' }).click();
  await page.getByRole('button', { name: 'Create service account' }).click();
  const dialog = page.getByRole('dialog', { name: 'Create API token' });
  await dialog.getByLabel('Display name').fill('ci-loader');
  await dialog.getByLabel('Description').fill('Loads the warehouse');
  await dialog.getByRole('checkbox', { name: /Readers/ }).check();
  await dialog.getByRole('checkbox', { name: /Writers/ }).check();
  await dialog.getByRole('checkbox', { name: 'Never expires' }).check();
  await dialog.getByRole('button', { name: 'Create API token' }).click();
  const secret = await copySecret(page);
  expect((await api('{ viewer { name kind } }', {}, secret)).viewer).toEqual({ name: 'ci-loader', kind: 'api_token' });
  await stored(page);
  const row = page.getByRole('row', { name: /ci-loader/ });
  await hasText(row, 'Readers, Writers');
  await hasText(row, 'Never');

  await row.getByRole('button', { name: 'Edit personas' }).click();
  const edit = page.getByRole('dialog', { name: 'Personas of ci-loader' });
  await visible(edit.getByText('complete set'));
  await edit.getByRole('checkbox', { name: /Writers/ }).uncheck();
  await look(page, 'atlan-personas');
  await edit.getByRole('button', { name: 'Save personas' }).click();
  await hasText(page.getByRole('row', { name: /ci-loader/ }), 'Readers');
  await eventually(async () => expect(await page.getByRole('row', { name: /ci-loader/ }).textContent()).not.toContain('Writers'));
  await hasText(page.getByRole('region', { name: 'Connection and collection grants' }), 'impersonation');
  await look(page, 'service-accounts-atlan');
});

test('Talend: a service account with catalog permissions and base64 id:secret; the sixth personal access token is refused', async () => {
  const { page } = tab;
  const user = (await api('mutation { createServiceAccount(input: {provider: TALEND, user: "tmc-admin@example.com", permissions: ["TMC_SERVICE_ACCOUNT_MANAGEMENT", "TMC_USER_MANAGEMENT", "TMC_ROLE_MANAGEMENT", "AUDIT_LOGS_VIEW", "TMC_ENGINE_USE"]}) { serviceAccount { id } } }')).createServiceAccount.serviceAccount.id;
  const pat = (await api('mutation($id: ID!) { createAccessToken(input: {serviceAccountId: $id, name: "console"}) { secret } }', { id: user })).createAccessToken.secret;
  secrets.push(pat);
  await signOut(page);
  await signIn(page, pat);
  await nav(page, 'Service accounts');
  await page.getByRole('button', { name: 'Create service account' }).click();
  const dialog = page.getByRole('dialog', { name: 'Create a service account' });
  await dialog.getByLabel('Name').fill('myServiceAccount');
  for (const permission of ['Users - Manage', 'Roles - Manage', 'Audit logs - View', 'Engines - Use']) await dialog.getByRole('checkbox', { name: new RegExp(permission) }).check();
  await dialog.getByRole('button', { name: 'Create account' }).click();
  const secret = await copySecret(page);
  const basic = await dialog.getByLabel('base64 id:secret').inputValue();
  const [id, fromBasic] = Buffer.from(basic, 'base64').toString('utf8').split(':');
  expect(fromBasic).toBe(secret);
  await look(page, 'talend-secret');
  const exchanged = await fetch(server.url + '/security/oauth/token', {
    method: 'POST',
    headers: { authorization: `Basic ${basic}`, 'content-type': 'application/json' },
    body: JSON.stringify({ audience: 'https://api.talend.io', grant_type: 'client_credentials' }),
  });
  expect(exchanged.status).toBe(200);
  secrets.push(((await exchanged.json()) as { access_token: string }).access_token);
  await stored(page);
  await hasText(page.getByRole('row', { name: new RegExp(`myServiceAccount ${id}`) }), 'Audit logs - View');

  for (let n = 2; n <= 6; n++) {
    await page.getByLabel('Token name').fill(`pat-${n}`);
    await page.getByRole('button', { name: 'Generate personal access token' }).click();
    if (n === 6) break;
    await copySecret(page);
    await stored(page);
  }
  await hasText(page.getByRole('alert'), 'at most 5 active personal access tokens');
  await hasText(page.getByRole('region', { name: 'Personal access tokens' }), '5 of at most 5 active');
  await look(page, 'service-accounts-talend');
  // AUDIT_LOGS_VIEW: this user reads Talend's audit rows.
  await nav(page, 'Audit');
  await visible(page.getByRole('row', { name: /talend\.serviceAccount\.create|serviceAccount\.create/ }).first());
  await signOut(page);
});

test('Audit: filters and paging', async () => {
  const { page } = tab;
  // Enough rows for more than one page of 25.
  for (let n = 0; n < 30; n++) await api('mutation($n: String!) { createPersona(input: {provider: ATLAN, name: $n}) { id } }', { n: `Audit filler ${n}` });
  await signIn(page, OPERATOR);
  await nav(page, 'Audit');
  await page.getByLabel('Action').fill('serviceAccount.*');
  await page.getByLabel('Outcome').selectOption('success');
  await page.getByRole('button', { name: 'Apply filters' }).click();
  await hasText(page.getByRole('row', { name: /operator.*serviceAccount\.create.*success/ }), 'operator');
  await page.getByLabel('Actor').fill('nobody');
  await page.getByRole('button', { name: 'Apply filters' }).click();
  await visible(page.getByText('No rows match.'));
  await page.getByLabel('Actor').fill('');
  await page.getByLabel('Action').fill('');
  await page.getByLabel('Outcome').selectOption('');
  await page.getByRole('button', { name: 'Apply filters' }).click();
  // Unfiltered, the log is longer than a page of 25.
  await eventually(async () => expect(Number(/(\d+) in all/.exec((await page.getByText(/Page 1 ·/).textContent()) ?? '')?.[1])).toBeGreaterThan(25));
  await page.getByRole('button', { name: 'Next page' }).click();
  await visible(page.getByText(/Page 2 ·/));
  await look(page, 'audit');
  await page.getByRole('button', { name: 'Previous page' }).click();
  await visible(page.getByText(/Page 1 ·/));
});

test('the secret scan: no secret in the database, the data folder, the server output or the browser storage', async () => {
  const { page } = tab;
  await signOut(page);
  const storage = await browserStorage(context, page);
  expect(tab.problems).toEqual([]);
  await browser.close();
  await server.stop();
  const db = await Database.open({ url: database.url, dataDir });
  let text: string;
  try {
    text = await storedText((sql, params) => db.dataSource.query(sql, params));
  } finally {
    await db.close();
  }
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else files.push(readFileSync(path).toString('latin1'));
    }
  };
  walk(dataDir);
  const places = { database: text, dataFolder: files.join('\n'), serverOutput: outputs.map((output) => output()).join('\n'), browserStorage: storage };
  expect(secrets.length).toBeGreaterThan(8);
  for (const secret of secrets) for (const [where, haystack] of Object.entries(places)) expect(`${where}: ${haystack.includes(secret)}`).toBe(`${where}: false`);
  process.stdout.write(`axe findings (none serious or critical): ${JSON.stringify(findings)}\nscreenshots: ${shots.join(', ')}\n`);
});
