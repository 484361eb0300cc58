import { createTestDatabase, onPostgres } from '../support/database';
import { OPERATOR_TOKEN, startTestGateway } from '../support/gateway';
import { expectOk, graphql } from '../support/graphql';

/**
 * Two instances started at the same moment against one empty PostgreSQL database: they take
 * turns on the startup lock, so each migration runs once and both come up. (PGlite: one process
 * owns a data folder, so there is no race to have.)
 */
(onPostgres ? test : test.skip)('two gateways starting together on an empty database both come up, each migration applied once', async () => {
  const database = await createTestDatabase();
  const [first, second] = await Promise.all([startTestGateway({ database }), startTestGateway({ database })]);
  try {
    const applied: { name: string; n: string }[] = await first.gateway.db.dataSource.query('SELECT name, count(*) AS n FROM keygate_migrations GROUP BY name');
    expect(applied.length).toBeGreaterThan(0);
    expect(applied.filter((row) => Number(row.n) !== 1)).toEqual([]);
    expect(applied.map((row) => row.name).sort()).toEqual(first.gateway.db.dataSource.migrations.map((m) => m.name).sort());
    const [operators]: { n: string }[] = await first.gateway.db.dataSource.query(`SELECT count(*) AS n FROM service_account WHERE provider = 'keygate' AND name = 'operator'`);
    expect(Number(operators.n)).toBe(1);
    for (const gateway of [first, second]) expect(expectOk(await graphql(gateway.url, '{ viewer { kind } }', {}, OPERATOR_TOKEN)).viewer.kind).toBeTruthy();
  } finally {
    await second.gateway.stop();
    await first.close();
  }
});
