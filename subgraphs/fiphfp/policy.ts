// FIPHFP's access policy: who reads which rows, who writes what. Enforced by the kit (rows in SQL,
// every returned object, every mutation); resolvers hold no access rule.
//
// | organisation              | public employers | agents, aid requests | declarations, conventions |
// |---------------------------|------------------|----------------------|---------------------------|
// | fiphfp                    | yes              | yes                  | yes                       |
// | dgefp (the State)         | yes              | no                   | yes                       |
// | cap-emploi, cheops        | yes              | yes                  | no                        |
// | france-travail            | yes              | yes                  | no                        |
// | agefiph (private sector)  | no               | no                   | no                        |
// Cap emploi serves public employers under the FIPHFP–Cheops convention (17 May 2017), hence its
// reading of employers and aids; France Travail reads aids because Person.fundings, Person.history
// and Employer.fundings are built from them; the State oversees the obligation. A caller with a
// territory sees an aid request for a named agent only if the agent lives in its territory (the
// aid is health data about that person, wherever the employer is), and the other rows of its
// départements (the employer's). Writes: declarations by FIPHFP, aid requests by FIPHFP or
// Cap emploi, decisions by FIPHFP.
import type { EntitySchema } from '@mikro-orm/core';
import type { PartnerPolicy, RowRule } from '../kit/policy.ts';
import { Agent, AidRequest, Declaration, EmployerConvention, PublicEmployer } from './entities.ts';

const AID_READERS = ['fiphfp', 'cap-emploi', 'cheops', 'france-travail'] as const;
const OVERSIGHT = ['fiphfp', 'dgefp'] as const;

export const policy: PartnerPolicy = {
  partner: 'FIPHFP',
  rows: new Map<EntitySchema<any, any>, RowRule>([
    [PublicEmployer, { readers: [...OVERSIGHT, 'cap-emploi', 'cheops', 'france-travail'], place: 'departement' }],
    [Agent, { readers: AID_READERS, person: 'personId' }],
    [AidRequest, { readers: AID_READERS, person: 'personId', place: 'departement' }],
    [Declaration, { readers: OVERSIGHT, place: 'departement' }],
    [EmployerConvention, { readers: OVERSIGHT, place: 'departement' }],
  ]),
  open: [],
  types: { FiphfpAidRequest: AidRequest, FundingReference: AidRequest },
  writes: {
    submitFiphfpDeclaration: { scope: 'declaration:write', writers: ['fiphfp'], row: Declaration, fields: [] },
    requestFiphfpAid: {
      scope: 'fiphfp:request', writers: ['fiphfp', 'cap-emploi'], row: AidRequest,
      fields: ['FiphfpAidRequest.aid', 'FiphfpAidRequest.amountRequested', 'FiphfpAidRequest.status', 'FiphfpAidRequest.requestedOn'],
    },
    decideFiphfpAid: {
      scope: 'fiphfp:decide', writers: ['fiphfp'], row: AidRequest,
      fields: ['FiphfpAidRequest.status', 'FiphfpAidRequest.amountGranted', 'FiphfpAidRequest.decidedOn', 'FiphfpAidRequest.decisionNote'],
    },
  },
};
