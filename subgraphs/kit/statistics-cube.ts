// A publication: every cell an indicator will ever show, built at once over a fixed grid and
// protected at once (statistics.ts), so that two queries — whatever their bounds — read cells of the
// same protected table and their difference is itself a combination of published cells.
//
// The grid (fixed, never data-dependent, as official publication grids are):
//   periods     whole months, quarters and years, and the whole series (ALL); never free dates;
//   geography   France, the 18 régions, the 101 départements — months are published for France
//               only, quarters for France and régions, years for every level (DARES publishes
//               job seekers the same way: monthly nationally, quarterly by département);
//   breakdowns  a fixed list of categories per indicator (empty categories are published as 0),
//               by month for France, by year for régions, over the whole series for départements.
// Only closed months of the synthetic world are published (it describes France at WORLD_DATE): a
// write recorded today never changes a published figure.
import { WORLD_DATE } from './population.ts';
import { addTo, emptyContent, type CellContent, type ProtectedCell, type Relation } from './statistics.ts';
import { departements } from './territory.ts';

export type Frequency = 'ALL' | 'YEAR' | 'QUARTER' | 'MONTH';
export type GeographyLevel = 'FRANCE' | 'REGION' | 'DEPARTEMENT';

export const GRID: Readonly<Record<GeographyLevel, readonly Frequency[]>> = Object.freeze({
  FRANCE: ['ALL', 'YEAR', 'QUARTER', 'MONTH'],
  REGION: ['ALL', 'YEAR', 'QUARTER'],
  DEPARTEMENT: ['ALL', 'YEAR'],
});

/**
 * The grid of the cells split by a breakdown, one step coarser below France: a category holds a
 * fraction of the people, so it is published where it is large enough to be mostly shown
 * (régions by year, départements over the whole series).
 */
export const BREAKDOWN_GRID: Readonly<Record<GeographyLevel, readonly Frequency[]>> = Object.freeze({
  FRANCE: ['ALL', 'YEAR', 'QUARTER', 'MONTH'],
  REGION: ['ALL', 'YEAR'],
  DEPARTEMENT: ['ALL'],
});

/** First month of every series: the earliest registrations of the synthetic world. */
export const SERIES_START = '2016-01';
/** Last day described by the data: later events are outside every published period. */
export const PUBLISHED_UNTIL = WORLD_DATE;

/**
 * FLOW: events dated in the period (additive: a year is the sum of its months).
 * STOCK: what is present on the last day of the period (a snapshot: a year is its December).
 */
export type IndicatorKind = 'FLOW' | 'STOCK';

export interface StatisticsRecord {
  /** FLOW: the day of the event. STOCK: the first day present. */
  readonly on: string;
  /** STOCK: the first day no longer present (null: still present). */
  readonly until?: string | null;
  readonly departement: string;
  /** Who the record is about (a person id, an employer's SIRET): thresholds count distinct ones. */
  readonly contributor: string;
  readonly person: boolean;
  /** The record's category in each breakdown of the indicator. */
  readonly categories: Readonly<Record<string, string>>;
  /** Amount indicators: the euro cents the record adds (null: none). */
  readonly amountCents?: number | null;
}

export interface IndicatorDefinition<Source = unknown> {
  /** The GraphQL field that publishes it. */
  readonly name: string;
  readonly kind: IndicatorKind;
  /** Breakdown name → its fixed categories. */
  readonly breakdowns: Readonly<Record<string, readonly string[]>>;
  /** True when the indicator publishes an amount beside its count. */
  readonly amounts: boolean;
  /** Who the records are about: the threshold of a cell is 11 people, or 3 employers when only employers contribute. */
  readonly contributors: 'PEOPLE' | 'EMPLOYERS' | 'PEOPLE_OR_EMPLOYERS';
  /** True when a contributor has at most one record in any cell (a person registers once...). */
  readonly oneRecordPerContributor: boolean;
  /** Months that must pass after a period before it is published (a cohort followed six months). */
  readonly lagMonths?: number;
  /** Reads the records from the partner's database. */
  records(source: Source): Promise<Iterable<StatisticsRecord>>;
}

// ---- periods -------------------------------------------------------------------------------

/** A date column as read from SQLite (text) or PostgreSQL (a Date), as an ISO day. */
export function day(value: string | Date): string {
  return value instanceof Date ? value.toISOString().slice(0, 10) : value.slice(0, 10);
}

/** Months are numbered year × 12 + (month − 1). */
export function monthIndex(isoDateOrMonth: string): number {
  return Number(isoDateOrMonth.slice(0, 4)) * 12 + Number(isoDateOrMonth.slice(5, 7)) - 1;
}

function monthLabel(m: number): string {
  return `${Math.floor(m / 12)}-${String((m % 12) + 1).padStart(2, '0')}`;
}

/** The last day of month `m`, as an ISO date. */
export function lastDayOf(m: number): string {
  return new Date(Date.UTC(Math.floor(m / 12), (m % 12) + 1, 0)).toISOString().slice(0, 10);
}

export function periodLabel(frequency: Frequency, m: number): string {
  const year = Math.floor(m / 12);
  switch (frequency) {
    case 'ALL': return 'ALL';
    case 'YEAR': return String(year);
    case 'QUARTER': return `${year}-Q${Math.floor((m % 12) / 3) + 1}`;
    case 'MONTH': return monthLabel(m);
  }
}

export interface Period {
  readonly label: string;
  readonly frequency: Frequency;
  /** First and last month (inclusive). */
  readonly first: number;
  readonly last: number;
}

/** A period label of the grid (`2024`, `2024-Q2`, `2024-05`), or null when it is not one. */
export function parsePeriod(label: string, series: Series): Period | null {
  let match: RegExpExecArray | null;
  if (label === 'ALL') return { label, frequency: 'ALL', first: series.first, last: series.allLast };
  if ((match = /^(\d{4})$/.exec(label))) {
    const first = Number(match[1]) * 12;
    return { label, frequency: 'YEAR', first, last: first + 11 };
  }
  if ((match = /^(\d{4})-Q([1-4])$/.exec(label))) {
    const first = Number(match[1]) * 12 + (Number(match[2]) - 1) * 3;
    return { label, frequency: 'QUARTER', first, last: first + 2 };
  }
  if ((match = /^(\d{4})-(0[1-9]|1[0-2])$/.exec(label))) {
    const m = Number(match[1]) * 12 + Number(match[2]) - 1;
    return { label, frequency: 'MONTH', first: m, last: m };
  }
  return null;
}

/** The period of the same frequency one year earlier (null for the whole series). */
export function sameTimeYearBefore(period: Period): string | null {
  return period.frequency === 'ALL' ? null : periodLabel(period.frequency, period.first - 12);
}

/** The periods of one frequency from `from` to `to` (inclusive). */
export function periodsBetween(from: Period, to: Period): Period[] {
  const out: Period[] = [];
  const step = { ALL: 0, YEAR: 12, QUARTER: 3, MONTH: 1 }[from.frequency];
  if (step === 0) return [from];
  for (let m = from.first; m <= to.first; m += step) out.push({ label: periodLabel(from.frequency, m), frequency: from.frequency, first: m, last: m + step - 1 });
  return out;
}

export interface Series {
  /** First and last published month. */
  readonly first: number;
  readonly last: number;
  /**
   * Last month of the whole series (ALL): the end of the last complete year, so that ALL is the sum
   * of published years at every level (a partial year is published only where its quarters are).
   */
  readonly allLast: number;
}

export function seriesOf(definition: Pick<IndicatorDefinition, 'lagMonths'>): Series {
  // The last month that PUBLISHED_UNTIL closes, less the indicator's lag.
  const dayAfter = new Date(Date.parse(PUBLISHED_UNTIL) + 86_400_000).toISOString();
  const last = monthIndex(dayAfter) - 1 - (definition.lagMonths ?? 0);
  return { first: monthIndex(SERIES_START), last, allLast: Math.floor((last + 1) / 12) * 12 - 1 };
}

/** The periods of a frequency that the series covers entirely. */
export function publishedPeriods(frequency: Frequency, series: Series): Period[] {
  if (frequency === 'ALL') return [{ label: 'ALL', frequency, first: series.first, last: series.allLast }];
  const step = { YEAR: 12, QUARTER: 3, MONTH: 1 }[frequency];
  const out: Period[] = [];
  const start = Math.ceil(series.first / step) * step;
  for (let m = start; m + step - 1 <= series.last; m += step) out.push({ label: periodLabel(frequency, m), frequency, first: m, last: m + step - 1 });
  return out;
}

// ---- areas ---------------------------------------------------------------------------------

export interface Area {
  readonly level: GeographyLevel;
  readonly code: string;
  readonly name: string;
  /** The départements it covers. */
  readonly departements: readonly string[];
}

const FRANCE: Area = { level: 'FRANCE', code: 'FR', name: 'France', departements: departements.map((d) => d.code) };
const REGIONS: readonly Area[] = [...new Map(departements.map((d) => [d.regionCode, d.regionName]))]
  .map(([code, name]) => ({ level: 'REGION' as const, code, name, departements: departements.filter((d) => d.regionCode === code).map((d) => d.code) }))
  .sort((a, b) => a.code.localeCompare(b.code));
const DEPARTEMENTS: readonly Area[] = departements.map((d) => ({ level: 'DEPARTEMENT' as const, code: d.code, name: d.name, departements: [d.code] }));

export const AREAS: Readonly<Record<GeographyLevel, readonly Area[]>> = Object.freeze({ FRANCE: [FRANCE], REGION: REGIONS, DEPARTEMENT: DEPARTEMENTS });

const regionOf = new Map(departements.map((d) => [d.code, d.regionCode]));

function areaCode(level: GeographyLevel, departement: string): string {
  return level === 'FRANCE' ? 'FR' : level === 'REGION' ? regionOf.get(departement)! : departement;
}

// ---- the publication -----------------------------------------------------------------------

export interface CubeCell extends ProtectedCell {
  readonly period: Period;
  readonly area: Area;
  /** Null for the cell of all categories. */
  readonly breakdown: string | null;
  readonly category: string | null;
}

export interface Publication {
  readonly definition: IndicatorDefinition<any>;
  readonly series: Series;
  readonly relations: readonly Relation<CubeCell>[];
  cell(period: string, level: GeographyLevel, area: string, breakdown: string | null, category: string | null): CubeCell | undefined;
  readonly cells: readonly CubeCell[];
}

/**
 * Frequencies published for a kind of indicator at a level, for the all-categories cells or for the
 * cells of a breakdown (a stock has no whole-series value).
 */
export function frequenciesAt(kind: IndicatorKind, level: GeographyLevel, split = false): readonly Frequency[] {
  const grid = (split ? BREAKDOWN_GRID : GRID)[level];
  return kind === 'STOCK' ? grid.filter((f) => f !== 'ALL') : grid;
}

const LEVELS = ['FRANCE', 'REGION', 'DEPARTEMENT'] as const;
const FREQUENCIES = ['ALL', 'YEAR', 'QUARTER', 'MONTH'] as const;
const FINER: Readonly<Record<Frequency, Frequency | null>> = { ALL: 'YEAR', YEAR: 'QUARTER', QUARTER: 'MONTH', MONTH: null };
const CHILD_LEVEL: Readonly<Record<GeographyLevel, GeographyLevel | null>> = { FRANCE: 'REGION', REGION: 'DEPARTEMENT', DEPARTEMENT: null };

// Every area numbered once (France, régions, départements), with the areas of the next level it contains.
const ALL_AREAS: readonly Area[] = LEVELS.flatMap((level) => AREAS[level]);
const areaNumber = new Map(ALL_AREAS.map((a, i) => [`${a.level}|${a.code}`, i]));
const subAreas: readonly number[][] = ALL_AREAS.map((area) => {
  const childLevel = CHILD_LEVEL[area.level];
  return childLevel ? AREAS[childLevel].filter((a) => a.departements.every((d) => area.departements.includes(d))).map((a) => areaNumber.get(`${a.level}|${a.code}`)!) : [];
});
const areasOfDepartement = new Map(departements.map((d) => [d.code, LEVELS.map((level) => areaNumber.get(`${level}|${areaCode(level, d.code)}`)!)]));

/**
 * Builds every cell of the grid from the records, with the additive relations between them. Cells are
 * numbered (period, area, slot) — a slot is the all-categories cell or one category of a breakdown —
 * so that adding a record is array arithmetic even at the national scale.
 */
export function buildPublication(definition: IndicatorDefinition<any>, records: Iterable<StatisticsRecord>): Publication {
  const series = seriesOf(definition);
  const slots: [string | null, string | null][] = [[null, null], ...Object.entries(definition.breakdowns).flatMap(([b, cats]) => cats.map((c) => [b, c] as [string, string]))];
  const slotNumber = new Map(slots.map(([b, c], i) => [`${b ?? ''}|${c ?? ''}`, i]));
  const periods = FREQUENCIES.flatMap((f) => publishedPeriods(f, series));
  const periodNumber = new Map(periods.map((p, i) => [p.label, i]));
  const index = (period: number, area: number, slot: number) => (period * ALL_AREAS.length + area) * slots.length + slot;
  const cells: (CubeCell | undefined)[] = new Array(periods.length * ALL_AREAS.length * slots.length);
  for (const [pi, period] of periods.entries()) {
    for (const [ai, area] of ALL_AREAS.entries()) {
      if (!frequenciesAt(definition.kind, area.level).includes(period.frequency)) continue;
      const split = frequenciesAt(definition.kind, area.level, true).includes(period.frequency);
      for (const [si, [breakdown, category]] of slots.entries()) {
        if (si > 0 && !split) continue;
        cells[index(pi, ai, si)] = { period, area, breakdown, category, content: emptyContent(definition), hidden: { count: null, amount: null } };
      }
    }
  }
  const breakdowns = Object.keys(definition.breakdowns);
  // The periods a month belongs to (one per frequency, when published).
  const periodsOfMonth = new Map<number, number[]>();
  const monthPeriods = (m: number) => periodsOfMonth.get(m) ?? periodsOfMonth.set(m, FREQUENCIES
    .map((f) => periodNumber.get(periodLabel(f, m)))
    .filter((pi): pi is number => pi !== undefined && periods[pi].first <= m && m <= periods[pi].last)).get(m)!;
  const add = (record: StatisticsRecord, recordSlots: number[], pis: readonly number[]) => {
    for (const ai of areasOfDepartement.get(record.departement)!) {
      for (const pi of pis) {
        if (!cells[index(pi, ai, 0)]) continue;
        for (const si of recordSlots) {
          const cell = cells[index(pi, ai, si)];
          if (cell) addTo(cell.content, record.contributor, record.person, record.amountCents ?? null);
        }
      }
    }
  };
  for (const record of records) {
    if (!areasOfDepartement.has(record.departement)) continue;
    const recordSlots = [0, ...breakdowns.map((b) => {
      const si = slotNumber.get(`${b}|${record.categories[b]}`);
      if (si === undefined) throw new Error(`${definition.name}: category ${record.categories[b]} is not in breakdown ${b}`);
      return si;
    })];
    const m = monthIndex(record.on);
    if (definition.kind === 'FLOW') {
      if (m >= series.first && m <= series.last) add(record, recordSlots, monthPeriods(m));
    } else {
      // Present at the end of every month from its first to the one before it leaves: counted in the
      // periods that end with that month.
      const end = Math.min(series.last, record.until ? monthIndex(record.until) - 1 : series.last);
      for (let month = Math.max(m, series.first); month <= end; month++) {
        add(record, recordSlots, monthPeriods(month).filter((pi) => periods[pi].last === month));
      }
    }
  }
  const relations: Relation<CubeCell>[] = [];
  const push = (parent: CubeCell | undefined, children: (CubeCell | undefined)[]) => {
    if (parent && children.length && children.every((c) => c !== undefined)) relations.push({ parent, children: children as CubeCell[] });
  };
  for (const [pi, period] of periods.entries()) {
    // Time: a flow's period is the sum of its sub-periods; a stock's is its last one.
    const finer = FINER[period.frequency];
    const parts = periods.flatMap((p, i) => (p.frequency === finer && p.first >= period.first && p.last <= period.last && (definition.kind === 'FLOW' || p.last === period.last) ? [i] : []));
    for (const [ai, area] of ALL_AREAS.entries()) {
      if (!cells[index(pi, ai, 0)]) continue;
      for (let si = 0; si < slots.length; si++) {
        const parent = cells[index(pi, ai, si)];
        if (!parent) continue;
        if (finer && frequenciesAt(definition.kind, area.level, si > 0).includes(finer)) push(parent, parts.map((p) => cells[index(p, ai, si)]));
        // Geography: an area is the sum of the areas it contains, where both are published.
        if (subAreas[ai].length) push(parent, subAreas[ai].map((a) => cells[index(pi, a, si)]));
      }
      // Breakdowns: all categories = the sum of the categories of each breakdown.
      for (const b of breakdowns) {
        push(cells[index(pi, ai, 0)], definition.breakdowns[b].map((c) => cells[index(pi, ai, slotNumber.get(`${b}|${c}`)!)]));
      }
    }
  }
  return {
    definition, series, relations,
    cells: cells.filter((c): c is CubeCell => c !== undefined),
    cell(period, level, area, breakdown, category) {
      const pi = periodNumber.get(period);
      const ai = areaNumber.get(`${level}|${area}`);
      const si = slotNumber.get(`${breakdown ?? ''}|${category ?? ''}`);
      return pi === undefined || ai === undefined || si === undefined ? undefined : cells[index(pi, ai, si)];
    },
  };
}
