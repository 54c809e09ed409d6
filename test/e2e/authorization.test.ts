// Field authorisation (declared in the schemas, enforced by the gateway) and row authorisation
// (enforced by the subgraph that owns the rows), attacked the ways a curious caller would.
import { beforeAll, describe, expect, inject, it } from 'vitest';
import type { Organisation, Role } from '../../subgraphs/kit/caller.ts';
import { employer as employerAt, person as personAt, type SyntheticPerson } from '../../subgraphs/kit/population.ts';
import { gql, tokenFor, type GraphQLResponse } from './client.ts';

const world = () => ({ seed: 'passerelle', scale: inject('seedScale') });
const people = () => Array.from({ length: world().scale }, (_, i) => personAt(world(), i));

function forbiddenPaths(res: GraphQLResponse): string[] {
  return (res.body.errors ?? []).filter((e) => e.extensions?.code === 'FORBIDDEN').map((e) => (e.path ?? []).join('.'));
}

/** True when the response refused `path` (or one of its parents) with FORBIDDEN. */
function refused(res: GraphQLResponse, path: string): boolean {
  return forbiddenPaths(res).some((p) => path === p || path.startsWith(`${p}.`));
}

describe('sensitive fields, role by role', () => {
  const retained = () => people().find((p) => p.inEmploymentCase === 'JOB_RETENTION' && p.orientation === 'CAP_EMPLOI')!;
  const SENSITIVE: { field: string; path: string; query: (p: SyntheticPerson) => [string, object] }[] = [
    { field: 'Person.disabilityStatus (nature of the handicap)', path: 'person.disabilityStatus', query: (p) => ['query($id: ID!) { person(id: $id) { disabilityStatus { nature } } }', { id: p.id }] },
    { field: 'Orientation.disabilityImpact', path: 'person.orientation.disabilityImpact', query: (p) => ['query($id: ID!) { person(id: $id) { orientation { disabilityImpact } } }', { id: p.id }] },
    { field: 'CapEmploiAccompaniment.medicalRestrictions', path: 'person.capEmploiAccompaniments.nodes.medicalRestrictions', query: (p) => ['query($id: ID!) { person(id: $id) { capEmploiAccompaniments { nodes { medicalRestrictions } } } }', { id: p.id }] },
    { field: 'AgefiphAidRequest.note (decision note)', path: 'agefiphAidRequests.nodes.note', query: () => ['{ agefiphAidRequests(first: 5) { nodes { note } } }', {}] },
    { field: 'FiphfpAidRequest.decisionNote', path: 'fiphfpAidRequests.nodes.decisionNote', query: () => ['{ fiphfpAidRequests(first: 5) { nodes { decisionNote } } }', {}] },
    { field: 'Person.auditTrail', path: 'person.auditTrail', query: (p) => ['query($id: ID!) { person(id: $id) { auditTrail { totalCount } } }', { id: p.id }] },
  ];
  // Expected from the scope matrix of the README (gateway/scope-matrix.ts).
  const ALLOWED: Record<string, string[]> = {
    'france-travail/counsellor': ['Person.disabilityStatus (nature of the handicap)', 'Orientation.disabilityImpact', 'CapEmploiAccompaniment.medicalRestrictions'],
    'cap-emploi/counsellor': ['Person.disabilityStatus (nature of the handicap)', 'Orientation.disabilityImpact', 'CapEmploiAccompaniment.medicalRestrictions'],
    'agefiph/case-manager': ['Person.disabilityStatus (nature of the handicap)', 'Orientation.disabilityImpact', 'AgefiphAidRequest.note (decision note)'],
    'fiphfp/case-manager': ['FiphfpAidRequest.decisionNote'],
    'dgefp/analyst': [],
    'france-travail/dpo': ['Person.auditTrail'],
  };

  for (const [who, allowed] of Object.entries(ALLOWED)) {
    const [organisation, role] = who.split('/') as [Organisation, Role];
    for (const sensitive of SENSITIVE) {
      const expected = allowed.includes(sensitive.field);
      it(`${who} ${expected ? 'reads' : 'cannot read'} ${sensitive.field}`, async () => {
        const [query, variables] = sensitive.query(retained());
        const res = await gql(await tokenFor(organisation, role, role === 'counsellor' ? { territory: [retained().departement] } : {}), query, variables as Record<string, unknown>);
        expect(refused(res, sensitive.path)).toBe(!expected);
        if (!expected) expect(JSON.stringify(res.body.data ?? {})).not.toMatch(/"(nature|disabilityImpact|medicalRestrictions|note|decisionNote|auditTrail)":/);
      });
    }
  }
});

describe('no way around the field rules', () => {
  let fiphfp: string;
  let counsellor: string;
  let subject: SyntheticPerson;
  beforeAll(async () => {
    fiphfp = await tokenFor('fiphfp', 'case-manager'); // no health:read
    counsellor = await tokenFor('france-travail', 'case-manager', { territory: ['*'] }); // a counsellor's scopes, nationally: aid:read but no aid:notes
    subject = people().find((p) => p.orientation === 'CAP_EMPLOI')!;
  });

  it('an alias does not hide a forbidden field, and the rest of the query executes', async () => {
    const res = await gql(fiphfp, 'query($id: ID!) { p: person(id: $id) { id who: lastName health: disabilityStatus { nature } } }', { id: subject.id });
    expect(forbiddenPaths(res)).toEqual(['p.health']);
    expect(res.body.data.p).toEqual({ id: subject.id, who: subject.lastName });
  });

  it('a named fragment does not hide a forbidden field', async () => {
    const res = await gql(fiphfp, 'query($id: ID!) { person(id: $id) { id ...Health } } fragment Health on Person { disabilityStatus { nature boethCategory } }', { id: subject.id });
    expect(forbiddenPaths(res)).toEqual(['person.disabilityStatus']);
    expect(res.body.data.person).toEqual({ id: subject.id });
  });

  it('an inline fragment on an interface implementation does not hide a forbidden field', async () => {
    const withAgefiph = await (async () => {
      for (const p of people()) {
        const r = await gql(counsellor, 'query($id: ID!) { person(id: $id) { agefiphAidRequests { totalCount } } }', { id: p.id });
        if (r.body.data.person?.agefiphAidRequests.totalCount) return p;
      }
      return undefined;
    })();
    const res = await gql(counsellor, 'query($id: ID!) { person(id: $id) { fundings { nodes { __typename id ... on AgefiphAidRequest { note label } } } } }', { id: withAgefiph!.id });
    expect(forbiddenPaths(res)).toEqual(['person.fundings.nodes.note']);
    const nodes = res.body.data.person.fundings.nodes as Record<string, unknown>[];
    expect(nodes.some((n) => n.__typename === 'AgefiphAidRequest' && typeof n.label === 'string')).toBe(true);
    expect(nodes.every((n) => !('note' in n))).toBe(true);
  });

  it('the same field read twice under different aliases is refused twice', async () => {
    const res = await gql(fiphfp, 'query($id: ID!) { person(id: $id) { a: disabilityStatus { nature } b: disabilityStatus { nature } } }', { id: subject.id });
    expect(forbiddenPaths(res).sort()).toEqual(['person.a', 'person.b']);
  });

  it('a mutation the caller may not run is refused before any subgraph writes', async () => {
    const res = await gql(fiphfp, 'mutation { recordOrientation(input: { idempotencyKey: "forbidden-001", personId: "x", orientedTo: CAP_EMPLOI, track: EMPLOYMENT, decidedOn: "2025-01-01" }) { id } }');
    expect(forbiddenPaths(res)).toEqual(['recordOrientation']);
    expect(res.body.data ?? null).toBeNull();
  });

  it('_entities and _service, the subgraphs\' entry points, are not reachable through the gateway', async () => {
    for (const query of [
      `{ _entities(representations: [{ __typename: "Person", id: "${subject.id}" }]) { ... on Person { disabilityStatus { nature } } } }`,
      '{ _service { sdl } }',
    ]) {
      const res = await gql(fiphfp, query);
      expect(res.body.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
      expect(res.body.data ?? null).toBeNull();
    }
  });

  it('a plumbing field of the federation (@inaccessible) cannot be asked for', async () => {
    const res = await gql(counsellor, 'query($id: ID!) { person(id: $id) { agefiphEvents { summary } } }', { id: subject.id });
    expect(res.body.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
  });
});

describe('rows: a counsellor of the Eure (27) and a person of the Bouches-du-Rhône (13)', () => {
  let eure: string;
  let marseille: SyntheticPerson;
  beforeAll(async () => {
    eure = await tokenFor('cap-emploi', 'counsellor', { territory: ['27'] });
    marseille = people().find((p) => p.departement === '13')!;
  });

  it('gets null for the person of 13 asked by id, and the person of 27 normally', async () => {
    const res = await gql(eure, 'query($id: ID!) { person(id: $id) { id lastName } }', { id: marseille.id });
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data.person).toBeNull();
    const local = people().find((p) => p.departement === '27')!;
    expect((await gql(eure, 'query($id: ID!) { person(id: $id) { id } }', { id: local.id })).body.data.person).toEqual({ id: local.id });
  });

  it('does not find people of 13 by search, and the counts say so', async () => {
    const byDepartement = await gql(eure, '{ people(filter: { departement: "13" }) { totalCount nodes { id } } }');
    expect(byDepartement.body.data.people).toEqual({ totalCount: 0, nodes: [] });
    const byName = await gql(eure, 'query($n: String!) { people(filter: { lastName: $n }, first: 100) { totalCount nodes { id departement } } }', { n: marseille.lastName });
    expect(byName.body.data.people.nodes.every((p: any) => p.departement === '27')).toBe(true);
    expect(byName.body.data.people.totalCount).toBe(byName.body.data.people.nodes.length);
    const national = await gql(await tokenFor('cap-emploi', 'case-manager', { territory: ['*'] }), 'query($n: String!) { people(filter: { lastName: $n }, first: 100) { nodes { id } } }', { n: marseille.lastName });
    expect(national.body.data.people.nodes.map((p: any) => p.id)).toContain(marseille.id);
  });

  it('gets no history, accompaniment or aid of the person of 13 through the federation (_entities)', async () => {
    const res = await gql(eure, 'query($id: ID!) { person(id: $id) { capEmploiAccompaniments { totalCount } agefiphAidRequests { totalCount } } }', { id: marseille.id });
    expect(res.body.data.person).toBeNull();
  });

  it('does not see an agent of another département through an employer of its own département (_entities on Person)', async () => {
    // A public employer of the counsellor's département that keeps in its job an agent living elsewhere.
    const agent = people().find((p) => p.inEmploymentCase === 'JOB_RETENTION' && p.employerIndex !== null
      && employerAt(world(), p.employerIndex).sector === 'PUBLIC' && employerAt(world(), p.employerIndex).departement !== p.departement)!;
    const employer = employerAt(world(), agent.employerIndex!);
    const local = await tokenFor('france-travail', 'counsellor', { territory: [employer.departement] });
    const res = await gql(local, 'query($s: String!) { employer(siret: $s) { fiphfpAidRequests(first: 100) { nodes { id agent { id lastName } } } } }', { s: employer.siret });
    // An agent France Travail does not show comes back null; the gateway says so with an error naming
    // nothing (before, its `valueCompletion` extension did, with the type and field).
    expect((res.body.errors ?? []).filter((e) => e.extensions?.code !== 'INTERNAL_SERVER_ERROR' || e.message !== 'internal error' || !e.path?.includes('agent'))).toEqual([]);
    const agents = res.body.data.employer.fiphfpAidRequests.nodes.map((n: any) => n.agent);
    expect(agents.length).toBeGreaterThan(0);
    expect(agents.filter((a: any) => a?.id === agent.id)).toEqual([]);
    expect(JSON.stringify(res.body)).not.toContain(agent.id);
    // The same question from the agent's own département shows the agent.
    const theirs = await tokenFor('france-travail', 'counsellor', { territory: [employer.departement, agent.departement] });
    const again = await gql(theirs, 'query($s: String!) { employer(siret: $s) { fiphfpAidRequests(first: 100) { nodes { agent { id } } } } }', { s: employer.siret });
    expect(again.body.data.employer.fiphfpAidRequests.nodes.map((n: any) => n.agent?.id)).toContain(agent.id);
  });

  it('cannot record anything for the person of 13', async () => {
    const res = await gql(eure, 'mutation($id: ID!) { recordOrientation(input: { idempotencyKey: "eure-to-13-0001", personId: $id, orientedTo: CAP_EMPLOI, track: EMPLOYMENT, decidedOn: "2025-06-01" }) { id } }', { id: marseille.id });
    expect(res.body.errors?.[0]?.extensions?.code).toBe('UNKNOWN_PERSON');
    const orientations = await gql(await tokenFor('france-travail', 'case-manager', { territory: ['*'] }), 'query($id: ID!) { person(id: $id) { orientations { totalCount } } }', { id: marseille.id });
    expect(orientations.body.data.person.orientations.totalCount).toBe(1);
  });
});

describe('analysts read aggregates only', () => {
  it('an analyst reads a table whose small cells are hidden, and no person', async () => {
    const analyst = await tokenFor('dgefp', 'analyst');
    const table = await gql(analyst, '{ jobSeekerStatistics(dimension: DEPARTEMENT) { threshold total { count } cells { key count suppressedBecause } } }');
    const cells = table.body.data.jobSeekerStatistics.cells as { key: string; count: number | null; suppressedBecause: string | null }[];
    expect(table.body.data.jobSeekerStatistics.total.count).toBe(world().scale);
    // A shown cell counts 11 people or more, or none (a département with no registration).
    expect(cells.filter((c) => c.count !== null).every((c) => c.count === 0 || c.count! >= 11)).toBe(true);
    expect(cells.some((c) => c.suppressedBecause === 'SMALL_CELL')).toBe(true);
    // Subtraction: the total minus the shown cells never isolates one hidden cell.
    expect(cells.filter((c) => c.count === null).length === 0 || cells.filter((c) => c.count === null).length >= 2).toBe(true);
    const person = await gql(analyst, `{ person(id: "${personAt(world(), 0).id}") { id } people { totalCount } }`);
    expect(forbiddenPaths(person).sort()).toEqual(['people', 'person']);
  });

  it('a counsellor cannot read the statistics', async () => {
    const res = await gql(await tokenFor('cap-emploi', 'counsellor'), '{ jobSeekerStatistics(dimension: SEX) { total { count } } }');
    expect(forbiddenPaths(res)).toEqual(['jobSeekerStatistics']);
  });
});
