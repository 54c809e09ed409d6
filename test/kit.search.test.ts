// LIKE search matches what the user typed literally, on SQLite and on PostgreSQL (TEST_POSTGRES_URL):
// `%`, `_` and the escape character match only themselves.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { defineEntity, p } from '@mikro-orm/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initOrm } from '../subgraphs/kit/database.ts';
import { databaseUrlOn, onPostgresServer } from '../subgraphs/kit/postgres-server.ts';
import { LIKE_ESCAPE, likePattern, matchesText } from '../subgraphs/kit/search.ts';

const Probe = defineEntity({ name: 'SearchProbe', tableName: 'search_probe', properties: { id: p.integer().primary(), nameKey: p.string() } });

const NAMES = ['100%', '1000', '100 pour cent', 'a_b', 'axb', 'ab', `a${LIKE_ESCAPE}b`, `${LIKE_ESCAPE}x`, 'x', 'dupont', 'du%pont', 'o\'hara', 'a\\b'];

const server = process.env.TEST_POSTGRES_URL;
const databases = [{ name: 'SQLite', postgres: false }, ...(server ? [{ name: 'PostgreSQL', postgres: true }] : [])];

describe('LIKE patterns', () => {
  it('escape %, _ and the escape character, and nothing else', () => {
    expect(likePattern('100%', 'prefix')).toBe('100!%%');
    expect(likePattern('a_b', 'contains')).toBe('%a!_b%');
    expect(likePattern('a!b', 'prefix')).toBe('a!!b%');
    expect(likePattern("o'hara\\", 'prefix')).toBe("o'hara\\%");
  });
});

for (const db of databases) {
  describe(`LIKE search on ${db.name}`, () => {
    let orm: Awaited<ReturnType<typeof initOrm>>;
    let dataDir: string;
    const dbName = `passerelle_search_test_${randomBytes(3).toString('hex')}`;

    beforeAll(async () => {
      dataDir = mkdtempSync(path.join(tmpdir(), 'passerelle-search-'));
      if (db.postgres) await onPostgresServer(server!, (c) => c.query(`create database "${dbName}"`));
      orm = await initOrm({ name: 'search', databaseUrl: db.postgres ? databaseUrlOn(server!, dbName) : null, dataDir, entities: [Probe], migrationsPath: dataDir });
      await orm.schema.create();
      await orm.em.fork().insertMany(Probe, NAMES.map((nameKey, id) => ({ id, nameKey })));
    });

    afterAll(async () => {
      await orm?.close();
      if (db.postgres) await onPostgresServer(server!, (c) => c.query(`drop database if exists "${dbName}" with (force)`));
      rmSync(dataDir, { recursive: true, force: true });
    });

    async function found(text: string, mode: 'prefix' | 'contains'): Promise<string[]> {
      const rows = await orm.em.fork().find(Probe, { ...matchesText('name_key', text, mode) } as never, { orderBy: { id: 'asc' } });
      return rows.map((r) => r.nameKey).sort();
    }

    it('"%" or "_" typed as a name matches only names holding that character (it used to match everyone)', async () => {
      expect(await found('%', 'prefix')).toEqual([]);
      expect(await found('%', 'contains')).toEqual(['100%', 'du%pont']);
      expect(await found('_', 'prefix')).toEqual([]);
      expect(await found('_', 'contains')).toEqual(['a_b']);
      expect(await found('100%', 'prefix')).toEqual(['100%']);
      expect(await found('a_b', 'prefix')).toEqual(['a_b']);
    });

    it('the escape character matches only itself', async () => {
      expect(await found(LIKE_ESCAPE, 'contains')).toEqual([`${LIKE_ESCAPE}x`, `a${LIKE_ESCAPE}b`].sort());
      expect(await found(`a${LIKE_ESCAPE}`, 'prefix')).toEqual([`a${LIKE_ESCAPE}b`]);
      expect(await found('\\', 'contains')).toEqual(['a\\b']);
      expect(await found("o'h", 'prefix')).toEqual(["o'hara"]);
    });

    it('ordinary text still matches by prefix or anywhere, and combines with keyset pages and counts', async () => {
      expect(await found('du', 'prefix')).toEqual(['du%pont', 'dupont']);
      expect(await found('pont', 'contains')).toEqual(['du%pont', 'dupont']);
      const page = await orm.em.fork().findByCursor(Probe, { where: { ...matchesText('name_key', '100', 'prefix') } as never, first: 2, orderBy: { id: 'asc' } });
      expect(page.totalCount).toBe(3);
      expect(page.items.map((r) => r.nameKey)).toEqual(['100%', '1000']);
    });
  });
}
