// A partner app built on the real Apollo Client (4), set up as the README tells partner-app developers:
// PersistedQueryLink with the app's registered manifest (@apollo/persisted-query-lists) in front of an
// HttpLink, against a production-mode gateway over the four real subgraphs. Its own stack (the shared
// one runs in development mode), with its own copy of the registrations so that reloading can be shown.
import { randomUUID } from 'node:crypto';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ApolloClient, ApolloLink, HttpLink, InMemoryCache, gql, type DocumentNode } from '@apollo/client';
import { Defer20220824Handler } from '@apollo/client/incremental';
import { SetContextLink } from '@apollo/client/link/context';
import { PersistedQueryLink } from '@apollo/client/link/persisted-queries';
import { createPersistedQueryManifestVerificationLink, generatePersistedQueryIdsFromManifest } from '@apollo/persisted-query-lists';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from '../../gateway/stack.ts';
import { mintDevToken } from '../../gateway/dev-token.ts';
import { documentHash } from '../../gateway/trusted-documents.ts';
import { person as personAt, type SyntheticPerson } from '../../subgraphs/kit/population.ts';
import type { Organisation, Role } from '../../subgraphs/kit/caller.ts';
import { costRecordOf } from '../../schema/register.ts';
import { apiSchemaOf } from '../../schema/composition.ts';
import { COSTS_FILE, MANIFEST_FILE, type PersistedQueryManifest } from '../../schema/registered-operations.ts';
import { createTestDatabases, dropTestDatabases } from '../support/postgres.ts';
import { untilComplete } from '../support/streamed.ts';

const SCALE = 300;
const APP = 'schema/operations/counsellor-app';
const manifest: PersistedQueryManifest = JSON.parse(readFileSync(`${APP}/${MANIFEST_FILE}`, 'utf8'));
const document = (name: string): DocumentNode => gql(readFileSync(`${APP}/documents/${name}.graphql`, 'utf8'));
const CASELOAD = document('Caseload');
const CASELOAD_WITH_HISTORY = document('CaseloadWithHistory');
const PERSON_FILE = document('PersonFile');
const RECORD_ORIENTATION = document('RecordOrientation');

let stack: Stack;
let dataDir: string;
let operationsDir: string;
const postgresUrl = process.env.TEST_POSTGRES_URL;
const prefix = `passerelle_pqclient_${process.pid}_`;
const logWaiters = new Set<(line: string) => void>();

/** Resolves on the first gateway log entry that matches, written after this call. */
function gatewayLog(matches: (entry: { msg?: string; [k: string]: unknown }) => boolean): Promise<void> {
  return new Promise((resolve) => {
    const waiter = (line: string) => {
      let entry;
      try {
        entry = JSON.parse(line);
      } catch {
        return;
      }
      if (entry.name === 'gateway' && matches(entry)) {
        logWaiters.delete(waiter);
        resolve();
      }
    };
    logWaiters.add(waiter);
  });
}

const token = (organisation: Organisation, role: Role, territory?: string[], scopes?: string[]) =>
  mintDevToken(dataDir, { organisation, role, ...(territory ? { territory } : {}), ...(scopes ? { scopes } : {}) });

/** What the gateway receives from the app, to check that it sends ids and never the text. */
const sent: Record<string, unknown>[] = [];

/** Documents the client sent that differ from the registered ones (the README's verification link). */
const unverified: string[] = [];

/** The README's Apollo Client setup. */
function partnerApp(bearer: string, registered: PersistedQueryManifest = manifest) {
  const loadManifest = () => structuredClone(registered) as unknown as { operations: { id: string; name: string; type: 'query' | 'mutation' | 'subscription'; body: string }[] };
  return new ApolloClient({
    cache: new InMemoryCache(),
    incrementalHandler: new Defer20220824Handler(),
    link: ApolloLink.from([
      // @apollo/persisted-query-lists is built against Apollo Client's CommonJS entry: same class, other typings.
      createPersistedQueryManifestVerificationLink({ loadManifest, onVerificationFailed: ({ reason, operation }) => unverified.push(`${operation.operationName}: ${reason}`) }) as unknown as ApolloLink,
      new PersistedQueryLink(generatePersistedQueryIdsFromManifest({ loadManifest })),
      new SetContextLink(async ({ headers }) => ({ headers: { ...headers, authorization: `Bearer ${bearer}` } })),
      new HttpLink({
        uri: stack.gatewayUrl,
        fetch: async (input, init) => {
          sent.push(JSON.parse(String(init?.body)));
          return fetch(input, init);
        },
      }),
    ]),
  });
}

async function post(bearer: string, body: object) {
  const res = await fetch(stack.gatewayUrl, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${bearer}` }, body: JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as { data?: any; errors?: { extensions?: { code?: string } }[] } };
}

const idOf = (name: string) => manifest.operations.find((op) => op.name === name)!.id;

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(tmpdir(), 'passerelle-pq-client-'));
  operationsDir = path.join(dataDir, 'operations');
  cpSync('schema/operations', operationsDir, { recursive: true });
  if (postgresUrl) await createTestDatabases(postgresUrl, prefix);
  stack = await startStack({
    dataDir, port: 0, seedScale: SCALE, postgresUrl, databasePrefix: prefix,
    env: { LOG_LEVEL: 'warn' },
    gatewayEnv: { NODE_ENV: 'production', LOG_LEVEL: 'info', TRUSTED_OPERATIONS_DIR: operationsDir },
    onLog: (line) => {
      for (const waiter of logWaiters) waiter(line);
    },
  });
});

afterAll(async () => {
  expect(unverified, 'the documents the app sends are the registered ones').toEqual([]);
  await stack?.stop();
  if (postgresUrl) await dropTestDatabases(postgresUrl, prefix);
  rmSync(dataDir, { recursive: true, force: true });
});

describe('a counsellor app on Apollo Client with its persisted-query manifest, against the production gateway', () => {
  // A France Travail counsellor of the synthetic world who follows several people; tokens name the
  // counsellor's département explicitly, as a counsellor's identity provider does.
  const world = { seed: 'passerelle', scale: SCALE };
  const people = Array.from({ length: SCALE }, (_, i) => personAt(world, i));
  const byCounsellor = Map.groupBy(people, (p) => p.counsellorId);
  const [counsellorId, caseload] = [...byCounsellor.entries()].sort((a, b) => b[1].length - a[1].length)[0];
  const subject: SyntheticPerson = caseload[0];

  it('reads the caseload page, sending only the registered id', async () => {
    const client = partnerApp(await token('france-travail', 'counsellor', [subject.departement]));
    sent.length = 0;
    const { data } = await client.query<any>({ query: CASELOAD, variables: { counsellorId } });
    expect(data!.caseload.totalCount).toBe(caseload.length);
    expect(data!.caseload.nodes.map((p: { id: string }) => p.id).sort()).toEqual(caseload.map((p) => p.id).sort());
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ operationName: 'Caseload', variables: { counsellorId }, extensions: { persistedQuery: { version: 1, sha256Hash: idOf('Caseload') } } });
    expect(sent[0]).not.toHaveProperty('query');
  });

  it('reads the caseload page with its history deferred: the caseload first, then the history, sending only the registered id', async () => {
    const client = partnerApp(await token('france-travail', 'counsellor', [subject.departement]));
    sent.length = 0;
    const results: any[] = await untilComplete(client.watchQuery<any>({ query: CASELOAD_WITH_HISTORY, variables: { counsellorId } }));
    const first = results.find((r) => r.dataState === 'streaming');
    expect(first.data.caseload.nodes.map((p: { id: string }) => p.id).sort()).toEqual(caseload.map((p) => p.id).sort());
    expect(first.data.caseload.nodes.every((p: { history?: unknown }) => p.history === undefined)).toBe(true);
    expect(results.at(-1).data.caseload.nodes.every((p: { history: { totalCount: number } }) => p.history.totalCount > 0)).toBe(true);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ operationName: 'CaseloadWithHistory', extensions: { persistedQuery: { version: 1, sha256Hash: idOf('CaseloadWithHistory') } } });
    expect(sent[0]).not.toHaveProperty('query');
  });

  it('reads a person\'s file', async () => {
    const client = partnerApp(await token('france-travail', 'counsellor', [subject.departement]));
    const { data } = await client.query<any>({ query: PERSON_FILE, variables: { id: subject.id } });
    expect(data!.person).toMatchObject({
      id: subject.id, firstName: subject.firstName, lastName: subject.lastName, departement: subject.departement,
      registration: { counsellorId, category: subject.category },
    });
    expect(data!.person.history.totalCount).toBeGreaterThan(0);
  });

  it('records an orientation, and the cached person file and caseload page show it without fetching again', async () => {
    const client = partnerApp(await token('france-travail', 'counsellor', [subject.departement]));
    await client.query<any>({ query: CASELOAD, variables: { counsellorId } });
    const before = await client.query<any>({ query: PERSON_FILE, variables: { id: subject.id } });
    const current = before.data!.person.orientation;
    const next = { orientedTo: current?.orientedTo === 'CAP_EMPLOI' ? 'FRANCE_TRAVAIL' : 'CAP_EMPLOI', track: current?.track === 'SOCIAL' ? 'EMPLOYMENT' : 'SOCIAL', decidedOn: new Date().toISOString().slice(0, 10) };

    // Apollo Client throws on GraphQL errors by default (errorPolicy "none"): reaching the next line means none.
    const { data } = await client.mutate<any>({
      mutation: RECORD_ORIENTATION,
      variables: { input: { idempotencyKey: randomUUID(), personId: subject.id, ...next } },
    });
    expect(data!.recordOrientation).toMatchObject(next);
    const recorded = data!.recordOrientation.id;

    sent.length = 0;
    const file = client.readQuery({ query: PERSON_FILE, variables: { id: subject.id } }) as any;
    expect(file.person.orientation).toEqual({ __typename: 'Orientation', id: recorded, ...next });
    const page = client.readQuery({ query: CASELOAD, variables: { counsellorId } }) as any;
    expect(page.caseload.nodes.find((p: { id: string }) => p.id === subject.id).orientation).toEqual({ __typename: 'Orientation', id: recorded, ...next });
    const cacheOnly = await client.query<any>({ query: CASELOAD, variables: { counsellorId }, fetchPolicy: 'cache-only' });
    expect(cacheOnly.data!.caseload.nodes.find((p: { id: string }) => p.id === subject.id).orientation.id).toBe(recorded);
    expect(sent).toEqual([]);
  });

  it('is refused an operation outside its manifest, whether sent as text or by an unknown hash', async () => {
    const bearer = await token('france-travail', 'counsellor', [subject.departement]);
    const text = await post(bearer, { query: 'query People { people(first: 100) { nodes { id firstName lastName } } }' });
    expect(text.status).toBe(403);
    expect(text.body.errors?.map((e) => e.extensions?.code)).toEqual(['OPERATION_NOT_TRUSTED']);
    expect(text.body.data ?? null).toBeNull();
    const unknownHash = await post(bearer, { extensions: { persistedQuery: { version: 1, sha256Hash: documentHash('query People { people { nodes { id } } }') } } });
    expect(unknownHash.body.errors?.map((e) => e.extensions?.code)).toEqual(['PERSISTED_QUERY_NOT_FOUND']);
    // Apollo Client's answer to PERSISTED_QUERY_NOT_FOUND is to send the text with its hash: refused too.
    const registeredBody = manifest.operations.find((op) => op.name === 'Caseload')!.body;
    const altered = registeredBody.replace('firstName', 'firstName birthDate');
    const retried = await post(bearer, { query: altered, variables: { counsellorId }, extensions: { persistedQuery: { version: 1, sha256Hash: documentHash(altered) } } });
    expect(retried.body.errors?.map((e) => e.extensions?.code)).toEqual(['OPERATION_NOT_TRUSTED']);
  });

  it('runs the registered text itself, as sent by a client without persisted queries', async () => {
    const res = await post(await token('france-travail', 'counsellor', [subject.departement]), { query: manifest.operations.find((op) => op.name === 'PersonFile')!.body, variables: { id: subject.id } });
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data.person.id).toBe(subject.id);
  });

  it('lets a caller holding the sandbox scope send free queries', async () => {
    const res = await post(await token('dgefp', 'analyst'), { query: '{ jobSeekerStatistics(dimension: DEPARTEMENT) { threshold } }' });
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data.jobSeekerStatistics.threshold).toBeGreaterThan(0);
  });
});

describe('registrations reload without restarting the gateway', () => {
  const WIDGET = 'caseload-widget';
  const BODY = 'query WidgetCaseloadSize($counsellorId: ID!) {\n  caseload(counsellorId: $counsellorId, first: 1) {\n    totalCount\n    __typename\n  }\n}';
  // An app that chose its own ids (createOperationId): the gateway answers to the id and to the APQ hash.
  const widgetManifest: PersistedQueryManifest = { format: 'apollo-persisted-query-manifest', version: 1, operations: [{ id: 'widget-caseload-size-v1', name: 'WidgetCaseloadSize', type: 'query', body: BODY }] };
  const someone = personAt({ seed: 'passerelle', scale: SCALE }, 0);

  it('serves a newly registered app by its manifest id and by APQ hash, and stops when it is withdrawn', async () => {
    const bearer = await token('france-travail', 'counsellor', [someone.departement]);
    const byId = { variables: { counsellorId: someone.counsellorId }, extensions: { persistedQuery: { version: 1, sha256Hash: 'widget-caseload-size-v1' } } };
    const byHash = { ...byId, extensions: { persistedQuery: { version: 1, sha256Hash: documentHash(BODY) } } };
    expect((await post(bearer, byId)).body.errors?.[0]?.extensions?.code).toBe('PERSISTED_QUERY_NOT_FOUND');

    const registered = gatewayLog((e) => e.msg === 'registered operations reloaded' && (e.apps as string[]).includes(`${WIDGET}:1`));
    mkdirSync(path.join(operationsDir, WIDGET));
    writeFileSync(path.join(operationsDir, WIDGET, COSTS_FILE), JSON.stringify(costRecordOf(widgetManifest, apiSchemaOf(readFileSync('schema/supergraph.graphql', 'utf8')))));
    writeFileSync(path.join(operationsDir, WIDGET, MANIFEST_FILE), JSON.stringify(widgetManifest));
    await registered;

    const client = partnerApp(bearer, widgetManifest);
    const { data } = await client.query<any>({ query: gql(BODY), variables: { counsellorId: someone.counsellorId } });
    expect(data!.caseload.totalCount).toBeGreaterThan(0);
    for (const body of [byId, byHash]) expect((await post(bearer, body)).body.data.caseload.totalCount).toBe(data!.caseload.totalCount);

    const withdrawn = gatewayLog((e) => e.msg === 'registered operations reloaded' && !(e.apps as string[]).some((a) => a.startsWith(WIDGET)));
    rmSync(path.join(operationsDir, WIDGET), { recursive: true });
    await withdrawn;
    expect((await post(bearer, byId)).body.errors?.[0]?.extensions?.code).toBe('PERSISTED_QUERY_NOT_FOUND');
    expect((await post(bearer, { query: BODY, variables: byId.variables })).body.errors?.[0]?.extensions?.code).toBe('OPERATION_NOT_TRUSTED');
  });

  it('keeps serving an app\'s previous registration when its new manifest is broken', async () => {
    const bearer = await token('france-travail', 'counsellor', [someone.departement]);
    const refused = gatewayLog((e) => e.msg === 'registered operations of this app refused' && e.app === 'counsellor-app');
    writeFileSync(path.join(operationsDir, 'counsellor-app', MANIFEST_FILE), '{ "format": "apollo-persisted-query-manifest", "version": 1, "operations": [');
    await refused;
    const res = await post(bearer, { variables: { counsellorId: someone.counsellorId }, extensions: { persistedQuery: { version: 1, sha256Hash: idOf('Caseload') } } });
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data.caseload.totalCount).toBeGreaterThan(0);
  });
});
