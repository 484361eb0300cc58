import { createLogger, registerSecrets } from '../../src/server/logger';
import { runInScope } from '../../src/server/request-scope';

/** Secrets of every shape keygate handles, thrown at every way into a log line. */
const MASTER_KEY = 'Qm9vdHN0cmFwTWFzdGVyS2V5Rm9yVGVzdHMxMjM0NTY3OA==';
const DB_PASSWORD = 'S3cretPw-db';
const SECRETS = {
  refresh: 'kgrt_' + 'A1b2C3d4E5'.repeat(5),
  operator: 'kgop_' + 'Z9y8X7w6V5'.repeat(5),
  jwt: 'eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiIxMjMifQ.c2lnbmF0dXJlLXBhcnQ',
  password: 'Adm1n-Secret!pass',
  clientSecret: 'cs-plain-value-9f8e7d6c',
  webhook: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
  basic: Buffer.from('client:secret-basic').toString('base64'),
};

function capture() {
  const lines: string[] = [];
  return { lines, logger: createLogger('debug', (line) => lines.push(line)) };
}

beforeAll(() => registerSecrets([MASTER_KEY, DB_PASSWORD]));

test('no known secret survives any logger path', () => {
  const { lines, logger } = capture();
  const error = new Error(`login failed for ${SECRETS.refresh} with password=${SECRETS.password}`);
  (error as Error & { cause?: unknown }).cause = new Error(`master key ${MASTER_KEY} did not decrypt`);
  Object.assign(error, { token: SECRETS.operator, config: { masterKey: MASTER_KEY } });

  logger.info(`message with ${SECRETS.refresh} and Bearer ${SECRETS.operator} and ${SECRETS.jwt}`);
  logger.warn('a JSON body in a message: {"password":"' + SECRETS.password + '","client_secret":"' + SECRETS.clientSecret + '"}');
  logger.warn(`a form body: grant_type=client_credentials&client_secret=${SECRETS.clientSecret}&password=${SECRETS.password}`);
  logger.error('a connection string', { url: `postgres://app:${DB_PASSWORD}@db.internal:5432/keygate`, other: `mysql://root:${SECRETS.password}@h/x` });
  logger.error('fields by name', {
    password: SECRETS.password,
    secret: SECRETS.clientSecret,
    clientSecret: SECRETS.clientSecret,
    refresh_token: SECRETS.refresh,
    authorization: `Basic ${SECRETS.basic}`,
    headers: { Authorization: `Bearer ${SECRETS.operator}`, cookie: 'session=abc123456' },
    nested: { deeper: [{ api_key: 'plain-api-key-value', note: `the master key is ${MASTER_KEY}` }] },
    webhook: { signingSecret: SECRETS.webhook, hint: SECRETS.webhook },
  });
  logger.error('an error as a field', { err: error });
  logger.error('an error under another name', { error, errors: [error] });
  logger.child({ token: SECRETS.operator, about: `child of ${SECRETS.jwt}` }).info(`child line ${SECRETS.refresh}`, { password: SECRETS.password });
  runInScope({ requestId: 'req-1', face: 'rest' }, () => logger.debug('inside a request', { body: { password: SECRETS.password, name: 'alice' } }));

  const text = lines.join('\n');
  expect(lines).toHaveLength(9);
  for (const [what, value] of Object.entries({ ...SECRETS, MASTER_KEY, DB_PASSWORD, apiKey: 'plain-api-key-value', cookie: 'abc123456' })) {
    expect({ what, leaked: text.includes(value) }).toEqual({ what, leaked: false });
  }
  // The lines are still useful: what happened is there, only the secrets are gone.
  const parsed = lines.map((line) => JSON.parse(line));
  expect(parsed[3].url).toBe('postgres://app:[redacted]@db.internal:5432/keygate');
  expect(parsed[4].nested.deeper[0].note).toBe('the master key is [redacted]');
  expect(parsed[5].err.message).toContain('login failed for [redacted]');
  expect(parsed[5].err.stack).toContain('logging.test');
  expect(parsed[8]).toMatchObject({ level: 'debug', requestId: 'req-1', body: { password: '[redacted]', name: 'alice' } });
});

test('lines are JSON with level name, ISO time and msg; the level filters', () => {
  const lines: string[] = [];
  const logger = createLogger('warn', (line) => lines.push(line));
  logger.info('hidden');
  logger.warn('shown', { count: 3 });
  expect(lines).toHaveLength(1);
  const line = JSON.parse(lines[0]);
  expect(line).toEqual({ level: 'warn', time: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/), msg: 'shown', count: 3 });
  const silent: string[] = [];
  createLogger('silent', (l) => silent.push(l)).error('nothing');
  expect(silent).toEqual([]);
});
