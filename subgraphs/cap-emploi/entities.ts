// The tables of the cap-emploi subgraph. Every row a territory can restrict carries a `departement`
// column (copied from the person, the employer or the organisation at seed or write time) so that
// the restriction is a SQL filter and totalCount stays right.
import { defineEntity, p, type EntitySchema, type InferEntity } from '@mikro-orm/core';

/** One of the 98 Cap emploi organisations (organismes de placement spécialisés). */
export const CapEmploiOrganisation = defineEntity({
  name: 'CapEmploiOrganisation',
  tableName: 'organisation',
  properties: {
    id: p.string().primary(),
    name: p.string(),
    /** Département of the head office. */
    seatDepartement: p.string().index(),
    regionName: p.string(),
    counsellorCount: p.integer(),
  },
});

/** Which départements an organisation covers (a few organisations cover two). */
export const CapEmploiCoverage = defineEntity({
  name: 'CapEmploiCoverage',
  tableName: 'organisation_departement',
  properties: {
    id: p.string().primary(),
    organisationId: p.string().index(),
    departement: p.string().index(),
  },
});

export const CapEmploiSite = defineEntity({
  name: 'CapEmploiSite',
  tableName: 'site',
  properties: {
    id: p.string().primary(),
    organisationId: p.string().index(),
    departement: p.string().index(),
    name: p.string(),
    kind: p.string(),
    /** SAFIR code of the France Travail agency hosting the site (lieu unique d'accompagnement). */
    franceTravailAgencyCode: p.string().nullable(),
  },
});

export const CapEmploiAccompaniment = defineEntity({
  name: 'CapEmploiAccompaniment',
  tableName: 'accompaniment',
  properties: {
    id: p.string().primary(),
    personId: p.string().index(),
    organisationId: p.string().index(),
    counsellorId: p.string().index(),
    departement: p.string().index(),
    kind: p.string(),
    status: p.string(),
    outcome: p.string().nullable(),
    openedOn: p.date(),
    closedOn: p.date().nullable(),
    employerSiret: p.string().nullable().index(),
    /** Work restrictions of a job-retention case (health data: read with health:read only). */
    medicalRestrictions: p.text().nullable(),
    /** The retention a watch (action de veille) follows. */
    followsAccompanimentId: p.string().nullable().index(),
    /** Number of steps recorded; the guard of a write (a concurrent step on the same accompaniment is refused). */
    revision: p.integer(),
  },
});

export const CapEmploiStep = defineEntity({
  name: 'CapEmploiStep',
  tableName: 'accompaniment_step',
  properties: {
    id: p.string().primary(),
    accompanimentId: p.string().index(),
    /** 1, 2, 3... within the accompaniment, in date order. */
    sequence: p.integer(),
    personId: p.string().index(),
    departement: p.string().index(),
    kind: p.string(),
    occurredOn: p.date(),
    note: p.text().nullable(),
    /** Subject of the token that recorded the step (null for seeded history). */
    recordedBy: p.string().nullable(),
  },
});

export const CapEmploiEmployerService = defineEntity({
  name: 'CapEmploiEmployerService',
  tableName: 'employer_service',
  properties: {
    id: p.string().primary(),
    employerSiret: p.string().index(),
    organisationId: p.string(),
    departement: p.string().index(),
    kind: p.string(),
    deliveredOn: p.date(),
    summary: p.text(),
  },
});

/** Id of the n-th step of an accompaniment, seeded or recorded. */
export function stepId(accompanimentId: string, sequence: number): string {
  return `${accompanimentId}_s${sequence}`;
}

export type OrganisationRow = InferEntity<typeof CapEmploiOrganisation>;
export type CoverageRow = InferEntity<typeof CapEmploiCoverage>;
export type SiteRow = InferEntity<typeof CapEmploiSite>;
export type AccompanimentRow = InferEntity<typeof CapEmploiAccompaniment>;
export type StepRow = InferEntity<typeof CapEmploiStep>;
export type EmployerServiceRow = InferEntity<typeof CapEmploiEmployerService>;

export const entities: EntitySchema<any, any>[] = [
  CapEmploiOrganisation, CapEmploiCoverage, CapEmploiSite, CapEmploiAccompaniment, CapEmploiStep, CapEmploiEmployerService,
];
