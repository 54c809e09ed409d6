// The FIPHFP subgraph as its callers use it: the real process on a fresh database seeded from the
// synthetic world (scale 400), called with gateway-signed tokens of different organisations.
// Expected values are recomputed from kit/population.ts and the seed rules of fiphfp/seed.ts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { employers, people, type SyntheticEmployer, type WorldOptions } from '../subgraphs/kit/population.ts';
import { formatCents, parseEuros } from '../subgraphs/kit/scalars.ts';
import { contribution, formatRate, directRateBasisPoints } from '../subgraphs/fiphfp/rules.ts';
import { firstWindow } from '../subgraphs/kit/audit-trail.ts';
import { startTestSubgraph, type CallerClaims, type TestSubgraph } from './support/subgraph.ts';

const world: WorldOptions = { seed: process.env.SEED ?? 'passerelle', scale: 400 };
const publics = [...employers(world)].filter((e) => e.sector === 'PUBLIC');
const publicByIndex = new Map(publics.map((e) => [e.index, e]));
const privateEmployer = [...employers(world)].find((e) => e.sector === 'PRIVATE' && e.index > 0)!;
const agents = [...people(world)].filter((p) => p.employerIndex !== null && publicByIndex.has(p.employerIndex));
const employerOf = (p: { employerIndex: number | null }) => publicByIndex.get(p.employerIndex!)!;

// The département with the most public employers, and another one that has some.
const byDep = new Map<string, SyntheticEmployer[]>();
for (const e of publics) byDep.set(e.departement, [...(byDep.get(e.departement) ?? []), e]);
const [depA, depB] = [...byDep.keys()].sort((a, b) => byDep.get(b)!.length - byDep.get(a)!.length);
const employerA = byDep.get(depA)![0];

const FIPHFP: Partial<CallerClaims> = { subject: 'fiphfp-gestionnaire', organisation: 'fiphfp', role: 'case-manager', territory: ['*'] };
const capEmploiOf = (...deps: string[]): Partial<CallerClaims> => ({ subject: `cap-${deps.join('-')}`, organisation: 'cap-emploi', role: 'counsellor', territory: [...new Set(deps)] });
const AGEFIPH: Partial<CallerClaims> = { subject: 'agefiph-1', organisation: 'agefiph', role: 'case-manager', territory: ['*'] };

let sg: TestSubgraph;

beforeAll(async () => {
  sg = await startTestSubgraph('fiphfp');
});

afterAll(async () => {
  await sg?.stop();
});

async function data(query: string, variables: Record<string, unknown> = {}, caller: Partial<CallerClaims> = FIPHFP) {
  const { status, body } = await sg.call(query, variables, caller);
  expect(status).toBe(200);
  expect(body.errors).toBeUndefined();
  return body.data;
}

async function errorCode(query: string, variables: Record<string, unknown>, caller: Partial<CallerClaims> = FIPHFP): Promise<string> {
  const { body } = await sg.call(query, variables, caller);
  expect(body.data?.[Object.keys(body.data ?? {})[0]] ?? null).toBeNull();
  return body.errors?.[0]?.extensions?.code;
}

const EMPLOYER = `query($r: [_Any!]!) { _entities(representations: $r) { ... on Employer {
  siret publicService fteHeadcount
  fiphfpDeclarations(first: 10) { totalCount nodes { id year fteHeadcount beneficiaries directEmploymentRate directEmploymentRateBasisPoints
    missingBeneficiaries requiredBeneficiaries hourlySmic unitAmount deductibleExpenses contributionDue beneficiariesByCategory { category count } } }
  fiphfpAidRequests(first: 100) { totalCount nodes { id status agent { id } } }
  fiphfpConventions { totalCount nodes { id fteHeadcount startsOn endsOn programmeYears amountCommitted committee { level regionCode name } } }
} } }`;

async function employerView(siret: string, caller: Partial<CallerClaims> = FIPHFP) {
  return (await data(EMPLOYER, { r: [{ __typename: 'Employer', siret }] }, caller))._entities[0];
}

const PERSON = `query($r: [_Any!]!) { _entities(representations: $r) { ... on Person {
  id fiphfpAidRequests { totalCount nodes { id aid { code } employer { siret } } }
  fiphfpEvents { occurredOn partner kind summary reference }
  fiphfpFundingReferences { id typename requestedOn }
} } }`;

const AUDIT_WINDOW = `query($r: [_Any!]!) { _entities(representations: $r) { ... on AuditEntryConnection { fiphfpAuditWindow { entries { partner subject action fields } } } } }`;

/** The person as the gateway sees it, then the first 100 entries of its FIPHFP audit log (plumbing of Person.auditTrail). */
async function personView(id: string, caller: Partial<CallerClaims> = FIPHFP) {
  const view = (await data(PERSON, { r: [{ __typename: 'Person', id }] }, caller))._entities[0];
  const audit = (await data(AUDIT_WINDOW, { r: [{ __typename: 'AuditEntryConnection', window: firstWindow(id, 100) }] }, caller))._entities[0];
  return view && { ...view, fiphfpAuditEntries: audit.fiphfpAuditWindow.entries };
}

describe('public employers', () => {
  it('a national FIPHFP caller lists every public employer of the synthetic world with its public service and FTE', async () => {
    const { publicEmployers } = await data(`{ publicEmployers(first: 100) { totalCount nodes { siret publicService fteHeadcount } } }`);
    expect(publicEmployers.totalCount).toBe(publics.length);
    const expected = Object.fromEntries(publics.map((e) => [e.siret, [e.publicService, e.headcount]]));
    for (const node of publicEmployers.nodes) expect([node.publicService, node.fteHeadcount]).toEqual(expected[node.siret]);
  });

  it('pages through public employers with a cursor, without repeating one', async () => {
    const first = (await data(`{ publicEmployers(first: 5) { nodes { siret } pageInfo { hasNextPage endCursor } } }`)).publicEmployers;
    expect(first.pageInfo.hasNextPage).toBe(true);
    const next = (await data(`query($a: String) { publicEmployers(first: 5, after: $a) { nodes { siret } } }`, { a: first.pageInfo.endCursor })).publicEmployers;
    const sirets = [...first.nodes, ...next.nodes].map((n: { siret: string }) => n.siret);
    expect(new Set(sirets).size).toBe(10);
  });

  it('filters public employers by public service and département', async () => {
    const hospitals = publics.filter((e) => e.publicService === 'HOSPITAL').length;
    const { publicEmployers } = await data(`{ publicEmployers(filter: { publicService: HOSPITAL }) { totalCount } }`);
    expect(publicEmployers.totalCount).toBe(hospitals);
    const inA = await data(`query($d: String) { publicEmployers(filter: { departement: $d }) { totalCount } }`, { d: depA });
    expect(inA.publicEmployers.totalCount).toBe(byDep.get(depA)!.length);
  });

  it(`a Cap emploi counsellor of one département sees only that département's public employers`, async () => {
    const { publicEmployers } = await data(`{ publicEmployers(first: 100) { totalCount nodes { siret } } }`, {}, capEmploiOf(depA));
    expect(publicEmployers.totalCount).toBe(byDep.get(depA)!.length);
    expect(publicEmployers.nodes.map((n: { siret: string }) => n.siret).sort()).toEqual(byDep.get(depA)!.map((e) => e.siret).sort());
    const other = await data(`query($d: String) { publicEmployers(filter: { departement: $d }) { totalCount } }`, { d: depB }, capEmploiOf(depA));
    expect(other.publicEmployers.totalCount).toBe(0);
    const outside = await employerView(byDep.get(depB)![0].siret, capEmploiOf(depA));
    expect(outside.publicService).toBeNull();
    expect(outside.fiphfpAidRequests.totalCount).toBe(0);
  });

  it('Agefiph, the private-sector fund, sees no public employer', async () => {
    const { publicEmployers } = await data(`{ publicEmployers { totalCount } }`, {}, AGEFIPH);
    expect(publicEmployers.totalCount).toBe(0);
    const view = await employerView(employerA.siret, AGEFIPH);
    expect(view.publicService).toBeNull();
    expect(view.fiphfpAidRequests.totalCount).toBe(0);
  });

  it('a private employer has no public service and nothing at FIPHFP', async () => {
    const view = await employerView(privateEmployer.siret);
    expect(view).toMatchObject({ siret: privateEmployer.siret, publicService: null, fteHeadcount: null });
    expect(view.fiphfpDeclarations.totalCount).toBe(0);
  });
});

describe('yearly declarations', () => {
  it('each public employer has its declarations 2021 to 2024, with an exact rate and the contribution of the rules', async () => {
    const view = await employerView(employerA.siret);
    expect(view.fiphfpDeclarations.nodes.map((d: { year: number }) => d.year)).toEqual([2024, 2023, 2022, 2021]);
    for (const d of view.fiphfpDeclarations.nodes) {
      const rule = contribution({ year: d.year, fteHeadcount: d.fteHeadcount, beneficiaries: d.beneficiaries, deductibleExpensesCents: parseEuros(d.deductibleExpenses) });
      expect(d.directEmploymentRate).toBe(formatRate(directRateBasisPoints(d.beneficiaries, d.fteHeadcount)));
      expect(d.directEmploymentRate).toMatch(/^\d+\.\d{2}$/);
      expect(d.missingBeneficiaries).toBe(rule.missingBeneficiaries);
      expect(d.contributionDue).toBe(formatCents(rule.contributionCents));
      expect(d.beneficiariesByCategory.reduce((sum: number, c: { count: number }) => sum + c.count, 0)).toBe(d.beneficiaries);
    }
  });

  it('a Cap emploi counsellor reads the employers of its territory but not their declarations', async () => {
    const view = await employerView(employerA.siret, capEmploiOf(depA));
    expect(view.publicService).toBe(employerA.publicService);
    expect(view.fiphfpDeclarations.totalCount).toBe(0);
  });

  it('employers above 650 FTE have one 3-year convention; smaller ones none', async () => {
    const big = publics.find((e) => e.headcount > 650)!;
    const small = publics.find((e) => e.headcount <= 650)!;
    expect(big).toBeDefined();
    const conventions = (await employerView(big.siret)).fiphfpConventions;
    expect(conventions.totalCount).toBe(1);
    const [c] = conventions.nodes;
    expect(c.programmeYears).toBe(3);
    expect(Number(c.endsOn.slice(0, 4)) - Number(c.startsOn.slice(0, 4))).toBe(2);
    expect(c.committee.name).toMatch(/^Comité (national|local) du FIPHFP/);
    expect((await employerView(small.siret)).fiphfpConventions.totalCount).toBe(0);
  });
});

describe('the catalogue and aid requests', () => {
  it('lists the catalogue of interventions with the ceilings of the field', async () => {
    const { fiphfpCatalogue } = await data(`{ fiphfpCatalogue(first: 100) { totalCount nodes { code beneficiaryType ceiling { kind amount hourlyRate salarySharePercent trainingPerYear } } } }`, {}, AGEFIPH);
    const byCode = Object.fromEntries(fiphfpCatalogue.nodes.map((n: { code: string }) => [n.code, n]));
    expect(fiphfpCatalogue.totalCount).toBe(7);
    expect(byCode.WORKSTATION_ADAPTATION.ceiling).toMatchObject({ kind: 'PER_AGENT_PER_YEAR', amount: '10000.00' });
    expect(byCode.ERGONOMIC_STUDY.ceiling).toMatchObject({ kind: 'PER_REQUEST', amount: '5000.00' });
    expect(byCode.SIGN_LANGUAGE_INTERPRETING.ceiling).toMatchObject({ kind: 'PER_HOUR', hourlyRate: '55.00' });
    expect(byCode.APPRENTICESHIP.ceiling).toMatchObject({ salarySharePercent: 80, trainingPerYear: '10000.00' });
    expect(byCode.TRANSPORT.beneficiaryType).toBe('PUBLIC_EMPLOYER');
  });

  it('an agent in a job-retention case has an ergonomic study then a workstation adaptation; a career change one aid', async () => {
    const retention = agents.find((p) => p.inEmploymentCase === 'JOB_RETENTION')!;
    const change = agents.find((p) => p.inEmploymentCase === 'CAREER_CHANGE')!;
    const r = await personView(retention.id);
    expect(r.fiphfpAidRequests.nodes.map((n: { aid: { code: string } }) => n.aid.code)).toEqual(['ERGONOMIC_STUDY', 'WORKSTATION_ADAPTATION']);
    expect(r.fiphfpAidRequests.nodes[0].employer.siret).toBe(employerOf(retention).siret);
    expect((await personView(change.id)).fiphfpAidRequests.totalCount).toBe(1);
    const without = agents.find((p) => !p.inEmploymentCase);
    if (without) expect((await personView(without.id)).fiphfpAidRequests.totalCount).toBe(0);
  });

  it(`a Cap emploi counsellor of another département does not see an agent's aid requests, events or funding references`, async () => {
    const agent = agents.find((p) => p.inEmploymentCase)!;
    const dep = employerOf(agent).departement;
    const elsewhere = [...byDep.keys()].find((d) => d !== dep && d !== agent.departement)!;
    const own = await personView(agent.id, capEmploiOf(agent.departement));
    expect(own.fiphfpAidRequests.totalCount).toBeGreaterThan(0);
    // Not even the reference to the person comes back: the agent lives outside this territory.
    expect(await personView(agent.id, capEmploiOf(elsewhere))).toBeNull();
    const id = own.fiphfpAidRequests.nodes[0].id;
    const single = await data(`query($id: ID!) { fiphfpAidRequest(id: $id) { id } }`, { id }, capEmploiOf(elsewhere));
    expect(single.fiphfpAidRequest).toBeNull();
    const listed = await data(`query($d: String) { fiphfpAidRequests(filter: { departement: $d }) { nodes { id } } }`, { d: dep }, capEmploiOf(elsewhere));
    expect(listed.fiphfpAidRequests.nodes.map((n: { id: string }) => n.id)).not.toContain(id);
  });

  it('an agent who lives outside the territory stays hidden from a counsellor of the employer\'s département (the aid is about the person)', async () => {
    const agent = agents.find((p) => p.inEmploymentCase && employerOf(p).departement !== p.departement)!;
    const employerDep = employerOf(agent).departement;
    const own = await personView(agent.id, capEmploiOf(agent.departement));
    const id = own.fiphfpAidRequests.nodes[0].id;
    const atEmployer = capEmploiOf(employerDep);
    const viaEmployer = await data(`query($s: String!) { _entities(representations: [{ __typename: "Employer", siret: $s }]) { ... on Employer { fiphfpAidRequests { nodes { id agent { id } } } } } }`, { s: employerOf(agent).siret }, atEmployer);
    const agentsSeen = viaEmployer._entities[0].fiphfpAidRequests.nodes.map((n: { agent: { id: string } | null }) => n.agent?.id);
    expect(agentsSeen).not.toContain(agent.id);
    expect((await data(`query($id: ID!) { fiphfpAidRequest(id: $id) { id } }`, { id }, atEmployer)).fiphfpAidRequest).toBeNull();
  });

  it('resolves an aid request referenced by another subgraph (Person.fundings), and nothing outside the territory', async () => {
    const agent = agents.find((p) => p.inEmploymentCase)!;
    const dep = employerOf(agent).departement;
    const { fiphfpFundingReferences: [ref] } = await personView(agent.id);
    const query = `query($r: [_Any!]!) { _entities(representations: $r) { ... on FiphfpAidRequest { id partner label status amountRequested requestedOn } } }`;
    const found = await data(query, { r: [{ __typename: 'FiphfpAidRequest', id: ref.id }] });
    expect(found._entities[0]).toMatchObject({ id: ref.id, partner: 'FIPHFP', requestedOn: ref.requestedOn });
    const elsewhere = [...byDep.keys()].find((d) => d !== dep)!;
    expect((await data(query, { r: [{ __typename: 'FiphfpAidRequest', id: ref.id }] }, capEmploiOf(elsewhere)))._entities[0]).toBeNull();
  });
});

describe('plumbing for the merged history, fundings and audit trail', () => {
  it('gives a person FIPHFP events and funding references, in one call for many persons', async () => {
    const some = agents.filter((p) => p.inEmploymentCase).slice(0, 5);
    const { _entities } = await data(`query($r: [_Any!]!) { _entities(representations: $r) { ... on Person { id fiphfpEvents { partner kind reference } fiphfpFundingReferences { typename } } } }`,
      { r: some.map((p) => ({ __typename: 'Person', id: p.id })) });
    expect(_entities).toHaveLength(some.length);
    for (const [i, p] of some.entries()) {
      expect(_entities[i].id).toBe(p.id);
      expect(_entities[i].fiphfpFundingReferences).toHaveLength(p.inEmploymentCase === 'JOB_RETENTION' ? 2 : 1);
      expect(_entities[i].fiphfpFundingReferences.every((r: { typename: string }) => r.typename === 'FiphfpAidRequest')).toBe(true);
      expect(_entities[i].fiphfpEvents.filter((e: { kind: string }) => e.kind === 'AID_REQUEST')).toHaveLength(_entities[i].fiphfpFundingReferences.length);
      expect(_entities[i].fiphfpEvents.every((e: { partner: string }) => e.partner === 'FIPHFP')).toBe(true);
    }
  });

  it('gives the employer its funding references', async () => {
    const { _entities: [view] } = await data(`query($r: [_Any!]!) { _entities(representations: $r) { ... on Employer { fiphfpFundingReferences { id typename } fiphfpAidRequests(first: 100) { totalCount } } } }`,
      { r: [{ __typename: 'Employer', siret: employerA.siret }] });
    expect(view.fiphfpFundingReferences).toHaveLength(view.fiphfpAidRequests.totalCount);
    expect(view.fiphfpFundingReferences.length).toBeGreaterThan(0);
  });

  it('audits the reading of an agent and shows the log only to a caller with audit:read', async () => {
    const agent = agents.find((p) => p.inEmploymentCase)!;
    await personView(agent.id, { ...FIPHFP, subject: 'reader-of-agent' });
    const noAudit = await personView(agent.id, { ...FIPHFP, scopes: ['fiphfp:read', 'person:read'] });
    expect(noAudit.fiphfpAuditEntries).toEqual([]);
    const withAudit = await personView(agent.id, { ...FIPHFP, subject: 'dpo-1', role: 'dpo' });
    const read = withAudit.fiphfpAuditEntries.find((e: { subject: string }) => e.subject === 'reader-of-agent');
    expect(read).toMatchObject({ partner: 'FIPHFP', action: 'READ' });
    expect(read.fields.length).toBeGreaterThan(0);
  });
});

const SUBMIT = `mutation($input: SubmitFiphfpDeclarationInput!) { submitFiphfpDeclaration(input: $input) {
  id year fteHeadcount beneficiaries requiredBeneficiaries directEmploymentRate missingBeneficiaries unitAmount hourlySmic deductibleExpenses contributionDue
  beneficiariesByCategory { category count } employer { siret } } }`;

describe('submitFiphfpDeclaration', () => {
  const declarationCount = async () => (await employerView(employerA.siret)).fiphfpDeclarations.totalCount as number;
  const input = { idempotencyKey: 'decl-2025-employer-a', siret: employerA.siret, year: 2025, fteHeadcount: 480, beneficiaries: 20, deductibleExpenses: '1000.00',
    beneficiariesByCategory: [{ category: 'RQTH', count: 15 }, { category: 'RECLASSIFIED_AGENT', count: 5 }] };

  it('records a declaration and returns its computed rate and contribution; a retry returns it again and writes nothing', async () => {
    const before = await declarationCount();
    const { submitFiphfpDeclaration: d } = await data(SUBMIT, { input });
    // 6% of 480 = 28.8 → 28 required; 8 missing × 500 × €11.88 (SMIC 2025) = €47,520 − €1,000.
    expect(d).toMatchObject({
      year: 2025, requiredBeneficiaries: 28, missingBeneficiaries: 8, directEmploymentRate: '4.17', hourlySmic: '11.88',
      unitAmount: '5940.00', deductibleExpenses: '1000.00', contributionDue: '46520.00', employer: { siret: employerA.siret },
    });
    expect(d.beneficiariesByCategory).toEqual([{ category: 'RQTH', count: 15 }, { category: 'RECLASSIFIED_AGENT', count: 5 }]);
    expect(await declarationCount()).toBe(before + 1);
    const again = await data(SUBMIT, { input });
    expect(again.submitFiphfpDeclaration.id).toBe(d.id);
    expect(await declarationCount()).toBe(before + 1);
  });

  it('refuses each impossible or unauthorised declaration with its code, and writes nothing', async () => {
    const before = await declarationCount();
    const currentYear = new Date().getUTCFullYear();
    const other = byDep.get(depB)![0];
    const cases: [string, Record<string, unknown>, Partial<CallerClaims>?][] = [
      ['IDEMPOTENCY_KEY_REUSED', { ...input, beneficiaries: 21, beneficiariesByCategory: null }],
      ['DECLARATION_EXISTS', { ...input, idempotencyKey: 'decl-2024-dup', year: 2024 }],
      ['INVALID_SIRET', { ...input, idempotencyKey: 'decl-bad-siret', siret: '35600000009090' }],
      ['UNKNOWN_EMPLOYER', { ...input, idempotencyKey: 'decl-private', siret: privateEmployer.siret }],
      ['BAD_USER_INPUT', { ...input, idempotencyKey: 'decl-too-many', year: 2026, beneficiaries: 481, beneficiariesByCategory: null }],
      ['BAD_USER_INPUT', { ...input, idempotencyKey: 'decl-2005', year: 2005 }],
      ['BAD_USER_INPUT', { ...input, idempotencyKey: 'decl-future', year: currentYear + 1 }],
      ['BAD_USER_INPUT', { ...input, idempotencyKey: 'decl-split', year: 2020, beneficiariesByCategory: [{ category: 'RQTH', count: 19 }] }],
      ['FORBIDDEN', { ...input, idempotencyKey: 'decl-no-scope', year: 2019 }, { ...FIPHFP, scopes: ['fiphfp:read', 'employer:read'] }],
      ['FORBIDDEN', { ...input, idempotencyKey: 'decl-cap-emploi', year: 2019 }, { ...capEmploiOf(depA), scopes: ['declaration:write'] }],
      ['UNKNOWN_EMPLOYER', { ...input, idempotencyKey: 'decl-elsewhere', year: 2019 }, { ...FIPHFP, territory: [other.departement] }],
    ];
    for (const [code, bad, caller] of cases) {
      expect(await errorCode(SUBMIT, { input: bad }, caller), `${code} for ${bad.idempotencyKey}`).toBe(code);
    }
    expect(await declarationCount()).toBe(before);
  });
});

const REQUEST = `mutation($input: RequestFiphfpAidInput!) { requestFiphfpAid(input: $input) {
  id status label amountRequested amountGranted requestedOn hours agent { id } employer { siret } aid { code } } }`;
const DECIDE = `mutation($input: DecideFiphfpAidInput!) { decideFiphfpAid(input: $input) { id status amountGranted decidedOn decisionNote } }`;

describe('requestFiphfpAid and decideFiphfpAid', () => {
  const agent = agents.find((p) => p.inEmploymentCase === 'JOB_RETENTION') ?? agents[0];
  const employer = employerOf(agent);
  const aidCount = async () => (await employerView(employer.siret)).fiphfpAidRequests.totalCount as number;
  const workstation = { idempotencyKey: 'aid-ws-6000', siret: employer.siret, aidCode: 'WORKSTATION_ADAPTATION', personId: agent.id, amountRequested: '6000.00' };
  let pendingId = '';

  it('records a request for an agent within the ceiling; a retry returns it and writes nothing; the write is audited', async () => {
    const before = await aidCount();
    const { requestFiphfpAid: r } = await data(REQUEST, { input: workstation });
    expect(r).toMatchObject({ status: 'REQUESTED', amountRequested: '6000.00', amountGranted: null, agent: { id: agent.id }, employer: { siret: employer.siret }, aid: { code: 'WORKSTATION_ADAPTATION' } });
    pendingId = r.id;
    expect((await data(REQUEST, { input: workstation })).requestFiphfpAid.id).toBe(r.id);
    expect(await aidCount()).toBe(before + 1);
    const log = (await personView(agent.id)).fiphfpAuditEntries;
    expect(log.some((e: { action: string; subject: string }) => e.action === 'WRITE' && e.subject === 'fiphfp-gestionnaire')).toBe(true);
  });

  it('refuses a request beyond what is left of the €10,000 per agent and year, and each invalid request, writing nothing', async () => {
    const before = await aidCount();
    const stranger = agents.find((p) => employerOf(p).siret !== employer.siret) ?? { id: 'psn_unknown' };
    const cases: [string, Record<string, unknown>, Partial<CallerClaims>?][] = [
      ['AMOUNT_ABOVE_CEILING', { ...workstation, idempotencyKey: 'aid-ws-5000', amountRequested: '5000.00' }],
      ['AMOUNT_ABOVE_CEILING', { ...workstation, idempotencyKey: 'aid-study', aidCode: 'ERGONOMIC_STUDY', amountRequested: '5000.01' }],
      ['AMOUNT_ABOVE_CEILING', { ...workstation, idempotencyKey: 'aid-lsf-over', aidCode: 'SIGN_LANGUAGE_INTERPRETING', personId: null, hours: 10, amountRequested: '550.01' }],
      ['BAD_USER_INPUT', { ...workstation, idempotencyKey: 'aid-lsf-hours', aidCode: 'SIGN_LANGUAGE_INTERPRETING', personId: null, amountRequested: '100.00' }],
      ['BAD_USER_INPUT', { ...workstation, idempotencyKey: 'aid-apprentice', aidCode: 'APPRENTICESHIP', personId: null }],
      ['UNKNOWN_AID', { ...workstation, idempotencyKey: 'aid-unknown', aidCode: 'CAR_PURCHASE' }],
      ['AID_NOT_FOR_BENEFICIARY', { ...workstation, idempotencyKey: 'aid-no-agent', personId: null, amountRequested: '100.00' }],
      ['UNKNOWN_PERSON', { ...workstation, idempotencyKey: 'aid-stranger', personId: stranger.id, amountRequested: '100.00' }],
      ['INVALID_SIRET', { ...workstation, idempotencyKey: 'aid-bad-siret', siret: '12345678901234' }],
      ['UNKNOWN_EMPLOYER', { ...workstation, idempotencyKey: 'aid-private', siret: privateEmployer.siret, personId: null, aidCode: 'ERGONOMIC_STUDY' }],
      ['FORBIDDEN', { ...workstation, idempotencyKey: 'aid-agefiph', amountRequested: '100.00' }, AGEFIPH],
      ['FORBIDDEN', { ...workstation, idempotencyKey: 'aid-no-scope', amountRequested: '100.00' }, { ...FIPHFP, scopes: ['fiphfp:read'] }],
    ];
    for (const [code, bad, caller] of cases) {
      expect(await errorCode(REQUEST, { input: bad }, caller), `${code} for ${bad.idempotencyKey}`).toBe(code);
    }
    expect(await aidCount()).toBe(before);
    // What is left of the yearly ceiling can still be asked for, by a Cap emploi counsellor of the territory.
    const rest = await data(REQUEST, { input: { ...workstation, idempotencyKey: 'aid-ws-4000', amountRequested: '4000.00' } }, capEmploiOf(employer.departement, agent.departement));
    expect(rest.requestFiphfpAid.status).toBe('REQUESTED');
    expect(await aidCount()).toBe(before + 1);
  });

  it('grants a pending request once, for no more than requested; a retry returns the decision', async () => {
    const decision = { idempotencyKey: 'decide-ws-1', id: pendingId, decision: 'GRANTED', amountGranted: '5000.00', note: 'Accord partiel du comité local.' };
    expect(await errorCode(DECIDE, { input: { ...decision, idempotencyKey: 'decide-too-much', amountGranted: '6000.01' } })).toBe('BAD_USER_INPUT');
    expect(await errorCode(DECIDE, { input: { ...decision, idempotencyKey: 'decide-cap' } }, capEmploiOf(employer.departement))).toBe('FORBIDDEN');
    expect(await errorCode(DECIDE, { input: { ...decision, idempotencyKey: 'decide-unknown', id: 'fpa_nope' } })).toBe('UNKNOWN_REQUEST');
    const { decideFiphfpAid: d } = await data(DECIDE, { input: decision });
    expect(d).toMatchObject({ id: pendingId, status: 'GRANTED', amountGranted: '5000.00', decisionNote: 'Accord partiel du comité local.' });
    expect(d.decidedOn).toBe(new Date().toISOString().slice(0, 10));
    expect((await data(DECIDE, { input: decision })).decideFiphfpAid).toEqual(d);
    expect(await errorCode(DECIDE, { input: { ...decision, idempotencyKey: 'decide-again', decision: 'REFUSED', amountGranted: null } })).toBe('ALREADY_DECIDED');
  });
});

describe('trust', () => {
  it('refuses a request that the gateway did not sign', async () => {
    const res = await fetch(sg.process.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ fiphfpCatalogue { totalCount } }' }) });
    expect(res.status).toBe(401);
    const body = (await res.json()) as { errors: { extensions: { code: string } }[] };
    expect(body.errors[0].extensions.code).toBe('UNAUTHENTICATED');
  });
});
