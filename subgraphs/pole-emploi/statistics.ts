// France Travail's aggregates for analysts. Statistics are not rows: they go through the secrecy
// rules of kit/statistics.ts, never through the row policy. Any organisation's analyst reads them
// (scope statistics:read), restricted to its départements when its token names some.
import { raw, type SqlEntityManager } from '@mikro-orm/sql';
import { hasScope } from '../kit/caller.ts';
import type { SubgraphContext } from '../kit/context.ts';
import { ErrorCode, reject } from '../kit/errors.ts';
import { PEOPLE_THRESHOLD, protectTable } from '../kit/statistics.ts';
import { JobSeeker } from './entities.ts';

/** The table columns behind each statistics dimension (never a free column name from the caller). */
const STATISTICS_COLUMNS = { DEPARTEMENT: 'departement', CATEGORY: 'category', BOETH_CATEGORY: 'boeth_category', SEX: 'sex' } as const;

interface JobSeekerStatisticsArgs {
  dimension: keyof typeof STATISTICS_COLUMNS;
  registeredFrom?: string;
  registeredTo?: string;
  departement?: string;
}

export const statisticsQueries = {
  async jobSeekerStatistics(_: unknown, args: JobSeekerStatisticsArgs, ctx: SubgraphContext) {
    if (!hasScope(ctx.caller, 'statistics:read')) reject(ErrorCode.FORBIDDEN, 'statistics need the scope statistics:read');
    const column = STATISTICS_COLUMNS[args.dimension];
    const territory = ctx.caller.territory;
    if (args.departement && territory.length && !territory.includes(args.departement)) {
      return { dimension: args.dimension, threshold: PEOPLE_THRESHOLD, ...protectTable([]) };
    }
    const registeredOn = { ...(args.registeredFrom ? { $gte: args.registeredFrom } : {}), ...(args.registeredTo ? { $lte: args.registeredTo } : {}) };
    const where = {
      ...(territory.length ? { departement: { $in: [...territory] } } : {}),
      ...(args.departement ? { departement: args.departement } : {}),
      ...(Object.keys(registeredOn).length ? { registeredOn } : {}),
    };
    const rows = (await (ctx.em as SqlEntityManager).createQueryBuilder(JobSeeker)
      .select([raw(`${column} as "key"`), raw('count(*) as n')])
      .where(where as never)
      .groupBy(raw(column) as never)
      .execute()) as unknown as { key: string; n: number | string }[];
    const table = protectTable(rows.map((r) => ({ key: String(r.key), count: Number(r.n) })));
    return { dimension: args.dimension, threshold: PEOPLE_THRESHOLD, ...table };
  },
};
