// Which rows a caller may see (as SQL filters) and the per-request loaders over those rows: one
// `$in` query per kind of row per subgraph fetch, whatever the number of persons, employers or
// accompaniments the gateway asks about. The perimeter itself is explained at the top of resolvers.ts.
import type { FilterQuery } from '@mikro-orm/core';
import { territoryFilter, type Caller, type Organisation } from '../kit/caller.ts';
import type { SubgraphContext } from '../kit/context.ts';
import { byKey, groupedBy } from '../kit/loaders.ts';
import {
  CapEmploiAccompaniment, CapEmploiCoverage, CapEmploiEmployerService, CapEmploiOrganisation, CapEmploiSite, CapEmploiStep,
  type AccompanimentRow,
} from './entities.ts';

/** Organisations whose counsellors follow people accompanied by Cap emploi (CNIL 2023-005: access by role). */
export const ACCOMPANIMENT_READERS: ReadonlySet<Organisation> = new Set(['cap-emploi', 'france-travail']);

/** Rows of the caller's départements (nothing to add for a national caller). */
export function territoryWhere(caller: Caller): { departement?: { $in: string[] } } {
  const territory = territoryFilter(caller);
  return territory ? { departement: { $in: [...territory] } } : {};
}

/** Accompaniment rows (and their steps) the caller may see: territory, and nothing outside the perimeter. */
export function accompanimentWhere(caller: Caller): { departement?: { $in: string[] } } {
  return ACCOMPANIMENT_READERS.has(caller.organisation) ? territoryWhere(caller) : { departement: { $in: [] } };
}

/**
 * Ids of the organisations serving the départements the caller may see, narrowed to `departement`
 * when given; null means every organisation (a national caller with no département asked).
 */
export async function visibleOrganisationIds(ctx: SubgraphContext, departement?: string | null): Promise<string[] | null> {
  const territory = territoryFilter(ctx.caller);
  const wanted = departement ? (territory && !territory.includes(departement) ? [] : [departement]) : territory;
  if (!wanted) return null;
  const coverage = await ctx.em.find(CapEmploiCoverage, { departement: { $in: [...wanted] } });
  return [...new Set(coverage.map((c) => c.organisationId))];
}

export const organisationById = (ctx: SubgraphContext) =>
  ctx.loader('organisationById', (em) => byKey(em, CapEmploiOrganisation, 'id'));

export const sitesOfOrganisation = (ctx: SubgraphContext) =>
  ctx.loader('sitesOfOrganisation', (em) => groupedBy(em, CapEmploiSite, 'organisationId', { id: 'asc' }, territoryWhere(ctx.caller)));

export const accompanimentById = (ctx: SubgraphContext) =>
  ctx.loader('accompanimentById', (em) => byKey(em, CapEmploiAccompaniment, 'id', accompanimentWhere(ctx.caller) as FilterQuery<AccompanimentRow>));

export const accompanimentsOfPerson = (ctx: SubgraphContext) =>
  ctx.loader('accompanimentsOfPerson', (em) => groupedBy(em, CapEmploiAccompaniment, 'personId', { openedOn: 'asc', id: 'asc' }, accompanimentWhere(ctx.caller) as FilterQuery<AccompanimentRow>));

export const stepsOfAccompaniment = (ctx: SubgraphContext) =>
  ctx.loader('stepsOfAccompaniment', (em) => groupedBy(em, CapEmploiStep, 'accompanimentId', { sequence: 'asc' }));

export const stepsOfPerson = (ctx: SubgraphContext) =>
  ctx.loader('stepsOfPerson', (em) => groupedBy(em, CapEmploiStep, 'personId', { occurredOn: 'asc', sequence: 'asc' }, accompanimentWhere(ctx.caller)));

export const servicesOfEmployer = (ctx: SubgraphContext) =>
  ctx.loader('servicesOfEmployer', (em) => groupedBy(em, CapEmploiEmployerService, 'employerSiret', { deliveredOn: 'desc', id: 'asc' }, territoryWhere(ctx.caller)));

/** A person's audit entries, newest first (all of them: the resolver keeps the 200 latest). */
