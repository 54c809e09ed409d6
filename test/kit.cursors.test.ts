// Cursors handed out by a subgraph say nothing about the rows they point at, and a cursor the
// subgraph did not hand out for that list is a BAD_USER_INPUT, never an internal error.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cursorKey, cursorSeal, cursorSecret } from '../subgraphs/kit/cursor.ts';
import { people } from '../subgraphs/kit/population.ts';
import { startTestSubgraph, type TestSubgraph } from './support/subgraph.ts';

const population = [...people({ seed: 'passerelle', scale: 400 })];
const PEOPLE = 'query($after: String) { people(first: 3, after: $after) { nodes { id lastName firstName } pageInfo { hasNextPage endCursor } } }';

let sub: TestSubgraph;
beforeAll(async () => {
  sub = await startTestSubgraph('pole-emploi');
});
afterAll(async () => {
  await sub?.stop();
});

async function refusal(query: string, after: unknown) {
  const { body } = await sub.call(query, { after });
  return { data: body.data, error: body.errors?.[0] };
}

describe('opaque cursors', () => {
  it('a people cursor no longer carries the last names, first names and ids of the page (it used to be their base64)', async () => {
    const { body } = await sub.call(PEOPLE);
    const { nodes, pageInfo } = body.data.people;
    const last = nodes.at(-1);
    const decoded = Buffer.from(pageInfo.endCursor, 'base64url').toString('latin1');
    for (const value of [last.lastName, last.firstName, last.id]) {
      expect(decoded).not.toContain(value);
      expect(pageInfo.endCursor).not.toContain(Buffer.from(JSON.stringify(value)).toString('base64url').slice(0, 8));
    }
    // Same page twice: two different cursors (random IV), both leading to the same next page.
    const again = (await sub.call(PEOPLE)).body.data.people.pageInfo.endCursor;
    expect(again).not.toBe(pageInfo.endCursor);
    const next = (await sub.call(PEOPLE, { after: pageInfo.endCursor })).body.data.people.nodes;
    const nextAgain = (await sub.call(PEOPLE, { after: again })).body.data.people.nodes;
    expect(nextAgain).toEqual(next);
  });

  it('paging with sealed cursors walks every person exactly once, in order', async () => {
    const seen: string[] = [];
    let after: string | null = null;
    do {
      const { body } = await sub.call('query($after: String) { people(first: 100, after: $after) { nodes { id } pageInfo { hasNextPage endCursor } } }', { after });
      expect(body.errors).toBeUndefined();
      seen.push(...body.data.people.nodes.map((n: { id: string }) => n.id));
      after = body.data.people.pageInfo.hasNextPage ? body.data.people.pageInfo.endCursor : null;
    } while (after);
    expect(seen.length).toBe(population.length);
    expect(new Set(seen).size).toBe(population.length);
  });

  it('a malformed cursor answers BAD_USER_INPUT on field after (it used to be an internal error)', async () => {
    // "abc" and the old plain cursors used to reach MikroORM's decoder: internal error.
    const oldStyle = Buffer.from(JSON.stringify(['André', 'Isabelle', 'psn_x'])).toString('base64url');
    for (const bad of ['abc', oldStyle, 'A'.repeat(2000), '', '!!']) {
      const { data, error } = await refusal(PEOPLE, bad);
      expect(error?.extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'after' });
      expect(error?.message).toBe('after is not a cursor returned by this field');
      expect(data).toBeNull();
    }
  });

  it('a tampered cursor, or one from another list, answers BAD_USER_INPUT', async () => {
    const cursor = (await sub.call(PEOPLE)).body.data.people.pageInfo.endCursor as string;
    const bytes = Buffer.from(cursor, 'base64url');
    bytes[bytes.length - 20] ^= 1;
    expect((await refusal(PEOPLE, bytes.toString('base64url'))).error?.extensions?.code).toBe('BAD_USER_INPUT');
    const employers = (await sub.call('{ employers(first: 2) { pageInfo { endCursor } } }')).body.data.employers.pageInfo.endCursor;
    expect((await refusal(PEOPLE, employers)).error?.extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'after' });
    // The keyset cursor of `people` given to `caseload` (same type, other list).
    const caseload = 'query($after: String) { caseload(counsellorId: "x", first: 2, after: $after) { totalCount } }';
    expect((await refusal(caseload, cursor)).error?.extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'after' });
  });

  it('offset cursors of in-memory lists are sealed too', async () => {
    const person = population.find((p) => p.orientation)!;
    const query = 'query($id: ID!, $after: String) { person(id: $id) { history(first: 1, after: $after) { nodes { kind } pageInfo { endCursor } } } }';
    const { body } = await sub.call(query, { id: person.id });
    const cursor = body.data.person.history.pageInfo.endCursor as string;
    expect(Buffer.from(cursor, 'base64url').toString('latin1')).not.toMatch(/o:\d/);
    const next = await sub.call(query, { id: person.id, after: cursor });
    expect(next.body.errors).toBeUndefined();
    const forged = await sub.call(query, { id: person.id, after: Buffer.from('o:1').toString('base64url') });
    expect(forged.body.errors[0].extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'after' });
  });
});

describe('cursor keys', () => {
  it('a cursor sealed by another subgraph (or under another secret) does not open', () => {
    const secret = 'x'.repeat(40);
    const poleEmploi = cursorSeal(cursorKey(secret, 'pole-emploi'), 'pole-emploi');
    const agefiph = cursorSeal(cursorKey(secret, 'agefiph'), 'agefiph');
    const other = cursorSeal(cursorKey('y'.repeat(40), 'pole-emploi'), 'pole-emploi');
    const sealed = poleEmploi.seal('WyJBbmRyw6kiXQ', 'Query.people');
    expect(poleEmploi.open(sealed, 'Query.people')).toBe('WyJBbmRyw6kiXQ');
    expect(() => agefiph.open(sealed, 'Query.people')).toThrow(/not a cursor returned by this field/);
    expect(() => other.open(sealed, 'Query.people')).toThrow(/not a cursor returned by this field/);
    expect(() => poleEmploi.open(sealed, 'Query.caseload')).toThrow(/not a cursor returned by this field/);
  });

  it('without CURSOR_SECRET, a secret is generated once under <DATA_DIR>/keys and kept across restarts', () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'passerelle-cursor-'));
    try {
      const first = cursorSecret({ name: 'fiphfp', dataDir, cursorSecret: null });
      expect(first.length).toBeGreaterThanOrEqual(32);
      expect(readFileSync(path.join(dataDir, 'keys', 'fiphfp.cursor.key'), 'utf8').trim()).toBe(first);
      expect(cursorSecret({ name: 'fiphfp', dataDir, cursorSecret: null })).toBe(first);
      expect(cursorSecret({ name: 'fiphfp', dataDir, cursorSecret: 's'.repeat(32) })).toBe('s'.repeat(32));
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
