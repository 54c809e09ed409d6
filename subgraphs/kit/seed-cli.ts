// `npm run seed -- --scale 500000 [--seed passerelle] [--data-dir .data/seed-<scale>] [--postgres URL] [--force]`:
// seeds the four subgraph databases without serving them, the way each subgraph seeds itself on
// first start (openDatabase, then seedIfEmpty with its seed.ts), and prints the rows of each table,
// the seconds each subgraph took, the sizes and the peak memory. SQLite files in the data dir by
// default; with --postgres, databases passerelle_seed_<subgraph> on that server. Existing databases
// are never overwritten: a non-empty data dir or an existing database is refused without --force
// (which removes the databases first).
import { existsSync, readdirSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { EntityManager, EntitySchema } from '@mikro-orm/core';
import { databaseUrlOn, onPostgresServer } from './postgres-server.ts';
import { openDatabase, seedIfEmpty, sqlitePath } from './database.ts';
import { DEFAULT_WORLD, type WorldOptions } from './population.ts';
import { SUBGRAPHS, subgraphDir } from './schema-files.ts';

export interface SeedOptions {
  readonly world: WorldOptions;
  /** SQLite files go there (ignored with `postgresUrl`). */
  readonly dataDir: string;
  /** PostgreSQL server URL: each subgraph gets the database passerelle_seed_<subgraph> on it. */
  readonly postgresUrl?: string;
  /** Replace existing databases instead of refusing to touch them. */
  readonly force?: boolean;
  readonly write?: (line: string) => void;
}

export interface SeedReport {
  readonly name: string;
  /** Table name to row count. */
  readonly rows: Readonly<Record<string, number>>;
  /** Opening the database (schema or migrations), then writing the rows. */
  readonly openSeconds: number;
  readonly seedSeconds: number;
  /** Size of the SQLite file; null on PostgreSQL. */
  readonly bytes: number | null;
}

const SQLITE_SUFFIXES = ['', '-wal', '-shm'];

export function seedDatabaseName(subgraph: string): string {
  return `passerelle_seed_${subgraph.replace(/-/g, '_')}`;
}

function databaseUrl(postgresUrl: string, subgraph: string): string {
  return databaseUrlOn(postgresUrl, seedDatabaseName(subgraph));
}

/** Checks every target before writing anything: refuses existing databases, or removes them with `force`. */
async function clearTargets(options: SeedOptions): Promise<void> {
  if (options.postgresUrl) {
    await onPostgresServer(options.postgresUrl, async (client) => {
      const { rows } = await client.query<{ datname: string }>('select datname from pg_database where datname = any($1)', [SUBGRAPHS.map(seedDatabaseName)]);
      if (rows.length && !options.force) throw new Error(`${rows.map((r) => r.datname).join(', ')} already exist: pass --force to replace them`);
      for (const { datname } of rows) await client.query(`drop database "${datname}" with (force)`);
    });
    return;
  }
  if (existsSync(options.dataDir) && readdirSync(options.dataDir).length && !options.force) throw new Error(`${options.dataDir} is not empty: pass --force to replace its databases`);
  // Only the database files go: a data dir may also hold the development keys.
  for (const name of SUBGRAPHS) for (const suffix of SQLITE_SUFFIXES) rmSync(sqlitePath({ dataDir: options.dataDir, name }) + suffix, { force: true });
}

/**
 * Opens one subgraph's database as the subgraph does (schema or migrations), seeds it when empty and
 * counts its rows: `npm run seed` for each subgraph, and a test's stand-in for an operator's import.
 */
export async function seedSubgraphDatabase(name: string, target: { readonly databaseUrl: string | null; readonly dataDir: string }, world: WorldOptions): Promise<Omit<SeedReport, 'name' | 'bytes'>> {
  const { entities } = (await import(`../${name}/entities.ts`)) as { entities: EntitySchema<any, any>[] };
  const { seed } = (await import(`../${name}/seed.ts`)) as { seed: (em: EntityManager, world: WorldOptions) => Promise<void> };
  const started = performance.now();
  const orm = await openDatabase({ name, ...target, entities, migrationsPath: `${subgraphDir(name)}migrations` });
  const openSeconds = (performance.now() - started) / 1000;
  const rows: Record<string, number> = {};
  let seedSeconds = 0;
  try {
    const { ms } = await seedIfEmpty(orm, world, seed);
    seedSeconds = ms / 1000;
    for (const entity of entities) rows[entity.meta.tableName ?? entity.meta.className] = await orm.em.fork().count(entity, {});
  } finally {
    await orm.close();
  }
  return { rows, openSeconds, seedSeconds };
}

async function seedSubgraph(name: string, options: SeedOptions): Promise<SeedReport> {
  const seeded = await seedSubgraphDatabase(name, { databaseUrl: options.postgresUrl ? databaseUrl(options.postgresUrl, name) : null, dataDir: options.dataDir }, options.world);
  // Measured once the database is closed: SQLite has then folded its write-ahead log into the file.
  const file = sqlitePath({ dataDir: options.dataDir, name });
  const bytes = options.postgresUrl ? null : SQLITE_SUFFIXES.map((s) => file + s).filter(existsSync).reduce((sum, f) => sum + statSync(f).size, 0);
  return { name, ...seeded, bytes };
}

const seconds = (s: number) => `${s.toFixed(1)} s`;
const megabytes = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;
const peakRss = () => megabytes(process.resourceUsage().maxRSS * 1024);

/** Seeds the four subgraph databases, one after the other, and reports on each. */
export async function seedAll(options: SeedOptions): Promise<SeedReport[]> {
  const write = options.write ?? (() => undefined);
  await clearTargets(options);
  const started = performance.now();
  const reports: SeedReport[] = [];
  for (const name of SUBGRAPHS) {
    const report = await seedSubgraph(name, options);
    reports.push(report);
    const total = Object.values(report.rows).reduce((a, b) => a + b, 0);
    write(`${name}: ${total.toLocaleString('en')} rows in ${seconds(report.openSeconds + report.seedSeconds)} (schema ${seconds(report.openSeconds)}, rows ${seconds(report.seedSeconds)})` +
      `${report.bytes === null ? '' : `, ${megabytes(report.bytes)}`}, peak RSS so far ${peakRss()}`);
    for (const [table, count] of Object.entries(report.rows)) write(`  ${table.padEnd(28)} ${count.toLocaleString('en').padStart(12)}`);
  }
  const rows = reports.reduce((sum, r) => sum + Object.values(r.rows).reduce((a, b) => a + b, 0), 0);
  const bytes = reports.reduce((sum, r) => sum + (r.bytes ?? 0), 0);
  const where = options.postgresUrl ? `PostgreSQL databases ${SUBGRAPHS.map(seedDatabaseName).join(', ')}` : `${options.dataDir}, ${megabytes(bytes)}`;
  write(`total: ${rows.toLocaleString('en')} rows for ${options.world.scale.toLocaleString('en')} people (seed "${options.world.seed}") in ` +
    `${seconds((performance.now() - started) / 1000)}; ${where}; peak RSS ${peakRss()}`);
  return reports;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  try {
    const { values } = parseArgs({
      options: {
        scale: { type: 'string', default: String(DEFAULT_WORLD.scale) },
        seed: { type: 'string', default: DEFAULT_WORLD.seed },
        'data-dir': { type: 'string' },
        postgres: { type: 'string' },
        force: { type: 'boolean', default: false },
      },
    });
    const scale = Number(values.scale);
    if (!Number.isInteger(scale) || scale < 10 || scale > 1_000_000) throw new Error('--scale must be an integer between 10 and 1,000,000');
    await seedAll({
      world: { seed: values.seed!, scale },
      dataDir: path.resolve(values['data-dir'] ?? `.data/seed-${scale}`),
      postgresUrl: values.postgres,
      force: values.force,
      write: (line) => process.stdout.write(`${line}\n`),
    });
  } catch (error) {
    process.stderr.write(`npm run seed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  }
}
