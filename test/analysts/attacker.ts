// What an analyst who wants to find a person could do with the statistics API: ask every table of
// an indicator, every period, area and breakdown, and then subtract. The relations between cells are
// rebuilt here from the published grid and INSEE's own list of départements (not from the kit), and
// solved two ways: by hand ("a total minus its shown parts", repeated until nothing new comes) and by
// the exhaustive linear audit.
import { createRequire } from 'node:module';
import { determinedCells } from '../../subgraphs/kit/statistics-audit.ts';
import { CELL_FIELDS, gql } from './client.ts';

const require = createRequire(import.meta.url);
const DEPARTEMENTS = (require('@etalab/decoupage-administratif/data/departements.json') as { code: string; region: string; zone: string }[])
  .filter((d) => d.zone === 'metro' || d.zone === 'drom');
const REGIONS = [...new Set(DEPARTEMENTS.map((d) => d.region))];

export interface SeenCell {
  readonly key: string;
  readonly period: string;
  readonly level: string;
  readonly area: string;
  readonly category: string | null;
  readonly count: number | null;
  readonly countSuppressedBecause: string | null;
  readonly amount: string | null;
  readonly amountSuppressedBecause: string | null;
}

export interface Collected {
  readonly indicator: string;
  readonly kind: 'FLOW' | 'STOCK';
  readonly contributors: 'PEOPLE' | 'EMPLOYERS' | 'PEOPLE_OR_EMPLOYERS';
  readonly publishedUntil: string;
  readonly breakdowns: readonly string[];
  readonly cells: ReadonlyMap<string, SeenCell>;
  readonly calls: number;
}

const BREAKDOWNS = ['SEX', 'JOB_SEEKER_CATEGORY', 'BOETH_CATEGORY', 'CONTRACT_TYPE', 'FINANCER', 'OUTCOME', 'ACCOMPANIMENT_KIND', 'SERVICE_KIND', 'DECISION', 'BENEFICIARY_TYPE'];
// The publication grid as the README states it: all categories, and cells split by a breakdown.
const GRID: Record<string, string[]> = { FRANCE: ['ALL', 'YEAR', 'QUARTER', 'MONTH'], REGION: ['ALL', 'YEAR', 'QUARTER'], DEPARTEMENT: ['ALL', 'YEAR'] };
const SPLIT_GRID: Record<string, string[]> = { FRANCE: ['ALL', 'YEAR', 'QUARTER', 'MONTH'], REGION: ['ALL', 'YEAR'], DEPARTEMENT: ['ALL'] };

export const keyOf = (period: string, level: string, area: string, category: string | null) => `${period}|${level}|${area}|${category ?? ''}`;

/** The whole series of complete periods of a frequency up to `until` (from January 2016). */
function range(frequency: string, until: string): [string, string] | null {
  const year = Number(until.slice(0, 4));
  const month = Number(until.slice(5, 7));
  const complete = until.slice(8) === new Date(Date.UTC(year, month, 0)).toISOString().slice(8, 10);
  const lastMonth = complete ? year * 12 + month - 1 : year * 12 + month - 2;
  switch (frequency) {
    case 'ALL': return ['ALL', 'ALL'];
    case 'YEAR': return ['2016', String(Math.floor((lastMonth + 1) / 12) - 1)];
    case 'QUARTER': {
      const q = Math.floor((lastMonth + 1) / 3) - 1;
      return ['2016-Q1', `${Math.floor(q / 4)}-Q${(q % 4) + 1}`];
    }
    default: return ['2016-01', `${Math.floor(lastMonth / 12)}-${String((lastMonth % 12) + 1).padStart(2, '0')}`];
  }
}

/** Asks every table of an indicator the grid publishes. */
export async function collect(token: string, indicator: string): Promise<Collected> {
  let calls = 0;
  const table = async (args: string) => {
    calls++;
    return gql(token, `{ t: ${indicator}(${args}) { kind contributors publishedUntil cells { ${CELL_FIELDS} } } }`);
  };
  const probe = await table('from: "2020"');
  if (probe.errors) throw new Error(`${indicator}: ${probe.errors[0].message}`);
  const { kind, contributors, publishedUntil } = probe.data.t;
  const breakdowns: string[] = [];
  for (const b of BREAKDOWNS) if (!(await table(`from: "2020", breakdown: ${b}`)).errors) breakdowns.push(b);
  const cells = new Map<string, SeenCell>();
  for (const [level, frequencies] of Object.entries(GRID)) {
    for (const frequency of frequencies) {
      if (kind === 'STOCK' && frequency === 'ALL') continue;
      const [from, to] = range(frequency, publishedUntil)!;
      for (const breakdown of [null, ...breakdowns]) {
        if (breakdown && !SPLIT_GRID[level].includes(frequency)) continue;
        const res = await table(`from: "${from}", to: "${to}", geography: ${level}${breakdown ? `, breakdown: ${breakdown}` : ''}`);
        if (res.errors) throw new Error(`${indicator} ${level} ${frequency} ${breakdown}: ${res.errors[0].message}`);
        for (const c of res.data.t.cells) {
          const key = keyOf(c.period, level, c.area, c.category === null ? null : `${breakdown}=${c.category}`);
          cells.set(key, { key, level, period: c.period, area: c.area, ...c.value, category: c.category === null ? null : `${breakdown}=${c.category}` });
        }
      }
    }
  }
  return { indicator, kind, contributors, publishedUntil, breakdowns, cells, calls };
}

export interface Relation {
  readonly parent: string;
  readonly children: readonly string[];
}

const quarterOf = (month: string) => `${month.slice(0, 4)}-Q${Math.floor((Number(month.slice(5, 7)) - 1) / 3) + 1}`;
const frequencyOf = (period: string) => (period === 'ALL' ? 'ALL' : period.length === 4 ? 'YEAR' : period.includes('Q') ? 'QUARTER' : 'MONTH');

/** Total = sum of parts, between cells the attacker has seen, along time, geography and breakdowns. */
export function relationsOf(seen: Collected): Relation[] {
  const relations: Relation[] = [];
  const has = (k: string) => seen.cells.has(k);
  const push = (parent: string, children: string[]) => {
    if (has(parent) && children.length && children.every(has)) relations.push({ parent, children });
  };
  const categories = [...new Set([...seen.cells.values()].map((c) => c.category).filter((c): c is string => c !== null))];
  const periodsAt = new Map<string, string[]>();
  for (const x of seen.cells.values()) if (!periodsAt.get(x.level)?.includes(x.period)) periodsAt.set(x.level, [...(periodsAt.get(x.level) ?? []), x.period]);
  for (const c of seen.cells.values()) {
    if (c.category !== null) continue;
    const periodsOfLevel = periodsAt.get(c.level)!;
    for (const category of [null, ...categories]) {
      const at = (period: string, level: string, area: string) => keyOf(period, level, area, category);
      const f = frequencyOf(c.period);
      // Time.
      const finer = periodsOfLevel.filter((p) =>
        (f === 'ALL' && frequencyOf(p) === 'YEAR') ||
        (f === 'YEAR' && frequencyOf(p) === 'QUARTER' && p.startsWith(c.period)) ||
        (f === 'QUARTER' && frequencyOf(p) === 'MONTH' && quarterOf(p) === c.period));
      const parts = seen.kind === 'FLOW' ? finer : finer.filter((p) => p.endsWith(f === 'YEAR' ? 'Q4' : ['', '03', '06', '09', '12'][Number(c.period.slice(-1))]));
      if (parts.length && (seen.kind === 'STOCK' || f !== 'YEAR' || parts.length === 4) && (seen.kind === 'STOCK' || f !== 'QUARTER' || parts.length === 3)) {
        push(at(c.period, c.level, c.area), parts.map((p) => at(p, c.level, c.area)));
      }
      // Geography.
      if (c.level === 'FRANCE') push(at(c.period, 'FRANCE', 'FR'), REGIONS.map((r) => at(c.period, 'REGION', r)));
      if (c.level === 'REGION') push(at(c.period, 'REGION', c.area), DEPARTEMENTS.filter((d) => d.region === c.area).map((d) => at(c.period, 'DEPARTEMENT', d.code)));
    }
    // Breakdowns.
    for (const b of seen.breakdowns) {
      push(keyOf(c.period, c.level, c.area, null), categories.filter((k) => k.startsWith(`${b}=`)).map((k) => keyOf(c.period, c.level, c.area, k)));
    }
  }
  return relations;
}

export type Measure = 'count' | 'amount';

const valueOf = (c: SeenCell, m: Measure): number | null => (m === 'count' ? c.count : c.amount === null ? null : Math.round(Number(c.amount) * 100));

/**
 * The smallest group a shown figure, or a total minus shown figures, may count in a relation: 11
 * people; 3 employers in a table of employers, or among the employer aids of a fund. (A fund's mixed
 * cells use 3 too: the check cannot tell a cell of employers only from the outside.)
 */
export function smallestGroup(seen: Collected, keys: readonly string[]): number {
  if (seen.contributors === 'PEOPLE') return 11;
  if (seen.contributors === 'PEOPLE_OR_EMPLOYERS' && keys.every((k) => k.endsWith('|BENEFICIARY_TYPE=PERSON'))) return 11;
  return 3;
}

export interface Findings {
  /** Hidden cells recomputed exactly. */
  readonly recovered: string[];
  /** Relations whose shown total minus shown parts leaves a group of 1 to 10. */
  readonly smallRemainders: string[];
  /** Relations that do not add up (the attacker's model would be wrong). */
  readonly inconsistent: string[];
  readonly hidden: number;
  readonly shown: number;
}

export function attack(seen: Collected, relations: readonly Relation[], measure: Measure): Findings {
  const value = new Map<string, number>();
  let hidden = 0;
  for (const c of seen.cells.values()) {
    const v = valueOf(c, measure);
    if (v === null) hidden++;
    else value.set(c.key, v);
  }
  const recovered: string[] = [];
  const smallRemainders: string[] = [];
  const inconsistent: string[] = [];
  for (const r of relations) {
    const parent = value.get(r.parent);
    if (parent === undefined) continue;
    const shownParts = r.children.filter((k) => value.has(k));
    const remainder = parent - shownParts.reduce((s, k) => s + value.get(k)!, 0);
    if (shownParts.length === r.children.length && remainder !== 0) inconsistent.push(r.parent);
    if (measure === 'count' && remainder >= 1 && remainder < smallestGroup(seen, [r.parent, ...r.children])) smallRemainders.push(`${r.parent} − shown parts = ${remainder}`);
  }
  // By hand: a relation with one unknown gives it; repeat.
  const known = new Map(value);
  for (let progress = true; progress;) {
    progress = false;
    for (const r of relations) {
      const members = [r.parent, ...r.children];
      const unknown = members.filter((k) => !known.has(k));
      if (unknown.length !== 1) continue;
      const [k] = unknown;
      const sumChildren = r.children.filter((c) => c !== k).reduce((s, c) => s + known.get(c)!, 0);
      known.set(k, k === r.parent ? sumChildren : known.get(r.parent)! - sumChildren);
      recovered.push(k);
      progress = true;
    }
  }
  // Exhaustively: any hidden cell in the span of the published relations.
  const linear = determinedCells(relations.map((r) => ({ parent: r.parent, children: r.children })), (k) => !value.has(k));
  return { recovered: [...new Set([...recovered, ...linear])].sort(), smallRemainders, inconsistent, hidden, shown: value.size };
}
