// Agefiph's table: the aid requests with their decisions (where people live: kit/person-directory.ts).
// Amounts are integer cents; dates are 'YYYY-MM-DD'. Every row carries the département it is
// handled in, so that territory filtering happens in SQL.
import { defineEntity, p, type InferEntity } from '@mikro-orm/core';

export const AidRequest = defineEntity({
  name: 'AgefiphAidRequest',
  tableName: 'aid_request',
  properties: {
    id: p.string().primary(),
    aidCode: p.string().index(),
    /** Catalogue version the request was filed under (its ceiling rules apply). */
    catalogueVersion: p.string(),
    /** The person concerned: the beneficiary of a person aid, the employee of an employer aid. */
    personId: p.string().nullable().index(),
    employerSiret: p.string().nullable().index(),
    /** The person's département when a person is concerned, otherwise the employer's. */
    departement: p.string().index(),
    requesterOrganisation: p.string(),
    requesterSubject: p.string(),
    amountRequestedCents: p.integer(),
    amountGrantedCents: p.integer().nullable(),
    /** Disability-related extra cost stated for an aid paid as a share of it. */
    extraCostCents: p.integer().nullable(),
    /** AETH only: STANDARD or HIGHER rate, and working time of the post in percent. */
    aethRate: p.string().nullable(),
    workTimePercent: p.integer().nullable(),
    /** PAS only: the kind of specific support (health data). */
    supportType: p.string().nullable(),
    status: p.string().index(),
    requestedOn: p.date(),
    decidedOn: p.date().nullable(),
    note: p.text().nullable(),
  },
  indexes: [{ properties: ['departement', 'requestedOn'] }],
});
export type AidRequest = InferEntity<typeof AidRequest>;

export const entities = [AidRequest];
