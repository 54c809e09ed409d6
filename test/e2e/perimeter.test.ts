// Each failure of issue 9's first list, replayed through the gateway with real tokens: what came back
// before and must not now. The perimeter crawler (perimeter-crawler.test.ts) proves the general
// property over every path; these tests name the cases that were found by hand.
import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { employer as employerAt, employerCount, person as personAt, type SyntheticPerson } from '../../subgraphs/kit/population.ts';
import { casesOf } from '../../subgraphs/cap-emploi/seed.ts';
import { codes, gql, tokenFor } from './client.ts';

const world = () => ({ seed: 'passerelle', scale: inject('seedScale') });
const key = () => `perimeter-${randomUUID()}`;
/** A national token: development tokens of the roles that may be national default to the whole country. */
const NATIONAL = {};

let residents: Map<string, SyntheticPerson>;
let employerDepartement: Map<string, string>;

beforeAll(() => {
  residents = new Map(Array.from({ length: world().scale }, (_, i) => personAt(world(), i)).map((p) => [p.id, p]));
  employerDepartement = new Map(Array.from({ length: employerCount(world()) }, (_, j) => employerAt(world(), j)).map((e) => [e.siret, e.departement]));
});

/** Every person id anywhere in a response. */
function personIds(value: unknown, out: string[] = []): string[] {
  if (Array.isArray(value)) for (const v of value) personIds(v, out);
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k === 'id' && typeof v === 'string' && v.startsWith('psn_')) out.push(v);
      else personIds(v, out);
    }
  }
  return out;
}

describe('a person id outside the caller territory does not come back through a reference', () => {
  interface Aid { id: string; agent: { id: string } | null; employer: { siret: string } }
  let moved: { aid: Aid; employerDep: string; agentDep: string };

  beforeAll(async () => {
    const fiphfp = await tokenFor('fiphfp', 'case-manager', NATIONAL);
    let after: string | null = null;
    for (let page = 0; page < 20 && !moved; page++) {
      const res = await gql(fiphfp, 'query($after: String) { fiphfpAidRequests(first: 100, after: $after) { nodes { id agent { id } employer { siret } } pageInfo { endCursor hasNextPage } } }', { after });
      const { nodes, pageInfo } = res.body.data.fiphfpAidRequests as { nodes: Aid[]; pageInfo: { endCursor: string; hasNextPage: boolean } };
      const aid = nodes.find((n) => n.agent && residents.get(n.agent.id)!.departement !== employerDepartement.get(n.employer.siret));
      if (aid) moved = { aid, employerDep: employerDepartement.get(aid.employer.siret)!, agentDep: residents.get(aid.agent!.id)!.departement };
      if (!pageInfo.hasNextPage) break;
      after = pageInfo.endCursor;
    }
    expect(moved, 'the synthetic world has an agent living outside the département of the employer').toBeDefined();
  });

  const agentsIn = (data: unknown) => personIds(data);

  it('employer(siret) → fiphfpAidRequests → agent, fiphfpAidRequest(id), fiphfpAidRequests and Employer.fundings hide the agent', async () => {
    const counsellor = await tokenFor('france-travail', 'counsellor', { territory: [moved.employerDep] });
    const responses = await Promise.all([
      gql(counsellor, 'query($s: String!) { employer(siret: $s) { fiphfpAidRequests(first: 100) { nodes { id agent { id } } } } }', { s: moved.aid.employer.siret }),
      gql(counsellor, 'query($id: ID!) { fiphfpAidRequest(id: $id) { id agent { id } } }', { id: moved.aid.id }),
      gql(counsellor, 'query($d: String) { fiphfpAidRequests(first: 100, filter: { departement: $d }) { nodes { id agent { id } } } }', { d: moved.employerDep }),
      gql(counsellor, 'query($s: String!) { employer(siret: $s) { fundings(first: 100) { nodes { ... on FiphfpAidRequest { id agent { id } } } } } }', { s: moved.aid.employer.siret }),
    ]);
    for (const res of responses) {
      expect(res.body.errors ?? []).toEqual([]);
      const seen = agentsIn(res.body.data);
      expect(seen).not.toContain(moved.aid.agent!.id);
      for (const id of seen) expect(residents.get(id)!.departement).toBe(moved.employerDep);
      expect(JSON.stringify(res.body.data)).not.toContain(moved.aid.id);
    }
    expect(responses[1].body.data.fiphfpAidRequest).toBeNull();
  });

  it('a FIPHFP case-manager with a territory reaches no agent of elsewhere through conventions → employer → aid requests', async () => {
    const manager = await tokenFor('fiphfp', 'case-manager', { territory: [moved.employerDep] });
    const res = await gql(manager, 'query($s: String!) { employer(siret: $s) { fiphfpConventions(first: 20) { nodes { employer { fiphfpAidRequests(first: 50) { nodes { agent { id } } } } } } fiphfpAidRequests(first: 100) { nodes { agent { id } } } } }', { s: moved.aid.employer.siret });
    expect(res.body.errors ?? []).toEqual([]);
    for (const id of agentsIn(res.body.data)) expect(residents.get(id)!.departement).toBe(moved.employerDep);
  });

  it('the counsellor of where the agent lives sees the aid', async () => {
    const counsellor = await tokenFor('france-travail', 'counsellor', { territory: [moved.agentDep] });
    const res = await gql(counsellor, 'query($id: ID!) { fiphfpAidRequest(id: $id) { id agent { id } } }', { id: moved.aid.id });
    expect(res.body.data.fiphfpAidRequest).toEqual({ id: moved.aid.id, agent: { id: moved.aid.agent!.id } });
  });
});

describe('a write for a person outside the territory is refused like one for an unknown person, revealing nothing', () => {
  const OPEN = 'mutation($input: OpenAccompanimentInput!) { openAccompaniment(input: $input) { id person { id } } }';
  const COUNT = 'query($id: ID!) { person(id: $id) { capEmploiAccompaniments { totalCount } } }';

  it('a Cap emploi counsellor of 27 cannot open an accompaniment for a person of 13 by typing "27", nor for a person who does not exist', async () => {
    const of13 = [...residents.values()].find((p) => p.departement === '13')!;
    const counsellor = await tokenFor('cap-emploi', 'counsellor', { territory: ['27'] });
    const input = (personId: string) => ({ idempotencyKey: key(), personId, departement: '27', kind: 'TOWARD_EMPLOYMENT', openedOn: '2025-06-02', counsellorId: 'ce-27-1-001' });
    const national = await tokenFor('cap-emploi', 'case-manager', NATIONAL);
    const before = (await gql(national, COUNT, { id: of13.id })).body.data.person.capEmploiAccompaniments.totalCount;
    const outside = await gql(counsellor, OPEN, { input: input(of13.id) });
    const unknown = await gql(counsellor, OPEN, { input: input('psn_doesnotexist0') });
    expect(codes(outside)).toEqual(['UNKNOWN_PERSON']);
    expect(outside.body.errors?.[0].message).toBe(unknown.body.errors?.[0].message);
    expect(codes(unknown)).toEqual(['UNKNOWN_PERSON']);
    expect((await gql(national, COUNT, { id: of13.id })).body.data.person.capEmploiAccompaniments.totalCount).toBe(before);
  });

  it('a person of elsewhere with an open accompaniment gets the same refusal: nothing says what they have', async () => {
    const open = [...residents.values()].filter((p) => p.departement !== '27').flatMap((p) => casesOf(world(), p))
      .map((c) => ({ kind: c.accompaniment.kind, status: c.accompaniment.status, person: { id: c.accompaniment.personId } }))
      .find((c) => c.status === 'OPEN')!;
    const counsellor = await tokenFor('cap-emploi', 'counsellor', { territory: ['27'] });
    const res = await gql(counsellor, OPEN, { input: { idempotencyKey: key(), personId: open.person.id, departement: '27', kind: open.kind, openedOn: '2025-06-02', counsellorId: 'ce-27-1-001' } });
    expect(codes(res)).toEqual(['UNKNOWN_PERSON']);
    expect(JSON.stringify(res.body)).not.toMatch(/already|TOWARD_EMPLOYMENT|JOB_RETENTION/);
  });
});

describe('idempotent replays go through the perimeter, and keys belong to their caller', () => {
  const RECORD = 'mutation($input: RecordOrientationInput!) { recordOrientation(input: $input) { id person { id } } }';

  it('the same key replayed by another caller of the same organisation is not the stored row', async () => {
    const person = [...residents.values()].find((p) => p.departement === '27')!;
    const input = { idempotencyKey: key(), personId: person.id, orientedTo: 'CAP_EMPLOI', track: 'EMPLOYMENT', decidedOn: '2025-10-01' };
    const first = await gql(await tokenFor('france-travail', 'counsellor', { territory: ['27'], subject: 'ft-27-a' }), RECORD, { input });
    expect(first.body.errors).toBeUndefined();
    const elsewhere = await gql(await tokenFor('france-travail', 'counsellor', { territory: ['13'], subject: 'ft-13-b' }), RECORD, { input });
    expect(codes(elsewhere)).toEqual(['UNKNOWN_PERSON']);
    expect(JSON.stringify(elsewhere.body)).not.toContain(first.body.data.recordOrientation.id);
    const sameSubjectMoved = await gql(await tokenFor('france-travail', 'counsellor', { territory: ['13'], subject: 'ft-27-a' }), RECORD, { input });
    expect(codes(sameSubjectMoved)).toEqual(['UNKNOWN_PERSON']);
    const colleague = await gql(await tokenFor('france-travail', 'counsellor', { territory: ['27'], subject: 'ft-27-c' }), RECORD, { input });
    expect(colleague.body.errors).toBeUndefined();
    expect(colleague.body.data.recordOrientation.id).not.toBe(first.body.data.recordOrientation.id);
  });
});

describe('reads are audited whatever path returned the person', () => {
  async function trail(personId: string, operation: string) {
    const dpo = await tokenFor('france-travail', 'dpo', NATIONAL);
    const res = await gql(dpo, 'query($id: ID!) { person(id: $id) { auditTrail(first: 100) { nodes { operation partner action fields } } } }', { id: personId });
    return (res.body.data.person.auditTrail.nodes as { operation: string; partner: string; action: string; fields: string[] }[]).filter((e) => e.operation === operation);
  }

  it('nodes reached through a fragment, Orientation.person and a mutation result are each recorded', async () => {
    const counsellor = await tokenFor('france-travail', 'counsellor', { territory: ['27'] });
    const op = `FragmentProbe${randomUUID().slice(0, 8)}`;
    const res = await gql(counsellor, `query ${op} { people(filter: { departement: "27" }, first: 3) { ...Page } } fragment Page on PersonConnection { nodes { ... on Person { id birthDate } } }`, {}, { operationName: op });
    const ids = personIds(res.body.data);
    expect(ids.length).toBeGreaterThan(0);
    for (const id of ids) expect((await trail(id, op)).flatMap((e) => e.fields)).toContain('Person.birthDate');

    const person = residents.get(ids[0])!;
    const write = `WriteProbe${randomUUID().slice(0, 8)}`;
    const written = await gql(counsellor, `mutation ${write}($input: RecordOrientationInput!) { recordOrientation(input: $input) { id person { lastName } } }`,
      { input: { idempotencyKey: key(), personId: person.id, orientedTo: 'FRANCE_TRAVAIL', track: 'EMPLOYMENT', decidedOn: '2025-10-02' } }, { operationName: write });
    expect(written.body.errors).toBeUndefined();
    const entries = await trail(person.id, write);
    expect(entries.some((e) => e.action === 'WRITE')).toBe(true);
    expect(entries.filter((e) => e.action === 'READ').flatMap((e) => e.fields)).toContain('Person.lastName');
  });
});
