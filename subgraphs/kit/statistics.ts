// Statistical secrecy for the analysts' tables, shared by the four partners' aggregates (rules of
// INSEE's table-protection manual and of the health-data secure access centre, see DOMAIN.md):
// - primary suppression: a cell of fewer than 11 people, or of fewer than 3 employers, is not shown;
// - dominance: an amount where one contributor holds more than 85 % of the cell is not shown (its
//   value would tell that contributor's amount to anyone who knows the others roughly);
// - secondary suppression: in every additive relation of the published cells (a total and its parts,
//   along time, geography or a breakdown), the hidden parts are never one alone, and taken together
//   they pass the primary rules themselves, so that "total minus the shown parts" reveals nothing;
// - audit: no hidden cell can be recomputed exactly from all the published cells together
//   (statistics-audit.ts); when one could, more cells are hidden.
// The rules run once over a whole publication (every cell of every period, area and breakdown of an
// indicator, statistics-cube.ts), so that any two queries read cells of one protected table.
import { determinedCells } from './statistics-audit.ts';

/** Counts of people under this are not shown. */
export const PEOPLE_THRESHOLD = 11;
/** Counts of employers under this are not shown. */
export const EMPLOYER_THRESHOLD = 3;
/** An amount is not shown when its largest contributor holds more than this share of it. */
export const DOMINANCE_SHARE = 0.85;

export type SuppressionReason = 'SMALL_CELL' | 'DOMINANCE' | 'COMPLEMENTARY';

/** What a cell is made of: enough to apply the primary rules to it, or to several cells merged. */
export interface CellContent {
  /** Events counted (returns to employment, requests...). */
  count: number;
  /**
   * Distinct contributors (a person, or an employer): a contributor counts once per cell. Null when
   * the indicator has at most one record per contributor in any cell (then `distinct` = `count`),
   * which spares a set per cell at the national scale.
   */
  readonly contributors: Set<string> | null;
  distinct: number;
  /** True when at least one contributor is a person: the people's threshold applies. */
  people: boolean;
  /** Euro cents summed by the cell, per contributor (amount indicators only). */
  readonly amounts: Map<string, number> | null;
}

export function emptyContent(options: { amounts: boolean; oneRecordPerContributor: boolean }): CellContent {
  return { count: 0, contributors: options.oneRecordPerContributor ? null : new Set(), distinct: 0, people: false, amounts: options.amounts ? new Map() : null };
}

export function addTo(content: CellContent, contributor: string, person: boolean, amountCents: number | null): void {
  content.count += 1;
  if (content.contributors) {
    content.contributors.add(contributor);
    content.distinct = content.contributors.size;
  } else {
    content.distinct += 1;
  }
  if (person) content.people = true;
  if (content.amounts && amountCents !== null) content.amounts.set(contributor, (content.amounts.get(contributor) ?? 0) + amountCents);
}

/** Several cells as one (the parts of a relation that a reader cannot see, taken together). */
export function merged(contents: readonly CellContent[]): CellContent {
  const sets = contents.every((c) => c.contributors !== null);
  const out = emptyContent({ amounts: contents.some((c) => c.amounts !== null), oneRecordPerContributor: !sets });
  for (const c of contents) {
    out.count += c.count;
    if (out.contributors) for (const k of c.contributors!) out.contributors.add(k);
    else out.distinct += c.distinct;
    if (c.people) out.people = true;
    if (out.amounts && c.amounts) for (const [k, v] of c.amounts) out.amounts.set(k, (out.amounts.get(k) ?? 0) + v);
  }
  if (out.contributors) out.distinct = out.contributors.size;
  return out;
}

export function amountOf(content: CellContent): number {
  let sum = 0;
  for (const v of content.amounts?.values() ?? []) sum += v;
  return sum;
}

export function thresholdOf(content: CellContent): number {
  return content.people || content.distinct === 0 ? PEOPLE_THRESHOLD : EMPLOYER_THRESHOLD;
}

/**
 * Why a cell must be hidden on its own (primary suppression), or null when it may be shown. An empty
 * cell is shown (0 tells nothing about anyone); a count needs enough events and enough contributors.
 */
export function primaryReason(content: CellContent, measure: Measure): SuppressionReason | null {
  if (content.count === 0) return null;
  const threshold = thresholdOf(content);
  if (content.count < threshold || content.distinct < threshold) return 'SMALL_CELL';
  if (measure === 'amount') {
    let sum = 0;
    let largest = 0;
    for (const v of content.amounts?.values() ?? []) {
      sum += v;
      largest = Math.max(largest, v);
    }
    if (sum > 0 && largest > DOMINANCE_SHARE * sum) return 'DOMINANCE';
  }
  return null;
}

/** What is published of a cell: its count, and for amount indicators its sum. */
export type Measure = 'count' | 'amount';

export interface ProtectedCell {
  readonly content: CellContent;
  hidden: Record<Measure, SuppressionReason | null>;
}

/** An additive relation between published cells: `parent` = sum of `children`. */
export interface Relation<C extends ProtectedCell = ProtectedCell> {
  readonly parent: C;
  readonly children: readonly C[];
}

function valueOf(cell: ProtectedCell, measure: Measure): number {
  return measure === 'count' ? cell.content.count : amountOf(cell.content);
}

/** The cell to hide next in a relation whose hidden part is not yet safe, or null when none helps. */
function complementFor(relation: Relation, measure: Measure): ProtectedCell | null {
  const shownChildren = relation.children.filter((c) => c.hidden[measure] === null);
  // The smallest non-empty part costs the least information; an empty part adds nothing to hide.
  const nonEmpty = shownChildren.filter((c) => valueOf(c, measure) > 0).sort((a, b) => valueOf(a, measure) - valueOf(b, measure));
  if (nonEmpty.length) return nonEmpty[0];
  if (relation.parent.hidden[measure] === null) return relation.parent;
  return shownChildren[0] ?? null;
}

/** Whether the hidden members of a relation leave a hidden cell exposed to "total minus the rest". */
function exposes(relation: Relation, measure: Measure): boolean {
  const members = [relation.parent, ...relation.children];
  const hidden = members.filter((c) => c.hidden[measure] !== null);
  if (hidden.length === 0) return false;
  if (hidden.length === 1) return true;
  if (relation.parent.hidden[measure] !== null) return false;
  // The total is shown: total − shown parts = the hidden parts together, which must pass the rules.
  return primaryReason(merged(hidden.map((c) => c.content)), measure) !== null;
}

/**
 * Applies primary, secondary and audited suppression to every cell of a publication, in place.
 * Deterministic: the same cells and relations always hide the same cells.
 */
export function protectPublication(cells: readonly ProtectedCell[], relations: readonly Relation[], measure: Measure): void {
  for (const cell of cells) cell.hidden[measure] = primaryReason(cell.content, measure);
  const byCell = new Map<ProtectedCell, Relation[]>();
  for (const r of relations) {
    for (const c of [r.parent, ...r.children]) {
      const list = byCell.get(c);
      if (list) list.push(r);
      else byCell.set(c, [r]);
    }
  }
  const hide = (cell: ProtectedCell) => {
    cell.hidden[measure] = 'COMPLEMENTARY';
    for (const r of byCell.get(cell) ?? []) pending.add(r);
  };
  const pending = new Set(relations.filter((r) => [r.parent, ...r.children].some((c) => c.hidden[measure] !== null)));
  for (;;) {
    while (pending.size) {
      const [relation] = pending;
      pending.delete(relation);
      while (exposes(relation, measure)) {
        const next = complementFor(relation, measure);
        if (!next) break;
        hide(next);
      }
    }
    // Relations each safe on their own can still pin a hidden cell together: the audit solves them
    // all at once, and a cell it can recompute gets one more complement in one of its relations.
    const determined = determinedCells(relations, (c) => c.hidden[measure] !== null);
    if (determined.length === 0) return;
    for (const cell of determined) {
      const relation = (byCell.get(cell) ?? []).find((r) => complementFor(r, measure) !== null);
      const next = relation && complementFor(relation, measure);
      if (!next) throw new Error('statistical secrecy: a hidden cell cannot be protected');
      hide(next);
    }
  }
}
