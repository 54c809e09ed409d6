// Two orientations decided the same day (a correction): the one recorded last is in force. They were
// ordered by a random UUID, so the correction was in force half the time. On SQLite, and on
// PostgreSQL when TEST_POSTGRES_URL names a server (with the migration's backfill of older rows).
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initOrm } from '../subgraphs/kit/database.ts';
import { people } from '../subgraphs/kit/population.ts';
import { databaseUrlOn, onPostgresServer } from '../subgraphs/kit/postgres-server.ts';
import { subgraphDir } from '../subgraphs/kit/schema-files.ts';
import { entities } from '../subgraphs/pole-emploi/entities.ts';
import { startTestSubgraph, type TestSubgraph } from './support/subgraph.ts';

const server = process.env.TEST_POSTGRES_URL;
const admin = (sql: string) => onPostgresServer(server!, (client) => client.query(sql));
const population = [...people({ seed: 'passerelle', scale: 400 })];

const RECORD = 'mutation($input: RecordOrientationInput!) { recordOrientation(input: $input) { id } }';
const CURRENT = 'query($id: ID!) { person(id: $id) { orientation { id orientedTo } orientations(first: 3) { nodes { id decidedOn } } } }';

for (const store of ['SQLite', ...(server ? ['PostgreSQL'] : [])]) {
  describe(`orientation order on ${store}`, () => {
    let sub: TestSubgraph;
    const database = `passerelle_orientation_test_${randomBytes(3).toString('hex')}`;
    beforeAll(async () => {
      if (store === 'PostgreSQL') await admin(`create database "${database}"`);
      sub = await startTestSubgraph('pole-emploi', store === 'PostgreSQL' ? { DATABASE_URL: databaseUrlOn(server!, database) } : {});
    });
    afterAll(async () => {
      await sub?.stop();
      if (store === 'PostgreSQL') await admin(`drop database if exists "${database}" with (force)`);
    });

    it('of two orientations recorded the same day, the later-recorded one is in force, every time', async () => {
      const person = population.find((p) => p.registeredOn < '2026-01-01')!;
      for (let round = 1; round <= 8; round++) {
        const decidedOn = `2026-06-${String(round).padStart(2, '0')}`;
        const [first, correction] = round % 2 ? ['FRANCE_TRAVAIL', 'CAP_EMPLOI'] : ['CAP_EMPLOI', 'FRANCE_TRAVAIL'];
        const ids: string[] = [];
        for (const orientedTo of [first, correction]) {
          const { body } = await sub.call(RECORD, { input: { idempotencyKey: `order-${round}-${orientedTo}-${store}`, personId: person.id, orientedTo, track: 'EMPLOYMENT', decidedOn } });
          expect(body.errors).toBeUndefined();
          ids.push(body.data.recordOrientation.id);
        }
        const { body } = await sub.call(CURRENT, { id: person.id });
        expect(body.data.person.orientation).toEqual({ id: ids[1], orientedTo: correction });
        expect(body.data.person.orientations.nodes.slice(0, 2).map((o: { id: string }) => o.id)).toEqual([ids[1], ids[0]]);
      }
    });
  });
}

describe.skipIf(!server)('the recordedAt migration on PostgreSQL', () => {
  const database = `passerelle_recorded_at_test_${randomBytes(3).toString('hex')}`;
  const dataDir = mkdtempSync(path.join(tmpdir(), 'passerelle-recorded-at-'));
  afterAll(async () => {
    await admin(`drop database if exists "${database}" with (force)`);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('backfills the orientations recorded before it with their decision day at 00:00 UTC', async () => {
    await admin(`create database "${database}"`);
    const orm = await initOrm({ name: 'pole-emploi', databaseUrl: databaseUrlOn(server!, database), dataDir, entities, migrationsPath: `${subgraphDir('pole-emploi')}migrations` });
    try {
      await orm.migrator.up({ to: 'Migration20261123122502' });
      const conn = orm.em.getConnection();
      await conn.execute(`insert into orientation (id, person_id, departement, oriented_to, track, decided_on, recorded_by) values
        ('ori-a', 'psn_a', '27', 'CAP_EMPLOI', 'EMPLOYMENT', '2024-03-05', 'france-travail'),
        ('ori-b', 'psn_a', '27', 'FRANCE_TRAVAIL', 'EMPLOYMENT', '2025-11-30', 'france-travail')`);
      await orm.migrator.up();
      const rows = await conn.execute<{ id: string; at: string }[]>(`select id, to_char(recorded_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS') as at from orientation order by id`);
      expect(rows).toEqual([{ id: 'ori-a', at: '2024-03-05T00:00:00' }, { id: 'ori-b', at: '2025-11-30T00:00:00' }]);
    } finally {
      await orm.close();
    }
  });
});
