// FIPHFP's tables: the public employers it knows (copied from the directory at seed time, with the
// three public services and the FTE headcount), the agents of those employers, the yearly
// declarations of the 6% obligation, aid requests and the multi-year conventions.
// Every row carries the `departement` of its employer, so that territory filters run in SQL.
import { defineEntity, p, type EntitySchema, type InferEntity } from '@mikro-orm/core';

export const PublicEmployer = defineEntity({
  name: 'FiphfpPublicEmployer',
  tableName: 'public_employer',
  properties: {
    siret: p.string().primary(),
    name: p.string(),
    /** STATE | TERRITORIAL | HOSPITAL. */
    publicService: p.string().index(),
    fteHeadcount: p.integer(),
    departement: p.string().index(),
    regionCode: p.string(),
  },
});

/** A person of the shared population employed by a public employer (an "agent"). */
export const Agent = defineEntity({
  name: 'FiphfpAgent',
  tableName: 'agent',
  properties: {
    personId: p.string().primary(),
    siret: p.string().index(),
    departement: p.string().index(),
  },
});

export const Declaration = defineEntity({
  name: 'FiphfpDeclaration',
  tableName: 'declaration',
  uniques: [{ properties: ['siret', 'year'] }],
  properties: {
    id: p.string().primary(),
    siret: p.string().index(),
    departement: p.string().index(),
    year: p.integer(),
    fteHeadcount: p.integer(),
    beneficiaries: p.integer(),
    /** Beneficiaries by category; all zero when the employer declared only a total. */
    rqth: p.integer(),
    workAccidentPension: p.integer(),
    invalidityPension: p.integer(),
    warDisabled: p.integer(),
    volunteerFirefighter: p.integer(),
    mobilityInclusionCard: p.integer(),
    aah: p.integer(),
    reclassifiedAgent: p.integer(),
    temporaryInvalidityAllowance: p.integer(),
    /** Exact rate in basis points of a percent (561 = 5.61%), never a float. */
    rateBasisPoints: p.integer(),
    missingBeneficiaries: p.integer(),
    hourlySmicCents: p.integer(),
    unitAmountCents: p.integer(),
    deductibleExpensesCents: p.bigint('number'),
    contributionCents: p.bigint('number'),
    submittedOn: p.date(),
  },
});

/** One declaration per employer and year: its id says which. */
export function declarationId(siret: string, year: number): string {
  return `fpd_${siret}_${year}`;
}

export const AidRequest = defineEntity({
  name: 'FiphfpAidRequest',
  tableName: 'aid_request',
  properties: {
    id: p.string().primary(),
    siret: p.string().index(),
    departement: p.string().index(),
    /** The agent the aid is for; null for an aid to the employer as a whole (a study, an apprenticeship plan...). */
    personId: p.string().nullable().index(),
    aidCode: p.string(),
    /** Hours of interpreting, for aids paid by the hour. */
    hours: p.integer().nullable(),
    amountRequestedCents: p.integer(),
    amountGrantedCents: p.integer().nullable(),
    status: p.string().index(),
    requestedOn: p.date(),
    decidedOn: p.date().nullable(),
    decisionNote: p.text().nullable(),
  },
});

export const EmployerConvention = defineEntity({
  name: 'FiphfpEmployerConvention',
  tableName: 'employer_convention',
  properties: {
    id: p.string().primary(),
    siret: p.string().index(),
    departement: p.string().index(),
    fteHeadcount: p.integer(),
    signedOn: p.date(),
    startsOn: p.date(),
    endsOn: p.date(),
    amountCommittedCents: p.bigint('number'),
    /** NATIONAL or LOCAL. */
    committeeLevel: p.string(),
    /** The local committee (named after its region); null for the national committee. */
    committeeRegion: p.string().nullable(),
  },
});

export type PublicEmployerRow = InferEntity<typeof PublicEmployer>;
export type AgentRow = InferEntity<typeof Agent>;
export type DeclarationRow = InferEntity<typeof Declaration>;
export type AidRequestRow = InferEntity<typeof AidRequest>;
export type EmployerConventionRow = InferEntity<typeof EmployerConvention>;

export const entities: EntitySchema<any, any>[] = [PublicEmployer, Agent, Declaration, AidRequest, EmployerConvention];
