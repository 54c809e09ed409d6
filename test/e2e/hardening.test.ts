// Attacks on the gateway's request handling: operation bombs, batching, CSRF shapes, huge bodies,
// and the production mode (introspection, suggestions, trusted documents, error masking).
import { createHash } from 'node:crypto';
import http from 'node:http';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { spawnService, type ServiceProcess } from '../../gateway/processes.ts';
import { person } from '../../subgraphs/kit/population.ts';
import { codes, gql, tokenFor, type GraphQLResponse } from './client.ts';
import { startTestSubgraph, type TestSubgraph } from '../support/subgraph.ts';

const world = () => ({ seed: 'passerelle', scale: inject('seedScale') });

async function orientationCount(token: string, personId: string): Promise<number> {
  const res = await gql(token, 'query($id: ID!) { person(id: $id) { orientations { totalCount } } }', { id: personId });
  return res.body.data.person.orientations.totalCount;
}

const mutation = (key: string, personId: string) =>
  `mutation { recordOrientation(input: { idempotencyKey: "${key}", personId: "${personId}", orientedTo: CAP_EMPLOI, track: EMPLOYMENT, decidedOn: "2025-06-02" }) { id } }`;

function expectNoLeak(res: GraphQLResponse | string) {
  const text = typeof res === 'string' ? res : JSON.stringify(res.body);
  for (const secret of ['stack', 'select ', 'SQLITE', 'no such table', 'pole-emploi', '127.0.0.1', 'localhost', 'at async', '.ts:']) {
    expect(text).not.toContain(secret);
  }
}

describe('operation limits (graphql-armor)', () => {
  let token: string;
  beforeAll(async () => {
    token = await tokenFor('france-travail', 'case-manager', { territory: ['*'] });
  });

  it('refuses a query nested deeper than 10 levels', async () => {
    const nested = '{ employers { nodes { jobOffers { nodes { employer { jobOffers { nodes { employer { jobOffers { nodes { employer { jobOffers { nodes { title';
    const res = await gql(token, `${nested} ${'}'.repeat(nested.split('{').length - 1)}`);
    expect(codes(res)).toContain('GRAPHQL_VALIDATION_FAILED');
    expect(res.body.data ?? null).toBeNull();
    expect(res.body.errors?.map((e) => e.message)).toEqual(['depth 14 exceeds 10']);
  });

  it('refuses more than 15 aliases', async () => {
    const aliases = Array.from({ length: 16 }, (_, i) => `a${i}: agencies(first: 1) { totalCount }`).join(' ');
    const res = await gql(token, `{ ${aliases} }`);
    expect(codes(res)).toContain('GRAPHQL_VALIDATION_FAILED');
    expect(res.body.errors?.map((e) => e.message)).toContain('aliases 16 exceeds 15');
  });

  it('refuses a field repeated thousands of times (token limit)', async () => {
    const res = await gql(token, `{ agencies { ${'totalCount '.repeat(4000)} } }`);
    expect(res.body.data ?? null).toBeNull();
    expect(res.body.errors?.length).toBeGreaterThan(0);
    expect(res.body.errors?.map((e) => e.message)).toEqual(['the document has more than 3,000 tokens']);
  });

  it('refuses an operation overloaded with directives', async () => {
    const res = await gql(token, `{ __typename ${'@include(if: true) '.repeat(40)} }`);
    expect(codes(res)).toContain('GRAPHQL_VALIDATION_FAILED');
  });

  it('refuses circular fragments', async () => {
    const res = await gql(token, 'query { ...A } fragment A on Query { ...B } fragment B on Query { ...A }');
    expect(codes(res)).toContain('GRAPHQL_VALIDATION_FAILED');
  });

  it('refuses an operation whose cost is above the limit', async () => {
    const wide = 'name siret siren nafCode nafVersion sector departement headcount';
    const deep = `jobOffers { nodes { title romeCode romeVersion contractType departement postedOn employer { ${wide} jobOffers { nodes { title employer { ${wide} } } } } } }`;
    const aliases = Array.from({ length: 12 }, (_, i) => `e${i}: employers(first: 100) { nodes { ${wide} ${deep} } }`).join(' ');
    const res = await gql(token, `{ ${aliases} }`);
    expect(codes(res)).toEqual(['QUERY_TOO_COMPLEX']);
    expect(res.body.errors?.[0].message).toMatch(/^cost \d{1,3}(,\d{3})+ exceeds 120,000: ask for smaller pages \(first\) or fewer fields$/);
    expect(res.body.data ?? null).toBeNull();
  });

  // The product's page: a counsellor's 50 people with what the partners know of each (bench/'s page).
  const counsellorPage = (first: string) => `query Page($counsellorId: ID!${first === '$first' ? ', $first: Int' : ''}) { caseload(counsellorId: $counsellorId, first: ${first}) {
    totalCount nodes { id firstName lastName registration { category registeredOn } orientation { orientedTo track decidedOn }
      capEmploiAccompaniments(first: 5) { totalCount nodes { id kind status openedOn } }
      history(first: 10) { totalCount nodes { occurredOn partner kind summary } }
      fundings(first: 10) { totalCount nodes { __typename partner label status amountRequested amountGranted requestedOn } } } } }`;

  it('serves a counsellor\'s page of 50 people asked ad hoc, whether the page size is written or a variable', async () => {
    const counsellorId = person(world(), 1).counsellorId;
    for (const [first, variables] of [['50', { counsellorId }], ['$first', { counsellorId, first: 50 }]] as const) {
      const res = await gql(token, counsellorPage(first), variables);
      expect(res.body.errors).toBeUndefined();
      expect(res.body.data.caseload.nodes.length).toBeGreaterThan(0);
    }
  });

  it('counts a page size given by a variable as the request sets it', async () => {
    const wide = 'name siret siren nafCode nafVersion sector departement headcount';
    const query = `query($n: Int) { employers(first: $n) { nodes { ${wide} jobOffers(first: $n) { nodes { title employer { ${wide} } } } } } }`;
    expect(codes(await gql(token, query, { n: 100 }))).toEqual(['QUERY_TOO_COMPLEX']);
    expect((await gql(token, query, { n: 2 })).body.errors).toBeUndefined();
  });
});

describe('request shapes refused at the door', () => {
  let token: string;
  const someone = () => person(world(), 1).id;
  beforeAll(async () => {
    token = await tokenFor('france-travail', 'case-manager', { territory: ['*'] });
  });

  it('answers an anonymous operation sent with an empty operation name, as GraphiQL sends it', async () => {
    const res = await fetch(inject('gatewayUrl'), {
      method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query: '# a comment first\n{ agencies(first: 1) { totalCount } }', variables: {}, operationName: '' }),
    });
    const body = (await res.json()) as GraphQLResponse['body'];
    expect(body.errors).toBeUndefined();
    expect(res.status).toBe(200);
    expect(body.data.agencies.totalCount).toBeGreaterThan(0);
  });

  it('answers an operation name the document does not define as the caller\'s mistake', async () => {
    const res = await gql(token, '{ agencies(first: 1) { totalCount } }', {}, { operationName: 'PersonJourney' });
    expect(res.body.errors?.map((e) => [e.extensions?.code, e.message])).toEqual([['OPERATION_RESOLUTION_FAILURE', 'Unknown operation named "PersonJourney".']]);
    expect(res.body.data ?? null).toBeNull();
  });

  it('refuses batched requests', async () => {
    const res = await fetch(inject('gatewayUrl'), {
      method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify([{ query: '{ __typename }' }, { query: '{ __typename }' }]),
    });
    expect(res.status).toBe(400);
    expect(await res.text()).not.toContain('"data"');
  });

  it('refuses a mutation sent by GET and writes nothing', async () => {
    const before = await orientationCount(token, someone());
    const url = `${inject('gatewayUrl')}?query=${encodeURIComponent(mutation('get-attack-0001', someone()))}`;
    const res = await fetch(url, { headers: { authorization: `Bearer ${token}`, 'apollo-require-preflight': 'true' } });
    expect(res.status).toBe(405);
    expect(await orientationCount(token, someone())).toBe(before);
  });

  it('refuses a GET query without a CSRF preflight header', async () => {
    const res = await fetch(`${inject('gatewayUrl')}?query=${encodeURIComponent('{ __typename }')}`, { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(400);
  });

  for (const contentType of ['application/x-www-form-urlencoded', 'text/plain', 'multipart/form-data; boundary=x']) {
    it(`refuses a ${contentType.split(';')[0]} POST (a CSRF shape) and writes nothing`, async () => {
      const before = await orientationCount(token, someone());
      const body = contentType.startsWith('application/x-www') ? `query=${encodeURIComponent(mutation('form-attack-001', someone()))}` : JSON.stringify({ query: mutation('text-attack-001', someone()) });
      const res = await fetch(inject('gatewayUrl'), { method: 'POST', headers: { 'content-type': contentType, authorization: `Bearer ${token}` }, body });
      expect(res.status).toBe(415);
      expect(await orientationCount(token, someone())).toBe(before);
    });
  }

  it('refuses a 10 MB body with 413 before reading it all', async () => {
    // node:http rather than fetch, to read the answer as soon as it comes, while still sending.
    const body = JSON.stringify({ query: '{ __typename }', variables: { padding: 'x'.repeat(10 * 1024 * 1024) } });
    const { status, text } = await new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = http.request(inject('gatewayUrl'), {
        method: 'POST', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), authorization: `Bearer ${token}` },
      }, (res) => {
        let data = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (data += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: data }));
      });
      req.on('error', reject);
      req.end(body);
    });
    expect(status).toBe(413);
    expect((JSON.parse(text) as GraphQLResponse['body']).errors?.[0]?.extensions?.code).toBe('PAYLOAD_TOO_LARGE');
  });
});

describe('production mode', () => {
  let gateway: ServiceProcess;
  let brokenPoleEmploi: TestSubgraph;
  const call = async (token: string, body: object) => {
    const res = await fetch(gateway.url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify(body) });
    const text = await res.text();
    return { status: res.status, text, body: JSON.parse(text) as GraphQLResponse['body'] };
  };

  beforeAll(async () => {
    // A France Travail subgraph of its own, whose database will lose a table (a real fault, no hook).
    brokenPoleEmploi = await startTestSubgraph('pole-emploi', {
      SEED_SCALE: '50',
      GATEWAY_JWKS_FILE: path.join(inject('dataDir'), 'keys', 'gateway.jwks.json'),
    });
    const urls = inject('subgraphUrls');
    gateway = await spawnService({
      name: 'gateway-production',
      entry: 'gateway/main.ts',
      env: {
        NODE_ENV: 'production', PORT: '0', LOG_LEVEL: 'warn', DATA_DIR: inject('dataDir'),
        ISSUER_JWKS_FILE: path.join(inject('dataDir'), 'keys', 'dev-issuer.jwks.json'),
        GATEWAY_SIGNING_KEY_FILE: path.join(inject('dataDir'), 'keys', 'gateway.private.jwk.json'),
        SUBGRAPH_URL_POLE_EMPLOI: brokenPoleEmploi.process.url, SUBGRAPH_URL_CAP_EMPLOI: urls['cap-emploi'],
        SUBGRAPH_URL_AGEFIPH: urls.agefiph, SUBGRAPH_URL_FIPHFP: urls.fiphfp,
      },
    });
  });
  afterAll(async () => {
    await gateway?.stop();
    await brokenPoleEmploi?.stop();
  });

  it('executes a registered document sent by its hash (APQ)', async () => {
    const manifest = JSON.parse(readFileSync('schema/operations/counsellor-app/persisted-query-manifest.json', 'utf8'));
    const hash = createHash('sha256').update(manifest.operations.find((op: { name: string }) => op.name === 'Caseload').body).digest('hex');
    const res = await call(await tokenFor('france-travail', 'counsellor', { territory: ['27'] }), {
      variables: { counsellorId: 'ft-27-001' }, extensions: { persistedQuery: { version: 1, sha256Hash: hash } },
    });
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data.caseload.totalCount).toBeGreaterThanOrEqual(0);
  });

  it('refuses an operation no partner app registered', async () => {
    const res = await call(await tokenFor('france-travail', 'counsellor'), { query: '{ people(first: 100) { nodes { id firstName lastName } } }' });
    expect(codes(res)).toEqual(['OPERATION_NOT_TRUSTED']);
    expect(res.body.data ?? null).toBeNull();
  });

  it('refuses introspection to a counsellor and allows it to an analyst holding the sandbox scope', async () => {
    const counsellor = await call(await tokenFor('france-travail', 'counsellor'), { query: '{ __schema { queryType { name } } }' });
    expect(codes(counsellor)).toContain('FORBIDDEN');
    expect(counsellor.body.data ?? null).toBeNull();
    const analyst = await call(await tokenFor('dgefp', 'analyst'), { query: '{ __schema { queryType { name } } }' });
    expect(analyst.body.data.__schema.queryType.name).toBe('Query');
  });

  it('gives no field suggestion that would map the schema', async () => {
    const res = await call(await tokenFor('dgefp', 'analyst'), { query: '{ peple { id } }' });
    expect(codes(res)).toContain('GRAPHQL_VALIDATION_FAILED');
    expect(res.text).not.toMatch(/did you mean/i);
  });

  it('masks a subgraph failure: path and code only, no SQL, stack, subgraph name or host', async () => {
    const sqlite = new DatabaseSync(brokenPoleEmploi.databaseFile);
    sqlite.exec('drop table agency');
    sqlite.close();
    const res = await call(await tokenFor('dgefp', 'analyst', { scopes: ['sandbox'] }), { query: '{ agencies(first: 1) { totalCount } }' });
    expect(res.body.errors?.[0]?.message).toBe('internal error');
    expect(res.body.errors?.[0]?.extensions?.code).toBe('INTERNAL_SERVER_ERROR');
    expect(res.body.errors?.[0]?.path).toEqual(['agencies']);
    expectNoLeak(res.text);
  });
});
