// Serves a partner's indicators to analysts: arguments in, cells of the protected publication out.
// A query never computes a figure of its own: it reads cells of the one publication built and
// protected per indicator and per process (statistics-cube.ts), filters them to the caller's
// territory (a restriction, never a recomputation over fewer people) and adds the comparison with
// the same period one year earlier, from published cells only.
import type { EntityManager } from '@mikro-orm/core';
import type { SqlEntityManager } from '@mikro-orm/sql';
import { hasScope, inTerritory, type Caller } from './caller.ts';
import type { Resolvers } from './server.ts';
import type { SubgraphContext } from './context.ts';
import { ErrorCode, reject } from './errors.ts';
import { EMPLOYER_THRESHOLD, PEOPLE_THRESHOLD, amountOf, protectPublication, type SuppressionReason } from './statistics.ts';
import {
  AREAS, buildPublication, lastDayOf, frequenciesAt, parsePeriod, periodsBetween, publishedPeriods, sameTimeYearBefore,
  type Area, type CubeCell, type GeographyLevel, type IndicatorDefinition, type Period, type Publication, type StatisticsRecord,
} from './statistics-cube.ts';

/**
 * Rows of a read-only SQL statement for an indicator's records. Dates are selected as
 * `cast(column as text)`: 'YYYY-MM-DD' on SQLite and PostgreSQL alike, with no time-zone shift.
 */
export async function sqlRows<Row>(em: EntityManager, sql: string): Promise<Row[]> {
  return (await (em as SqlEntityManager).getConnection().execute(sql)) as Row[];
}

/**
 * An indicator read by one SQL statement, one record per row (or none): a flow of people unless said
 * otherwise.
 */
export function sqlIndicator<Row>(spec: Partial<Omit<IndicatorDefinition<EntityManager>, 'records'>> & Pick<IndicatorDefinition, 'name' | 'breakdowns'> & {
  sql: string;
  record(row: Row): StatisticsRecord | null;
}): IndicatorDefinition<EntityManager> {
  const { sql, record, ...definition } = spec;
  return {
    kind: 'FLOW', contributors: 'PEOPLE', amounts: false, oneRecordPerContributor: false, ...definition,
    async records(em) {
      return (await sqlRows<Row>(em, sql)).flatMap((row) => record(row) ?? []);
    },
  };
}

/** Builds and protects a whole publication (no cache: tests call it on records of their own). */
export function protectedPublication(definition: IndicatorDefinition<any>, records: Iterable<StatisticsRecord>): Publication {
  const publication = buildPublication(definition, records);
  protectPublication(publication.cells, publication.relations, 'count');
  if (definition.amounts) protectPublication(publication.cells, publication.relations, 'amount');
  return publication;
}

const publications = new Map<string, Promise<Publication>>();

/**
 * The publication of an indicator, built once per process at its first request. It is a vintage:
 * later writes dated inside the published months (rare: most are dated today, after
 * PUBLISHED_UNTIL) reach the figures only at the next start, as official statistics are revised at
 * announced dates rather than with every record.
 */
export function publicationOf<S>(definition: IndicatorDefinition<S>, source: S): Promise<Publication> {
  let publication = publications.get(definition.name);
  if (!publication) {
    publication = definition.records(source).then((records) => protectedPublication(definition, records));
    publication.catch(() => publications.delete(definition.name));
    publications.set(definition.name, publication);
  }
  return publication;
}

export interface IndicatorArgs {
  from: string;
  to?: string | null;
  geography?: GeographyLevel | null;
  breakdown?: string | null;
  region?: string | null;
  departement?: string | null;
}

/** At most this many periods in one table (ten years of months and more). */
const MAX_PERIODS = 240;

/** Whether a caller's territory covers a whole area: a restricted analyst sees its own départements. */
export function covers(caller: Caller, area: Area): boolean {
  return area.departements.every((d) => inTerritory(caller, d));
}

function checkedPeriods(publication: Publication, args: IndicatorArgs, level: GeographyLevel): Period[] {
  const grid = 'a year (2024), a quarter (2024-Q2), a month (2024-05) or ALL';
  const from = parsePeriod(args.from, publication.series);
  if (!from) reject(ErrorCode.INVALID_INPUT, `from must be a period of the publication grid: ${grid}`, 'from');
  const to = args.to ? parsePeriod(args.to, publication.series) : from;
  if (!to) reject(ErrorCode.INVALID_INPUT, `to must be a period of the publication grid: ${grid}`, 'to');
  if (to.frequency !== from.frequency) reject(ErrorCode.INVALID_INPUT, 'from and to must be periods of the same kind (two months, two quarters...)', 'to');
  if (to.first < from.first) reject(ErrorCode.INVALID_INPUT, 'to must not come before from', 'to');
  const split = Boolean(args.breakdown);
  const frequencies = frequenciesAt(publication.definition.kind, level, split);
  if (!frequencies.includes(from.frequency)) {
    const grid = split
      ? 'a breakdown is published by month for France, by year for régions, over the whole series (ALL) for départements'
      : 'months are published for France only, quarters for France and régions, years and ALL everywhere';
    reject(ErrorCode.INVALID_INPUT, `${publication.definition.name} is not published by ${from.frequency.toLowerCase()} at the level ${level}${split ? ' with a breakdown' : ''}: ${grid}`, 'from');
  }
  const periods = periodsBetween(from, to);
  if (periods.length > MAX_PERIODS) reject(ErrorCode.INVALID_INPUT, `at most ${MAX_PERIODS} periods in one table`, 'to');
  const published = new Set(publishedPeriods(from.frequency, publication.series).map((p) => p.label));
  const missing = periods.find((p) => !published.has(p.label));
  if (missing) {
    const all = publishedPeriods(from.frequency, publication.series);
    reject(ErrorCode.INVALID_INPUT, `${missing.label} is not published: ${publication.definition.name} covers ${all[0]?.label} to ${all.at(-1)?.label} (closed periods only)`, 'from');
  }
  return periods;
}

function checkedAreas(args: IndicatorArgs, level: GeographyLevel, caller: Caller): Area[] {
  let areas = AREAS[level];
  if (args.region) {
    const region = AREAS.REGION.find((a) => a.code === args.region);
    if (!region) reject(ErrorCode.INVALID_INPUT, 'region must be an INSEE region code (e.g. 28 for Normandie)', 'region');
    if (level === 'FRANCE') reject(ErrorCode.INVALID_INPUT, 'region needs the geography REGION or DEPARTEMENT', 'region');
    areas = areas.filter((a) => a.departements.every((d) => region.departements.includes(d)));
  }
  if (args.departement) {
    if (!AREAS.DEPARTEMENT.some((a) => a.code === args.departement)) reject(ErrorCode.INVALID_INPUT, 'departement must be an INSEE département code (e.g. 27, 2A, 971)', 'departement');
    if (level !== 'DEPARTEMENT') reject(ErrorCode.INVALID_INPUT, 'departement needs the geography DEPARTEMENT', 'departement');
    areas = areas.filter((a) => a.code === args.departement);
  }
  return areas.filter((a) => covers(caller, a));
}

function oneDecimal(x: number): number {
  return Math.round(x * 10) / 10;
}

interface Value {
  period: string;
  count: number | null;
  countSuppressedBecause: SuppressionReason | null;
  amount: number | null;
  amountSuppressedBecause: SuppressionReason | null;
  share: number | null;
}

function valueOf(cell: CubeCell, total: CubeCell | undefined, amounts: boolean): Value {
  const count = cell.hidden.count === null ? cell.content.count : null;
  const totalCount = total && total.hidden.count === null ? total.content.count : null;
  return {
    period: cell.period.label,
    count,
    countSuppressedBecause: cell.hidden.count,
    amount: amounts && cell.hidden.amount === null ? amountOf(cell.content) : null,
    amountSuppressedBecause: amounts ? cell.hidden.amount : null,
    share: cell.category !== null && count !== null && totalCount ? oneDecimal((100 * count) / totalCount) : null,
  };
}

function change(now: number | null, before: number | null): number | null {
  return now === null || before === null || before === 0 ? null : oneDecimal((100 * (now - before)) / before);
}

/** The resolver of one indicator field. */
export function indicatorResolver<S>(definition: IndicatorDefinition<S>, sourceOf: (ctx: SubgraphContext) => S) {
  return async (_: unknown, args: IndicatorArgs, ctx: SubgraphContext) => {
    if (!hasScope(ctx.caller, 'statistics:read')) reject(ErrorCode.FORBIDDEN, 'statistics need the scope statistics:read');
    const level = args.geography ?? 'FRANCE';
    if (args.breakdown && !(args.breakdown in definition.breakdowns)) {
      reject(ErrorCode.INVALID_INPUT, `breakdown must be one of ${Object.keys(definition.breakdowns).join(', ') || '(none)'} for ${definition.name}`, 'breakdown');
    }
    const publication = await publicationOf(definition, sourceOf(ctx));
    const periods = checkedPeriods(publication, args, level);
    const areas = checkedAreas(args, level, ctx.caller);
    const categories = [null, ...(args.breakdown ? definition.breakdowns[args.breakdown] : [])];
    const breakdown = args.breakdown ?? null;
    const cells = [];
    for (const period of periods) {
      const before = sameTimeYearBefore(period);
      for (const area of areas) {
        const cellAt = (label: string, category: string | null) => publication.cell(label, level, area.code, category === null ? null : breakdown, category);
        for (const category of categories) {
          const cell = cellAt(period.label, category)!;
          const now = valueOf(cell, cellAt(period.label, null), definition.amounts);
          const earlier = before ? cellAt(before, category) : undefined;
          const then = earlier ? valueOf(earlier, cellAt(before!, null), definition.amounts) : null;
          cells.push({
            period: period.label, area: area.code, areaName: area.name, category,
            value: now,
            yearBefore: then,
            countChange: change(now.count, then?.count ?? null),
            amountChange: change(now.amount, then?.amount ?? null),
            shareChange: now.share === null || then?.share == null ? null : oneDecimal(now.share - then.share),
          });
        }
      }
    }
    return {
      indicator: definition.name, kind: definition.kind, contributors: definition.contributors, frequency: periods[0].frequency, geography: level, breakdown,
      threshold: PEOPLE_THRESHOLD, employerThreshold: EMPLOYER_THRESHOLD,
      publishedUntil: lastDayOf(publication.series.last), cells,
    };
  };
}

/** A resolver map with the fields of a partner's indicators added to Query, each under its name. */
export function withIndicators(resolvers: Resolvers, definitions: readonly IndicatorDefinition<EntityManager>[]): Resolvers {
  const fields = Object.fromEntries(definitions.map((d) => [d.name, indicatorResolver(d, (ctx) => ctx.em.fork())]));
  return { ...resolvers, Query: { ...(resolvers.Query as Record<string, unknown>), ...fields } };
}

/**
 * Builds the publications before the subgraph serves: the first analyst does not wait for them, and
 * a publication that cannot be protected stops the start rather than a request.
 */
export async function preparePublications(definitions: readonly IndicatorDefinition<EntityManager>[], em: EntityManager): Promise<void> {
  for (const definition of definitions) await publicationOf(definition, em.fork());
}
