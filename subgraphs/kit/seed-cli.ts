// `npm run seed -- --scale 500000 [--seed passerelle] [--data-dir .data/seed] [--postgres URL] [--force]`:
// seeds the four subgraph databases without serving them, and prints what it wrote and how long
// it took. SQLite files in the data dir by default; with --postgres, databases
// passerelle_seed_<subgraph> on that server.
import { existsSync, readdirSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { EntityManager, EntitySchema } from '@mikro-orm/core';
import { openDatabase, seedIfEmpty, sqlitePath } from './database.ts';
import type { WorldOptions } from './population.ts';
import { SUBGRAPHS, subgraphDir } from './schema-files.ts';

interface SubgraphModules {
  entities: EntitySchema<any, any>[];
  seed: (em: EntityManager, world: WorldOptions) => Promise<void>;
}

const { values } = parseArgs({
  options: {
    scale: { type: 'string', default: '2000' },
    seed: { type: 'string', default: 'passerelle' },
    'data-dir': { type: 'string' },
    postgres: { type: 'string' },
    force: { type: 'boolean', default: false },
  },
});
const scale = Number(values.scale);
if (!Number.isInteger(scale) || scale < 10 || scale > 1_000_000) throw new Error('--scale must be an integer between 10 and 1,000,000');
const world: WorldOptions = { seed: values.seed!, scale };
const dataDir = path.resolve(values['data-dir'] ?? `.data/seed-${scale}`);
if (!values.postgres && existsSync(dataDir) && readdirSync(dataDir).some((f) => f.endsWith('.sqlite'))) {
  if (!values.force) throw new Error(`${dataDir} already holds databases: pass --force to replace them`);
  rmSync(dataDir, { recursive: true, force: true });
}

function databaseUrl(name: string): string | null {
  if (!values.postgres) return null;
  const url = new URL(values.postgres);
  url.pathname = `/passerelle_seed_${name.replace(/-/g, '_')}`;
  return url.toString();
}

const started = performance.now();
for (const name of SUBGRAPHS) {
  const { entities, seed } = {
    ...((await import(`../${name}/entities.ts`)) as Pick<SubgraphModules, 'entities'>),
    ...((await import(`../${name}/seed.ts`)) as Pick<SubgraphModules, 'seed'>),
  };
  const orm = await openDatabase({ name, databaseUrl: databaseUrl(name), dataDir, entities, migrationsPath: `${subgraphDir(name)}migrations` });
  if (values.postgres && values.force) await orm.schema.clear();
  const { seeded, ms } = await seedIfEmpty(orm, world, seed);
  const counts: string[] = [];
  for (const entity of entities) counts.push(`${entity.meta.className} ${await orm.em.fork().count(entity, {})}`);
  const file = sqlitePath({ dataDir, name });
  // With WAL, recent pages live in the -wal file until a checkpoint: count both.
  const bytes = values.postgres ? 0 : [file, `${file}-wal`].filter(existsSync).reduce((sum, f) => sum + statSync(f).size, 0);
  const size = values.postgres ? '' : ` — ${(bytes / 1e6).toFixed(1)} MB`;
  process.stdout.write(`${name}: ${seeded ? `seeded in ${(ms / 1000).toFixed(1)} s` : 'already seeded'}${size}\n  ${counts.join(', ')}\n`);
  await orm.close();
}
process.stdout.write(`total ${((performance.now() - started) / 1000).toFixed(1)} s for ${scale} people (seed "${world.seed}")\n`);
