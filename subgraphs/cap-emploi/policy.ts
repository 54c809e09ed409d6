// Cap emploi's access policy: who reads which rows, who writes what. Enforced by the kit (rows in
// SQL, every returned object, every mutation); resolvers hold no access rule.
// - Accompaniments, their steps and the events of Person.history built from them: Cap emploi and
//   France Travail (the two networks share the follow-up of a person since 2021), and, for a
//   caller with a territory, only for people who live in it. Agefiph, FIPHFP, DGEFP and Cheops see
//   none (CNIL délibération 2023-005: access follows each partner's role).
// - Sites and services to employers: every organisation, restricted to the caller's départements
//   (the site's, the employer's); services also need employer:read (gateway).
// - Organisations, the départements they cover, and conventions: public reference data.
// - Opening an accompaniment and recording a step: Cap emploi and France Travail with
//   accompaniment:write, for a person inside their perimeter.
import type { EntitySchema } from '@mikro-orm/core';
import { EVERY_ORGANISATION, type PartnerPolicy, type RowRule } from '../kit/policy.ts';
import {
  CapEmploiAccompaniment, CapEmploiCoverage, CapEmploiEmployerService, CapEmploiOrganisation, CapEmploiSite, CapEmploiStep,
} from './entities.ts';

const FOLLOW_UP = ['cap-emploi', 'france-travail'] as const;

export const policy: PartnerPolicy = {
  partner: 'CAP_EMPLOI',
  rows: new Map<EntitySchema<any, any>, RowRule>([
    [CapEmploiAccompaniment, { readers: FOLLOW_UP, person: 'personId' }],
    [CapEmploiStep, { readers: FOLLOW_UP, person: 'personId' }],
    [CapEmploiSite, { readers: EVERY_ORGANISATION, place: 'departement' }],
    [CapEmploiEmployerService, { readers: EVERY_ORGANISATION, place: 'departement' }],
  ]),
  open: [CapEmploiOrganisation, CapEmploiCoverage],
  types: { CapEmploiAccompaniment, CapEmploiStep },
  writes: {
    openAccompaniment: {
      scope: 'accompaniment:write', writers: FOLLOW_UP, row: CapEmploiAccompaniment,
      fields: (input: { medicalRestrictions?: string | null }) => [
        'Person.capEmploiAccompaniments', ...(input.medicalRestrictions != null ? ['CapEmploiAccompaniment.medicalRestrictions'] : []),
      ],
    },
    recordAccompanimentStep: {
      scope: 'accompaniment:write', writers: FOLLOW_UP, row: CapEmploiAccompaniment,
      fields: (input: { kind: string }) => [
        'CapEmploiAccompaniment.steps', ...(input.kind === 'CLOSURE' ? ['CapEmploiAccompaniment.status', 'CapEmploiAccompaniment.outcome', 'CapEmploiAccompaniment.closedOn'] : []),
      ],
    },
  },
};
