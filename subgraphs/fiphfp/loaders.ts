// Row access and per-request loaders of the FIPHFP subgraph. Every query of FIPHFP rows starts from
// `visible(caller, kind)`: the caller's organisation decides which kinds of rows it may see at all,
// its territory which départements (resolvers.ts documents the perimeter). The filter runs in SQL,
// so counts and pages are those of the rows the caller may see.
import type { EntityManager, FilterQuery } from '@mikro-orm/core';
import type { Caller, Organisation } from '../kit/caller.ts';
import type { SubgraphContext } from '../kit/context.ts';
import { byKey, groupedBy } from '../kit/loaders.ts';
import { AidRequest, Declaration, EmployerConvention, PublicEmployer } from './entities.ts';

export type RowKind = 'employer' | 'declaration' | 'aid' | 'convention';

const READS: Readonly<Record<Organisation, readonly RowKind[]>> = {
  fiphfp: ['employer', 'declaration', 'aid', 'convention'],
  dgefp: ['employer', 'declaration', 'convention'],
  'cap-emploi': ['employer', 'aid'],
  cheops: ['employer', 'aid'],
  'france-travail': ['employer', 'aid'],
  agefiph: [],
};

export type WriteAction = 'declare' | 'request-aid' | 'decide-aid';

const WRITES: Readonly<Record<WriteAction, readonly Organisation[]>> = {
  declare: ['fiphfp'],
  'request-aid': ['fiphfp', 'cap-emploi'],
  'decide-aid': ['fiphfp'],
};

/** True when the caller's organisation may take this action (scopes are checked besides). */
export function mayWrite(caller: Caller, action: WriteAction): boolean {
  return WRITES[action].includes(caller.organisation);
}

/** The SQL condition on `departement` for rows of `kind` the caller may read. */
export function visible(caller: Caller, kind: RowKind): { departement?: { $in: string[] } } {
  if (!READS[caller.organisation]?.includes(kind)) return { departement: { $in: [] } };
  return caller.territory.length ? { departement: { $in: [...caller.territory] } } : {};
}

/** `visible` combined with the caller's own filter. */
export function visibleWhere<E extends object>(caller: Caller, kind: RowKind, own: FilterQuery<NoInfer<E>>): FilterQuery<E> {
  return { $and: [visible(caller, kind), own] } as FilterQuery<E>;
}

const newestFirst = { requestedOn: 'desc', id: 'desc' } as const;

export const loaders = {
  employers: (ctx: SubgraphContext) =>
    ctx.loader('employers', (em: EntityManager) => byKey(em, PublicEmployer, 'siret', visible(ctx.caller, 'employer'))),
  aids: (ctx: SubgraphContext) =>
    ctx.loader('aids', (em: EntityManager) => byKey(em, AidRequest, 'id', visible(ctx.caller, 'aid'))),
  declarationsOfEmployer: (ctx: SubgraphContext) =>
    ctx.loader('declarationsOfEmployer', (em: EntityManager) =>
      groupedBy(em, Declaration, 'siret', { year: 'desc' }, visible(ctx.caller, 'declaration'))),
  aidsOfEmployer: (ctx: SubgraphContext) =>
    ctx.loader('aidsOfEmployer', (em: EntityManager) => groupedBy(em, AidRequest, 'siret', newestFirst, visible(ctx.caller, 'aid'))),
  aidsOfPerson: (ctx: SubgraphContext) =>
    ctx.loader('aidsOfPerson', (em: EntityManager) =>
      groupedBy(em, AidRequest, 'personId', { requestedOn: 'asc', id: 'asc' }, visible(ctx.caller, 'aid'))),
  conventions: (ctx: SubgraphContext) =>
    ctx.loader('conventions', (em: EntityManager) => byKey(em, EmployerConvention, 'id', visible(ctx.caller, 'convention'))),
  conventionsOfEmployer: (ctx: SubgraphContext) =>
    ctx.loader('conventionsOfEmployer', (em: EntityManager) =>
      groupedBy(em, EmployerConvention, 'siret', { startsOn: 'desc', id: 'desc' }, visible(ctx.caller, 'convention'))),
};
