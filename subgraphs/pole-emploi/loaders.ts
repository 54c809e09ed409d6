// The per-request loaders of France Travail's data: one query per table per subgraph fetch.
import type { SubgraphContext } from '../kit/context.ts';
import { territoryFilter } from '../kit/caller.ts';
import { byKey, groupedBy } from '../kit/loaders.ts';
import { Agency, Establishment, JobOffer, JobSeeker, Orientation, ReturnToEmployment, Training } from './entities.ts';

/** Row filter: a caller with a territory sees only the rows of its départements. */
export function inCallerTerritory(ctx: SubgraphContext): { departement?: { $in: string[] } } {
  const territory = territoryFilter(ctx.caller);
  return territory ? { departement: { $in: [...territory] } } : {};
}

export const loaders = {
  jobSeeker: (ctx: SubgraphContext) => ctx.loader('jobSeeker', (em) => byKey(em, JobSeeker, 'id', inCallerTerritory(ctx))),
  orientations: (ctx: SubgraphContext) => ctx.loader('orientations', (em) => groupedBy(em, Orientation, 'personId', { decidedOn: 'desc', id: 'desc' })),
  trainings: (ctx: SubgraphContext) => ctx.loader('trainings', (em) => groupedBy(em, Training, 'personId', { startsOn: 'desc', id: 'desc' })),
  returns: (ctx: SubgraphContext) => ctx.loader('returns', (em) => groupedBy(em, ReturnToEmployment, 'personId', { startedOn: 'desc', id: 'desc' })),
  trainingFinancing: (ctx: SubgraphContext) => ctx.loader('trainingFinancing', (em) => byKey(em, Training, 'financingId', inCallerTerritory(ctx))),
  establishment: (ctx: SubgraphContext) => ctx.loader('establishment', (em) => byKey(em, Establishment, 'siret')),
  jobOffers: (ctx: SubgraphContext) => ctx.loader('jobOffers', (em) => groupedBy(em, JobOffer, 'employerSiret', { postedOn: 'desc', id: 'desc' })),
  agency: (ctx: SubgraphContext) => ctx.loader('agency', (em) => byKey(em, Agency, 'code')),
};
