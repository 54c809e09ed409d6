// The agefiph subgraph as the gateway calls it: a real process on a fresh database (scale 400),
// requests signed for the caller each test names. Expected values are recomputed from the shared
// synthetic population and the seed rules of subgraphs/agefiph/seed.ts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { employers, people, type SyntheticPerson } from '../subgraphs/kit/population.ts';
import { historyOf } from '../subgraphs/agefiph/rules.ts';
import { seededRequestsOfEmployer, seededRequestsOfPerson } from '../subgraphs/agefiph/seed.ts';
import { firstWindow } from '../subgraphs/kit/audit-trail.ts';
import { startTestSubgraph, type CallerClaims, type TestSubgraph } from './support/subgraph.ts';

const world = { seed: 'passerelle', scale: 400 };
const population = [...people(world)];
const requestsOf = new Map(population.map((p) => [p.id, seededRequestsOfPerson(world, p)]));
const employerRequests = [...employers(world)].flatMap((e) => seededRequestsOfEmployer(world, e));
const seeded = [...[...requestsOf.values()].flat(), ...employerRequests];

/** A Cap emploi counsellor of one département, reading aid requests. */
function counsellorOf(departement: string, scopes = ['aid:read', 'aid:request']): Partial<CallerClaims> {
  return { subject: `ce-${departement}-001`, organisation: 'cap-emploi', role: 'counsellor', territory: [departement], scopes };
}

const byDepartement = new Map<string, number>();
for (const r of seeded) byDepartement.set(r.departement, (byDepartement.get(r.departement) ?? 0) + 1);
const [depA, depB] = [...byDepartement.keys()].sort();

const withTwo = population.find((p) => requestsOf.get(p.id)!.length === 2)!;
const withNone = population.filter((p) => requestsOf.get(p.id)!.length === 0);
const decidedRow = seeded.find((r) => r.personId && r.status === 'PAID')!;
const employerWithRequests = employerRequests[0].employerSiret!;

const REQUEST_FIELDS = 'id status label aidCode amountRequested amountGranted requestedOn decidedOn departement extraCost ceiling note requester { organisation } person { id } employer { siret }';
const REQUEST = `mutation($input: RequestAgefiphAidInput!) { requestAgefiphAid(input: $input) { ${REQUEST_FIELDS} } }`;
const DECIDE = `mutation($input: DecideAgefiphAidInput!) { decideAgefiphAid(input: $input) { ${REQUEST_FIELDS} } }`;

let sub: TestSubgraph;
let keys = 0;
const newKey = () => `test-key-${++keys}-${Date.now()}`;

beforeAll(async () => {
  sub = await startTestSubgraph('agefiph');
});

afterAll(async () => {
  await sub?.stop();
});

async function data(query: string, variables: Record<string, unknown> = {}, caller: Partial<CallerClaims> = {}) {
  const { body } = await sub.call(query, variables, caller);
  expect(body.errors).toBeUndefined();
  return body.data;
}

async function errorCode(query: string, variables: Record<string, unknown>, caller: Partial<CallerClaims> = {}) {
  const { body } = await sub.call(query, variables, caller);
  return body.errors?.[0]?.extensions?.code;
}

async function requestCount(): Promise<number> {
  return (await data('{ agefiphAidRequests(first: 1) { totalCount } }')).agefiphAidRequests.totalCount;
}

const AUDIT_WINDOW = 'query($r: [_Any!]!) { _entities(representations: $r) { ... on AuditEntryConnection { agefiphAuditWindow { entries { action fields organisation partner at } } } } }';

/** The first 100 entries of a person's Agefiph audit log (plumbing of Person.auditTrail). */
async function auditOf(personId: string): Promise<{ action: string; fields: string[]; organisation: string }[]> {
  return (await data(AUDIT_WINDOW, { r: [{ __typename: 'AuditEntryConnection', window: firstWindow(personId, 100) }] }))._entities[0].agefiphAuditWindow.entries;
}

function personAidInput(p: SyntheticPerson, overrides: Record<string, unknown> = {}) {
  return { idempotencyKey: newKey(), aidCode: 'AIDES_TECHNIQUES', personId: p.id, amountRequested: '1200.50', departement: p.departement, ...overrides };
}

describe('the seeded world', () => {
  it('gives one or two requests to about 30% of people, and requests to about 20% of private employers', () => {
    const counts = [...requestsOf.values()].map((rows) => rows.length).filter((n) => n > 0);
    expect(counts.length / population.length).toBeGreaterThan(0.24);
    expect(counts.length / population.length).toBeLessThan(0.36);
    expect(counts.every((n) => n <= 2)).toBe(true);
    const privateEmployers = [...employers(world)].filter((e) => e.sector === 'PRIVATE');
    const aided = new Set(employerRequests.map((r) => r.employerSiret)).size / privateEmployers.length;
    expect(aided).toBeGreaterThan(0.1);
    expect(aided).toBeLessThan(0.3);
  });

  it('lists every seeded request to a national Agefiph case manager, newest first', async () => {
    const d = await data('{ agefiphAidRequests(first: 100) { totalCount nodes { requestedOn } } }', {}, { organisation: 'agefiph' });
    expect(d.agefiphAidRequests.totalCount).toBe(seeded.length);
    const dates = d.agefiphAidRequests.nodes.map((n: { requestedOn: string }) => n.requestedOn);
    expect(dates).toEqual([...dates].sort().reverse());
  });

  it('files an "adaptation des situations de travail" request with the private employer of each job-retention case', () => {
    const retention = population.find((p) => p.inEmploymentCase && requestsOf.get(p.id)!.some((r) => r.employerSiret))!;
    const row = requestsOf.get(retention.id)!.find((r) => r.employerSiret)!;
    expect(row.aidCode).toBe('ADAPTATION_SITUATIONS_TRAVAIL');
    expect(row.amountRequestedCents).toBe(Math.floor((row.extraCostCents! * 90) / 100));
  });
});

describe('the catalogue', () => {
  it('lists the twelve aids and services of the offer of January 2025, page by page', async () => {
    const first = (await data('{ agefiphCatalogue(first: 5) { totalCount nodes { code catalogueVersion } pageInfo { hasNextPage endCursor } } }')).agefiphCatalogue;
    expect(first.totalCount).toBe(12);
    expect(first.nodes.every((n: { catalogueVersion: string }) => n.catalogueVersion === '2025-01')).toBe(true);
    expect(first.pageInfo.hasNextPage).toBe(true);
    const next = (await data('query($a: String) { agefiphCatalogue(first: 5, after: $a) { nodes { code } } }', { a: first.pageInfo.endCursor })).agefiphCatalogue;
    expect(next.nodes.map((n: { code: string }) => n.code)).not.toContain(first.nodes[0].code);
  });

  it('states the AETH in hours of the 2025 hourly SMIC and the adaptation aid as 90% of the extra cost', async () => {
    const d = await data(`{
      aeth: agefiphAid(code: "AETH") { kind beneficiaryType ceiling { kind smicHours smicHoursHigherRate smicHourlyRate amount } }
      adaptation: agefiphAid(code: "ADAPTATION_SITUATIONS_TRAVAIL") { ceiling { kind sharePercent } }
      integration: agefiphAid(code: "ACCUEIL_INTEGRATION_EVOLUTION") { beneficiaryType ceiling { kind amount } }
      pas: agefiphAid(code: "PAS") { kind supportTypes ceiling { kind } }
      unknown: agefiphAid(code: "NO_SUCH_AID") { code }
    }`, {}, { organisation: 'fiphfp', scopes: [] });
    expect(d.aeth).toEqual({ kind: 'AID', beneficiaryType: 'PRIVATE_EMPLOYER', ceiling: { kind: 'SMIC_HOURS', smicHours: 550, smicHoursHigherRate: 1095, smicHourlyRate: '11.88', amount: null } });
    expect(d.adaptation.ceiling).toEqual({ kind: 'SHARE_OF_EXTRA_COST', sharePercent: 90 });
    expect(d.integration).toEqual({ beneficiaryType: 'PRIVATE_EMPLOYER', ceiling: { kind: 'FIXED_AMOUNT', amount: '3150.00' } });
    expect(d.pas).toEqual({ kind: 'SERVICE', supportTypes: ['VISUAL', 'HEARING', 'MOTOR', 'MENTAL', 'PSYCHIC', 'COGNITIVE'], ceiling: { kind: 'SERVICE' } });
    expect(d.unknown).toBeNull();
  });
});

describe('reading aid requests', () => {
  it('shows a seeded request as it was decided, amounts in euros and cents', async () => {
    const d = await data(`query($id: ID!) { agefiphAidRequest(id: $id) { ${REQUEST_FIELDS} partner } }`, { id: decidedRow.id });
    expect(d.agefiphAidRequest).toMatchObject({
      id: decidedRow.id, status: 'PAID', partner: 'AGEFIPH', aidCode: decidedRow.aidCode, departement: decidedRow.departement,
      requestedOn: decidedRow.requestedOn, decidedOn: decidedRow.decidedOn, person: { id: decidedRow.personId },
      amountGranted: (decidedRow.amountGrantedCents! / 100).toFixed(2), amountRequested: (decidedRow.amountRequestedCents / 100).toFixed(2),
    });
    expect(d.agefiphAidRequest.note).toEqual(expect.any(String));
  });

  it(`a counsellor of département ${depB} does not see aid requests of département ${depA}`, async () => {
    const rowA = seeded.find((r) => r.departement === depA)!;
    const caller = counsellorOf(depB);
    const d = await data(`query($id: ID!, $a: String) {
      one: agefiphAidRequest(id: $id) { id }
      mine: agefiphAidRequests(first: 100) { totalCount nodes { departement } }
      theirs: agefiphAidRequests(filter: { departement: $a }) { totalCount nodes { id } }
    }`, { id: rowA.id, a: depA }, caller);
    expect(d.one).toBeNull();
    expect(d.mine.totalCount).toBe(byDepartement.get(depB));
    expect(d.mine.nodes.every((n: { departement: string }) => n.departement === depB)).toBe(true);
    expect(d.theirs).toEqual({ totalCount: 0, nodes: [] });
  });

  it('filters by status and aid code, and counts what it filters', async () => {
    const expected = seeded.filter((r) => r.status === 'REFUSED' && r.aidCode === 'AIDES_TECHNIQUES').length;
    const d = await data('{ agefiphAidRequests(filter: { status: REFUSED, aidCode: "AIDES_TECHNIQUES" }, first: 100) { totalCount nodes { status aidCode } } }');
    expect(d.agefiphAidRequests.totalCount).toBe(expected);
    expect(d.agefiphAidRequests.nodes.every((n: { status: string; aidCode: string }) => n.status === 'REFUSED' && n.aidCode === 'AIDES_TECHNIQUES')).toBe(true);
  });

  it('shows FIPHFP and analysts no aid request at all', async () => {
    const query = `query($id: ID!) { agefiphAidRequests { totalCount } agefiphAidRequest(id: $id) { id } }`;
    for (const caller of [{ organisation: 'fiphfp' as const }, { organisation: 'agefiph' as const, role: 'analyst' as const }]) {
      const d = await data(query, { id: decidedRow.id }, caller);
      expect(d).toEqual({ agefiphAidRequests: { totalCount: 0 }, agefiphAidRequest: null });
    }
  });

  it("lists a person's requests and an employer's requests through the federation entities", async () => {
    const d = await data(`query($r: [_Any!]!) { _entities(representations: $r) {
      ... on Person { agefiphAidRequests { totalCount nodes { id requestedOn } } }
      ... on Employer { agefiphAidRequests { totalCount nodes { employer { siret } } } }
    } }`, { r: [{ __typename: 'Person', id: withTwo.id }, { __typename: 'Employer', siret: employerWithRequests }] });
    const expected = requestsOf.get(withTwo.id)!.slice().sort((a, b) => (b.requestedOn + b.id).localeCompare(a.requestedOn + a.id)).map((r) => r.id);
    expect(d._entities[0].agefiphAidRequests.nodes.map((n: { id: string }) => n.id)).toEqual(expected);
    const employerCount = seeded.filter((r) => r.employerSiret === employerWithRequests).length;
    expect(d._entities[1].agefiphAidRequests.totalCount).toBe(employerCount);
  });
});

describe('the fields pole-emploi requires for the merged history, fundings and audit trail', () => {
  const PLUMBING = `query($r: [_Any!]!) { _entities(representations: $r) {
    ... on Person { id agefiphEvents { occurredOn partner kind summary reference } agefiphFundingReferences { id typename requestedOn } }
    ... on Employer { siret agefiphFundingReferences { id typename } }
  } }`;

  it('answers many persons in one call with their events and funding references', async () => {
    const targets = [withTwo, ...withNone.slice(0, 3)];
    const d = await data(PLUMBING, { r: targets.map((p) => ({ __typename: 'Person', id: p.id })) });
    const events = d._entities[0].agefiphEvents;
    const expectedEvents = requestsOf.get(withTwo.id)!.flatMap(historyOf);
    expect(events.map((e: { kind: string }) => e.kind).sort()).toEqual(expectedEvents.map((e) => e.kind).sort());
    expect(events.every((e: { partner: string }) => e.partner === 'AGEFIPH')).toBe(true);
    expect(d._entities[0].agefiphFundingReferences.map((f: { id: string }) => f.id).sort()).toEqual(requestsOf.get(withTwo.id)!.map((r) => r.id).sort());
    expect(d._entities[0].agefiphFundingReferences[0].typename).toBe('AgefiphAidRequest');
    for (const e of d._entities.slice(1)) expect(e).toMatchObject({ agefiphEvents: [], agefiphFundingReferences: [] });
  });

  it("gives the employer's funding references", async () => {
    const d = await data(PLUMBING, { r: [{ __typename: 'Employer', siret: employerWithRequests }] });
    expect(d._entities[0].agefiphFundingReferences.map((f: { id: string }) => f.id).sort())
      .toEqual(seeded.filter((r) => r.employerSiret === employerWithRequests).map((r) => r.id).sort());
  });

  it('gives nothing of a person outside the caller territory, not even the reference', async () => {
    const other = withTwo.departement === depA ? depB : depA;
    const d = await data(PLUMBING, { r: [{ __typename: 'Person', id: withTwo.id }] }, counsellorOf(other));
    expect(d._entities[0]).toBeNull();
  });

  it('records who read the events, and shows the audit log only with audit:read', async () => {
    const reader = population.find((p) => p !== withTwo && requestsOf.get(p.id)!.length > 0)!;
    await data(PLUMBING, { r: [{ __typename: 'Person', id: reader.id }] }, { subject: 'reader-1', organisation: 'cap-emploi' });
    const entries = await auditOf(reader.id);
    expect(entries).toContainEqual(expect.objectContaining({ action: 'READ', organisation: 'cap-emploi', partner: 'AGEFIPH', fields: expect.arrayContaining(['Person.agefiphEvents']) }));
    const withoutScope = await data(AUDIT_WINDOW, { r: [{ __typename: 'AuditEntryConnection', window: firstWindow(reader.id, 100) }] }, { scopes: ['aid:read'] });
    expect(withoutScope._entities[0].agefiphAuditWindow.entries).toEqual([]);
  });
});

describe('requesting an aid', () => {
  it('files a request for a person, records the write, and answers a retry with the same request without writing again', async () => {
    const person = withNone[0];
    const before = await requestCount();
    const input = personAidInput(person);
    const first = (await data(REQUEST, { input }, { subject: 'ft-counsellor-9' })).requestAgefiphAid;
    expect(first).toMatchObject({ status: 'REQUESTED', aidCode: 'AIDES_TECHNIQUES', label: 'Aides techniques', amountRequested: '1200.50', amountGranted: null, ceiling: null,
      departement: person.departement, requester: { organisation: 'france-travail' }, person: { id: person.id }, employer: null });
    const retry = (await data(REQUEST, { input }, { subject: 'ft-counsellor-9' })).requestAgefiphAid;
    expect(retry.id).toBe(first.id);
    expect(await requestCount()).toBe(before + 1);
    const writes = (await auditOf(person.id)).filter((e) => e.action === 'WRITE');
    expect(writes).toHaveLength(1);
    expect(writes[0].fields).toContain('AgefiphAidRequest.amountRequested');
  });

  it('refuses the same idempotency key with another input', async () => {
    const input = personAidInput(withNone[1]);
    await data(REQUEST, { input });
    expect(await errorCode(REQUEST, { input: { ...input, amountRequested: '99.00' } })).toBe('IDEMPOTENCY_KEY_REUSED');
  });

  it('files an adaptation request with the employer, capped at 90% of the stated extra cost', async () => {
    const person = withNone[2];
    const input = personAidInput(person, { aidCode: 'ADAPTATION_SITUATIONS_TRAVAIL', employerSiret: '73282932000074', extraCost: '10000.00', amountRequested: '9000.00' });
    const d = (await data(REQUEST, { input })).requestAgefiphAid;
    expect(d).toMatchObject({ extraCost: '10000.00', ceiling: '9000.00', employer: { siret: '73282932000074' } });
    expect(await errorCode(REQUEST, { input: { ...input, idempotencyKey: newKey(), amountRequested: '9000.01' } })).toBe('AMOUNT_ABOVE_CEILING');
  });

  it('accepts the SIRET of a La Poste establishment and computes the AETH at the higher rate', async () => {
    const input = { idempotencyKey: newKey(), aidCode: 'AETH', employerSiret: '35600000009075', aethRate: 'HIGHER', amountRequested: '13008.60', departement: '75' };
    const d = (await data(REQUEST, { input })).requestAgefiphAid;
    expect(d).toMatchObject({ ceiling: '13008.60', person: null, departement: '75', employer: { siret: '35600000009075' } });
  });

  const person = () => withNone[3];
  const rejections: [string, string, () => Record<string, unknown>, Partial<CallerClaims>?][] = [
    ['a SIRET that fails its check digit', 'INVALID_SIRET', () => personAidInput(person(), { employerSiret: '35600000009090' })],
    ['an aid the catalogue does not have', 'UNKNOWN_AID', () => personAidInput(person(), { aidCode: 'PRIME_INEXISTANTE' })],
    ['a person aid for an employer', 'AID_NOT_FOR_BENEFICIARY', () => ({ ...personAidInput(person(), { aidCode: 'CREATION_ENTREPRISE', employerSiret: '73282932000074' }), personId: null })],
    ['an employer aid for a person', 'AID_NOT_FOR_BENEFICIARY', () => personAidInput(person(), { aidCode: 'EMBAUCHE_ALTERNANCE', amountRequested: '3000.00' })],
    ['more than the ceiling', 'AMOUNT_ABOVE_CEILING', () => personAidInput(person(), { aidCode: 'CREATION_ENTREPRISE', amountRequested: '6000.01' })],
    ['a person Agefiph does not know', 'UNKNOWN_PERSON', () => personAidInput(person(), { personId: 'psn_nobody' })],
    ['a person outside the territory', 'UNKNOWN_PERSON', () => personAidInput(person()), counsellorOf(person().departement === depA ? depB : depA)],
    ['a caller without aid:request', 'FORBIDDEN', () => personAidInput(person()), { scopes: ['aid:read'] }],
    ['an analyst', 'FORBIDDEN', () => personAidInput(person()), { organisation: 'dgefp', role: 'analyst' }],
    ['an employer aid in a département outside the territory', 'FORBIDDEN', () => ({ idempotencyKey: newKey(), aidCode: 'EMBAUCHE_ALTERNANCE', employerSiret: '73282932000074', amountRequested: '3000.00', departement: depA }), counsellorOf(depB)],
  ];

  for (const [what, code, input, caller] of rejections) {
    it(`refuses ${what} with ${code} and writes nothing`, async () => {
      const before = await requestCount();
      const auditBefore = (await auditOf(person().id)).filter((e) => e.action === 'WRITE').length;
      expect(await errorCode(REQUEST, { input: input() }, caller)).toBe(code);
      expect(await requestCount()).toBe(before);
      expect((await auditOf(person().id)).filter((e) => e.action === 'WRITE')).toHaveLength(auditBefore);
    });
  }
});

describe('deciding an aid request', () => {
  let pending: { id: string };
  const agefiphStaff: Partial<CallerClaims> = { subject: 'agefiph-idf-1', organisation: 'agefiph', role: 'case-manager' };

  beforeAll(async () => {
    pending = (await data(REQUEST, { input: personAidInput(withNone[4], { aidCode: 'CREATION_ENTREPRISE', amountRequested: '5000.00' }) })).requestAgefiphAid;
  });

  async function statusOf(id: string): Promise<string> {
    return (await data('query($id: ID!) { agefiphAidRequest(id: $id) { status } }', { id })).agefiphAidRequest.status;
  }

  it('refuses to grant more than requested, and leaves the request pending', async () => {
    expect(await errorCode(DECIDE, { input: { idempotencyKey: newKey(), requestId: pending.id, decision: 'GRANTED', amountGranted: '5000.01' } }, agefiphStaff)).toBe('AMOUNT_ABOVE_CEILING');
    expect(await statusOf(pending.id)).toBe('REQUESTED');
  });

  it('refuses a decision without aid:decide, and a request outside the territory as unknown', async () => {
    const input = { idempotencyKey: newKey(), requestId: pending.id, decision: 'GRANTED' };
    expect(await errorCode(DECIDE, { input }, { ...agefiphStaff, scopes: ['aid:read'] })).toBe('FORBIDDEN');
    const elsewhere = withNone[4].departement === depA ? depB : depA;
    expect(await errorCode(DECIDE, { input }, { ...agefiphStaff, territory: [elsewhere] })).toBe('UNKNOWN_REQUEST');
    expect(await errorCode(DECIDE, { input: { ...input, requestId: 'agf-no-such-request' } }, agefiphStaff)).toBe('UNKNOWN_REQUEST');
    expect(await statusOf(pending.id)).toBe('REQUESTED');
  });

  it('grants a pending request with its note, and answers a retry with the same decision', async () => {
    const input = { idempotencyKey: newKey(), requestId: pending.id, decision: 'GRANTED', amountGranted: '4500.00', note: 'Accord partiel : plan de financement révisé.' };
    const first = (await data(DECIDE, { input }, agefiphStaff)).decideAgefiphAid;
    expect(first).toMatchObject({ id: pending.id, status: 'GRANTED', amountGranted: '4500.00', note: input.note, decidedOn: new Date().toISOString().slice(0, 10) });
    expect((await data(DECIDE, { input }, agefiphStaff)).decideAgefiphAid).toEqual(first);
    const writes = (await auditOf(withNone[4].id)).filter((e) => e.action === 'WRITE');
    expect(writes).toHaveLength(2);
    expect(writes.some((e) => e.fields.includes('AgefiphAidRequest.note'))).toBe(true);
  });

  it('refuses to decide again a request already decided', async () => {
    expect(await errorCode(DECIDE, { input: { idempotencyKey: newKey(), requestId: pending.id, decision: 'REFUSED' } }, agefiphStaff)).toBe('ALREADY_DECIDED');
    expect(await errorCode(DECIDE, { input: { idempotencyKey: newKey(), requestId: decidedRow.id, decision: 'GRANTED' } }, agefiphStaff)).toBe('ALREADY_DECIDED');
    expect(await statusOf(pending.id)).toBe('GRANTED');
  });
});

describe('trust', () => {
  it('answers a request without the gateway signature with 401 UNAUTHENTICATED', async () => {
    const res = await fetch(sub.process.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ agefiphCatalogue { totalCount } }' }) });
    expect(res.status).toBe(401);
    const body = (await res.json()) as { data?: unknown; errors: { extensions: { code: string } }[] };
    expect(body.errors[0].extensions.code).toBe('UNAUTHENTICATED');
    expect(body.data ?? null).toBeNull();
  });
});
