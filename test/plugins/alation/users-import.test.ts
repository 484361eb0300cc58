import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../support/process';
import { createTestDatabase, onPostgres } from '../../support/database';
import { startTestGateway, type TestGateway, OPERATOR_TOKEN } from '../../support/gateway';
import { codes, expectOk, graphql } from '../../support/graphql';
import { CREATE_USER, IMPORT, signedInUser } from './alation-support';
import { LocalCommands } from '../../../src/server/operator-commands';

let t: TestGateway;
beforeAll(async () => {
  t = await startTestGateway();
});
afterAll(() => t.close());

const HEADER = 'user,display_name,email,title,role,password\n';
const count = async () => Number((await t.gateway.db.dataSource.query(`SELECT count(*) AS n FROM service_account WHERE provider = 'alation'`))[0].n);

describe('createServiceAccount (one user)', () => {
  test('role is case-sensitive and the error names the allowed values', async () => {
    const response = await graphql(t.url, CREATE_USER, { input: { provider: 'ALATION', user: 'lower@example.com', email: 'lower@example.com', role: 'server_admin' } }, OPERATOR_TOKEN);
    expect(codes(response)).toEqual(['BAD_USER_INPUT']);
    expect(response.errors![0].message).toBe(
      'Unknown role "server_admin". Allowed roles (case-sensitive): SERVER_ADMIN, CATALOG_ADMIN, SOURCE_ADMIN, STEWARD, COMPOSER, VIEWER. Did you mean "SERVER_ADMIN"?',
    );
  });

  test('password user (hash stored, no secret returned) and SSO user (no password)', async () => {
    const withPassword = expectOk(
      await graphql(t.url, CREATE_USER, { input: { provider: 'ALATION', user: 'pw@example.com', displayName: 'PW', email: 'pw@example.com', title: 'Bot', role: 'STEWARD', password: 'Str0ng-Password!' } }, OPERATOR_TOKEN),
    ).createServiceAccount;
    expect(withPassword.secret).toBeNull();
    expect(withPassword.serviceAccount).toMatchObject({ name: 'pw@example.com', role: 'STEWARD', displayName: 'PW', title: 'Bot', kind: 'user', userId: expect.stringMatching(/^\d+$/) });
    const sso = expectOk(await graphql(t.url, CREATE_USER, { input: { provider: 'ALATION', user: 'sso-user@example.com', email: 'sso-user@example.com', role: 'VIEWER' } }, OPERATOR_TOKEN)).createServiceAccount;
    const [pwRow] = await t.gateway.db.dataSource.query(`SELECT password_hash FROM service_account WHERE id = $1`, [withPassword.serviceAccount.id]);
    const [ssoRow] = await t.gateway.db.dataSource.query(`SELECT password_hash FROM service_account WHERE id = $1`, [sso.serviceAccount.id]);
    expect(pwRow.password_hash).toMatch(/^scrypt\$/);
    expect(ssoRow.password_hash).toBeNull();
    expect(Number(sso.serviceAccount.userId)).toBeGreaterThan(Number(withPassword.serviceAccount.userId));
  });

  test.each([
    ['weak password', { user: 'weak@example.com', email: 'weak@example.com', role: 'VIEWER', password: 'weakling1' }, 'BAD_USER_INPUT', /Password is too weak/],
    ['missing role', { user: 'norole@example.com', email: 'norole@example.com' }, 'BAD_USER_INPUT', /Missing field: role/],
    ['missing user', { email: 'nouser@example.com', role: 'VIEWER' }, 'BAD_USER_INPUT', /Missing field: user/],
    ['duplicate user', { user: 'pw@example.com', email: 'pw@example.com', role: 'VIEWER' }, 'CONFLICT', /already exists/],
  ])('%s', async (_label, input, code, message) => {
    const response = await graphql(t.url, CREATE_USER, { input: { provider: 'ALATION', ...input } }, OPERATOR_TOKEN);
    expect(codes(response)).toEqual([code]);
    expect(response.errors![0].message).toMatch(message);
    expect(response.raw).not.toContain('weakling1');
  });
});

describe('CSV import', () => {
  const bad =
    HEADER +
    'good1@example.com,Good One,good1@example.com,,VIEWER,G00d-Password!\n' + // line 2: fine
    'badrole@example.com,,badrole@example.com,,server_admin,\n' + // line 3: bad role
    'good1@example.com,Again,good1@example.com,,VIEWER,\n' + // line 4: duplicate in file
    'pw@example.com,Exists,pw@example.com,,VIEWER,\n' + // line 5: duplicate of an existing user
    'bademail@example.com,,not-an-email,,VIEWER,\n' + // line 6: bad email
    ',No User,nouser@example.com,,VIEWER,\n' + // line 7: missing field
    'weak@example.com,,weak@example.com,,VIEWER,Tr0ub4dor\n' + // line 8: fine (three character classes)
    'short@example.com,,short@example.com,,VIEWER,Sh0rt!\n' + // line 9: weak password (too short)
    'fields@example.com,,fields@example.com,VIEWER\n'; // line 10: wrong field count

  test('preview reports every problem per row and writes nothing; confirm with problems writes nothing either', async () => {
    const before = await count();
    for (const confirm of [false, true]) {
      const response = await graphql(t.url, IMPORT, { csv: bad, confirm }, OPERATOR_TOKEN);
      const result = expectOk(response).importServiceAccounts;
      expect(result).toMatchObject({ confirmed: false, total: 9, serviceAccounts: [] });
      expect(result.errors.map((e: any) => [e.line, e.field])).toEqual([
        [3, 'role'],
        [4, 'user'],
        [5, 'user'],
        [6, 'email'],
        [7, 'user'],
        [9, 'password'],
        [10, null],
      ]);
      expect(result.errors[0].message).toContain('Allowed roles (case-sensitive): SERVER_ADMIN, CATALOG_ADMIN');
      expect(result.errors[1].message).toBe('Duplicate user "good1@example.com": already on line 2.');
      expect(result.valid).toBe(2); // lines 2 and 8
      for (const secret of ['G00d-Password!', 'Tr0ub4dor', 'Sh0rt!']) expect(response.raw).not.toContain(secret);
      expect(await count()).toBe(before);
    }
  });

  test('confirm creates every row in one transaction, passwords only as hashes', async () => {
    const csv = HEADER + 'a1@example.com,A One,a1@example.com,Loader,SOURCE_ADMIN,"Quoted, Pass1!"\r\n' + 'a2@example.com,"A ""Two""",a2@example.com,,COMPOSER,\r\n';
    const result = expectOk(await graphql(t.url, IMPORT, { csv, confirm: true }, OPERATOR_TOKEN)).importServiceAccounts;
    expect(result).toMatchObject({ confirmed: true, total: 2, valid: 2, errors: [] });
    expect(result.serviceAccounts.map((a: any) => [a.name, a.displayName, a.role, a.title])).toEqual([
      ['a1@example.com', 'A One', 'SOURCE_ADMIN', 'Loader'],
      ['a2@example.com', 'A "Two"', 'COMPOSER', null],
    ]);
    const rows = await t.gateway.db.dataSource.query(`SELECT name, password_hash FROM service_account WHERE name IN ('a1@example.com', 'a2@example.com') ORDER BY name`);
    expect(rows[0].password_hash).toMatch(/^scrypt\$/);
    expect(rows[1].password_hash).toBeNull();
    // Importing the same file again: every row is a duplicate now, nothing changes.
    const again = expectOk(await graphql(t.url, IMPORT, { csv, confirm: true }, OPERATOR_TOKEN)).importServiceAccounts;
    expect(again.confirmed).toBe(false);
    expect(again.errors.map((e: any) => e.message)).toEqual([expect.stringMatching(/already exists/), expect.stringMatching(/already exists/)]);
  });

  test('header problems and unreadable files are reported, not thrown', async () => {
    const wrongHeader = expectOk(await graphql(t.url, IMPORT, { csv: 'user,mail,role\nx,y,VIEWER\n' }, OPERATOR_TOKEN)).importServiceAccounts;
    expect(wrongHeader.errors.map((e: any) => e.message)).toEqual([expect.stringMatching(/Unknown column "mail"/), expect.stringMatching(/Missing column "email"/)]);
    const open = expectOk(await graphql(t.url, IMPORT, { csv: HEADER + 'a,"b,c\n' }, OPERATOR_TOKEN)).importServiceAccounts;
    expect(open.errors).toEqual([{ line: 2, field: null, message: expect.stringMatching(/never closed/) }]);
    const empty = expectOk(await graphql(t.url, IMPORT, { csv: '' }, OPERATOR_TOKEN)).importServiceAccounts;
    expect(empty.errors[0].message).toMatch(/empty/);
  });

  const preview = async (csv: string) => expectOk(await graphql(t.url, IMPORT, { csv, confirm: false }, OPERATOR_TOKEN)).importServiceAccounts;

  test.each([
    ['text after a closing quote', 'q1@example.com,"Q"x,q1@example.com,,VIEWER,\n'],
    ['a quoted field glued to text', 'q2@example.com,a,"b"c,,VIEWER,\n'],
    ['a space after a closing quote', '"q3@example.com" ,Q,q3@example.com,,VIEWER,\n'],
  ])('%s is not valid CSV: the line is named and nothing counts as valid', async (_label, row) => {
    const result = await preview(HEADER + 'ok@example.com,Ok,ok@example.com,,VIEWER,\n' + row);
    expect(result.errors).toEqual([{ line: 3, field: null, message: expect.stringMatching(/closing quote.*cannot be read past this line/) }]);
    expect(result.valid).toBe(0);
  });

  test('quoted fields keep commas, quotes and line breaks; line numbers count the physical lines', async () => {
    const csv = HEADER + 'm1@example.com,"Multi\nLine, ""Quoted""",m1@example.com,,VIEWER,\n\n' + 'm2@example.com,,not-an-email,,VIEWER,\n';
    const result = await preview(csv);
    expect(result.errors).toEqual([{ line: 5, field: 'email', message: 'Invalid email address "not-an-email".' }]);
    expect(result.valid).toBe(1);
  });

  test('a file separated by semicolons is refused with an error naming the delimiter', async () => {
    const result = await preview('user;display_name;email;title;role;password\ns1@example.com;S;s1@example.com;;VIEWER;\n');
    expect(result.errors).toEqual([{ line: 1, field: null, message: expect.stringContaining('";" (semicolons)') }]);
    expect(result.valid).toBe(0);
  });

  test('one e-mail rule: addresses GraphQL refuses are refused in CSV too', async () => {
    const addresses = ['a..b@example.com', '.a@example.com', 'a@-example.com', 'a@example', 'Jane <j@example.com>'];
    for (const email of addresses) {
      const response = await graphql(t.url, CREATE_USER, { input: { provider: 'ALATION', user: `rule-${addresses.indexOf(email)}`, email, role: 'VIEWER' } }, OPERATOR_TOKEN);
      expect(codes(response)).toEqual(['BAD_USER_INPUT']);
    }
    const csv = HEADER + addresses.map((email, i) => `rule-${i},,"${email}",,VIEWER,`).join('\n') + '\n';
    const result = await preview(csv);
    expect(result.errors.map((e: any) => [e.line, e.field])).toEqual(addresses.map((_e, i) => [i + 2, 'email']));
    expect(result.valid).toBe(0);
  });

  test('user names and e-mails that a spreadsheet would run as a formula are refused per line, on both faces', async () => {
    const rows = ['=cmd|calc,,f1@example.com,,VIEWER,', '+1234,,f2@example.com,,VIEWER,', '-2+3,,f3@example.com,,VIEWER,', '@SUM(A1),,f4@example.com,,VIEWER,', 'f5,,=f5@example.com,,VIEWER,', 'f6,,+f6@example.com,,VIEWER,', 'f7,,-f7@example.com,,VIEWER,'];
    const result = await preview(HEADER + rows.join('\n') + '\n' + 'fine@example.com,=not a formula here,fine@example.com,,VIEWER,\n');
    expect(result.errors.map((e: any) => [e.line, e.field])).toEqual([
      [2, 'user'],
      [3, 'user'],
      [4, 'user'],
      [5, 'user'],
      [6, 'email'],
      [7, 'email'],
      [8, 'email'],
    ]);
    expect(result.errors[0].message).toMatch(/must not start with =, \+, - or @/);
    expect(result.valid).toBe(1);
    const response = await graphql(t.url, CREATE_USER, { input: { provider: 'ALATION', user: '=HYPERLINK("x")', email: 'hyper@example.com', role: 'VIEWER' } }, OPERATOR_TOKEN);
    expect(codes(response)).toEqual(['BAD_USER_INPUT']);
  });

  test('a NUL character in a cell: GraphQL refuses the request at the edge, the CLI reports the line; nothing is written', async () => {
    const before = await count();
    const csv = HEADER + 'n1@example.com,Nul\u0000Name,n1@example.com,,VIEWER,\n' + 'n2@example.com,,n2@example.com,Ti\u0000tle,VIEWER,\n' + 'n3@example.com,,n3@example.com,,VIEWER,\n';
    for (const confirm of [false, true]) {
      const response = await graphql(t.url, IMPORT, { csv, confirm }, OPERATOR_TOKEN);
      expect(response.status).toBe(400);
      expect(response.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'variables.csv' });
    }
    // A file given to `keygate import` never passes the GraphQL edge: the import names each line.
    const commands = new LocalCommands({ core: t.gateway.core, providers: t.gateway.providers, applied: [] });
    for (const confirm of [false, true]) {
      const result = await commands.importServiceAccounts('alation', csv, confirm);
      expect(result.errors).toEqual([
        { line: 2, field: 'display_name', message: 'display_name contains a NUL character.' },
        { line: 3, field: 'title', message: 'title contains a NUL character.' },
      ]);
      expect(result.confirmed).toBe(false);
    }
    expect(await count()).toBe(before);
  });

  test('10,000 rows import in one go', async () => {
    const rows = Array.from({ length: 10_000 }, (_, i) => `bulk${i}@example.com,Bulk ${i},bulk${i}@example.com,,VIEWER,`);
    const csv = HEADER + rows.join('\n') + '\n';
    const before = await count();
    const started = Date.now();
    const preview = expectOk(await graphql(t.url, IMPORT, { csv, confirm: false }, OPERATOR_TOKEN)).importServiceAccounts;
    expect(preview).toMatchObject({ confirmed: false, total: 10_000, valid: 10_000, errors: [] });
    const previewMs = Date.now() - started;
    const response = await graphql(t.url, `mutation($csv: String!) { importServiceAccounts(provider: ALATION, csv: $csv, confirm: true) { confirmed total valid errors { line } } }`, { csv }, OPERATOR_TOKEN);
    const confirmMs = Date.now() - started - previewMs;
    expect(expectOk(response).importServiceAccounts).toEqual({ confirmed: true, total: 10_000, valid: 10_000, errors: [] });
    expect(await count()).toBe(before + 10_000);
    // Reported, not asserted: the figures go into the report.
    process.stdout.write(`alation 10k import (${onPostgres ? 'postgres' : 'pglite'}): preview ${previewMs} ms, confirm ${confirmMs} ms\n`);
  });

  test('only a Server Admin (or the operator) may import, previews included', async () => {
    expect(codes(await graphql(t.url, IMPORT, { csv: HEADER }))).toEqual(['UNAUTHENTICATED']);
    const catalogAdmin = await signedInUser(t.url, 'importer@example.com', 'CATALOG_ADMIN');
    const denied = await graphql(t.url, IMPORT, { csv: HEADER + 'x@example.com,,x@example.com,,VIEWER,\n' }, catalogAdmin.token);
    expect(codes(denied)).toEqual(['FORBIDDEN']);
    expect(denied.data ?? null).toBeNull();
  });
});

describe('npx keygate import alation <file.csv> [--confirm]', () => {
  test('preview by default, --confirm applies, problems exit 1 with per-line messages', async () => {
    const database = onPostgres ? await createTestDatabase() : { url: undefined, dataDir: await mkdtemp(join(tmpdir(), 'keygate-cli-')), drop: async () => undefined };
    const dir = await mkdtemp(join(tmpdir(), 'keygate-csv-'));
    const env = { DATABASE_URL: database.url ?? '', KEYGATE_DATA_DIR: database.dataDir, KEYGATE_MASTER_KEY: 'x'.repeat(44) };
    const importCsv = (...args: string[]) => runCli(['import', 'alation', ...args], env);
    try {
      const file = join(dir, 'users.csv');
      const rows = Array.from({ length: 600 }, (_, i) => `cli${i}@example.com,CLI ${i},cli${i}@example.com,,STEWARD,`);
      await writeFile(file, HEADER + 'cli-bad@example.com,,cli-bad@example.com,,Steward,S3cret-Password!\n' + rows.join('\n') + '\n');

      const preview = await importCsv(file);
      expect(preview.status).toBe(1);
      expect(preview.stdout).toContain('line 2, role: Unknown role "Steward".');
      expect(preview.stdout).toContain('601 row(s), 600 valid, 1 problem(s). Nothing was written.');
      expect(preview.stdout + preview.stderr).not.toContain('S3cret-Password!');
      expect(preview.stderr).toMatch(/\[#+\] 100% validating 601\/601/);

      await writeFile(file, HEADER + rows.join('\n') + '\n');
      const ok = await importCsv(file, '--json');
      expect(ok.status).toBe(0);
      expect(JSON.parse(ok.stdout)).toEqual({ confirmed: false, total: 600, valid: 600, errors: [], created: 0 });
      const applied = await importCsv(file, '--confirm');
      expect(applied.status).toBe(0);
      expect(applied.stdout).toMatch(/Created 600 account\(s\)/);
      expect(applied.stderr).toMatch(/100% writing 600\/600/);

      expect((await importCsv()).status).toBe(2);
      const missing = await importCsv(join(dir, 'missing.csv'));
      expect(missing.status).toBe(2);
      expect(missing.stderr).toContain('cannot read');
      const unknownProvider = await runCli(['import', 'atlan', file], env);
      expect(unknownProvider.status).toBe(1);
      expect(unknownProvider.stderr).toContain('Atlan has no CSV import');

      // The users are there for a gateway on the same database.
      const g = await startTestGateway({ database: { ...database, drop: async () => undefined } });
      try {
        const list = expectOk(await graphql(g.url, '{ serviceAccounts(provider: ALATION, first: 1) { totalCount } }', {}, OPERATOR_TOKEN)).serviceAccounts;
        expect(list.totalCount).toBe(600);
      } finally {
        await g.close();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
      await database.drop();
      if (!onPostgres) await rm(database.dataDir, { recursive: true, force: true });
    }
  }, 300_000);
});
