// The graph as one: a counsellor asks one query for a person's whole journey across the four
// partners, and one for an employer; the answers match the synthetic world every subgraph seeded.
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { employer as employerAt, person as personAt, type SyntheticPerson } from '../../subgraphs/kit/population.ts';
import { gql, tokenFor } from './client.ts';

const world = () => ({ seed: 'passerelle', scale: inject('seedScale') });

const JOURNEY = /* GraphQL */ `
  query PersonJourney($id: ID!) {
    person(id: $id) {
      id jobSeekerId firstName lastName birthDate departement
      registration { category registeredOn counsellorId agency { code departement } }
      disabilityStatus { boethCategory rqthValidUntil nature }
      orientation { orientedTo track decidedOn }
      capEmploiAccompaniments { totalCount nodes { kind status openedOn employer { siret name } } }
      agefiphAidRequests { totalCount nodes { id label status amountRequested } }
      fiphfpAidRequests { totalCount nodes { id label status employer { siret } } }
      history(first: 100) { totalCount nodes { occurredOn partner kind summary reference } }
      fundings(first: 100) { totalCount nodes { __typename id partner label status amountRequested requestedOn } }
    }
  }`;

describe('a person\'s journey across the four partners, in one query', () => {
  let token: string;
  let subject: SyntheticPerson;
  let journey: any;

  beforeAll(async () => {
    token = await tokenFor('france-travail', 'case-manager', { territory: ['*'] });
    // A person kept in a public-sector job by Cap emploi (FIPHFP aids) who also has an Agefiph file.
    const candidates = Array.from({ length: world().scale }, (_, i) => personAt(world(), i))
      .filter((p) => p.inEmploymentCase === 'JOB_RETENTION' && p.employerIndex !== null && employerAt(world(), p.employerIndex).sector === 'PUBLIC');
    for (const candidate of candidates) {
      const res = await gql(token, JOURNEY, { id: candidate.id });
      expect(res.body.errors).toBeUndefined();
      if (res.body.data.person.agefiphAidRequests.totalCount > 0) {
        subject = candidate;
        journey = res.body.data.person;
        break;
      }
    }
    expect(subject, 'the seed has a person known to all four partners').toBeDefined();
  });

  it('shows the registration France Travail recorded, as seeded', () => {
    expect(journey).toMatchObject({
      id: subject.id, jobSeekerId: subject.jobSeekerId, firstName: subject.firstName, lastName: subject.lastName,
      birthDate: subject.birthDate, departement: subject.departement,
      registration: { category: subject.category, registeredOn: subject.registeredOn, counsellorId: subject.counsellorId, agency: { code: subject.agencyCode, departement: subject.departement } },
      disabilityStatus: { boethCategory: subject.boethCategory, nature: subject.disabilityNature },
      orientation: { orientedTo: subject.orientation, track: subject.track, decidedOn: subject.orientedOn },
    });
  });

  it('shows the Cap emploi job-retention case with the public employer concerned', () => {
    const employer = employerAt(world(), subject.employerIndex!);
    const retention = journey.capEmploiAccompaniments.nodes.find((a: any) => a.kind === 'JOB_RETENTION');
    expect(retention.employer).toEqual({ siret: employer.siret, name: employer.name });
  });

  it('shows the FIPHFP aids the employer asked for this agent (ergonomic study, then workstation adaptation)', () => {
    const employer = employerAt(world(), subject.employerIndex!);
    expect(journey.fiphfpAidRequests.totalCount).toBe(2);
    expect(journey.fiphfpAidRequests.nodes.every((r: any) => r.employer.siret === employer.siret)).toBe(true);
  });

  it('merges the history of the four partners, newest first', () => {
    const events = journey.history.nodes as { occurredOn: string; partner: string; kind: string }[];
    expect(new Set(events.map((e) => e.partner))).toEqual(new Set(['FRANCE_TRAVAIL', 'CAP_EMPLOI', 'AGEFIPH', 'FIPHFP']));
    expect(events.map((e) => e.occurredOn)).toEqual([...events.map((e) => e.occurredOn)].sort().reverse());
    expect(events).toContainEqual(expect.objectContaining({ partner: 'FRANCE_TRAVAIL', kind: 'REGISTRATION', occurredOn: subject.registeredOn }));
  });

  it('lists every funding of every partner in one field, with each partner\'s amounts', () => {
    const fundings = journey.fundings.nodes as { __typename: string; id: string; partner: string; amountRequested: string; requestedOn: string }[];
    const agefiphIds = journey.agefiphAidRequests.nodes.map((r: any) => r.id);
    const fiphfpIds = journey.fiphfpAidRequests.nodes.map((r: any) => r.id);
    expect(fundings.filter((f) => f.__typename === 'AgefiphAidRequest').map((f) => f.id).sort()).toEqual([...agefiphIds].sort());
    expect(fundings.filter((f) => f.__typename === 'FiphfpAidRequest').map((f) => f.id).sort()).toEqual([...fiphfpIds].sort());
    expect(fundings.every((f) => /^\d+\.\d{2}$/.test(f.amountRequested))).toBe(true);
    expect(fundings.map((f) => f.requestedOn)).toEqual([...fundings.map((f) => f.requestedOn)].sort().reverse());
    expect(journey.fundings.totalCount).toBe(fundings.length);
  });
});

describe('an employer across the partners, in one query', () => {
  const EMPLOYER = /* GraphQL */ `
    query EmployerFile($siret: String!) {
      employer(siret: $siret) {
        siret siren name sector headcount departement nafCode
        jobOffers { totalCount nodes { title romeCode contractType } }
        agefiphAidRequests { totalCount nodes { id status } }
        publicService fteHeadcount
        fiphfpDeclarations { totalCount nodes { year directEmploymentRate contributionDue } }
        fundings(first: 100) { totalCount nodes { __typename id partner } }
      }
    }`;

  it('joins France Travail\'s directory and offers with FIPHFP\'s declarations for a public employer', async () => {
    // Declarations are FIPHFP's business: a FIPHFP case manager reads them (no Agefiph scope).
    const token = await tokenFor('fiphfp', 'case-manager');
    const index = Array.from({ length: 150 }, (_, i) => i).find((i) => employerAt(world(), i).sector === 'PUBLIC')!;
    const expected = employerAt(world(), index);
    const res = await gql(token, EMPLOYER.replace('agefiphAidRequests { totalCount nodes { id status } }', ''), { siret: expected.siret });
    expect(res.body.errors).toBeUndefined();
    const e = res.body.data.employer;
    expect(e).toMatchObject({ siret: expected.siret, siren: expected.siret.slice(0, 9), name: expected.name, sector: 'PUBLIC', headcount: expected.headcount, publicService: expected.publicService, fteHeadcount: expected.headcount });
    // The seeded years; another suite may have added the 2025 declaration since.
    expect(e.fiphfpDeclarations.nodes.map((d: any) => d.year)).toEqual(expect.arrayContaining([2021, 2022, 2023, 2024]));
    expect(e.fiphfpDeclarations.nodes[0].directEmploymentRate).toMatch(/^\d+\.\d{2}$/);
    expect(e.fundings.nodes.every((f: any) => f.partner === 'FIPHFP')).toBe(true);
  });

  it('joins the directory, offers and Agefiph aid requests for a private employer (La Poste rule SIRET)', async () => {
    const token = await tokenFor('france-travail', 'case-manager', { territory: ['*'] });
    const expected = employerAt(world(), 0);
    const res = await gql(token, EMPLOYER, { siret: expected.siret });
    expect(res.body.errors).toBeUndefined();
    const e = res.body.data.employer;
    expect(e).toMatchObject({ siret: '35600000009075', name: expected.name, sector: 'PRIVATE', publicService: null, fiphfpDeclarations: { totalCount: 0 } });
    expect(e.fundings.nodes.map((f: any) => f.id).sort()).toEqual(e.agefiphAidRequests.nodes.map((r: any) => r.id).sort());
  });

  it('answers a malformed SIRET with INVALID_SIRET', async () => {
    const res = await gql(await tokenFor('france-travail', 'counsellor'), EMPLOYER, { siret: '35600000009090' });
    expect(res.body.errors?.[0]?.extensions?.code).toBe('INVALID_SIRET');
    expect(res.body.data?.employer ?? null).toBeNull();
  });
});
