// The per-request loaders of France Travail's data: one query per table per subgraph fetch (per page
// request for nested lists, paged in SQL), every one within the caller's perimeter (kit/rows.ts).
import type { SubgraphContext } from '../kit/context.ts';
import type { PageArgs } from '../kit/pagination.ts';
import { Agency, Establishment, JobOffer, JobSeeker, Orientation, ReturnToEmployment, Training } from './entities.ts';
import { ORIENTATIONS_NEWEST_FIRST } from './rules.ts';

type Ctx = SubgraphContext;

export const loaders = {
  jobSeeker: (ctx: Ctx) => ctx.rows.byKey(JobSeeker, 'id'),
  orientations: (ctx: Ctx, args: PageArgs) => ctx.rows.pages(Orientation, 'personId', ORIENTATIONS_NEWEST_FIRST, args),
  trainings: (ctx: Ctx, args: PageArgs) => ctx.rows.pages(Training, 'personId', { startsOn: 'desc', id: 'desc' }, args),
  returns: (ctx: Ctx, args: PageArgs) => ctx.rows.pages(ReturnToEmployment, 'personId', { startedOn: 'desc', id: 'desc' }, args),
  trainingFinancing: (ctx: Ctx) => ctx.rows.byKey(Training, 'financingId'),
  establishment: (ctx: Ctx) => ctx.rows.byKey(Establishment, 'siret'),
  jobOffers: (ctx: Ctx, args: PageArgs) => ctx.rows.pages(JobOffer, 'employerSiret', { postedOn: 'desc', id: 'desc' }, args),
  agency: (ctx: Ctx) => ctx.rows.byKey(Agency, 'code'),
  // What a page of the merged history or fundings needs of each own list: its `limit` newest rows by
  // the merge's date (ties kept: the merge orders them) and its count (rules.ts mergeHistory, mergeFundings).
  orientationEvents: (ctx: Ctx, limit: number) => ctx.rows.heads(Orientation, 'personId', { decidedOn: 'desc' }, limit),
  trainingEvents: (ctx: Ctx, limit: number) => ctx.rows.heads(Training, 'personId', { startsOn: 'desc' }, limit),
  returnEvents: (ctx: Ctx, limit: number) => ctx.rows.heads(ReturnToEmployment, 'personId', { startedOn: 'desc' }, limit),
  trainingFundings: (ctx: Ctx, limit: number) => ctx.rows.heads(Training, 'personId', { requestedOn: 'desc' }, limit),
};
