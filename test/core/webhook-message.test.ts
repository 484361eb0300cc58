import { cloudEventBody } from '../../src/core/webhooks/webhook-message';

const event = {
  cursor: '42',
  provider: 'alation',
  subjectType: 'REFRESH_TOKEN' as const,
  subjectId: 'token-1',
  serviceAccountId: 'account-1',
  actor: 'system',
  at: new Date('2026-12-01T14:00:00.000Z'),
};

test('an EXPIRING delivery says which warning it is; other kinds carry no horizon', () => {
  const expiring = JSON.parse(cloudEventBody({ ...event, kind: 'EXPIRING', horizonSeconds: 86_400 }, 'https://keygate.example.com').body);
  expect(expiring).toMatchObject({ id: '42', type: 'dev.keygate.token.expiring', data: { kind: 'EXPIRING', horizonSeconds: 86_400 } });
  const revoked = JSON.parse(cloudEventBody({ ...event, kind: 'REVOKED' }, 'https://keygate.example.com').body);
  expect(revoked.data).not.toHaveProperty('horizonSeconds');
});
