// One database per subgraph. Embedded default: SQLite through node:sqlite in <dataDir>/<name>.sqlite,
// schema created from the entities. PostgreSQL (DATABASE_URL): schema by the committed MikroORM
// migrations of the subgraph, never by schema:update.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { defineEntity, p, type EntityManager, type EntitySchema } from '@mikro-orm/core';
import { DatabaseSync, type StatementSync } from 'node:sqlite';
import { SqliteDialect } from 'kysely';
import { MikroORM, SqliteDriver } from '@mikro-orm/sql';
import { PostgreSqlDriver } from '@mikro-orm/postgresql';
import { Migrator } from '@mikro-orm/migrations';
import { AuditEntry, APPEND_ONLY_SQL } from './audit.ts';
import { IdempotencyRecord } from './writes.ts';
import { directoryOf, PersonDirectory } from './person-directory.ts';
import type { WorldOptions } from './population.ts';

/** Remembers which synthetic world a database was seeded with. */
export const SeedState = defineEntity({
  name: 'SeedState',
  tableName: 'seed_state',
  properties: {
    id: p.integer().primary(),
    seed: p.string(),
    scale: p.integer(),
    seededAt: p.datetime(),
  },
});

export const KIT_ENTITIES: EntitySchema<any, any>[] = [AuditEntry, IdempotencyRecord, PersonDirectory, SeedState];

export interface DatabaseOptions {
  readonly name: string;
  readonly databaseUrl: string | null;
  readonly dataDir: string;
  readonly entities: EntitySchema<any, any>[];
  readonly migrationsPath: string;
}

export type Dialect = 'sqlite' | 'postgresql';

export function dialectOf(options: Pick<DatabaseOptions, 'databaseUrl'>): Dialect {
  return options.databaseUrl ? 'postgresql' : 'sqlite';
}

export function sqlitePath(options: Pick<DatabaseOptions, 'dataDir' | 'name'>): string {
  return path.join(options.dataDir, `${options.name}.sqlite`);
}

/** SQLite's page cache per connection, KiB (its default, 2 MiB, makes every statement re-read index pages from the OS). */
const SQLITE_CACHE_KIB = 64 * 1024;
/** Prepared statements kept per connection (the most recently used). */
const SQLITE_STATEMENTS = 500;

/**
 * MikroORM's NodeSqliteDialect (node:sqlite behind Kysely's SqliteDialect), except that a statement
 * is prepared once per SQL text and reused: the same few statements serve every request, and
 * preparing them each time was a twentieth of a subgraph's CPU. Each connection gets a larger page
 * cache and synchronous=FULL (the audit log's durability: kit/audit-writer.ts).
 */
class NodeSqliteStatementsDialect extends SqliteDialect {
  constructor(file: string) {
    super({
      database: async () => {
        const db = new DatabaseSync(file);
        db.exec(`pragma cache_size = -${SQLITE_CACHE_KIB}`);
        // Durable commits: in WAL mode (openDatabase) FULL syncs the log at every COMMIT, so a commit that
        // returned survives a crash of the process or of the machine (NORMAL could lose the last ones on
        // power loss). node:sqlite's build defaults to FULL too; said here so that it never depends on a build.
        db.exec('pragma synchronous = full');
        const statements = new Map<string, StatementSync>();
        return {
          prepare(sql: string) {
            let stmt = statements.get(sql);
            if (stmt) statements.delete(sql);
            else stmt = db.prepare(sql);
            // Map order is recency: the least recently used statement goes first.
            statements.set(sql, stmt);
            if (statements.size > SQLITE_STATEMENTS) statements.delete(statements.keys().next().value!);
            const prepared = stmt;
            return {
              reader: /^\s*(select|pragma|explain|with)/i.test(sql) || /\breturning\b/i.test(sql),
              all: (params: readonly unknown[]) => prepared.all(...(params as never[])),
              run: (params: readonly unknown[]) => prepared.run(...(params as never[])),
              get: (params: readonly unknown[]) => prepared.get(...(params as never[])),
              iterate: (params: readonly unknown[]) => prepared.iterate(...(params as never[])) as IterableIterator<unknown>,
            };
          },
          close() {
            statements.clear();
            db.close();
          },
        };
      },
    });
  }
}

/** Opens the ORM without touching the schema (the migration tool needs that). */
export async function initOrm(options: DatabaseOptions): Promise<MikroORM> {
  // Both drivers are SQL drivers of the same family; the union is narrowed to what we use.
  const entities = [...options.entities, ...KIT_ENTITIES];
  const common = {
    entities,
    extensions: [Migrator],
    migrations: { path: options.migrationsPath, glob: '!(*.d).{js,ts}', transactional: true, emit: 'js' as const, snapshot: false, silent: true },
    debug: false,
    // Our resolvers always work on a request fork; the global context must never be used.
    allowGlobalContext: false,
  };
  if (options.databaseUrl) {
    return (await MikroORM.init({ ...common, driver: PostgreSqlDriver, clientUrl: options.databaseUrl, pool: { min: 0, max: 10 } })) as unknown as MikroORM;
  }
  mkdirSync(options.dataDir, { recursive: true });
  const file = sqlitePath(options);
  return (await MikroORM.init({ ...common, driver: SqliteDriver, dbName: file, driverOptions: new NodeSqliteStatementsDialect(file) })) as unknown as MikroORM;
}

/** Opens the database and brings its schema up to date (migrations on PostgreSQL). */
export async function openDatabase(options: DatabaseOptions): Promise<MikroORM> {
  const orm = await initOrm(options);
  const dialect = dialectOf(options);
  if (dialect === 'postgresql') {
    // Creates the subgraph's database on a fresh server (deployments may also create it beforehand).
    await orm.schema.ensureDatabase({ create: true });
    await orm.migrator.up();
  } else {
    await orm.schema.update();
    await orm.em.getConnection().execute('pragma journal_mode = wal');
  }
  for (const sql of APPEND_ONLY_SQL[dialect]) await orm.em.getConnection().execute(sql);
  return orm;
}

/** Seeds an empty database with the synthetic world; a seeded database is left as it is. */
export async function seedIfEmpty(
  orm: MikroORM,
  world: WorldOptions,
  seed: (em: EntityManager, world: WorldOptions) => Promise<void>,
): Promise<{ seeded: boolean; ms: number }> {
  const em = orm.em.fork();
  if (await em.count(SeedState, {})) return { seeded: false, ms: 0 };
  const started = performance.now();
  await em.transactional(async (tx) => {
    await insertChunked(tx, PersonDirectory, directoryOf(world));
    await seed(tx, world);
    await tx.insert(SeedState, { id: 1, seed: world.seed, scale: world.scale, seededAt: new Date() });
  });
  return { seeded: true, ms: Math.round(performance.now() - started) };
}

/**
 * The seeding gate of a subgraph's start: seeds an empty database only when `SEED_ON_START` allows it
 * (the default outside production). In production the synthetic world comes only from `npm run seed`.
 */
export async function seedOnStart(
  orm: MikroORM,
  config: { readonly seedOnStart: boolean; readonly world: WorldOptions },
  seed: (em: EntityManager, world: WorldOptions) => Promise<void>,
): Promise<{ seeded: boolean; ms: number }> {
  return config.seedOnStart ? seedIfEmpty(orm, config.world, seed) : { seeded: false, ms: 0 };
}

/** Inserts rows in chunks: one statement per chunk keeps national-scale seeding fast and bounded in memory. */
export async function insertChunked<T extends object>(em: EntityManager, entity: EntitySchema<T, any>, rows: Iterable<T>, chunk = 500): Promise<number> {
  let batch: T[] = [];
  let count = 0;
  for (const row of rows) {
    batch.push(row);
    if (batch.length >= chunk) {
      await em.insertMany(entity, batch as never);
      count += batch.length;
      batch = [];
    }
  }
  if (batch.length) {
    await em.insertMany(entity, batch as never);
    count += batch.length;
  }
  return count;
}
