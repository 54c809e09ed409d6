// France Travail's tables. Ids are text; people and employers carry the ids of the shared world.
// Every row about a person carries the person's département, so row access filters in SQL.
import { defineEntity, p, type InferEntity } from '@mikro-orm/core';

export const JobSeeker = defineEntity({
  name: 'JobSeeker',
  tableName: 'job_seeker',
  properties: {
    id: p.string().primary(),
    jobSeekerId: p.string().unique(),
    firstName: p.string(),
    lastName: p.string(),
    /** Names folded for search (lower case, no accents): the same on SQLite and PostgreSQL. */
    lastNameKey: p.string().index(),
    firstNameKey: p.string(),
    sex: p.string(),
    birthDate: p.date(),
    departement: p.string().index(),
    registeredOn: p.date(),
    category: p.string(),
    agencyCode: p.string(),
    counsellorId: p.string().index(),
    boethCategory: p.string(),
    rqthDecidedOn: p.date().nullable(),
    rqthValidUntil: p.date().nullable(),
    disabilityNature: p.string(),
  },
});
export type JobSeeker = InferEntity<typeof JobSeeker>;

export const Orientation = defineEntity({
  name: 'Orientation',
  tableName: 'orientation',
  properties: {
    id: p.string().primary(),
    personId: p.string().index(),
    departement: p.string(),
    orientedTo: p.string(),
    track: p.string(),
    decidedOn: p.date(),
    jointDiagnosticOn: p.date().nullable(),
    disabilityImpact: p.string().nullable(),
    recordedBy: p.string(),
    /**
     * When it was recorded (the subgraph's clock): of two orientations decided the same day, the one
     * recorded last is in force (a correction). Always set when written; null only on rows of an
     * embedded SQLite file older than the column (SQLite cannot add a NOT NULL column to a filled
     * table), which then count as recorded before any other. PostgreSQL's migration backfills.
     */
    recordedAt: p.datetime().nullable(),
  },
});
export type Orientation = InferEntity<typeof Orientation>;

export const Training = defineEntity({
  name: 'Training',
  tableName: 'training',
  properties: {
    id: p.string().primary(),
    personId: p.string().index(),
    departement: p.string(),
    title: p.string(),
    provider: p.string(),
    romeCode: p.string(),
    romeVersion: p.string(),
    startsOn: p.date(),
    endsOn: p.date(),
    financingId: p.string().unique(),
    financer: p.string(),
    financingLabel: p.string(),
    status: p.string(),
    amountRequestedCents: p.integer(),
    amountGrantedCents: p.integer().nullable(),
    requestedOn: p.date(),
    decidedOn: p.date().nullable(),
  },
});
export type Training = InferEntity<typeof Training>;

export const ReturnToEmployment = defineEntity({
  name: 'ReturnToEmployment',
  tableName: 'return_to_employment',
  properties: {
    id: p.string().primary(),
    personId: p.string().index(),
    departement: p.string(),
    startedOn: p.date(),
    contractType: p.string(),
    romeCode: p.string(),
    employerSiret: p.string().nullable(),
  },
});
export type ReturnToEmployment = InferEntity<typeof ReturnToEmployment>;

export const Establishment = defineEntity({
  name: 'Establishment',
  tableName: 'establishment',
  properties: {
    siret: p.string().primary(),
    siren: p.string().index(),
    name: p.string(),
    nameKey: p.string(),
    nafCode: p.string(),
    nafVersion: p.string(),
    sector: p.string(),
    departement: p.string().index(),
    headcount: p.integer(),
  },
});
export type Establishment = InferEntity<typeof Establishment>;

export const JobOffer = defineEntity({
  name: 'JobOffer',
  tableName: 'job_offer',
  properties: {
    id: p.string().primary(),
    employerSiret: p.string().index(),
    title: p.string(),
    romeCode: p.string(),
    romeVersion: p.string(),
    contractType: p.string(),
    departement: p.string().index(),
    postedOn: p.date(),
  },
});
export type JobOffer = InferEntity<typeof JobOffer>;

export const Agency = defineEntity({
  name: 'Agency',
  tableName: 'agency',
  properties: {
    code: p.string().primary(),
    name: p.string(),
    departement: p.string().index(),
    singleAccompanimentPlace: p.boolean(),
  },
});
export type Agency = InferEntity<typeof Agency>;

export const entities = [JobSeeker, Orientation, Training, ReturnToEmployment, Establishment, JobOffer, Agency];
