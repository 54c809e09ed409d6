// The perimeter crawler (issue 9, item 3): from the supergraph alone, every path to a bounded depth,
// as every role that reads personal data, in a single département, two, an overseas one, a Corsican
// one and nationally — and every personal-data object that comes back must belong to a person the
// caller may see, with its READ audit entry. The oracle is plain SQL over the four databases.
// Report: console and .data/perimeter-crawler-<database>.json. See test/support/crawler/crawl.ts.
import path from 'node:path';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { crawl, type CrawlReport, type ViolationKind } from '../support/crawler/crawl.ts';
import { listed, summary } from '../support/crawler/report.ts';

const CRAWL_TIMEOUT_MS = 15 * 60_000;

describe('the perimeter crawler', () => {
  let report: CrawlReport;
  const of = (...kinds: ViolationKind[]) => report.violations.filter((v) => kinds.includes(v.kind));

  beforeAll(async () => {
    const postgresUrl = process.env.TEST_POSTGRES_URL;
    const database = inject('postgres') && postgresUrl ? 'postgresql' : 'sqlite';
    report = await crawl({
      gatewayUrl: inject('gatewayUrl'),
      dataDir: inject('dataDir'),
      subgraphUrls: inject('subgraphUrls'),
      databases: database === 'postgresql' ? { kind: 'postgresql', serverUrl: postgresUrl!, prefix: inject('databasePrefix') } : { kind: 'sqlite', dataDir: inject('dataDir') },
      supergraphPath: path.resolve('schema/supergraph.graphql'),
      reportFile: path.resolve('.data', `perimeter-crawler-${database}.json`),
    });
    console.log(summary(report));
  }, CRAWL_TIMEOUT_MS);

  it('reaches every personal-data type of the supergraph', () => {
    expect(report.queries).toBeGreaterThan(0);
    expect(report.directEntityCalls).toBeGreaterThan(0);
    expect(report.personalTypesNotReached).toEqual([]);
  });

  it('returns no personal-data object of a person outside the caller\'s perimeter, through the gateway or _entities', () => {
    const found = of('OUT_OF_PERIMETER', 'UNKNOWN_PERSON', 'ENTITY_WITH_PERSONAL_DATA');
    expect(found, listed(found)).toEqual([]);
  });

  it('returns only objects the partners\' databases hold', () => {
    const found = of('UNKNOWN_OBJECT');
    expect(found, listed(found)).toEqual([]);
  });

  it('has a READ audit entry under the request\'s operation for each person it returns', () => {
    const found = of('MISSING_READ_AUDIT');
    expect(found, listed(found)).toEqual([]);
  });

  it('refuses writes and replays about people outside the perimeter, and the refusal does not tell them from people who do not exist', () => {
    const found = of('WRITE_OUTSIDE_PERIMETER', 'REFUSAL_REVEALS', 'REPLAY_OUTSIDE_PERIMETER');
    expect(found, listed(found)).toEqual([]);
  });
});
