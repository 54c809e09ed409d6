// Workload (2)'s data: the four subgraph databases seeded with the synthetic world at a given scale,
// cached between runs under .data/bench-cache/ (SQLite files) or as template databases on the
// PostgreSQL server (pbench_c_*), keyed by seed, scale and the code that shapes the rows. Each run
// works on its own copy (files copied, databases created from the templates: pbench_r_<pid>_*),
// since every read writes audit rows and the mutation writes orientations; copies are removed at the
// end. Seeding is done by the subgraphs themselves, as on a first `npm start`.
import { createHash, randomBytes } from 'node:crypto';
import { constants, copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { SUBGRAPHS } from '../../subgraphs/kit/schema-files.ts';
import { databaseUrlOn, onPostgresServer } from '../../subgraphs/kit/postgres-server.ts';
import { ROOT, startPinned, type Pinned } from '../processes.ts';

export interface World {
  readonly seed: string;
  readonly scale: number;
}

export type Store = { readonly kind: 'sqlite' } | { readonly kind: 'postgresql'; readonly serverUrl: string };

/** Where a run's subgraphs find their data: a data dir of SQLite files, or one database each. */
export interface RunData {
  readonly dataDir: string;
  readonly databaseUrls: Readonly<Record<string, string>> | null;
  remove(): Promise<void>;
}

/** BENCH_CACHE_DIR lets several checkouts share their seeded worlds. */
export const CACHE_DIR = path.resolve(process.env.BENCH_CACHE_DIR ?? path.join(ROOT, '.data', 'bench-cache'));

/** Caches of other code versions are dropped once unused for this long (other checkouts may use them). */
const STALE_AFTER_MS = 6 * 3600_000;

/**
 * Files under subgraphs/ that only serve requests: a change there keeps the cached databases. Any
 * other change (entities, seeds, migrations, the synthetic population, the kit's tables) reseeds.
 */
const REQUEST_PATH_ONLY = /(^|\/)(resolvers|loaders|policy|statistics(-[a-z]+)?|main)\.ts$|\.graphql$|^kit\/(server|http|context|loaders|trust|errors|logger|pagination|windowed|rows|scalars|caller|config|schema-files|seed-cli|migrations-cli|postgres-server|policy|statistics|cursor|clock|search|input-validation)\.ts$/;

function listFiles(dir: string, prefix = ''): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? listFiles(path.join(dir, entry.name), `${prefix}${entry.name}/`) : [`${prefix}${entry.name}`]);
}

/** The cache key: seed, scale and a hash of the code that decides what the databases hold. */
export function worldKey(world: World): string {
  const dir = path.join(ROOT, 'subgraphs');
  const hash = createHash('sha256');
  for (const file of listFiles(dir).filter((f) => !REQUEST_PATH_ONLY.test(f)).sort()) {
    hash.update(file).update('\0').update(readFileSync(path.join(dir, file))).update('\0');
  }
  return `${world.seed.replace(/[^a-z0-9]/gi, '')}-${world.scale}-${hash.digest('hex').slice(0, 10)}`;
}

const SQLITE_SUFFIXES = ['', '-wal', '-shm'];
const BENCH_CURSOR_SECRET = randomBytes(32).toString('base64url');
const READY_LINE = /^PASSERELLE_READY (?<name>\S+) (?<url>\S+)$/;
const PROBE_LINE = /^BENCH_PROBE (?<probe>\d+)$/;

export interface SubgraphStart {
  readonly world: World;
  readonly dataDir: string;
  readonly databaseUrls: Readonly<Record<string, string>> | null;
  readonly gatewayJwksFile: string;
  /** `taskset -c` list. */
  readonly core: number | string;
  readonly production: boolean;
  /** Counts the GraphQL requests each subgraph receives (bench/probe.ts). */
  readonly probe: boolean;
  /** Writes a V8 CPU profile of each subgraph there when it stops. */
  readonly cpuProfileDir?: string;
  readonly timeoutMs: number;
}

/** Starts the four subgraph processes at once (each seeds its database when it is empty). */
export async function startSubgraphs(options: SubgraphStart): Promise<Pinned[]> {
  const starting = SUBGRAPHS.map((name) => {
    const args = [
      ...(options.probe ? ['--import', path.join(ROOT, 'bench/probe.ts')] : []),
      ...(options.cpuProfileDir ? ['--cpu-prof', '--cpu-prof-dir', options.cpuProfileDir, '--cpu-prof-name', `${name}.cpuprofile`] : []),
      `subgraphs/${name}/main.ts`,
    ];
    return startPinned({
      name,
      core: options.core,
      command: process.execPath,
      args,
      env: {
        // Production subgraphs seal their cursors with a secret they are given (a fresh one per run).
        ...(options.production ? { NODE_ENV: 'production', CURSOR_SECRET: BENCH_CURSOR_SECRET } : { NODE_ENV: 'development' }),
        PORT: '0',
        HOST: '127.0.0.1',
        DATA_DIR: options.dataDir,
        SEED: options.world.seed,
        SEED_SCALE: String(options.world.scale),
        GATEWAY_JWKS_FILE: options.gatewayJwksFile,
        ...(options.databaseUrls ? { DATABASE_URL: options.databaseUrls[name] } : {}),
      },
      ready: { line: READY_LINE },
      capture: [PROBE_LINE],
      timeoutMs: options.timeoutMs,
    });
  });
  const settled = await Promise.allSettled(starting);
  const failure = settled.find((r) => r.status === 'rejected');
  if (failure) {
    await Promise.all(settled.flatMap((r) => (r.status === 'fulfilled' ? [r.value.stop()] : [])));
    throw failure.reason;
  }
  return settled.map((r) => (r as PromiseFulfilledResult<Pinned>).value);
}

const sqliteCacheDir = (key: string) => path.join(CACHE_DIR, `sqlite-${key}`);
const cacheDatabase = (world: World, key: string, subgraph: string) => `pbench_c_${world.scale}_${createHash('sha256').update(key).digest('hex').slice(0, 12)}_${subgraph.replace(/-/g, '_')}`;
const runDatabase = (subgraph: string) => `pbench_r_${process.pid}_${subgraph.replace(/-/g, '_')}`;
const COMPLETE = 'passerelle bench cache, complete, last used ';

async function seed(world: World, dataDir: string, databaseUrls: Record<string, string> | null, gatewayJwksFile: string, write: (line: string) => void): Promise<void> {
  const started = performance.now();
  write(`seeding ${world.scale.toLocaleString('en')} people (seed "${world.seed}") ${databaseUrls ? 'on PostgreSQL' : 'in SQLite'}; cached for the next runs`);
  // Development mode: the subgraphs seed an empty database on start (production never seeds).
  const subgraphs = await startSubgraphs({ world, dataDir, databaseUrls, gatewayJwksFile, core: '0-1', production: false, probe: false, timeoutMs: 30 * 60_000 });
  await Promise.all(subgraphs.map((s) => s.stop()));
  write(`seeded in ${Math.round((performance.now() - started) / 1000)} s`);
}

/** Makes sure the cache holds the seeded world; then copies it for this run. */
export async function prepareRunData(options: {
  readonly world: World;
  readonly store: Store;
  readonly runDir: string;
  readonly gatewayJwksFile: string;
  readonly reseed: boolean;
  readonly write: (line: string) => void;
}): Promise<RunData> {
  const key = worldKey(options.world);
  const dataDir = path.join(options.runDir, `data-${options.store.kind}-${options.world.scale}`);
  mkdirSync(dataDir, { recursive: true });
  if (options.store.kind === 'sqlite') {
    const cache = sqliteCacheDir(key);
    const marker = path.join(cache, 'complete.json');
    for (const entry of existsSync(CACHE_DIR) ? readdirSync(CACHE_DIR) : []) {
      const other = path.join(CACHE_DIR, entry, 'complete.json');
      if (entry.startsWith('sqlite-') && entry !== path.basename(cache) && (!existsSync(other) || Date.now() - statSync(other).mtimeMs > STALE_AFTER_MS)) {
        rmSync(path.join(CACHE_DIR, entry), { recursive: true, force: true });
      }
    }
    if (options.reseed || !existsSync(marker)) {
      rmSync(cache, { recursive: true, force: true });
      mkdirSync(cache, { recursive: true });
      await seed(options.world, cache, null, options.gatewayJwksFile, options.write);
    }
    // Written on every use: its age tells other runs whether the cache is still wanted.
    writeFileSync(marker, JSON.stringify({ ...options.world, key, lastUsed: new Date().toISOString() }));
    for (const name of SUBGRAPHS) {
      for (const suffix of SQLITE_SUFFIXES) {
        const file = path.join(cache, `${name}.sqlite${suffix}`);
        if (existsSync(file)) copyFileSync(file, path.join(dataDir, `${name}.sqlite${suffix}`), constants.COPYFILE_FICLONE);
      }
    }
    const bytes = SUBGRAPHS.reduce((sum, name) => sum + statSync(path.join(dataDir, `${name}.sqlite`)).size, 0);
    options.write(`SQLite copies of the cached world (${(bytes / 1e6).toFixed(0)} MB) in ${dataDir}`);
    return { dataDir, databaseUrls: null, remove: async () => rmSync(dataDir, { recursive: true, force: true }) };
  }
  const serverUrl = options.store.serverUrl;
  const names = Object.fromEntries(SUBGRAPHS.map((s) => [s, cacheDatabase(options.world, key, s)]));
  await onPostgresServer(serverUrl, async (client) => {
    // Copies left by runs that did not reach their end (their process is gone).
    const { rows: stale } = await client.query<{ datname: string }>(`select datname from pg_database where datname like 'pbench\\_r\\_%'`);
    for (const { datname } of stale) {
      const pid = Number(/^pbench_r_(\d+)_/.exec(datname)?.[1]);
      if (pid && pid !== process.pid && !alive(pid)) await client.query(`drop database if exists "${datname}" with (force)`);
    }
    const { rows: caches } = await client.query<{ datname: string; comment: string | null }>(
      `select datname, shobj_description(oid, 'pg_database') as comment from pg_database where datname like 'pbench\\_c\\_%'`);
    const current = new Set(Object.values(names));
    for (const { datname, comment } of caches) {
      const lastUsed = comment?.startsWith(COMPLETE) ? Date.parse(comment.slice(COMPLETE.length)) : 0;
      if (!current.has(datname) && !(Date.now() - lastUsed < STALE_AFTER_MS)) await client.query(`drop database if exists "${datname}" with (force)`);
    }
    const complete = caches.filter((r) => current.has(r.datname) && r.comment?.startsWith(COMPLETE)).length === SUBGRAPHS.length;
    if (options.reseed || !complete) {
      for (const name of current) await client.query(`drop database if exists "${name}" with (force)`);
      await seed(options.world, dataDir, Object.fromEntries(SUBGRAPHS.map((s) => [s, databaseUrlOn(serverUrl, names[s])])), options.gatewayJwksFile, options.write);
    }
    for (const name of current) await client.query(`comment on database "${name}" is '${COMPLETE}${new Date().toISOString()}'`);
    for (const s of SUBGRAPHS) {
      await client.query(`drop database if exists "${runDatabase(s)}" with (force)`);
      await client.query(`create database "${runDatabase(s)}" template "${names[s]}"`);
    }
  });
  options.write(`PostgreSQL copies of the cached world: ${SUBGRAPHS.map(runDatabase).join(', ')}`);
  return {
    dataDir,
    databaseUrls: Object.fromEntries(SUBGRAPHS.map((s) => [s, databaseUrlOn(serverUrl, runDatabase(s))])),
    remove: async () => {
      await onPostgresServer(serverUrl, async (client) => {
        for (const s of SUBGRAPHS) await client.query(`drop database if exists "${runDatabase(s)}" with (force)`);
      });
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The names of this run's databases (to find their server backends and read their CPU time). */
export function runDatabaseNames(): string[] {
  return SUBGRAPHS.map(runDatabase);
}
