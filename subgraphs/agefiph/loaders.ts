// The per-request loaders of Agefiph's data: one query per table per subgraph fetch, every one
// restricted in SQL to the rows the caller may see.
import { territoryFilter } from '../kit/caller.ts';
import type { SubgraphContext } from '../kit/context.ts';
import { byKey, groupedBy } from '../kit/loaders.ts';
import { AidRequest } from './entities.ts';
import { readsAidRequests } from './rules.ts';

/**
 * The aid requests the caller may see, as a SQL filter: null when it may see none (outside the
 * organisation perimeter); otherwise the rows of its territory (all rows for a national caller).
 */
export function visibleRequests(ctx: SubgraphContext): { departement?: { $in: string[] } } | null {
  if (!readsAidRequests(ctx.caller)) return null;
  const territory = territoryFilter(ctx.caller);
  return territory ? { departement: { $in: [...territory] } } : {};
}

/** Newest request first; the id breaks ties so that pages are stable. */
export const NEWEST_FIRST = { requestedOn: 'desc', id: 'desc' } as const;

/** A loader over the visible requests, or `none` (no query at all) for a caller who may see none. */
function overVisible<L>(ctx: SubgraphContext, name: string, make: (em: SubgraphContext['em'], where: object) => L, none: L): L {
  return ctx.loader(name, (em) => {
    const where = visibleRequests(ctx);
    return where ? make(em, where) : none;
  });
}

type Loader<V> = { load(key: string): Promise<V> };
const nothing: Loader<AidRequest[]> = { load: async () => [] };

export const loaders = {
  request: (ctx: SubgraphContext) =>
    overVisible<Loader<AidRequest | null>>(ctx, 'request', (em, where) => byKey(em, AidRequest, 'id', where), { load: async () => null }),
  requestsOfPerson: (ctx: SubgraphContext) =>
    overVisible<Loader<AidRequest[]>>(ctx, 'requestsOfPerson', (em, where) => groupedBy(em, AidRequest, 'personId', NEWEST_FIRST, where), nothing),
  requestsOfEmployer: (ctx: SubgraphContext) =>
    overVisible<Loader<AidRequest[]>>(ctx, 'requestsOfEmployer', (em, where) => groupedBy(em, AidRequest, 'employerSiret', NEWEST_FIRST, where), nothing),
};
