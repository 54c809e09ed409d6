// @defer through Passerelle's gateway, as a partner app built on Apollo Client 4 receives it: a
// gateway of this test's own (Passerelle's executor) over the shared stack's subgraphs, each behind a
// FaultProxy, answers a counsellor's page whose history is deferred in the incremental format
// Apollo Client reads (`multipart/mixed; deferSpec=20220824`): first the caseload, then the history.
// The merged answer equals the same operation without @defer (differential); a client that does not
// read multipart gets the whole answer at once; a deferred part whose partner is down carries its
// error in its own payload and leaves the first answer whole; a field the caller may not read inside
// a deferred fragment is refused as without @defer.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ApolloClient, HttpLink, InMemoryCache, gql, type DocumentNode } from '@apollo/client';
import { parse, print, visit } from 'graphql';
import { Defer20220824Handler } from '@apollo/client/incremental';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import type { ServiceProcess } from '../../gateway/processes.ts';
import { documentHash } from '../../gateway/trusted-documents.ts';
import { readManifest } from '../../schema/registered-operations.ts';
import { OPERATIONS_DIR } from '../../schema/register.ts';
import { person as personAt } from '../../subgraphs/kit/population.ts';
import { FaultProxy } from '../support/fault-proxy.ts';
import { untilComplete } from '../support/streamed.ts';
import { spawnTestGateway } from '../support/test-gateway.ts';
import { tokenFor } from './client.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const MULTIPART = 'multipart/mixed;deferSpec=20220824,application/graphql-response+json,application/json;q=0.9';

/** A counsellor's page; `defer` is what goes before the history's fragment (`@defer` or nothing). */
const page = (defer: string) => /* GraphQL */ `query CounsellorPage($counsellorId: ID!) {
  caseload(counsellorId: $counsellorId, first: 20) {
    totalCount
    nodes {
      id firstName lastName
      registration { category }
      ... ${defer} {
        history(first: 10) { totalCount nodes { occurredOn partner kind summary } }
      }
    }
  }
}`;

interface Part { [key: string]: any }

/** The parts of a multipart answer (`boundary="-"`), in order, as JSON. */
function multipartParts(text: string): Part[] {
  return text.split(/\r\n---(?:--)?\r\n/).map((chunk) => chunk.trim()).filter((chunk) => chunk.includes('{'))
    .map((chunk) => JSON.parse(chunk.slice(chunk.indexOf('\r\n\r\n') + 4)));
}

/** The answer once the client merged the payloads into the first one, as Apollo Client does (path by path). */
function merged(parts: Part[]): Part {
  const data = structuredClone(parts[0].data);
  const errors = [...(parts[0].errors ?? [])];
  const mergeInto = (target: any, source: any) => {
    for (const [key, value] of Object.entries(source)) {
      if (value && typeof value === 'object' && !Array.isArray(value) && target[key] && typeof target[key] === 'object') mergeInto(target[key], value);
      else target[key] = value;
    }
  };
  for (const part of parts.slice(1)) {
    for (const item of part.incremental ?? []) {
      const target = item.path.reduce((at: any, key: string | number) => at[key], data);
      if (item.data) mergeInto(target, item.data);
      errors.push(...(item.errors ?? []));
    }
  }
  return errors.length ? { data, errors } : { data };
}

describe('@defer through the gateway', () => {
  const proxies: Record<string, FaultProxy> = {};
  let gateway: ServiceProcess;
  let counsellor: string;
  let counsellorId: string;

  const post = (body: object, token: string, accept?: string) =>
    fetch(gateway.url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, ...(accept ? { accept } : {}) }, body: JSON.stringify(body) });

  /** Both ways of sending an operation: the whole answer, and the payloads of a multipart client. */
  const both = async (query: string, variables: object, token = counsellor) => {
    const plain = await post({ query, variables }, token);
    expect(plain.headers.get('content-type')).toMatch(/^application\/(graphql-response\+)?json/);
    const res = await post({ query, variables }, token, MULTIPART);
    const text = await res.text();
    const parts = res.headers.get('content-type')?.startsWith('multipart/mixed') ? multipartParts(text) : [{ ...JSON.parse(text), hasNext: false }];
    return { whole: (await plain.json()) as any, parts, contentType: res.headers.get('content-type') };
  };

  const client = (token: string) => new ApolloClient({
    link: new HttpLink({ uri: gateway.url, headers: { authorization: `Bearer ${token}` }, fetch }),
    cache: new InMemoryCache(),
    incrementalHandler: new Defer20220824Handler(),
  });

  beforeAll(async () => {
    const env: Record<string, string> = { CIRCUIT_BREAKER_FAILURES: '1000' };
    for (const [name, url] of Object.entries(inject('subgraphUrls'))) {
      proxies[name] = await FaultProxy.start(url);
      env[`SUBGRAPH_URL_${name.toUpperCase().replace(/-/g, '_')}`] = proxies[name].url;
    }
    gateway = await spawnTestGateway('gateway-defer', path.join(ROOT, 'schema', 'supergraph.graphql'), { ...env, GATEWAY_EXECUTOR: 'passerelle' });
    const seeded = personAt({ seed: 'passerelle', scale: inject('seedScale') }, 5);
    counsellorId = seeded.counsellorId;
    counsellor = await tokenFor('france-travail', 'counsellor', { territory: [seeded.departement], subject: counsellorId });
  }, 120_000);

  afterEach(() => {
    for (const proxy of Object.values(proxies)) proxy.setMode('pass');
  });

  afterAll(async () => {
    await gateway?.stop();
    await Promise.all(Object.values(proxies).map((proxy) => proxy.close()));
  });

  it('gives Apollo Client the caseload first, then the history; merged, the answer of the same page without @defer', async () => {
    const apollo = client(counsellor);
    const deferred: DocumentNode = gql(page('@defer'));
    const results: any[] = await untilComplete(apollo.watchQuery({ query: deferred, variables: { counsellorId }, fetchPolicy: 'network-only' }));
    const streamed = results.filter((r) => r.dataState === 'streaming');
    expect(streamed.length, 'the caseload arrives before the history').toBeGreaterThan(0);
    const first = streamed[0].data.caseload;
    expect(first.nodes.length).toBeGreaterThan(0);
    for (const person of first.nodes) {
      expect(person.lastName).toEqual(expect.any(String));
      expect(person.registration).toBeDefined();
      expect(person.history).toBeUndefined();
    }
    const complete = results.at(-1);
    expect(complete.error).toBeUndefined();
    for (const person of complete.data.caseload.nodes) expect(person.history.totalCount).toBeGreaterThan(0);

    // The same page without @defer, by another client: the same data.
    const whole = await client(counsellor).query({ query: gql(page('')), variables: { counsellorId }, fetchPolicy: 'no-cache' });
    expect(complete.data).toEqual(whole.data);
  });

  it('answers in the 20220824 format: the caseload with hasNext, then one payload per deferred part, the last with hasNext false', async () => {
    const query = page('@defer(label: "history")').replace('registration { category }', 'registration { category }\n      ... @defer { fundings(first: 5) { totalCount } }');
    const { parts, whole, contentType } = await both(query, { counsellorId });
    expect(contentType).toBe('multipart/mixed; boundary="-"; deferSpec=20220824');
    expect(parts.length).toBe(3);
    expect(parts[0].hasNext).toBe(true);
    expect(parts[0].errors).toBeUndefined();
    for (const person of parts[0].data.caseload.nodes) expect(Object.keys(person).sort()).toEqual(['firstName', 'id', 'lastName', 'registration']);
    expect(parts.slice(1).map((p) => p.hasNext)).toEqual([true, false]);
    const items = parts.slice(1).flatMap((p) => p.incremental);
    const nodes = parts[0].data.caseload.nodes.length;
    // One item per person and part; the client's label is sent, the gateway's own (for an unlabelled @defer) never.
    expect(items.filter((i) => i.label === 'history').map((i) => i.path)).toEqual(Array.from({ length: nodes }, (_, i) => ['caseload', 'nodes', i]));
    expect(items.filter((i) => !('label' in i)).length).toBe(nodes);
    expect(merged(parts)).toEqual(whole);
  });

  it('sends the whole answer at once to a client that does not read multipart, as without @defer', async () => {
    // Multipart without deferSpec=20220824 (another format of incremental delivery) is not this format.
    for (const accept of [undefined, '*/*', 'application/json', 'application/graphql-response+json', 'multipart/mixed, application/json;q=0.5', 'multipart/mixed;incrementalSpec=v0.2,application/json;q=0.9']) {
      const res = await post({ query: page('@defer'), variables: { counsellorId } }, counsellor, accept);
      expect(res.status, String(accept)).toBe(200);
      expect(res.headers.get('content-type'), String(accept)).toMatch(/^application\/(graphql-response\+)?json/);
      const body: any = await res.json();
      const without = await (await post({ query: page(''), variables: { counsellorId } }, counsellor, accept)).json();
      expect(body, String(accept)).toEqual(without);
      expect(body.data.caseload.nodes[0].history.totalCount).toBeGreaterThan(0);
    }
  });

  it('with a partner down, the deferred part carries its error in its own payload and the caseload is whole; its errors are counted', async () => {
    const unavailable = async () => Number((await (await fetch(new URL('/metrics', gateway.url))).text()).match(/^passerelle_gateway_errors_total\{code="SUBGRAPH_UNAVAILABLE"\} (\d+)/m)?.[1] ?? 0);
    const before = await unavailable();
    proxies.agefiph.setMode('cut');
    const { parts, whole } = await both(page('@defer'), { counsellorId });
    expect(parts[0].errors, 'the first answer is not affected').toBeUndefined();
    expect(parts[0].data.caseload.nodes.length).toBeGreaterThan(0);
    const items = parts.slice(1).flatMap((p) => p.incremental);
    const errors = items.flatMap((i) => i.errors ?? []);
    expect(errors.length).toBeGreaterThan(0);
    for (const error of errors) {
      expect(error.extensions).toEqual({ code: 'SUBGRAPH_UNAVAILABLE', partner: 'AGEFIPH' });
      expect(error.path.slice(0, 2)).toEqual(['caseload', 'nodes']);
      expect(JSON.stringify(error)).not.toMatch(/stack|127\.0\.0\.1|select /i);
    }
    // Each error goes with the person it concerns; the history of the other partners is there.
    for (const item of items) for (const error of item.errors ?? []) expect(error.path.slice(0, 3)).toEqual(item.path);
    for (const item of items) expect(item.data.history.totalCount).toEqual(expect.any(Number));
    expect(parts.at(-1)!.hasNext).toBe(false);
    expect(merged(parts)).toEqual({ data: whole.data, errors: expect.arrayContaining(whole.errors) });
    expect(merged(parts).errors.length).toBe(whole.errors.length);
    expect(await unavailable(), 'the whole answer\'s errors and the payloads\' errors').toBe(before + whole.errors.length + errors.length);
  });

  it('refuses a field the caller may not read inside a deferred fragment as it does without @defer', async () => {
    // A counsellor whose token lacks the scopes of Person.fundings (aid:read or fiphfp:read).
    const narrow = await tokenFor('france-travail', 'counsellor', { territory: [personAt({ seed: 'passerelle', scale: inject('seedScale') }, 5).departement], subject: counsellorId, scopes: ['person:read', 'accompaniment:read', 'employer:read'] });
    const query = (defer: string) => page(defer).replace('history(first: 10)', 'fundings(first: 5) { totalCount }\n        history(first: 10)');
    const withDefer = await both(query('@defer'), { counsellorId }, narrow);
    const without = await both(query(''), { counsellorId }, narrow);
    expect(without.whole.errors.map((e: any) => e.extensions.code)).toEqual(['FORBIDDEN']);
    expect(withDefer.whole).toEqual(without.whole);
    expect(merged(withDefer.parts)).toEqual(without.whole);
  });

  it("serves the counsellor app's registered page whose history is deferred, sent by its hash alone", async () => {
    const registered = readManifest(OPERATIONS_DIR, 'counsellor-app')!.operations.find((op) => op.name === 'CaseloadWithHistory')!;
    expect(readFileSync(path.join(OPERATIONS_DIR, 'counsellor-app', 'documents', 'CaseloadWithHistory.graphql'), 'utf8')).toContain('@defer(label: "history")');
    const body = { operationName: registered.name, variables: { counsellorId }, extensions: { persistedQuery: { version: 1, sha256Hash: documentHash(registered.body) } } };
    const res = await post(body, counsellor, MULTIPART);
    expect(res.headers.get('content-type')).toBe('multipart/mixed; boundary="-"; deferSpec=20220824');
    const parts = multipartParts(await res.text());
    expect(parts[0].errors).toBeUndefined();
    expect(parts[0].data.caseload.nodes[0].history).toBeUndefined();
    expect(parts.at(-1)!.hasNext).toBe(false);
    expect(parts.slice(1).flatMap((p) => p.incremental).every((item) => item.label === 'history' && item.data.history.totalCount >= 0)).toBe(true);
    // Page cursors are sealed with a fresh nonce on every answer: only their presence is compared.
    const sealed = (answer: any) => JSON.parse(JSON.stringify(answer).replace(/"endCursor":"[^"]*"/g, '"endCursor":"a cursor"'));
    const whole = await (await post(body, counsellor)).json();
    expect(sealed(merged(parts))).toEqual(sealed(whole));
  });

  it('audits the reads of deferred parts as those of the same page without @defer', async () => {
    const dpo = await tokenFor('france-travail', 'dpo');
    const trail = async (id: string, subject: string) => {
      const res = await post({ query: 'query Trail($id: ID!) { person(id: $id) { auditTrail(first: 100) { nodes { subject partner action fields operation } } } }', variables: { id } }, dpo);
      const nodes = ((await res.json()) as any).data.person.auditTrail.nodes as { subject: string; partner: string; action: string; fields: string[]; operation: string }[];
      return nodes.filter((e) => e.subject === subject).map((e) => `${e.partner} ${e.action} ${e.operation} ${[...e.fields].sort().join(',')}`).sort();
    };
    const reader = (subject: string) => tokenFor('france-travail', 'case-manager', { territory: ['*'], subject });
    const [deferring, whole] = [`defer-probe-${process.pid}-${Date.now()}`, `whole-probe-${process.pid}-${Date.now()}`];
    const incremental = await post({ query: page('@defer'), variables: { counsellorId }, operationName: 'CounsellorPage' }, await reader(deferring), MULTIPART);
    const parts = multipartParts(await incremental.text());
    expect(parts.length).toBeGreaterThan(1);
    await post({ query: page(''), variables: { counsellorId }, operationName: 'CounsellorPage' }, await reader(whole));
    const someone = parts[0].data.caseload.nodes[0].id;
    const deferredTrail = await trail(someone, deferring);
    expect(deferredTrail.some((entry) => entry.includes('history') || entry.includes('Events'))).toBe(true);
    expect(deferredTrail).toEqual(await trail(someone, whole));
  });

  it('runs deferred fragments anywhere: conditional, at the root, nested, in named fragments, on an interface, under a null, beside introspection', async () => {
    const id = personAt({ seed: 'passerelle', scale: inject('seedScale') }, 5).id;
    const caseManager = await tokenFor('france-travail', 'case-manager', { territory: ['*'] });
    const withoutDefer = (query: string) => print(visit(parse(query), { Directive: (d) => (d.name.value === 'defer' ? null : undefined) }));
    const sealed = (answer: any) => JSON.parse(JSON.stringify(answer).replace(/"endCursor":"[^"]*"/g, '"endCursor":"a cursor"'));
    const conditional = `query($d: Boolean!, $id: ID!) { person(id: $id) { id ... @defer(if: $d) { history(first: 3) { totalCount } } } }`;
    const cases: { query: string; variables: object; without?: string; payloads: number }[] = [
      { query: conditional, variables: { d: true, id }, without: conditional.replace(' @defer(if: $d)', ' @include(if: $d)'), payloads: 1 },
      { query: conditional, variables: { d: false, id }, without: conditional.replace(' @defer(if: $d)', ' @skip(if: $d)'), payloads: 0 },
      { query: `query($id: ID!) { person(id: $id) { id ... @defer(if: false) { lastName } } }`, variables: { id }, payloads: 0 },
      { query: `query($id: ID!) { person(id: $id) { id } ... @defer { employers(first: 2) { nodes { siret name } } } }`, variables: { id }, payloads: 1 },
      { query: `query($id: ID!) { person(id: $id) { id ... @defer(label: "outer") { lastName history(first: 2) { totalCount nodes { kind ... @defer(label: "inner") { summary } } } ... @defer { fundings(first: 3) { totalCount } } } } }`, variables: { id }, payloads: 3 },
      { query: `query($id: ID!) { a: person(id: $id) { ...F @defer } b: person(id: $id) { id ...F @defer } } fragment F on Person { lastName history(first: 1) { totalCount } }`, variables: { id }, payloads: 2 },
      { query: `query($id: ID!) { person(id: $id) { fundings(first: 10) { nodes { __typename partner ... on Funding @defer { label status } } } } }`, variables: { id }, payloads: 1 },
      { query: `{ person(id: "nobody") { id ... @defer { history(first: 1) { totalCount } } } }`, variables: {}, payloads: 0 },
      { query: `query($id: ID!, $s: Boolean = true) { __typename p: person(id: $id) { __typename i: id ... @defer { h: history(first: 2) @skip(if: $s) { totalCount } n: lastName registration { category } } } __type(name: "Person") { name } }`, variables: { id }, payloads: 1 },
    ];
    for (const { query, variables, without, payloads } of cases) {
      const { whole, parts } = await both(query, variables, caseManager);
      const expected = (await (await post({ query: without ?? withoutDefer(query), variables }, caseManager)).json()) as any;
      expect(expected.errors, query).toBeUndefined();
      expect(sealed(whole), query).toEqual(sealed(expected));
      expect(sealed(merged(parts)), query).toEqual(sealed(expected));
      expect(parts.length - 1, query).toBe(payloads);
    }
  });
});
