import { startTestGateway, type TestGateway } from '../support/gateway';
import { expectOk } from '../support/graphql';
import { createOAuthClient, form, basic as alationBasic, jwtParts, type OAuthClient } from '../plugins/alation/alation-support';
import { createServiceAccountGql, exchange } from '../plugins/talend/talend-support';

/**
 * Grants go through the group commit (core/change/group-commit.ts): concurrent ones share one
 * statement and one commit. Each answers only once its token, audit row and event are stored;
 * when its audit row cannot be written the grant does not happen, and its neighbours still do.
 */
let t: TestGateway;
let client: OAuthClient;
let talend: { id: string; secret: string; principalId: string };

const ALATION_GRANT = 'alation.oauth.token';
const TALEND_GRANT = 'talend.token.exchange';

beforeAll(async () => {
  t = await startTestGateway();
  client = await createOAuthClient(t.url, 'STEWARD', { name: 'group-commit-client', lifetime: 900 });
  const created = expectOk(await createServiceAccountGql(t, 'group-commit-account', ['TMC_ENGINE_USE'])).createServiceAccount;
  talend = { id: created.serviceAccount.clientId, secret: created.secret, principalId: created.serviceAccount.id };
});
afterAll(() => t.close());

const sql = <R = Record<string, unknown>>(text: string, values: unknown[] = []): Promise<R[]> => t.gateway.db.dataSource.query(text, values);
const grantAlation = () => form(t.url, '/oauth/v2/token/', { grant_type: 'client_credentials' }, { authorization: alationBasic(client.clientId, client.clientSecret) });
const grantTalend = () => exchange(t, talend.id, talend.secret);
const introspect = (token: string) => form(t.url, '/oauth/v2/introspect/', { token }, { authorization: alationBasic(client.clientId, client.clientSecret) });

async function stored(jti: string) {
  const [token] = await sql<{ id: string; owner_id: string }>('SELECT id, owner_id FROM access_token WHERE jti = $1', [jti]);
  if (!token) return null;
  const audits = await sql('SELECT outcome FROM audit_event WHERE target = $1', [token.id]);
  const events = await sql('SELECT kind, subject_type, service_account_id FROM token_event WHERE subject_id = $1', [token.id]);
  return { token, audits, events };
}

test('concurrent grants on both token endpoints: each answered grant has its row, audit row and event already', async () => {
  const checks: Promise<void>[] = [];
  const answered = await Promise.all(
    Array.from({ length: 48 }, (_, i) =>
      (i % 2 ? grantTalend() : grantAlation()).then((res) => {
        expect(res.status).toBe(200);
        // Read at once, before the other grants finish: the answer came after the commit.
        checks.push(
          stored(jwtParts(res.body.access_token).claims.jti).then((rows) => {
            expect(rows).not.toBeNull();
            expect(rows!.audits).toEqual([{ outcome: 'success' }]);
            expect(rows!.events).toEqual([{ kind: 'CREATED', subject_type: 'ACCESS_TOKEN', service_account_id: rows!.token.owner_id }]);
          }),
        );
        return res.body.access_token as string;
      }),
    ),
  );
  await Promise.all(checks);
  expect(new Set(answered.map((jwt) => jwtParts(jwt).claims.jti)).size).toBe(48);
  // Each grant's audit row names its own token and actor.
  const owners = await sql<{ owner_id: string; n: string }>('SELECT owner_id, count(*) AS n FROM access_token WHERE jti = ANY($1::varchar[]) GROUP BY owner_id ORDER BY owner_id', [
    answered.map((jwt) => jwtParts(jwt).claims.jti),
  ]);
  expect(Object.fromEntries(owners.map((row) => [row.owner_id, Number(row.n)]))).toEqual({ [client.id]: 24, [talend.principalId]: 24 });
  const alationToken = answered[0];
  expect((await introspect(alationToken)).body).toMatchObject({ active: true, jti: jwtParts(alationToken).claims.jti });
});

describe('fail closed: a grant whose audit row cannot be written does not happen', () => {
  beforeAll(async () => {
    // The database refuses the Alation grant's success row (as a full disk or a broken table would).
    await sql(`CREATE FUNCTION refuse_grant_audit() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'audit row refused'; END $$`);
    await sql(`CREATE TRIGGER refuse_grant_audit BEFORE INSERT ON audit_event FOR EACH ROW
               WHEN (NEW.action = '${ALATION_GRANT}' AND NEW.outcome = 'success') EXECUTE FUNCTION refuse_grant_audit()`);
  });
  afterAll(async () => {
    await sql('DROP TRIGGER refuse_grant_audit ON audit_event');
    await sql('DROP FUNCTION refuse_grant_audit()');
  });

  test('the refused grants answer server_error and leave no token and no event; the others in their batches commit', async () => {
    const [tokensBefore] = await sql<{ n: string }>('SELECT count(*) AS n FROM access_token WHERE owner_id = $1', [client.id]);
    const [eventsBefore] = await sql<{ n: string }>(`SELECT count(*) AS n FROM token_event WHERE service_account_id = $1`, [client.id]);
    const responses = await Promise.all(Array.from({ length: 24 }, (_, i) => (i % 3 === 0 ? grantAlation() : grantTalend())));
    const refused = responses.filter((_, i) => i % 3 === 0);
    const allowed = responses.filter((_, i) => i % 3 !== 0);
    for (const res of refused) {
      expect(res.status).toBe(500);
      expect(res.body).toEqual({ error: 'server_error', error_description: 'Internal server error.' });
    }
    for (const res of allowed) {
      expect(res.status).toBe(200);
      expect(await stored(jwtParts(res.body.access_token).claims.jti)).toMatchObject({ audits: [{ outcome: 'success' }] });
    }
    const [tokensAfter] = await sql<{ n: string }>('SELECT count(*) AS n FROM access_token WHERE owner_id = $1', [client.id]);
    const [eventsAfter] = await sql<{ n: string }>(`SELECT count(*) AS n FROM token_event WHERE service_account_id = $1`, [client.id]);
    expect(tokensAfter.n).toBe(tokensBefore.n);
    expect(eventsAfter.n).toBe(eventsBefore.n);
    // What did happen is on record: the attempt, as failed.
    const failed = await sql<{ n: string }>(`SELECT count(*) AS n FROM audit_event WHERE action = $1 AND outcome = 'failed' AND detail->>'code' = 'INTERNAL'`, [ALATION_GRANT]);
    expect(Number(failed[0].n)).toBe(refused.length);
    const talendRows = await sql<{ n: string }>(`SELECT count(*) AS n FROM audit_event WHERE action = $1 AND outcome = 'success'`, [TALEND_GRANT]);
    expect(Number(talendRows[0].n)).toBe(24 + allowed.length);
  });
});

test('once the audit table takes rows again, grants work again', async () => {
  const res = await grantAlation();
  expect(res.status).toBe(200);
  expect(await stored(jwtParts(res.body.access_token).claims.jti)).toMatchObject({ audits: [{ outcome: 'success' }] });
});
