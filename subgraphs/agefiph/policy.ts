// Agefiph's access policy: who reads which rows, who writes what. Enforced by the kit (rows in SQL,
// every returned object, every mutation); resolvers hold no access rule.
// - Aid requests are read by Agefiph staff and by the counsellors and case managers of France
//   Travail and Cap emploi, who file requests for the people and employers they accompany. FIPHFP
//   (public sector: its own fund), DGEFP, Cheops, analysts (they use statistics) and data
//   protection officers (they read the audit trail) see none.
// - Inside that, a caller with a territory sees a request for a person only if the person lives in
//   its territory, and a request for an employer alone if it is handled in its départements.
// - Filing: the organisations that read requests, with aid:request. Deciding: Agefiph, with aid:decide.
// The catalogue is reference data (catalogue.ts, not a table).
import type { EntitySchema } from '@mikro-orm/core';
import type { PartnerPolicy, RowRule } from '../kit/policy.ts';
import { AidRequest } from './entities.ts';

const FIELD = (names: string[]) => names.map((f) => `AgefiphAidRequest.${f}`);

export const policy: PartnerPolicy = {
  partner: 'AGEFIPH',
  rows: new Map<EntitySchema<any, any>, RowRule>([
    [AidRequest, {
      readers: ['agefiph', 'france-travail', 'cap-emploi'], roles: ['counsellor', 'case-manager', 'service-account'],
      person: 'personId', place: 'departement',
    }],
  ]),
  open: [],
  types: { AgefiphAidRequest: AidRequest, FundingReference: AidRequest },
  writes: {
    requestAgefiphAid: {
      scope: 'aid:request', writers: ['agefiph', 'france-travail', 'cap-emploi'], row: AidRequest,
      fields: FIELD(['aidCode', 'amountRequested', 'employer', 'extraCost', 'aethRate', 'workTimePercent', 'supportType', 'status', 'requestedOn']),
    },
    decideAgefiphAid: { scope: 'aid:decide', writers: ['agefiph'], row: AidRequest, fields: FIELD(['status', 'amountGranted', 'decidedOn', 'note']) },
  },
};
