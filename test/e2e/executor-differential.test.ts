// Passerelle's executor of query plans (gateway/executor/) answers exactly as ApolloGateway's own:
// two gateways on the same supergraph and the same subgraph processes (the shared stack's, each
// behind a FaultProxy of this test), one with GATEWAY_EXECUTOR=apollo, send the same operations with
// the same tokens; data and errors must be equal (key order aside, errors as a set: parallel fetches
// finish in any order). The operations: the README's examples, the benchmark's, every registered
// operation of the partner apps, shapes the executor must get right (aliases, fragments on an
// interface, @skip/@include, introspection, a field the caller may not read), and faults (a subgraph
// down, garbled, answering errors, leaving null a non-null field). Then entity fetches merged into one
// subgraph call (gateway/executor/entity-batches.ts) and representations shared by several entities:
// fewer calls, the same answers, with the partner down or garbled inside a merged call and with an
// entity failing inside one part of it.
import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { parse, print, visit } from 'graphql';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import type { ServiceProcess } from '../../gateway/processes.ts';
import { person as personAt } from '../../subgraphs/kit/population.ts';
import { readManifest, registeredApps } from '../../schema/registered-operations.ts';
import { OPERATIONS_DIR } from '../../schema/register.ts';
import { FaultProxy } from '../support/fault-proxy.ts';
import { spawnTestGateway } from '../support/test-gateway.ts';
import { tokenFor } from './client.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');

interface Answer { status: number; body: any }

/**
 * Keys sorted at every level; errors as a sorted list (their order follows the subgraphs' timing);
 * page cursors only present or absent (they are encrypted with a fresh nonce each time).
 */
function normalised(answer: Answer): unknown {
  const sort = (value: any): any => {
    if (Array.isArray(value)) return value.map(sort);
    if (value && typeof value === 'object') return Object.fromEntries(Object.keys(value).sort().map((key) => [key, /Cursor$/.test(key) && typeof value[key] === 'string' ? 'a cursor' : sort(value[key])]));
    return value;
  };
  const body = sort(answer.body);
  if (Array.isArray(body.errors)) body.errors = body.errors.map((e: unknown) => JSON.stringify(e)).sort();
  return { status: answer.status, body };
}

const bench = (name: string) => readFileSync(path.join(ROOT, 'bench', 'passerelle', 'operations', `${name}.graphql`), 'utf8');

const README_JOURNEY = /* GraphQL */ `query PersonJourney($id: ID!) {
  person(id: $id) {
    firstName lastName departement
    registration { category registeredOn agency { name } }
    orientation { orientedTo track decidedOn }
    capEmploiAccompaniments { nodes { kind status openedOn employer { name } } }
    history(first: 20) { totalCount nodes { occurredOn partner kind summary } }
    fundings { nodes { __typename partner label status amountRequested amountGranted } }
  }
}`;
const README_EMPLOYER = /* GraphQL */ `{
  employer(siret: "35600000009075") {
    name sector nafCode headcount
    jobOffers { totalCount nodes { title romeCode contractType } }
    agefiphAidRequests { nodes { label status amountRequested } }
    fundings { totalCount }
  }
}`;
const README_STATISTICS = /* GraphQL */ `{
  returnToEmploymentStatistics(from: "2025-01", to: "2025-09", breakdown: CONTRACT_TYPE) {
    publishedUntil
    cells { period category value { count countSuppressedBecause share } yearBefore { count } countChange }
  }
  jobSeekerStatistics(dimension: DEPARTEMENT, registeredFrom: "2024-01-01", registeredTo: "2024-12-31") {
    threshold
    total { count }
    cells { key count suppressedBecause }
  }
}`;
/** Aliases, repeated fields, fragments on the Funding interface, __typename everywhere, directives on variables. */
const SHAPES = /* GraphQL */ `query Shapes($id: ID!, $withHistory: Boolean!, $skipFundings: Boolean = false) {
  kind: __typename
  who: person(id: $id) {
    __typename
    id
    nom: lastName
    ... on Person { prenom: firstName id }
    registration { ...Registration agency { code } }
    history(first: 5) @include(if: $withHistory) { totalCount nodes { partner kind } }
    fundings(first: 10) @skip(if: $skipFundings) {
      nodes {
        t: __typename
        ... on AgefiphAidRequest { label amountRequested }
        ... on FiphfpAidRequest { status label }
        ... on Funding { partner }
        ... on TrainingFinancing { __typename financer }
      }
    }
  }
}
fragment Registration on Registration { category registeredOn agency { name } }`;
const INTROSPECTION = /* GraphQL */ `query Types($name: String!) {
  __typename
  __type(name: $name) { name kind fields { name } }
  __schema { queryType { name } mutationType { name } }
}`;


/** Two people in one operation: their Cap emploi accompaniments are two entity fetches that start together. */
const TWO_PEOPLE = /* GraphQL */ `query TwoPeople($a: ID!, $b: ID!) {
  a: person(id: $a) { lastName capEmploiAccompaniments { totalCount nodes { kind status openedOn } } history(first: 5) { totalCount nodes { partner kind } } }
  b: person(id: $b) { lastName capEmploiAccompaniments { totalCount nodes { kind status openedOn } } history(first: 5) { totalCount nodes { partner kind } } }
}`;
/** Employers met under many people's accompaniments: the same SIRET sent once per fetch, answered to each. */
const SHARED_EMPLOYERS = /* GraphQL */ `{
  people(first: 100) { nodes { id capEmploiAccompaniments { nodes { kind employer { siret name sector } } } } }
}`;

/**
 * An HTTP relay in front of a subgraph whose answer for one entity (the representation with this
 * `id`, in every `_entities` list of the answer, aliased or not) is null with an error at `field`:
 * the same fault whether the gateway sent that entity's fetch alone or merged with others.
 */
async function failingEntity(target: string, id: string, field: string): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const headers = Object.fromEntries(Object.entries(req.headers).filter(([name]) => !['host', 'content-length', 'connection'].includes(name)) as [string, string][]);
    const upstream = await fetch(new URL(req.url ?? '/', target), { method: req.method, headers, body: req.method === 'POST' ? body : undefined });
    let text = await upstream.text();
    if (req.method === 'POST') {
      const { variables } = JSON.parse(body) as { variables?: Record<string, unknown> };
      const answer = JSON.parse(text);
      for (const [name, representations] of Object.entries(variables ?? {})) {
        const part = /^representations(?:_(\d+))?$/.exec(name);
        if (!part || !Array.isArray(representations)) continue;
        const key = part[1] === undefined ? '_entities' : `_${part[1]}`;
        representations.forEach((representation: any, i: number) => {
          if (representation.id !== id || !answer.data?.[key]?.[i]) return;
          answer.data[key][i] = null;
          (answer.errors ??= []).push({ message: 'refused here', path: [key, i, field], extensions: { code: 'FORBIDDEN' } });
        });
      }
      text = JSON.stringify(answer);
    }
    res.writeHead(upstream.status, { 'content-type': upstream.headers.get('content-type') ?? 'application/json' });
    res.end(text);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

describe("Passerelle's executor answers as ApolloGateway's", () => {
  const proxies: Record<string, FaultProxy> = {};
  let ours: ServiceProcess;
  let apollo: ServiceProcess;
  let nationalCaseManager: string;
  let personId: string;

  const ask = async (gateway: ServiceProcess, token: string, query: string, variables: Record<string, unknown> = {}, operationName?: string): Promise<Answer> => {
    const res = await fetch(gateway.url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify({ query, variables, operationName }) });
    return { status: res.status, body: await res.json() };
  };

  /** Sends to both gateways; returns Apollo's answer after checking ours equals it. */
  const same = async (token: string, query: string, variables: Record<string, unknown> = {}, operationName?: string): Promise<Answer> => {
    const [expected, actual] = await Promise.all([ask(apollo, token, query, variables, operationName), ask(ours, token, query, variables, operationName)]);
    expect(normalised(actual), `${operationName ?? query.slice(0, 60)} ${JSON.stringify(variables)}`).toEqual(normalised(expected));
    return expected;
  };

  beforeAll(async () => {
    const urls = inject('subgraphUrls');
    const env: Record<string, string> = { CIRCUIT_BREAKER_FAILURES: '1000' };
    for (const [name, url] of Object.entries(urls)) {
      proxies[name] = await FaultProxy.start(url);
      env[`SUBGRAPH_URL_${name.toUpperCase().replace(/-/g, '_')}`] = proxies[name].url;
    }
    const supergraph = path.join(ROOT, 'schema', 'supergraph.graphql');
    [ours, apollo] = await Promise.all([
      spawnTestGateway('gateway-passerelle-executor', supergraph, { ...env, GATEWAY_EXECUTOR: 'passerelle' }),
      spawnTestGateway('gateway-apollo-executor', supergraph, { ...env, GATEWAY_EXECUTOR: 'apollo' }),
    ]);
    nationalCaseManager = await tokenFor('france-travail', 'case-manager', { territory: ['*'] });
    // The person with the fullest file among the first hundred: fundings of several partners, accompaniments, history.
    const people = await ask(apollo, nationalCaseManager, '{ people(first: 100) { nodes { id fundings { nodes { partner } } capEmploiAccompaniments { totalCount } } } }');
    const richness = (p: any) => new Set(p.fundings.nodes.map((f: any) => f.partner)).size * 10 + p.capEmploiAccompaniments.totalCount;
    const richest = people.body.data.people.nodes.reduce((best: any, p: any) => (richness(p) > richness(best) ? p : best));
    expect(richness(richest), 'a person with fundings of two partners and accompaniments').toBeGreaterThan(20);
    personId = richest.id;
  }, 120_000);

  afterEach(() => {
    for (const proxy of Object.values(proxies)) proxy.setMode('pass');
  });

  afterAll(async () => {
    await Promise.all([ours?.stop(), apollo?.stop()]);
    await Promise.all(Object.values(proxies).map((proxy) => proxy.close()));
  });

  it("on the README's example queries", async () => {
    const journey = await same(nationalCaseManager, README_JOURNEY, { id: personId });
    expect(journey.body.data.person.lastName).toEqual(expect.any(String));
    await same(nationalCaseManager, README_EMPLOYER);
    await same(await tokenFor('dgefp', 'analyst'), README_STATISTICS);
  });

  it("on the benchmark's operations, the mutation included", async () => {
    const seeded = personAt({ seed: 'passerelle', scale: inject('seedScale') }, 5);
    const counsellor = await tokenFor('france-travail', 'counsellor', { territory: [seeded.departement], subject: seeded.counsellorId });
    const page = await same(counsellor, bench('BenchCounsellorPage'), { counsellorId: seeded.counsellorId, first: 50 }, 'BenchCounsellorPage');
    expect(page.body.data.caseload.nodes.length).toBeGreaterThan(0);
    await same(counsellor, bench('BenchCounsellorPage'), { counsellorId: seeded.counsellorId, first: 5 }, 'BenchCounsellorPage');
    await same(counsellor, bench('BenchPersonFile'), { id: seeded.id }, 'BenchPersonFile');
    const employers = await same(nationalCaseManager, '{ employers(first: 3) { nodes { siret } } }');
    for (const { siret } of employers.body.data.employers.nodes) await same(nationalCaseManager, bench('BenchEmployerFile'), { siret }, 'BenchEmployerFile');
    await same(await tokenFor('dgefp', 'analyst'), bench('BenchJobSeekersByDepartement'), { from: '2024-01-01' }, 'BenchJobSeekersByDepartement');
    // The same idempotency key to both: one orientation recorded, the same answer twice.
    const input = { idempotencyKey: `differential-${process.pid}-${Date.now()}`, personId: seeded.id, orientedTo: 'CAP_EMPLOI', track: 'EMPLOYMENT', decidedOn: '2025-12-15' };
    const first = await ask(apollo, counsellor, bench('BenchRecordOrientation'), { input }, 'BenchRecordOrientation');
    const second = await ask(ours, counsellor, bench('BenchRecordOrientation'), { input }, 'BenchRecordOrientation');
    expect(normalised(second)).toEqual(normalised(first));
  });

  it('on every operation registered by the partner apps', async () => {
    const seeded = personAt({ seed: 'passerelle', scale: inject('seedScale') }, 7);
    const counsellor = await tokenFor('france-travail', 'counsellor', { territory: [seeded.departement], subject: seeded.counsellorId });
    const analyst = await tokenFor('dgefp', 'analyst');
    const variables: Record<string, Record<string, unknown>> = {
      Caseload: { counsellorId: seeded.counsellorId },
      CaseloadWithHistory: { counsellorId: seeded.counsellorId },
      PersonFile: { id: seeded.id },
      JobSeekersByDepartement: { from: '2024-01-01', to: '2024-12-31' },
    };
    let count = 0;
    for (const app of registeredApps(OPERATIONS_DIR)) {
      for (const operation of readManifest(OPERATIONS_DIR, app)!.operations) {
        const token = app === 'analyst-app' ? analyst : counsellor;
        if (operation.type === 'mutation') {
          const input = { idempotencyKey: `differential-${operation.name}-${process.pid}-${Date.now()}`, personId: seeded.id, orientedTo: 'AGEFIPH', track: 'EMPLOYMENT', decidedOn: '2025-12-16' };
          const first = await ask(apollo, token, operation.body, { input }, operation.name);
          expect(normalised(await ask(ours, token, operation.body, { input }, operation.name)), operation.name).toEqual(normalised(first));
        } else if (/@defer\b/.test(operation.body)) {
          // ApolloGateway's executor does not serve @defer (GATEWAY_EXECUTOR=apollo: an unknown directive, as
          // before ours served it); ours, answering at once, answers as it does without.
          const refused = await ask(apollo, token, operation.body, variables[operation.name], operation.name);
          expect(refused.body.errors?.map((e: any) => e.extensions.code)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
          const expected = await ask(apollo, token, print(visit(parse(operation.body), { Directive: (d) => (d.name.value === 'defer' ? null : undefined) })), variables[operation.name], operation.name);
          expect(normalised(await ask(ours, token, operation.body, variables[operation.name], operation.name)), operation.name).toEqual(normalised(expected));
        } else {
          expect(variables[operation.name], `variables for ${app}'s ${operation.name}`).toBeDefined();
          await same(token, operation.body, variables[operation.name], operation.name);
        }
        count += 1;
      }
    }
    expect(count).toBeGreaterThanOrEqual(4);
  });

  it('on aliases, fragments on an interface, @skip/@include, introspection and a field the caller may not read', async () => {
    for (const withHistory of [true, false]) {
      for (const skipFundings of [true, false]) await same(nationalCaseManager, SHAPES, { id: personId, withHistory, skipFundings });
    }
    await same(nationalCaseManager, SHAPES, { id: 'no-such-person', withHistory: true });
    await same(nationalCaseManager, INTROSPECTION, { name: 'Person' });
    // A Cap emploi counsellor reading France Travail's person: what it may not read is refused, the rest answered.
    const capEmploi = await tokenFor('cap-emploi', 'counsellor');
    await same(capEmploi, README_JOURNEY, { id: personId });
    // Invalid variables are refused before any plan.
    await same(nationalCaseManager, SHAPES, { id: personId, withHistory: 'yes' });
  });

  it('with a partner down, garbled, answering errors, or leaving null a non-null field', async () => {
    proxies.agefiph.setMode('cut');
    const down = await same(nationalCaseManager, README_JOURNEY, { id: personId });
    expect(JSON.stringify(down.body.errors)).toContain('SUBGRAPH_UNAVAILABLE');
    await same(nationalCaseManager, README_EMPLOYER);
    proxies.agefiph.setMode('pass');

    proxies.fiphfp.setMode('garble');
    const garbled = await same(nationalCaseManager, README_EMPLOYER);
    expect(JSON.stringify(garbled.body.errors)).toContain('SUBGRAPH_BAD_RESPONSE');
    proxies.fiphfp.setMode('pass');

    // Cap emploi answers every entity fetch with errors at entity paths (and for the root field, none of its own).
    proxies['cap-emploi'].answerWith({ data: { _entities: [null] }, errors: [{ message: 'refused here', path: ['_entities', 0, 'kind'], extensions: { code: 'FORBIDDEN' } }] });
    await same(nationalCaseManager, README_JOURNEY, { id: personId });
    proxies['cap-emploi'].setMode('pass');

    // France Travail leaves null the person an Agefiph request references (Person.lastName is non-null).
    const agefiph = await tokenFor('agefiph', 'case-manager');
    const listed = await same(agefiph, '{ agefiphAidRequests(first: 20) { nodes { id person { id } } } }');
    const request = listed.body.data.agefiphAidRequests.nodes.find((n: any) => n.person !== null);
    proxies['pole-emploi'].answerWith({ data: { _entities: [{ __typename: 'Person', id: request.person.id, lastName: null }] } });
    const nulled = await same(agefiph, 'query($id: ID!) { agefiphAidRequest(id: $id) { id status person { id lastName } } }', { id: request.id });
    expect(nulled.body.errors?.length ?? 0).toBeGreaterThan(0);
    proxies['pole-emploi'].answerWith({ data: { _entities: [null] } });
    await same(agefiph, 'query($id: ID!) { agefiphAidRequest(id: $id) { id status person { id lastName } } }', { id: request.id });
  });

  it('with entity fetches to one subgraph merged into one call: fewer calls, the same answer', async () => {
    const people = await ask(apollo, nationalCaseManager, '{ people(first: 40) { nodes { id capEmploiAccompaniments { totalCount } } } }');
    const [a, b] = people.body.data.people.nodes.filter((p: any) => p.capEmploiAccompaniments.totalCount > 0 && p.id !== personId).map((p: any) => p.id);
    const variables = { a: a ?? personId, b: b ?? personId };
    // Calls to Cap emploi for one operation: two entity fetches for ApolloGateway, one merged call for ours.
    const callsOf = async (gateway: ServiceProcess) => {
      const before = proxies['cap-emploi'].requests;
      const answer = await ask(gateway, nationalCaseManager, TWO_PEOPLE, variables);
      expect(answer.body.errors).toBeUndefined();
      return proxies['cap-emploi'].requests - before;
    };
    const apolloCalls = await callsOf(apollo);
    const ourCalls = await callsOf(ours);
    expect(apolloCalls).toBeGreaterThan(ourCalls);
    expect(ourCalls).toBeGreaterThan(0);
    const answer = await same(nationalCaseManager, TWO_PEOPLE, variables);
    expect(answer.body.data.a.capEmploiAccompaniments.totalCount).toBeGreaterThan(0);
    await same(nationalCaseManager, TWO_PEOPLE, { a: personId, b: personId });
  });

  it('with representations shared by several entities of one fetch', async () => {
    const answer = await same(nationalCaseManager, SHARED_EMPLOYERS);
    const sirets = answer.body.data.people.nodes.flatMap((p: any) => p.capEmploiAccompaniments.nodes.map((n: any) => n.employer?.siret)).filter(Boolean);
    expect(new Set(sirets).size, 'some employer appears under several accompaniments').toBeLessThan(sirets.length);
  });

  it('with the partner down or garbled inside a merged call, and an entity failing inside one part of it', async () => {
    const people = await ask(apollo, nationalCaseManager, '{ people(first: 40) { nodes { id capEmploiAccompaniments { totalCount } } } }');
    const [a, b] = people.body.data.people.nodes.filter((p: any) => p.capEmploiAccompaniments.totalCount > 0).map((p: any) => p.id);
    const variables = { a, b: b ?? personId };
    proxies['cap-emploi'].setMode('cut');
    const down = await same(nationalCaseManager, TWO_PEOPLE, variables);
    expect(JSON.stringify(down.body.errors)).toContain('SUBGRAPH_UNAVAILABLE');
    proxies['cap-emploi'].setMode('garble');
    const garbled = await same(nationalCaseManager, TWO_PEOPLE, variables);
    expect(JSON.stringify(garbled.body.errors)).toContain('SUBGRAPH_BAD_RESPONSE');
    proxies['cap-emploi'].setMode('pass');

    // Cap emploi fails person b's entity only: the error lands at b's accompaniments, a's are answered.
    const relay = await failingEntity(inject('subgraphUrls')['cap-emploi'], variables.b, 'capEmploiAccompaniments');
    proxies['cap-emploi'].retarget(relay.url);
    try {
      const failing = await same(nationalCaseManager, TWO_PEOPLE, variables);
      expect(failing.body.errors?.map((e: any) => e.path)).toContainEqual(['b', 'capEmploiAccompaniments']);
      expect(failing.body.data.a.capEmploiAccompaniments.totalCount).toBeGreaterThan(0);
      // And a shared representation failing: the error at each place it is met.
      await same(nationalCaseManager, TWO_PEOPLE, { a: variables.b, b: variables.b });
    } finally {
      proxies['cap-emploi'].retarget(inject('subgraphUrls')['cap-emploi']);
      await relay.close();
    }
  });
});
