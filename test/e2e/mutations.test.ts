// What each partner records, through the gateway: success returns the changed object, a retry with
// the same idempotency key returns the first result and writes nothing, invalid input is a typed
// error and writes nothing.
import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { employer as employerAt, employerCount, person as personAt } from '../../subgraphs/kit/population.ts';
import { codes, gql, tokenFor } from './client.ts';

const world = () => ({ seed: 'passerelle', scale: inject('seedScale') });
const key = () => `e2e-${randomUUID()}`;

describe('France Travail records an orientation', () => {
  const RECORD = 'mutation($input: RecordOrientationInput!) { recordOrientation(input: $input) { id orientedTo track decidedOn jointDiagnosticOn person { id orientation { id } } } }';
  const COUNT = 'query($id: ID!) { person(id: $id) { orientations { totalCount } } }';
  let token: string;
  const subject = () => personAt(world(), 7);
  const count = async () => (await gql(token, COUNT, { id: subject().id })).body.data.person.orientations.totalCount as number;
  beforeAll(async () => {
    token = await tokenFor('cap-emploi', 'counsellor', { territory: [subject().departement] });
  });

  it('records it once, returns it, and a retry returns the same orientation without writing again', async () => {
    const before = await count();
    const input = { idempotencyKey: key(), personId: subject().id, orientedTo: 'CAP_EMPLOI', track: 'SOCIO_PROFESSIONAL', decidedOn: '2025-11-20', jointDiagnosticOn: '2025-11-18', disabilityImpact: 'HIGH' };
    const first = await gql(token, RECORD, { input });
    expect(first.body.errors).toBeUndefined();
    expect(first.body.data.recordOrientation).toMatchObject({ orientedTo: 'CAP_EMPLOI', track: 'SOCIO_PROFESSIONAL', decidedOn: '2025-11-20', person: { id: subject().id } });
    expect(first.body.data.recordOrientation.person.orientation.id).toBe(first.body.data.recordOrientation.id);
    const retry = await gql(token, RECORD, { input });
    expect(retry.body.data.recordOrientation.id).toBe(first.body.data.recordOrientation.id);
    expect(await count()).toBe(before + 1);
  });

  it('refuses the same key with another input, an unknown person, a future date; nothing is written', async () => {
    const before = await count();
    const base = { idempotencyKey: key(), personId: subject().id, orientedTo: 'FRANCE_TRAVAIL', track: 'EMPLOYMENT', decidedOn: '2025-10-01' };
    expect(codes(await gql(token, RECORD, { input: base }))).toEqual([]);
    expect(codes(await gql(token, RECORD, { input: { ...base, track: 'SOCIAL' } }))).toEqual(['IDEMPOTENCY_KEY_REUSED']);
    expect(codes(await gql(token, RECORD, { input: { ...base, idempotencyKey: key(), personId: 'psn_unknown0000000' } }))).toEqual(['UNKNOWN_PERSON']);
    expect(codes(await gql(token, RECORD, { input: { ...base, idempotencyKey: key(), decidedOn: '2099-01-01' } }))).toEqual(['BAD_USER_INPUT']);
    expect(codes(await gql(token, RECORD, { input: { ...base, idempotencyKey: key(), decidedOn: '2025-02-30' } }))).toEqual(['BAD_USER_INPUT']);
    expect(await count()).toBe(before + 1);
  });

  it('a refused mutation nulls only its own field: the one before it in the document is returned and written, not data: null', async () => {
    const before = await count();
    const input = { idempotencyKey: key(), personId: subject().id, orientedTo: 'CAP_EMPLOI', track: 'EMPLOYMENT', decidedOn: '2025-11-03' };
    const res = await gql(token, `mutation($first: RecordOrientationInput!, $second: RecordOrientationInput!) {
      first: recordOrientation(input: $first) { id decidedOn person { id } }
      second: recordOrientation(input: $second) { id }
    }`, { first: input, second: { ...input, idempotencyKey: key(), decidedOn: '2099-01-01' } });
    expect(res.status).toBe(200);
    expect(res.body.data?.first).toMatchObject({ decidedOn: '2025-11-03', person: { id: subject().id } });
    expect(res.body.data?.second).toBeNull();
    expect(res.body.errors?.map((e) => [e.path, e.extensions?.code])).toEqual([[['second'], 'BAD_USER_INPUT']]);
    expect(await count()).toBe(before + 1);
    // What was returned is what was written: a retry of the first answers the same orientation.
    expect((await gql(token, RECORD, { input })).body.data.recordOrientation.id).toBe(res.body.data.first.id);
  });

  it('refuses a caller without orientation:write before any subgraph is called', async () => {
    const analyst = await tokenFor('dgefp', 'analyst');
    const res = await gql(analyst, RECORD, { input: { idempotencyKey: key(), personId: subject().id, orientedTo: 'CAP_EMPLOI', track: 'EMPLOYMENT', decidedOn: '2025-10-01' } });
    expect(codes(res)).toEqual(['FORBIDDEN']);
    expect(res.body.data ?? null).toBeNull();
  });
});

describe('Cap emploi records an accompaniment step', () => {
  const STEP = 'mutation($input: RecordAccompanimentStepInput!) { recordAccompanimentStep(input: $input) { id status outcome steps { nodes { kind occurredOn } } } }';
  let token: string;
  let accompanimentId: string;
  let stepsBefore: number;
  beforeAll(async () => {
    token = await tokenFor('cap-emploi', 'case-manager', { territory: ['*'] });
    for (let i = 0; i < world().scale && !accompanimentId; i++) {
      const p = personAt(world(), i);
      if (p.orientation !== 'CAP_EMPLOI') continue;
      const res = await gql(token, 'query($id: ID!) { person(id: $id) { capEmploiAccompaniments { nodes { id kind status steps { nodes { kind } } } } } }', { id: p.id });
      const open = res.body.data.person.capEmploiAccompaniments.nodes.find((a: any) => a.status === 'OPEN' && a.kind === 'TOWARD_EMPLOYMENT');
      if (open) {
        accompanimentId = open.id;
        stepsBefore = open.steps.nodes.length;
      }
    }
    expect(accompanimentId).toBeDefined();
  });

  it('records an interview, and a retry returns the same accompaniment with one step more, not two', async () => {
    const input = { idempotencyKey: key(), accompanimentId, kind: 'INTERVIEW', occurredOn: '2025-12-30', note: 'Point sur les candidatures' };
    const first = await gql(token, STEP, { input });
    expect(first.body.errors).toBeUndefined();
    expect(first.body.data.recordAccompanimentStep.steps.nodes).toHaveLength(stepsBefore + 1);
    const retry = await gql(token, STEP, { input });
    expect(retry.body.data.recordAccompanimentStep.steps.nodes).toHaveLength(stepsBefore + 1);
  });

  it('refuses an unknown accompaniment and a step a counsellor cannot date; nothing is written', async () => {
    expect(codes(await gql(token, STEP, { input: { idempotencyKey: key(), accompanimentId: 'cap-nope', kind: 'INTERVIEW', occurredOn: '2025-12-30' } }))).toEqual(['UNKNOWN_ACCOMPANIMENT']);
    expect(codes(await gql(token, STEP, { input: { idempotencyKey: key(), accompanimentId, kind: 'INTERVIEW', occurredOn: '2099-01-01' } }))).toEqual(['BAD_USER_INPUT']);
    const after = await gql(token, 'query($id: ID!) { capEmploiAccompaniment(id: $id) { steps { nodes { kind } } } }', { id: accompanimentId });
    expect(after.body.data.capEmploiAccompaniment.steps.nodes).toHaveLength(stepsBefore + 1);
  });
});

describe('Agefiph: an aid request and its decision', () => {
  const REQUEST = 'mutation($input: RequestAgefiphAidInput!) { requestAgefiphAid(input: $input) { id status amountRequested aidCode person { id } } }';
  const DECIDE = 'mutation($input: DecideAgefiphAidInput!) { decideAgefiphAid(input: $input) { id status amountGranted decidedOn } }';
  let counsellor: string;
  let caseManager: string;
  const subject = () => personAt(world(), 11);
  const countOf = async () => (await gql(caseManager, 'query($id: ID!) { person(id: $id) { agefiphAidRequests { totalCount } } }', { id: subject().id })).body.data.person.agefiphAidRequests.totalCount as number;
  beforeAll(async () => {
    counsellor = await tokenFor('cap-emploi', 'counsellor', { territory: [subject().departement] });
    caseManager = await tokenFor('agefiph', 'case-manager');
  });

  it('requests a business-creation aid, decides it, and retries of both return the first results', async () => {
    const before = await countOf();
    const input = { idempotencyKey: key(), aidCode: 'CREATION_ENTREPRISE', personId: subject().id, amountRequested: '6000.00', departement: subject().departement };
    const requested = await gql(counsellor, REQUEST, { input });
    expect(requested.body.errors).toBeUndefined();
    expect(requested.body.data.requestAgefiphAid).toMatchObject({ status: 'REQUESTED', amountRequested: '6000.00', person: { id: subject().id } });
    const id = requested.body.data.requestAgefiphAid.id;
    expect((await gql(counsellor, REQUEST, { input })).body.data.requestAgefiphAid.id).toBe(id);
    expect(await countOf()).toBe(before + 1);

    const decision = { idempotencyKey: key(), requestId: id, decision: 'GRANTED', amountGranted: '5500.00', note: 'Projet validé' };
    const decided = await gql(caseManager, DECIDE, { input: decision });
    expect(decided.body.data.decideAgefiphAid).toMatchObject({ id, status: 'GRANTED', amountGranted: '5500.00' });
    expect((await gql(caseManager, DECIDE, { input: decision })).body.data.decideAgefiphAid).toMatchObject({ id, status: 'GRANTED' });
    // A second decision under another key is refused: the request is already decided.
    expect(codes(await gql(caseManager, DECIDE, { input: { ...decision, idempotencyKey: key(), decision: 'REFUSED', amountGranted: null } }))).toEqual(['ALREADY_DECIDED']);
  });

  it('refuses an amount above the aid\'s ceiling, a bad SIRET, an unknown person; nothing is written', async () => {
    const before = await countOf();
    const base = { aidCode: 'CREATION_ENTREPRISE', personId: subject().id, amountRequested: '6000.01', departement: subject().departement };
    expect(codes(await gql(counsellor, REQUEST, { input: { ...base, idempotencyKey: key() } }))).toEqual(['AMOUNT_ABOVE_CEILING']);
    const employerAid = { idempotencyKey: key(), aidCode: 'EMBAUCHE_ALTERNANCE', employerSiret: '73282932000075', amountRequested: '1000.00', departement: subject().departement };
    expect(codes(await gql(counsellor, REQUEST, { input: employerAid }))).toEqual(['INVALID_SIRET']);
    expect(codes(await gql(counsellor, REQUEST, { input: { ...base, idempotencyKey: key(), amountRequested: '100.00', personId: 'psn_unknown0000000' } }))).toEqual(['UNKNOWN_PERSON']);
    expect(codes(await gql(counsellor, REQUEST, { input: { ...base, idempotencyKey: key(), amountRequested: '12.345' } }))).toEqual(['BAD_USER_INPUT']);
    expect(await countOf()).toBe(before);
  });
});

describe('FIPHFP: a public employer declares', () => {
  const SUBMIT = 'mutation($input: SubmitFiphfpDeclarationInput!) { submitFiphfpDeclaration(input: $input) { id year fteHeadcount beneficiaries directEmploymentRate contributionDue } }';
  let token: string;
  // The last public employer of the world: other suites read the first ones.
  const publicEmployer = () => {
    for (let i = employerCount(world()) - 1; ; i--) {
      const e = employerAt(world(), i);
      if (e.sector === 'PUBLIC' && e.headcount >= 20) return e;
    }
  };
  const declarations = async () => (await gql(await tokenFor('fiphfp', 'case-manager'), 'query($s: String!) { employer(siret: $s) { fiphfpDeclarations { totalCount } } }', { s: publicEmployer().siret })).body.data.employer.fiphfpDeclarations.totalCount as number;
  beforeAll(async () => {
    token = await tokenFor('fiphfp', 'service-account');
  });

  it('records the 2025 declaration with its rate and contribution, once', async () => {
    const before = await declarations();
    const e = publicEmployer();
    const input = { idempotencyKey: key(), siret: e.siret, year: 2025, fteHeadcount: 200, beneficiaries: 8 };
    const first = await gql(token, SUBMIT, { input });
    expect(first.body.errors).toBeUndefined();
    // 8 beneficiaries for 200 FTE: a direct rate of 4.00% against the 6% obligation.
    expect(first.body.data.submitFiphfpDeclaration).toMatchObject({ year: 2025, fteHeadcount: 200, beneficiaries: 8, directEmploymentRate: '4.00' });
    expect(Number(first.body.data.submitFiphfpDeclaration.contributionDue)).toBeGreaterThan(0);
    expect((await gql(token, SUBMIT, { input })).body.data.submitFiphfpDeclaration.id).toBe(first.body.data.submitFiphfpDeclaration.id);
    expect(await declarations()).toBe(before + 1);
    expect(codes(await gql(token, SUBMIT, { input: { ...input, idempotencyKey: key() } }))).toEqual(['DECLARATION_EXISTS']);
  });

  it('refuses a bad SIRET, more beneficiaries than staff, a private employer; nothing is written', async () => {
    const before = await declarations();
    const e = publicEmployer();
    expect(codes(await gql(token, SUBMIT, { input: { idempotencyKey: key(), siret: '35600000009090', year: 2024, fteHeadcount: 100, beneficiaries: 5 } }))).toEqual(['INVALID_SIRET']);
    expect(codes(await gql(token, SUBMIT, { input: { idempotencyKey: key(), siret: e.siret, year: 2020, fteHeadcount: 100, beneficiaries: 101 } }))).toEqual(['BAD_USER_INPUT']);
    expect(codes(await gql(token, SUBMIT, { input: { idempotencyKey: key(), siret: employerAt(world(), 0).siret, year: 2024, fteHeadcount: 100, beneficiaries: 5 } }))).toEqual(['UNKNOWN_EMPLOYER']);
    expect(await declarations()).toBe(before);
  });
});
