// The real cap-emploi subgraph process, called as the gateway calls it (signed token), over the
// synthetic world at scale 400: expectations are computed from kit/population.ts and seed.ts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_WORLD, employers, people, type WorldOptions } from '../subgraphs/kit/population.ts';
import { casesOf, servicesOf, type SeedCase } from '../subgraphs/cap-emploi/seed.ts';
import { isWatchEligible } from '../subgraphs/cap-emploi/rules.ts';
import { systemClock, todayIn } from '../subgraphs/kit/clock.ts';
import { firstWindow } from '../subgraphs/kit/audit-trail.ts';
import { startTestSubgraph, type CallerClaims, type TestSubgraph } from './support/subgraph.ts';

const world: WorldOptions = { seed: process.env.SEED ?? DEFAULT_WORLD.seed, scale: 400 };
const cases: SeedCase[] = [...people(world)].flatMap((p) => casesOf(world, p));
const openCases = cases.filter((c) => c.accompaniment.status === 'OPEN');
/** People of Gironde Cap emploi has never accompanied: the mutations' tests open their files. */
const unaccompanied33 = [...people(world)].filter((p) => p.departement === '33' && !cases.some((c) => c.accompaniment.personId === p.id)).map((p) => p.id);

/** A Cap emploi counsellor working in one département. */
const counsellorOf = (departement: string): Partial<CallerClaims> => ({
  subject: `counsellor-${departement}`, organisation: 'cap-emploi', role: 'counsellor', territory: [departement],
  scopes: ['person:read', 'health:read', 'accompaniment:read', 'accompaniment:write', 'employer:read'],
});
const AGEFIPH: Partial<CallerClaims> = { subject: 'agefiph-national', organisation: 'agefiph', role: 'case-manager', territory: ['*'] };

/** Open accompaniments toward employment that have their diagnostic and no placement: room for an interview. */
const interviewable = openCases.filter((c) => c.accompaniment.kind === 'TOWARD_EMPLOYMENT'
  && c.steps.some((s) => s.kind === 'DIAGNOSTIC') && !c.steps.some((s) => s.kind === 'PLACEMENT'));

let sg: TestSubgraph;

async function data(query: string, variables: Record<string, unknown> = {}, caller: Partial<CallerClaims> = {}) {
  const { body } = await sg.call(query, variables, caller);
  expect(body.errors, JSON.stringify(body.errors)).toBeUndefined();
  return body.data;
}

const ENTITIES = `query($r: [_Any!]!) { _entities(representations: $r) {
  ... on Person { id capEmploiAccompaniments(first: 100) { totalCount nodes { id kind } } capEmploiEvents { occurredOn partner kind summary reference } }
  ... on Employer { siret capEmploiServices(first: 100) { totalCount nodes { id kind deliveredOn organisation { id } } } }
  ... on Convention { id title }
} }`;

const AUDIT_WINDOW = `query($r: [_Any!]!) { _entities(representations: $r) { ... on AuditEntryConnection { capEmploiAuditWindow { entries { action fields organisation partner } } } } }`;

/** The person as the gateway sees it, with the first 100 entries of its Cap emploi audit log (plumbing of Person.auditTrail). */
const person = async (id: string, caller: Partial<CallerClaims> = {}) => {
  const view = (await data(ENTITIES, { r: [{ __typename: 'Person', id }] }, caller))._entities[0];
  const audit = (await data(AUDIT_WINDOW, { r: [{ __typename: 'AuditEntryConnection', window: firstWindow(id, 100) }] }, caller))._entities[0];
  return view && { ...view, capEmploiAuditEntries: audit.capEmploiAuditWindow.entries };
};

const STEPS = `query($id: ID!) { capEmploiAccompaniment(id: $id) { id status outcome closedOn steps(first: 100) { totalCount nodes { id kind occurredOn note } } } }`;
const stepCount = async (id: string) => (await data(STEPS, { id })).capEmploiAccompaniment.steps.totalCount as number;
const writeEntries = async (personId: string) => (await person(personId)).capEmploiAuditEntries.filter((e: { action: string }) => e.action === 'WRITE').length as number;

const RECORD = `mutation($input: RecordAccompanimentStepInput!) { recordAccompanimentStep(input: $input) {
  id status outcome closedOn steps(first: 100) { totalCount nodes { id kind occurredOn note } } } }`;

beforeAll(async () => {
  sg = await startTestSubgraph('cap-emploi');
});

afterAll(async () => {
  await sg?.stop();
});

describe('organisations and conventions (reference data)', () => {
  it('lists the 98 Cap emploi organisations in pages, three of them in Nord', async () => {
    const first = await data(`{ capEmploiOrganisations(first: 60) { totalCount nodes { id } pageInfo { hasNextPage endCursor } } }`);
    expect(first.capEmploiOrganisations.totalCount).toBe(98);
    expect(first.capEmploiOrganisations.pageInfo.hasNextPage).toBe(true);
    const rest = await data(`query($after: String) { capEmploiOrganisations(first: 60, after: $after) { nodes { id } pageInfo { hasNextPage } } }`, { after: first.capEmploiOrganisations.pageInfo.endCursor });
    expect(rest.capEmploiOrganisations.nodes).toHaveLength(38);
    expect(rest.capEmploiOrganisations.pageInfo.hasNextPage).toBe(false);
    const ids = new Set([...first.capEmploiOrganisations.nodes, ...rest.capEmploiOrganisations.nodes].map((n: { id: string }) => n.id));
    expect(ids.size).toBe(98);
    const nord = await data(`{ capEmploiOrganisations(departement: "59") { totalCount nodes { name departements } } }`);
    expect(nord.capEmploiOrganisations.totalCount).toBe(3);
  });

  it('a caller of Creuse sees only the organisation serving Creuse, with its Creuse sites, one inside a France Travail agency', async () => {
    const { capEmploiOrganisations } = await data(`{ capEmploiOrganisations { totalCount nodes { id name departements sites { nodes { departement kind isLieuUnique franceTravailAgencyCode } } } } }`, {}, counsellorOf('23'));
    expect(capEmploiOrganisations.totalCount).toBe(1);
    const [org] = capEmploiOrganisations.nodes;
    expect(org.departements).toEqual(['87', '23']);
    expect(org.sites.nodes.every((s: { departement: string }) => s.departement === '23')).toBe(true);
    expect(org.sites.nodes.filter((s: { isLieuUnique: boolean }) => s.isLieuUnique)).toHaveLength(1);
    const hidden = await data(`{ capEmploiOrganisation(id: "ce-33-1") { id } }`, {}, counsellorOf('23'));
    expect(hidden.capEmploiOrganisation).toBeNull();
    const asked = await data(`{ capEmploiOrganisations(departement: "33") { totalCount } }`, {}, counsellorOf('23'));
    expect(asked.capEmploiOrganisations.totalCount).toBe(0);
  });

  it('serves the six national conventions, by id and as federation entities', async () => {
    const { conventions } = await data(`{ conventions { totalCount nodes { id signedOn startsOn endsOn parties axes commitments } } }`);
    expect(conventions.totalCount).toBe(6);
    const multi = conventions.nodes.find((c: { id: string }) => c.id === 'multi-party-2023');
    expect(multi).toMatchObject({ startsOn: '2023-01-01', endsOn: '2027-12-31', signedOn: null });
    expect(multi.parties).toContain('Cheops');
    const { _entities } = await data(ENTITIES, { r: [{ __typename: 'Convention', id: 'rapprochement-2020' }] });
    expect(_entities[0].title).toMatch(/rapprochement/);
  });
});

describe('accompaniments', () => {
  it('a counsellor\'s caseload comes whole in one page: their open accompaniments with steps and organisation', async () => {
    const counts = new Map<string, number>();
    for (const c of openCases) counts.set(c.accompaniment.counsellorId, (counts.get(c.accompaniment.counsellorId) ?? 0) + 1);
    const [counsellorId] = [...counts].sort((a, b) => b[1] - a[1])[0];
    const expected = openCases.filter((c) => c.accompaniment.counsellorId === counsellorId);
    const { capEmploiCaseload } = await data(`query($c: ID!) { capEmploiCaseload(counsellorId: $c, first: 100) { totalCount nodes { id status person { id } organisation { id } steps { totalCount } } } }`, { c: counsellorId });
    expect(capEmploiCaseload.totalCount).toBe(expected.length);
    expect(capEmploiCaseload.nodes.map((n: { id: string }) => n.id).sort()).toEqual(expected.map((c) => c.accompaniment.id).sort());
    for (const node of capEmploiCaseload.nodes) {
      const seeded = expected.find((c) => c.accompaniment.id === node.id)!;
      expect(node).toMatchObject({ status: 'OPEN', person: { id: seeded.accompaniment.personId }, organisation: { id: seeded.accompaniment.organisationId } });
      expect(node.steps.totalCount).toBe(seeded.steps.length);
    }
  });

  it('refuses a page of more than 100', async () => {
    const { body } = await sg.call(`{ capEmploiCaseload(counsellorId: "x", first: 101) { totalCount } }`);
    expect(body.errors[0].extensions.code).toBe('BAD_USER_INPUT');
  });

  it('a job retention names its employer and carries the work restrictions', async () => {
    const retention = cases.find((c) => c.accompaniment.kind === 'JOB_RETENTION')!.accompaniment;
    const { capEmploiAccompaniment } = await data(`query($id: ID!) { capEmploiAccompaniment(id: $id) { kind employer { siret } medicalRestrictions convention { id } } }`, { id: retention.id });
    expect(capEmploiAccompaniment.employer.siret).toBe(retention.employerSiret);
    expect(capEmploiAccompaniment.medicalRestrictions).toBe(retention.medicalRestrictions);
  });

  it('a watch points to the retention it follows', async () => {
    const watch = cases.find((c) => c.accompaniment.kind === 'WATCH')!.accompaniment;
    const { capEmploiAccompaniment } = await data(`query($id: ID!) { capEmploiAccompaniment(id: $id) { kind follows { id kind outcome } convention { id } } }`, { id: watch.id });
    expect(capEmploiAccompaniment.follows).toMatchObject({ id: watch.followsAccompanimentId, kind: 'JOB_RETENTION' });
    expect(capEmploiAccompaniment.convention.id).toBe('multi-party-2023');
  });

  it('a Cap emploi counsellor of another département does not see the accompaniment, nor the caseload', async () => {
    const target = openCases[0].accompaniment;
    const other = target.departement === '13' ? '27' : '13';
    const mine = await data(`query($id: ID!) { capEmploiAccompaniment(id: $id) { id } }`, { id: target.id }, counsellorOf(target.departement));
    expect(mine.capEmploiAccompaniment.id).toBe(target.id);
    const theirs = await data(`query($id: ID!) { capEmploiAccompaniment(id: $id) { id } }`, { id: target.id }, counsellorOf(other));
    expect(theirs.capEmploiAccompaniment).toBeNull();
    const caseload = await data(`query($c: ID!) { capEmploiCaseload(counsellorId: $c) { totalCount nodes { id } } }`, { c: target.counsellorId }, counsellorOf(other));
    expect(caseload.capEmploiCaseload).toEqual({ totalCount: 0, nodes: [] });
    // The person lives elsewhere: not even the reference comes back.
    expect(await person(target.personId, counsellorOf(other))).toBeNull();
  });

  it('an Agefiph caller, even national, sees no accompaniment and no Cap emploi event', async () => {
    const target = cases[0].accompaniment;
    const one = await data(`query($id: ID!) { capEmploiAccompaniment(id: $id) { id } }`, { id: target.id }, AGEFIPH);
    expect(one.capEmploiAccompaniment).toBeNull();
    const p = await person(target.personId, AGEFIPH);
    expect(p.capEmploiAccompaniments.totalCount).toBe(0);
    expect(p.capEmploiEvents).toEqual([]);
  });
});

describe('Person and Employer fields through _entities (plumbing of the merged history)', () => {
  const withSeveral = [...new Set(cases.map((c) => c.accompaniment.personId))]
    .map((id) => ({ id, own: cases.filter((c) => c.accompaniment.personId === id) }))
    .sort((a, b) => b.own.length - a.own.length)
    .slice(0, 5);

  it('answers many persons in one call: their accompaniments and one event per opening and per step, without notes', async () => {
    const none = [...people(world)].find((p) => casesOf(world, p).length === 0)!;
    const { _entities } = await data(ENTITIES, { r: [...withSeveral, { id: none.id }].map((p) => ({ __typename: 'Person', id: p.id })) });
    expect(_entities).toHaveLength(6);
    withSeveral.forEach(({ id, own }, i) => {
      expect(_entities[i].id).toBe(id);
      expect(_entities[i].capEmploiAccompaniments.totalCount).toBe(own.length);
      const events = _entities[i].capEmploiEvents;
      expect(events).toHaveLength(own.length + own.reduce((n, c) => n + c.steps.length, 0));
      expect(events.filter((e: { kind: string }) => e.kind === 'ACCOMPANIMENT_OPENED')).toHaveLength(own.length);
      expect(events.filter((e: { kind: string }) => e.kind === 'ACCOMPANIMENT_CLOSED')).toHaveLength(own.filter((c) => c.accompaniment.status === 'CLOSED').length);
      expect(events.every((e: { partner: string }) => e.partner === 'CAP_EMPLOI')).toBe(true);
      expect(events.map((e: { occurredOn: string }) => e.occurredOn)).toEqual(events.map((e: { occurredOn: string }) => e.occurredOn).sort());
      for (const c of own) {
        for (const e of events) expect(e.summary).not.toContain(c.accompaniment.medicalRestrictions ?? '\u0000');
      }
    });
    expect(_entities[5].capEmploiAccompaniments.totalCount).toBe(0);
    expect(_entities[5].capEmploiEvents).toEqual([]);
  });

  it('audit entries need audit:read; reading restrictions is recorded with the field read', async () => {
    const retention = cases.find((c) => c.accompaniment.kind === 'JOB_RETENTION')!.accompaniment;
    await data(`query($id: ID!) { capEmploiAccompaniment(id: $id) { medicalRestrictions } }`, { id: retention.id }, counsellorOf(retention.departement));
    const withoutScope = await person(retention.personId, { scopes: ['person:read', 'accompaniment:read'] });
    expect(withoutScope.capEmploiAuditEntries).toEqual([]);
    const dpo = await person(retention.personId);
    const read = dpo.capEmploiAuditEntries.find((e: { action: string; organisation: string }) => e.action === 'READ' && e.organisation === 'cap-emploi');
    expect(read.fields).toContain('CapEmploiAccompaniment.medicalRestrictions');
    expect(read.partner).toBe('CAP_EMPLOI');
  });

  it('lists the services Cap emploi delivered to an employer, within the caller\'s territory', async () => {
    const served = [...employers(world)].find((e) => servicesOf(world, e).length >= 2)!;
    const expected = servicesOf(world, served);
    const rep = { r: [{ __typename: 'Employer', siret: served.siret }] };
    const { _entities } = await data(ENTITIES, rep);
    expect(_entities[0].capEmploiServices.totalCount).toBe(expected.length);
    expect(_entities[0].capEmploiServices.nodes.map((n: { id: string }) => n.id).sort()).toEqual(expected.map((s) => s.id).sort());
    const other = served.departement === '13' ? '27' : '13';
    const elsewhere = await data(ENTITIES, rep, counsellorOf(other));
    expect(elsewhere._entities[0].capEmploiServices.totalCount).toBe(0);
  });
});

describe('recordAccompanimentStep', () => {
  const today = (departement: string) => todayIn(departement, systemClock);

  it('records an interview, audited as a write; a retry with the same key returns the same step and writes nothing', async () => {
    const target = interviewable[0].accompaniment;
    const before = await stepCount(target.id);
    const input = { idempotencyKey: 'test-interview-0001', accompanimentId: target.id, kind: 'INTERVIEW', occurredOn: today(target.departement), note: 'Point sur les candidatures' };
    const first = (await data(RECORD, { input }, counsellorOf(target.departement))).recordAccompanimentStep;
    expect(first.status).toBe('OPEN');
    expect(first.steps.totalCount).toBe(before + 1);
    expect(first.steps.nodes.at(-1)).toMatchObject({ kind: 'INTERVIEW', note: 'Point sur les candidatures', occurredOn: input.occurredOn });
    const retry = (await data(RECORD, { input }, counsellorOf(target.departement))).recordAccompanimentStep;
    expect(retry).toEqual(first);
    expect(await stepCount(target.id)).toBe(before + 1);
    const entries = (await person(target.personId)).capEmploiAuditEntries;
    expect(entries.filter((e: { action: string }) => e.action === 'WRITE')).toHaveLength(1);
    expect(entries.find((e: { action: string }) => e.action === 'WRITE').fields).toContain('CapEmploiAccompaniment.steps');
    const reused = await sg.call(RECORD, { input: { ...input, note: 'autre chose' } }, counsellorOf(target.departement));
    expect(reused.body.errors[0].extensions.code).toBe('IDEMPOTENCY_KEY_REUSED');
  });

  it('a CLOSURE step closes the accompaniment with its outcome; no step is accepted afterwards', async () => {
    const target = interviewable[1].accompaniment;
    const on = today(target.departement);
    const closed = (await data(RECORD, { input: { idempotencyKey: 'test-closure-0001', accompanimentId: target.id, kind: 'CLOSURE', occurredOn: on, outcome: 'REORIENTED_TO_FRANCE_TRAVAIL' } })).recordAccompanimentStep;
    expect(closed).toMatchObject({ status: 'CLOSED', outcome: 'REORIENTED_TO_FRANCE_TRAVAIL', closedOn: on });
    const caseload = await data(`query($c: ID!) { capEmploiCaseload(counsellorId: $c, first: 100) { nodes { id } } }`, { c: target.counsellorId });
    expect(caseload.capEmploiCaseload.nodes.map((n: { id: string }) => n.id)).not.toContain(target.id);
    const after = await sg.call(RECORD, { input: { idempotencyKey: 'test-closure-0002', accompanimentId: target.id, kind: 'INTERVIEW', occurredOn: on } });
    expect(after.body.errors[0].extensions.code).toBe('ACCOMPANIMENT_CLOSED');
  });

  describe('rejections write nothing', () => {
    const target = interviewable[2].accompaniment;
    const base = { accompanimentId: target.id, kind: 'INTERVIEW', occurredOn: todayIn(target.departement, systemClock) };
    const rejections: [string, Record<string, unknown>, Partial<CallerClaims>, string, string?][] = [
      ['an unknown accompaniment', { accompanimentId: 'cea_nobody_1' }, {}, 'UNKNOWN_ACCOMPANIMENT', 'accompanimentId'],
      ['an accompaniment outside the caller\'s territory', {}, counsellorOf(target.departement === '13' ? '27' : '13'), 'UNKNOWN_ACCOMPANIMENT', 'accompanimentId'],
      ['an Agefiph caller, even with the scope', {}, { ...AGEFIPH, scopes: ['accompaniment:write'] }, 'FORBIDDEN'],
      ['a date before the opening', { occurredOn: '2010-01-04' }, {}, 'BAD_USER_INPUT', 'occurredOn'],
      ['a date in the future', { occurredOn: '2099-01-01' }, {}, 'BAD_USER_INPUT', 'occurredOn'],
      ['a note of 501 characters', { note: 'x'.repeat(501) }, {}, 'BAD_USER_INPUT', 'note'],
      ['a second diagnostic', { kind: 'DIAGNOSTIC' }, {}, 'BAD_USER_INPUT', 'kind'],
      ['a closure without outcome', { kind: 'CLOSURE' }, {}, 'BAD_USER_INPUT', 'outcome'],
      ['an employment outcome without placement', { kind: 'CLOSURE', outcome: 'EMPLOYED_PERMANENT' }, {}, 'BAD_USER_INPUT', 'outcome'],
      ['a caller without accompaniment:write', {}, { scopes: ['accompaniment:read'] }, 'FORBIDDEN'],
    ];

    it.each(rejections)('%s', async (_, change, caller, code, field) => {
      const [steps, writes] = [await stepCount(target.id), await writeEntries(target.personId)];
      const { body } = await sg.call(RECORD, { input: { idempotencyKey: `test-reject-${code}-${Object.keys(change).join('-') || 'caller'}`, ...base, ...change } }, caller);
      expect(body.errors?.[0]?.extensions?.code).toBe(code);
      if (field) expect(body.errors[0].extensions.field).toBe(field);
      expect(await stepCount(target.id)).toBe(steps);
      expect(await writeEntries(target.personId)).toBe(writes);
    });
  });
});

describe('openAccompaniment', () => {
  const OPEN = `mutation($input: OpenAccompanimentInput!) { openAccompaniment(input: $input) {
    id kind status openedOn counsellorId departement organisation { id } employer { siret } medicalRestrictions follows { id } steps { totalCount } } }`;
  const accompanimentsOf = async (personId: string) => (await person(personId)).capEmploiAccompaniments.totalCount as number;
  const newcomer = unaccompanied33[0];
  const retentionInput = {
    personId: newcomer, departement: '33', kind: 'JOB_RETENTION', openedOn: '2025-03-03', counsellorId: 'ce-33-1-001',
    employerSiret: '73282932000074', medicalRestrictions: 'Pas de travail de nuit (donnée synthétique)',
  };

  it('opens a job retention for a person of the caller\'s territory, ready for its diagnostic', async () => {
    const opened = (await data(OPEN, { input: { idempotencyKey: 'test-open-0001', ...retentionInput } }, counsellorOf('33'))).openAccompaniment;
    expect(opened).toMatchObject({
      kind: 'JOB_RETENTION', status: 'OPEN', departement: '33', organisation: { id: 'ce-33-1' }, employer: { siret: '73282932000074' },
      medicalRestrictions: retentionInput.medicalRestrictions, steps: { totalCount: 0 },
    });
    const retry = (await data(OPEN, { input: { idempotencyKey: 'test-open-0001', ...retentionInput } }, counsellorOf('33'))).openAccompaniment;
    expect(retry.id).toBe(opened.id);
    expect(await accompanimentsOf(newcomer)).toBe(1);
    const diagnostic = await data(RECORD, { input: { idempotencyKey: 'test-open-diag-0001', accompanimentId: opened.id, kind: 'DIAGNOSTIC', occurredOn: '2025-03-10' } }, counsellorOf('33'));
    expect(diagnostic.recordAccompanimentStep.steps.totalCount).toBe(1);
    const again = await sg.call(OPEN, { input: { idempotencyKey: 'test-open-0002', ...retentionInput } }, counsellorOf('33'));
    expect(again.body.errors[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'kind' });
    expect(await accompanimentsOf(newcomer)).toBe(1);
  });

  it('opens a watch after an eligible retention, with its organisation, counsellor and employer; only one', async () => {
    const watched = new Set(cases.map((c) => c.accompaniment.followsAccompanimentId).filter(Boolean));
    const retention = cases.map((c) => c.accompaniment).find((a) => isWatchEligible(a, watched.has(a.id)))!;
    const input = { personId: retention.personId, departement: retention.departement, kind: 'WATCH', openedOn: retention.closedOn, followsAccompanimentId: retention.id };
    const watch = (await data(OPEN, { input: { idempotencyKey: 'test-watch-0001', ...input } })).openAccompaniment;
    expect(watch).toMatchObject({
      kind: 'WATCH', follows: { id: retention.id }, counsellorId: retention.counsellorId,
      organisation: { id: retention.organisationId }, employer: { siret: retention.employerSiret }, medicalRestrictions: null,
    });
    const second = await sg.call(OPEN, { input: { idempotencyKey: 'test-watch-0002', ...input, openedOn: todayIn(retention.departement, systemClock) } });
    expect(second.body.errors[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'followsAccompanimentId' });
  });

  const someone = unaccompanied33[1];
  const base = { personId: someone, departement: '33', kind: 'CAREER_CHANGE', openedOn: '2025-03-03', counsellorId: 'ce-33-1-001', employerSiret: '73282932000074' };
  const refusals: [string, Record<string, unknown>, Partial<CallerClaims>, string, string][] = [
    ['a département outside the caller\'s territory', {}, counsellorOf('27'), 'FORBIDDEN', 'departement'],
    ['work restrictions without health:read', { kind: 'JOB_RETENTION', medicalRestrictions: 'x' }, { scopes: ['accompaniment:write'] }, 'FORBIDDEN', 'medicalRestrictions'],
    ['an invalid SIRET', { employerSiret: '73282932000075' }, {}, 'INVALID_SIRET', 'employerSiret'],
    ['a career change before 2023', { openedOn: '2022-06-01' }, {}, 'BAD_USER_INPUT', 'openedOn'],
    ['Nord without naming one of its three organisations', { departement: '59' }, {}, 'BAD_USER_INPUT', 'organisationId'],
    ['a watch of an unknown retention', { kind: 'WATCH', employerSiret: null, followsAccompanimentId: 'cea_nobody_1' }, {}, 'UNKNOWN_ACCOMPANIMENT', 'followsAccompanimentId'],
  ];

  it.each(refusals)('refuses %s and writes nothing', async (_, change, caller, code, field) => {
    const { body } = await sg.call(OPEN, { input: { idempotencyKey: `test-open-refused-${field}`, ...base, ...change } }, caller);
    expect(body.errors?.[0]?.extensions).toMatchObject({ code, field });
    expect(await accompanimentsOf(someone)).toBe(0);
    expect(await writeEntries(someone)).toBe(0);
  });
});

describe('trust', () => {
  it('a request without the gateway\'s signature is refused with 401 UNAUTHENTICATED', async () => {
    const res = await fetch(sg.process.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ conventions { totalCount } }' }) });
    expect(res.status).toBe(401);
    const body = (await res.json()) as { errors: { extensions: { code: string } }[] };
    expect(body.errors[0].extensions.code).toBe('UNAUTHENTICATED');
  });
});
