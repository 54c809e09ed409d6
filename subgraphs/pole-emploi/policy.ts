// France Travail's access policy: who reads which rows, who writes what. Enforced by the kit (rows
// in SQL, every returned object, every mutation); resolvers hold no access rule.
// - People and what France Travail records about them (orientations, trainings and their
//   financing, returns to employment): every partner organisation, within the fields its scopes
//   open (gateway), and, for a caller with a territory, only people who live in it.
// - The employer directory, job offers and agencies are not personal data: open to any
//   authenticated caller.
// - Recording an orientation: France Travail and Cap emploi (the joint diagnostic), with
//   orientation:write, for a person inside their perimeter.
import type { EntitySchema } from '@mikro-orm/core';
import { EVERY_ORGANISATION, type PartnerPolicy, type RowRule } from '../kit/policy.ts';
import { Agency, Establishment, JobOffer, JobSeeker, Orientation, ReturnToEmployment, Training } from './entities.ts';

export const policy: PartnerPolicy = {
  partner: 'FRANCE_TRAVAIL',
  rows: new Map<EntitySchema<any, any>, RowRule>([
    [JobSeeker, { readers: EVERY_ORGANISATION, person: 'id' }],
    [Orientation, { readers: EVERY_ORGANISATION, person: 'personId' }],
    [Training, { readers: EVERY_ORGANISATION, person: 'personId' }],
    [ReturnToEmployment, { readers: EVERY_ORGANISATION, person: 'personId' }],
  ]),
  open: [Establishment, JobOffer, Agency],
  types: { Orientation, Training, TrainingFinancing: Training, ReturnToEmployment },
  writes: {
    recordOrientation: {
      scope: 'orientation:write', writers: ['france-travail', 'cap-emploi'], row: Orientation,
      fields: ['Orientation.orientedTo', 'Orientation.track', 'Orientation.decidedOn', 'Orientation.jointDiagnosticOn', 'Orientation.disabilityImpact'],
    },
  },
};
