// `node subgraphs/kit/migrations-cli.ts <subgraph|all>`: writes the next MikroORM migration of a
// subgraph for PostgreSQL (the diff between its committed migrations and its entities), using a
// scratch database on POSTGRES_URL (default: the local server). Commit the files it writes.
// MikroORM emits CommonJS migrations: a package.json in the folder marks them so for Node.
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { initOrm } from './database.ts';
import { databaseUrlOn, onPostgresServer } from './postgres-server.ts';
import { SUBGRAPHS, subgraphDir } from './schema-files.ts';

const server = process.env.POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

const admin = (sql: string) => onPostgresServer(server, (client) => client.query(sql));

export async function createMigration(name: string): Promise<string | null> {
  const { entities } = (await import(`../${name}/entities.ts`)) as { entities: never[] };
  mkdirSync(`${subgraphDir(name)}migrations`, { recursive: true });
  writeFileSync(`${subgraphDir(name)}migrations/package.json`, '{ "type": "commonjs" }\n');
  const db = `passerelle_migrations_${randomBytes(4).toString('hex')}`;
  await admin(`create database "${db}"`);
  const orm = await initOrm({ name, databaseUrl: databaseUrlOn(server, db), dataDir: '.data', entities, migrationsPath: `${subgraphDir(name)}migrations` });
  try {
    await orm.migrator.up();
    const result = await orm.migrator.create();
    return result.diff.up.length ? result.fileName : null;
  } finally {
    await orm.close();
    await admin(`drop database if exists "${db}" with (force)`);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const target = process.argv[2] ?? 'all';
  for (const name of target === 'all' ? SUBGRAPHS : [target]) {
    const file = await createMigration(name);
    process.stdout.write(file ? `${name}: wrote ${file}\n` : `${name}: entities and migrations agree, nothing to write\n`);
  }
}
