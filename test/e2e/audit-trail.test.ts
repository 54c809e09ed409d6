// A data-protection officer pages a person's whole trail across the four partners' audit logs
// (docs/adr/audit-trail-paging.md). Before, Person.auditTrail loaded every entry and kept at most
// 200 per partner, so totalCount and the last pages silently lost the oldest entries.
//
// The long history is made by inserting rows into the four audit_entry tables with plain SQL, as
// the kit's AuditTrail does (the log is append-only: inserts are its only write): 1,040 entries
// through real reads would take minutes. Entries appended while paging come both from real reads
// through the gateway and from more inserts.
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import pg from 'pg';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { subgraphDatabaseUrl } from '../../gateway/stack.ts';
import { person as personAt } from '../../subgraphs/kit/population.ts';
import { codes, gql, tokenFor } from './client.ts';

const PARTNER_OF = { 'pole-emploi': 'FRANCE_TRAVAIL', 'cap-emploi': 'CAP_EMPLOI', agefiph: 'AGEFIPH', fiphfp: 'FIPHFP' } as const;
type Subgraph = keyof typeof PARTNER_OF;
const SUBGRAPHS = Object.keys(PARTNER_OF) as Subgraph[];

/** More than the 200 per partner the trail used to keep. */
const PER_PARTNER = 260;
const PAGE = 50;

interface Row { id: string; at: number; subject: string; personId: string }
interface StoredEntry { partner: string; id: string; at: number }
interface Node { id: string; at: string; partner: string; subject: string; action: string }

const world = () => ({ seed: 'passerelle', scale: inject('seedScale') });

async function onDatabase<T>(subgraph: Subgraph, sqlite: (db: DatabaseSync) => T, postgres: (client: pg.Client) => Promise<T>): Promise<T> {
  const server = process.env.TEST_POSTGRES_URL;
  if (inject('postgres') && server) {
    const client = new pg.Client({ connectionString: subgraphDatabaseUrl(server, inject('databasePrefix'), subgraph) });
    await client.connect();
    try {
      return await postgres(client);
    } finally {
      await client.end();
    }
  }
  const db = new DatabaseSync(path.join(inject('dataDir'), `${subgraph}.sqlite`));
  try {
    db.exec('pragma busy_timeout = 5000');
    return sqlite(db);
  } finally {
    db.close();
  }
}

/** Appends audit rows to a partner's log, with millisecond instants as the kit writes them. */
async function insertEntries(subgraph: Subgraph, rows: readonly Row[]): Promise<void> {
  const values = (r: Row) => [r.id, r.subject, 'france-travail', 'counsellor', 'PagingProbe', 'READ', r.personId, 'Person.lastName'];
  await onDatabase(subgraph, (db) => {
    const insert = db.prepare('insert into audit_entry (id, at, subject, organisation, role, operation, action, person_id, fields) values (?, ?, ?, ?, ?, ?, ?, ?, ?)');
    db.exec('begin');
    for (const r of rows) insert.run(r.id, r.at, ...values(r).slice(1));
    db.exec('commit');
  }, async (client) => {
    const columns = values(rows[0]).map((_, c) => rows.map((r) => values(r)[c]));
    await client.query(`insert into audit_entry (id, at, subject, organisation, role, operation, action, person_id, fields)
      select * from unnest($1::text[], $2::timestamptz[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[])`,
    [columns[0], rows.map((r) => new Date(r.at)), ...columns.slice(1)]);
  });
}

/** Every entry of a person in the four logs, read with plain SQL (the oracle). */
async function storedEntries(personId: string): Promise<StoredEntry[]> {
  const all: StoredEntry[] = [];
  for (const subgraph of SUBGRAPHS) {
    const rows = await onDatabase(subgraph,
      (db) => db.prepare('select id, at from audit_entry where person_id = ?').all(personId) as { id: string; at: number }[],
      async (client) => (await client.query<{ id: string; at: Date }>('select id, at from audit_entry where person_id = $1', [personId])).rows.map((r) => ({ id: r.id, at: r.at.getTime() })));
    all.push(...rows.map((r) => ({ partner: PARTNER_OF[subgraph], id: r.id, at: Number(r.at) })));
  }
  return all;
}

/** A past history for `personId`: PER_PARTNER entries per partner over 400 days, every fifth sharing its instant with the one before. */
function pastHistory(personId: string, subject: string): Record<Subgraph, Row[]> {
  const now = Date.now();
  return Object.fromEntries(SUBGRAPHS.map((subgraph, s) => {
    const rows: Row[] = [];
    for (let k = 0; k < PER_PARTNER; k++) {
      const at = k % 5 === 4 ? rows[k - 1].at : now - 60_000 - Math.floor(((k * 7919 + s * 104_729) % 400_000) * 86_400);
      rows.push({ id: randomUUID(), at, subject, personId });
    }
    return [subgraph, rows];
  })) as Record<Subgraph, Row[]>;
}

const TRAIL = `query PagingTrail($id: ID!, $first: Int, $after: String) { person(id: $id) { auditTrail(first: $first, after: $after) {
  totalCount pageInfo { hasNextPage endCursor } nodes { id at partner subject action } } } }`;

async function trailPage(token: string, personId: string, after: string | null, first = PAGE) {
  const res = await gql(token, TRAIL, { id: personId, first, after });
  expect(res.body.errors, JSON.stringify(res.body.errors)).toBeUndefined();
  return res.body.data.person.auditTrail as { totalCount: number; pageInfo: { hasNextPage: boolean; endCursor: string | null }; nodes: Node[] };
}

describe('the DPO trail paged across the four partners', () => {
  const subject = `paging-probe-${randomUUID()}`;
  const target = personAt(world(), world().scale - 1);
  const other = personAt(world(), world().scale - 2);
  let dpo: string;
  let history: Record<Subgraph, Row[]>;

  beforeAll(async () => {
    dpo = await tokenFor('france-travail', 'dpo');
    history = pastHistory(target.id, subject);
    for (const subgraph of SUBGRAPHS) await insertEntries(subgraph, history[subgraph]);
  });

  it('the trail no longer drops entries older than the 200th: every entry once, in order, with a true totalCount that holds while entries are appended', async () => {
    const counsellor = await tokenFor('france-travail', 'counsellor', { territory: [target.departement] });
    const startedBefore = Date.now();
    const seen: Node[] = [];
    const totals: number[] = [];
    let after: string | null = null;
    let firstAnsweredAt = 0;
    let pages = 0;
    for (;;) {
      const page = await trailPage(dpo, target.id, after);
      if (!firstAnsweredAt) firstAnsweredAt = Date.now();
      pages += 1;
      seen.push(...page.nodes);
      totals.push(page.totalCount);
      if (!page.pageInfo.hasNextPage) break;
      expect(page.nodes).toHaveLength(PAGE);
      after = page.pageInfo.endCursor;
      // Meanwhile the person's file is read (a real audited read) and each partner appends an entry.
      expect((await gql(counsellor, 'query($id: ID!) { person(id: $id) { lastName } }', { id: target.id })).body.errors).toBeUndefined();
      for (const subgraph of SUBGRAPHS) await insertEntries(subgraph, [{ id: randomUUID(), at: Date.now(), subject: `${subject}-late`, personId: target.id }]);
      expect(pages).toBeLessThan(100);
    }

    const stored = await storedEntries(target.id);
    const ids = seen.map((n) => n.id);
    expect(new Set(ids).size).toBe(ids.length);
    // Everything recorded before the first page is there, nothing recorded after it answered.
    const shown = new Set(ids);
    expect(stored.filter((e) => e.at < startedBefore && !shown.has(e.id))).toEqual([]);
    expect(seen.filter((n) => Date.parse(n.at) > firstAnsweredAt)).toEqual([]);
    expect(seen.filter((n) => n.subject === `${subject}-late`)).toEqual([]);
    expect(stored.filter((e) => e.at > firstAnsweredAt).length).toBeGreaterThanOrEqual(4 * (pages - 1));
    // Each partner's whole history, its oldest entries included.
    for (const subgraph of SUBGRAPHS) {
      const probe = seen.filter((n) => n.subject === subject && n.partner === PARTNER_OF[subgraph]).map((n) => n.id);
      expect(probe.sort()).toEqual(history[subgraph].map((r) => r.id).sort());
    }
    // One count for the whole paging, equal to what the pages hold.
    expect(new Set(totals)).toEqual(new Set([seen.length]));
    expect(pages).toBe(Math.ceil(seen.length / PAGE));
    // Newest first; within one partner by (at, id) descending.
    const at = seen.map((n) => Date.parse(n.at));
    for (let i = 1; i < seen.length; i++) {
      expect(at[i]).toBeLessThanOrEqual(at[i - 1]);
      if (at[i] === at[i - 1] && seen[i].partner === seen[i - 1].partner) expect(seen[i].id < seen[i - 1].id).toBe(true);
    }
  });

  it('a new paging sees the entries recorded since the last one', async () => {
    const before = (await trailPage(dpo, target.id, null, 1)).totalCount;
    const recorded = { id: randomUUID(), at: Date.now(), subject, personId: target.id };
    await insertEntries('agefiph', [recorded]);
    const after = await trailPage(dpo, target.id, null, 5);
    expect(after.totalCount).toBeGreaterThan(before);
    expect(after.nodes.map((n) => n.id)).toContain(recorded.id);
  });

  it('hands out opaque cursors, and answers BAD_USER_INPUT to one changed by one character, made up, or issued for another person', async () => {
    const { pageInfo } = await trailPage(dpo, target.id, null, 5);
    const cursor = pageInfo.endCursor!;
    expect(Buffer.from(cursor, 'base64url').toString('latin1')).not.toContain(target.id);
    const i = Math.floor(cursor.length / 2);
    const tampered = cursor.slice(0, i) + (cursor[i] === 'A' ? 'B' : 'A') + cursor.slice(i + 1);
    const forged = Buffer.from(JSON.stringify([target.id, 5, Date.now(), [null, null, null, null]])).toString('base64url');
    for (const after of [tampered, forged, 'not-a-cursor', cursor.slice(0, 20)]) {
      const res = await gql(dpo, TRAIL, { id: target.id, first: 5, after });
      expect(codes(res), after).toEqual(['BAD_USER_INPUT']);
      expect(JSON.stringify(res.body.data ?? null)).not.toContain(subject);
    }
    const elsewhere = await gql(dpo, TRAIL, { id: other.id, first: 5, after: cursor });
    expect(codes(elsewhere)).toEqual(['BAD_USER_INPUT']);
  });

  it('a caller without audit:read gets nothing of the trail', async () => {
    for (const token of [await tokenFor('france-travail', 'counsellor'), await tokenFor('cap-emploi', 'counsellor'), await tokenFor('agefiph', 'case-manager')]) {
      const res = await gql(token, 'query($id: ID!) { person(id: $id) { auditTrail(first: 100) { totalCount nodes { id subject } } } }', { id: target.id });
      expect(codes(res)).toContain('FORBIDDEN');
      expect(JSON.stringify(res.body.data ?? null)).not.toContain(subject);
      expect(res.body.data?.person?.auditTrail ?? null).toBeNull();
    }
  });
});
