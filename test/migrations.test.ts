// On PostgreSQL the schema comes from the committed migrations, never from schema:update: they must
// match the entities, and the audit log must refuse updates and deletes. Runs when TEST_POSTGRES_URL
// names a server (CI's PostgreSQL run).
import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../subgraphs/kit/database.ts';
import { databaseUrlOn, onPostgresServer } from '../subgraphs/kit/postgres-server.ts';
import { SUBGRAPHS, subgraphDir } from '../subgraphs/kit/schema-files.ts';

const server = process.env.TEST_POSTGRES_URL;
const created: string[] = [];

const admin = (sql: string) => onPostgresServer(server!, (client) => client.query(sql));

async function freshDatabase(name: string): Promise<string> {
  const db = `passerelle_migrations_test_${name.replace(/-/g, '_')}_${randomBytes(3).toString('hex')}`;
  await admin(`create database "${db}"`);
  created.push(db);
  return databaseUrlOn(server!, db);
}

afterAll(async () => {
  for (const db of created) await admin(`drop database if exists "${db}" with (force)`);
});

describe.skipIf(!server)('PostgreSQL migrations', () => {
  for (const name of SUBGRAPHS) {
    it(`${name}: the committed migrations build exactly the tables of the entities, and the audit log is append-only`, async () => {
      const { entities } = (await import(`../subgraphs/${name}/entities.ts`)) as { entities: never[] };
      const orm = await openDatabase({ name, databaseUrl: await freshDatabase(name), dataDir: '.data', entities, migrationsPath: `${subgraphDir(name)}migrations` });
      try {
        const pending = (await orm.schema.getUpdateSchemaSQL()).split('\n')
          .map((line) => line.trim())
          .filter((line) => line && !line.startsWith('set names') && !line.includes('audit_entry_append_only'));
        expect(pending).toEqual([]);

        const conn = orm.em.getConnection();
        await conn.execute(`insert into audit_entry (id, at, subject, organisation, role, operation, action, person_id, fields) values ('${randomUUID()}', now(), 'test', 'france-travail', 'counsellor', null, 'READ', 'psn_x', 'Person.id')`);
        await expect(conn.execute(`update audit_entry set subject = 'someone-else'`)).rejects.toThrow(/append-only/);
        await expect(conn.execute('delete from audit_entry')).rejects.toThrow(/append-only/);
        const [{ n }] = await conn.execute<{ n: string }[]>('select count(*) as n from audit_entry');
        expect(Number(n)).toBe(1);
      } finally {
        await orm.close();
      }
    });
  }
});
