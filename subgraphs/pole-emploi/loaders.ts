// The per-request loaders of France Travail's data: one query per table per subgraph fetch, every
// one within the caller's perimeter (kit/rows.ts).
import type { SubgraphContext } from '../kit/context.ts';
import { Agency, Establishment, JobOffer, JobSeeker, Orientation, ReturnToEmployment, Training } from './entities.ts';
import { ORIENTATIONS_NEWEST_FIRST } from './rules.ts';

export const loaders = {
  jobSeeker: (ctx: SubgraphContext) => ctx.rows.byKey(JobSeeker, 'id'),
  orientations: (ctx: SubgraphContext) => ctx.rows.groupedBy(Orientation, 'personId', ORIENTATIONS_NEWEST_FIRST),
  trainings: (ctx: SubgraphContext) => ctx.rows.groupedBy(Training, 'personId', { startsOn: 'desc', id: 'desc' }),
  returns: (ctx: SubgraphContext) => ctx.rows.groupedBy(ReturnToEmployment, 'personId', { startedOn: 'desc', id: 'desc' }),
  trainingFinancing: (ctx: SubgraphContext) => ctx.rows.byKey(Training, 'financingId'),
  establishment: (ctx: SubgraphContext) => ctx.rows.byKey(Establishment, 'siret'),
  jobOffers: (ctx: SubgraphContext) => ctx.rows.groupedBy(JobOffer, 'employerSiret', { postedOn: 'desc', id: 'desc' }),
  agency: (ctx: SubgraphContext) => ctx.rows.byKey(Agency, 'code'),
};
