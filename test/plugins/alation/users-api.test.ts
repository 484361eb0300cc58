import { createAlationProvider } from '../../../src/plugins/alation/alation.provider';
import { startTestGateway, type TestGateway } from '../../support/gateway';
import { rest as sharedRest } from '../../support/rest';
import { createUser, signedInUser, VENDOR_TIME, type SignedInUser } from './alation-support';

/** `/integration/v1/userinfo/` and the v1 / v2 user lists: who may read what, filters, paging, bad input. */
let t: TestGateway;
let admin: SignedInUser;
let viewer: SignedInUser;

const get = (path: string, token: string) => sharedRest(t.url, 'GET', path, { headers: { token } });

beforeAll(async () => {
  t = await startTestGateway({ providers: [createAlationProvider] });
  admin = await signedInUser(t.url, 'users-admin@example.com', 'SERVER_ADMIN');
  viewer = await signedInUser(t.url, 'users-viewer@example.com', 'VIEWER');
  for (const name of ['page-a', 'page-b', 'page-c']) await createUser(t.url, `${name}@example.com`, 'STEWARD');
}, 180_000);
afterAll(() => t.close());

test('userinfo: every role reads itself, in the v2 user shape', async () => {
  const me = await get('/integration/v1/userinfo/', viewer.token);
  expect(me.status).toBe(200);
  expect(me.body).toMatchObject({ id: viewer.userId, profile_id: viewer.userId, username: 'users-viewer@example.com', email: 'users-viewer@example.com', role: 'VIEWER', url: `/user/${viewer.userId}/` });
  expect(me.body.ts_created).toMatch(VENDOR_TIME);
});

test('listing and reading other users is for SERVER_ADMIN; a VIEWER reads only itself', async () => {
  for (const version of ['v1', 'v2']) {
    const list = await get(`/integration/${version}/user/`, viewer.token);
    expect(list.status).toBe(403);
    expect(list.body).toMatchObject({ code: '403000' });
    expect((await get(`/integration/${version}/user/${admin.userId}/`, viewer.token)).status).toBe(403);
    // An unknown id tells a VIEWER nothing more than a known one.
    expect((await get(`/integration/${version}/user/999999/`, viewer.token)).status).toBe(403);
    expect((await get(`/integration/${version}/user/${viewer.userId}/`, viewer.token)).body.id).toBe(viewer.userId);
  }
});

test('paging: limit and skip, X-Next-Page keeps the filters until the last page', async () => {
  const first = await get('/integration/v2/user/?email__icontains=PAGE-&limit=2', admin.token);
  expect(first.body.map((u: { email: string }) => u.email)).toEqual(['page-a@example.com', 'page-b@example.com']);
  const next = first.headers.get('x-next-page');
  expect(next).toBe('/integration/v2/user/?email__icontains=PAGE-&limit=2&skip=2');
  const second = await get(next!, admin.token);
  expect(second.body.map((u: { email: string }) => u.email)).toEqual(['page-c@example.com']);
  expect(second.headers.get('x-next-page')).toBeNull();
  // Case-sensitive __contains, exact display_name.
  expect((await get('/integration/v1/user/?email__contains=PAGE-', admin.token)).body).toEqual([]);
  expect((await get('/integration/v1/user/?display_name=page-b%40example.com', admin.token)).body.map((u: { email: string }) => u.email)).toEqual(['page-b@example.com']);
});

test.each([
  ['an unknown filter', 'owner=x', /Unknown parameter/],
  ['a text id', 'id=abc', /id must be a user id/],
  ['a limit above 1000', 'limit=1001', /limit must be a whole number/],
  ['skip given twice', 'skip=1&skip=2', /skip once/],
])('the user list refuses %s with 400 in the vendor shape', async (_label, query, message) => {
  const response = await get(`/integration/v2/user/?${query}`, admin.token);
  expect(response.status).toBe(400);
  expect(response.body).toMatchObject({ title: 'Invalid Payload', code: '400000', detail: expect.stringMatching(message) });
});
