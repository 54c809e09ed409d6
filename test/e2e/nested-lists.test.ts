// Nested lists are paged in SQL (kit/windowed.ts): a counsellor's page of 50 people costs each subgraph
// fetch the same SQL statements as a page of 5, and a person's lists walked page by page with `after`
// give every item once, in order, with the right totalCount and hasNextPage, alone or in a batch of
// people whose lists end sooner. A stack of this file's own (four subgraphs and the gateway, on SQLite,
// or on PostgreSQL when TEST_POSTGRES_URL names a server) exports its spans to a collector of the
// test's own: the SQL statements of a subgraph fetch are the SQL spans under that fetch's server span,
// which leaves out the readiness probe that /metrics counts too.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mintDevToken } from '../../gateway/dev-token.ts';
import { startStack, type Stack } from '../../gateway/stack.ts';
import { people } from '../../subgraphs/kit/population.ts';
import { mergeHistory, type HistoryItem } from '../../subgraphs/pole-emploi/rules.ts';
import { createTestDatabases, dropTestDatabases } from '../support/postgres.ts';
import { startSpanCollector, type OtlpSpan, type SpanCollector } from '../support/span-collector.ts';

const SCALE = 600;
const SERVER = 2;
const postgresUrl = process.env.TEST_POSTGRES_URL;
const prefix = `passerelle_nested_${process.pid}_`;

type Span = OtlpSpan;

/** The counsellor's page of the benchmark (bench/passerelle/operations/BenchCounsellorPage.graphql), over `people` (caseloads of this world are small). */
const page = (name: string) => {
  const bench = readFileSync(path.join(import.meta.dirname, '../../bench/passerelle/operations/BenchCounsellorPage.graphql'), 'utf8');
  const document = bench.replace('query BenchCounsellorPage($counsellorId: ID!, $first: Int = 50)', `query ${name}($first: Int!)`)
    .replace('caseload(counsellorId: $counsellorId, first: $first)', 'people(first: $first)');
  if (!document.includes('people(first: $first)') || document.includes('$counsellorId')) throw new Error('BenchCounsellorPage.graphql changed: adapt this test');
  return document;
};

const world = [...people({ seed: 'passerelle', scale: SCALE })];
/** The départements of the largest numbers of people, enough of them for a page of 50. */
const territory = (() => {
  const counts = new Map<string, number>();
  for (const p of world) counts.set(p.departement, (counts.get(p.departement) ?? 0) + 1);
  const chosen: string[] = [];
  let total = 0;
  for (const [departement, count] of [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))) {
    if (total >= 60) break;
    chosen.push(departement);
    total += count;
  }
  return chosen;
})();

describe('nested lists paged in SQL', () => {
  let spans: Span[] = [];
  let collector: SpanCollector;
  let dataDir: string;
  let stack: Stack;

  beforeAll(async () => {
    collector = await startSpanCollector();
    spans = collector.spans;
    dataDir = mkdtempSync(path.join(tmpdir(), 'passerelle-nested-'));
    if (postgresUrl) await createTestDatabases(postgresUrl, prefix);
    stack = await startStack({
      dataDir, port: 0, seedScale: SCALE, postgresUrl, databasePrefix: prefix,
      env: { LOG_LEVEL: 'warn', OTEL_EXPORTER_OTLP_ENDPOINT: collector.url, OTEL_BSP_SCHEDULE_DELAY: '100' },
    });
  });

  afterAll(async () => {
    await stack?.stop();
    if (postgresUrl) await dropTestDatabases(postgresUrl, prefix);
    await collector?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  async function gql(token: string, query: string, variables: Record<string, unknown> = {}) {
    const res = await fetch(stack.gatewayUrl, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify({ query, variables }) });
    const body = (await res.json()) as { data?: any; errors?: unknown[] };
    expect(body.errors, JSON.stringify(body.errors)).toBeUndefined();
    return body.data;
  }

  /** SQL statements of each subgraph fetch of operation `name`: subgraph → one count per fetch, in order of the counts. */
  async function statementsPerFetch(name: string): Promise<Record<string, number[]>> {
    const subgraphs = ['pole-emploi', 'cap-emploi', 'agefiph', 'fiphfp'];
    const servedSpans = () => spans.filter((s) => s.kind === SERVER && s.name.endsWith(` ${name}`) && subgraphs.some((g) => s.service === `passerelle-${g}`));
    // Spans arrive in batches (every 100 ms): wait until every subgraph's fetches are in and nothing more comes for a second.
    let seen = -1;
    for (let i = 0; i < 100; i++) {
      const now = spans.length;
      if (now === seen && subgraphs.every((g) => servedSpans().some((s) => s.service === `passerelle-${g}`))) break;
      seen = now;
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
    const served = servedSpans();
    const byId = new Map(spans.map((s) => [s.spanId, s]));
    const under = (statement: Span, root: Span) => {
      let at: Span | undefined = statement;
      while (at && at !== root) at = at.parentSpanId ? byId.get(at.parentSpanId) : undefined;
      return at === root;
    };
    const sql = spans.filter((s) => s.name === 'SQL SELECT');
    const counts: Record<string, number[]> = {};
    for (const fetch of served) {
      const subgraph = fetch.service.replace(/^passerelle-/, '');
      (counts[subgraph] ??= []).push(sql.filter((s) => s.traceId === fetch.traceId && under(s, fetch)).length);
    }
    for (const list of Object.values(counts)) list.sort((a, b) => a - b);
    return counts;
  }

  it('a counsellor\'s page of 50 people costs each subgraph fetch the SQL statements of a page of 5', async () => {
    const token = await mintDevToken(dataDir, { organisation: 'france-travail', role: 'counsellor', territory, subject: 'ft-counsellor-nested' });
    const counts: Record<number, Record<string, number[]>> = {};
    for (const first of [5, 50]) {
      const before = spans.length;
      const data = await gql(token, page(`NestedListsPage${first}`), { first });
      expect(data.people.nodes).toHaveLength(first);
      // Every subgraph fetch of the page has ended once the answer is in; their spans follow.
      counts[first] = await statementsPerFetch(`NestedListsPage${first}`);
      expect(spans.length).toBeGreaterThan(before);
    }
    console.log(`SQL statements per subgraph fetch (sorted), page of 5: ${JSON.stringify(counts[5])}; page of 50: ${JSON.stringify(counts[50])}`);
    expect(Object.keys(counts[50]).sort()).toEqual(['agefiph', 'cap-emploi', 'fiphfp', 'pole-emploi']);
    for (const subgraph of Object.keys(counts[50])) {
      // The same fetches (a page of 5 may lack a fetch of fundings that none of its five has) with the same statements.
      expect(Math.max(...counts[50][subgraph]), subgraph).toBe(Math.max(...counts[5][subgraph]));
      expect(counts[50][subgraph].length, subgraph).toBeLessThanOrEqual(Math.max(counts[5][subgraph].length, 2));
    }
  });

  describe('a person with many orientations', () => {
    const person = world.find((p) => p.registeredOn < '2025-01-01')!;
    const neighbours = world.filter((p) => p.departement === person.departement && p.id !== person.id).slice(0, 2).map((p) => p.id);
    let token: string;

    beforeAll(async () => {
      token = await mintDevToken(dataDir, { organisation: 'france-travail', role: 'case-manager', territory: '*' });
      // 27 orientations over nine days, three the same day: ties broken by the moment each was recorded.
      for (let i = 0; i < 27; i++) {
        const decidedOn = `2025-0${1 + Math.floor(i / 3)}-1${i % 3 === 0 ? 0 : 5}`;
        const data = await gql(token, 'mutation($input: RecordOrientationInput!) { recordOrientation(input: $input) { id } }', {
          input: { idempotencyKey: `nested-lists-${i}`, personId: person.id, orientedTo: i % 2 ? 'CAP_EMPLOI' : 'FRANCE_TRAVAIL', track: 'EMPLOYMENT', decidedOn },
        });
        expect(data.recordOrientation.id).toBeTruthy();
      }
    });

    const list = (field: string, after: string) => `${field}(first: $first, after: ${after}) { totalCount pageInfo { hasNextPage endCursor } nodes { ${field === 'orientations' ? 'id decidedOn' : 'occurredOn partner kind summary'} } }`;
    const WHOLE = 'id orientations(first: 50) { totalCount nodes { id decidedOn } } history(first: 50) { totalCount nodes { occurredOn partner kind summary } }';

    it('walked page by page with after, each list gives every item once, in order, with its totalCount and hasNextPage', async () => {
      const whole = (await gql(token, `query($id: ID!) { person(id: $id) { ${WHOLE} } }`, { id: person.id })).person;
      expect(whole.orientations.totalCount).toBeGreaterThanOrEqual(27);
      expect(whole.orientations.nodes).toHaveLength(whole.orientations.totalCount);
      expect(whole.history.totalCount).toBe(whole.history.nodes.length);
      expect(whole.history.totalCount).toBeLessThan(50);
      expect(whole.history.totalCount).toBeGreaterThan(whole.orientations.totalCount);
      expect(whole.history.nodes).toEqual(mergeHistory(whole.history.nodes as HistoryItem[]));
      const decided = whole.orientations.nodes.map((o: { decidedOn: string }) => o.decidedOn);
      expect(decided).toEqual([...decided].sort().reverse());

      for (const field of ['orientations', 'history'] as const) {
        for (const first of [1, 4, 7]) {
          const walked: unknown[] = [];
          let after: string | null = null;
          for (let round = 0; ; round++) {
            expect(round).toBeLessThan(100);
            const page: any = (await gql(token, `query($id: ID!, $first: Int!, $after: String) { person(id: $id) { ${list(field, '$after')} } }`, { id: person.id, first, after })).person[field];
            expect(page.totalCount).toBe(whole[field].totalCount);
            const before = walked.length;
            walked.push(...page.nodes);
            expect(page.nodes.length).toBe(Math.min(first, whole[field].totalCount - before));
            expect(page.pageInfo.hasNextPage).toBe(walked.length < whole[field].totalCount);
            if (!page.pageInfo.hasNextPage) break;
            after = page.pageInfo.endCursor;
          }
          expect(walked, `${field} by ${first}`).toEqual(whole[field].nodes);
        }
      }
    });

    it('in a batch of people whose lists end sooner, each person\'s page is the slice of its own list, past its end empty', async () => {
      const ids = [person.id, ...neighbours];
      const batch = async (selection: string, variables: Record<string, unknown>) => {
        const header = Object.keys(variables).length ? '($first: Int!, $afterO: String, $afterH: String)' : '';
        const data = await gql(token, `query${header} { ${ids.map((id, i) => `p${i}: person(id: "${id}") { ...L }`).join(' ')} } fragment L on Person { ${selection} }`, variables);
        return new Map(Object.values(data as Record<string, any>).map((p) => [p.id as string, p]));
      };
      const whole = await batch(WHOLE, {});
      // Each list advances by the cursors of the longest one (the person's); past its end, a page is empty and has no cursor.
      const at = { orientations: { after: null as string | null, offset: 0, ended: false }, history: { after: null as string | null, offset: 0, ended: false } };
      for (let round = 0; !(at.orientations.ended && at.history.ended); round++) {
        expect(round).toBeLessThan(30);
        const pages = await batch(`id ${list('orientations', '$afterO')} ${list('history', '$afterH')}`, { first: 3, afterO: at.orientations.after, afterH: at.history.after });
        for (const field of ['orientations', 'history'] as const) {
          const { offset } = at[field];
          for (const id of ids) {
            const all = whole.get(id)[field].nodes;
            const got = pages.get(id)[field];
            expect(got.totalCount, `${id} ${field}`).toBe(all.length);
            expect(got.nodes, `${id} ${field} from ${offset}`).toEqual(all.slice(offset, offset + 3));
            expect(got.pageInfo.hasNextPage).toBe(offset + 3 < all.length);
            if (!got.nodes.length) expect(got.pageInfo.endCursor).toBeNull();
          }
          const mine = pages.get(person.id)[field];
          if (mine.pageInfo.endCursor) at[field] = { after: mine.pageInfo.endCursor, offset: offset + mine.nodes.length, ended: false };
          else at[field].ended = true;
        }
      }
    });
  });
});
