// Statistical secrecy for the analysts' tables, shared by the four partners' aggregates (rules of
// INSEE's table-protection manual and of the health-data secure access centre, see DOMAIN.md):
// - primary suppression: a count of people under 11, or of employers under 3, is not shown;
// - dominance: an amount where one contributor holds more than 85 % of the cell is not shown (its
//   value would tell that contributor's amount to anyone who knows the others roughly);
// - secondary suppression: when a hidden cell could be recomputed by subtracting the shown cells
//   from the total, more cells are hidden — the smallest shown ones, until at least two are hidden.

/** Counts of people under this are not shown. */
export const PEOPLE_THRESHOLD = 11;
/** Counts of employers under this are not shown. */
export const EMPLOYER_THRESHOLD = 3;
/** An amount is not shown when its largest contributor holds more than this share of it. */
export const DOMINANCE_SHARE = 0.85;

export type SuppressionReason = 'SMALL_CELL' | 'DOMINANCE' | 'COMPLEMENTARY';

export interface RawCell {
  readonly key: string;
  /** Number of contributors (people or employers). */
  readonly count: number;
  /** For an amount: the cell's sum and its largest single contribution. */
  readonly amount?: { readonly sum: number; readonly largest: number };
}

export interface ProtectedCell {
  readonly key: string;
  readonly count: number | null;
  readonly suppressedBecause: SuppressionReason | null;
}

/** Why a cell must be hidden on its own (primary suppression), or null when it may be shown. */
export function primaryReason(cell: Omit<RawCell, 'key'>, threshold = PEOPLE_THRESHOLD): SuppressionReason | null {
  if (cell.count < threshold) return 'SMALL_CELL';
  if (cell.amount && cell.amount.sum > 0 && cell.amount.largest > DOMINANCE_SHARE * cell.amount.sum) return 'DOMINANCE';
  return null;
}

export function protectTable(raw: readonly RawCell[], threshold = PEOPLE_THRESHOLD): { total: ProtectedCell; cells: ProtectedCell[] } {
  const totalCount = raw.reduce((sum, c) => sum + c.count, 0);
  const cells: ProtectedCell[] = [...raw]
    .sort((a, b) => b.count - a.count || a.key.localeCompare(b.key))
    .map((c) => {
      const reason = primaryReason(c, threshold);
      return reason ? { key: c.key, count: null, suppressedBecause: reason } : { key: c.key, count: c.count, suppressedBecause: null };
    });
  if (totalCount < threshold) {
    return {
      total: { key: 'TOTAL', count: null, suppressedBecause: 'SMALL_CELL' },
      cells: cells.map((c) => (c.count === null ? c : { key: c.key, count: null, suppressedBecause: 'COMPLEMENTARY' })),
    };
  }
  const hidden = cells.filter((c) => c.count === null).length;
  if (hidden === 1) {
    // One hidden cell = total − the others: hide the smallest shown cell as well. (A table whose
    // only cell is hidden has a total under the threshold, hidden above.)
    const index = cells.findLastIndex((c) => c.count !== null);
    cells[index] = { key: cells[index].key, count: null, suppressedBecause: 'COMPLEMENTARY' };
  }
  return { total: { key: 'TOTAL', count: totalCount, suppressedBecause: null }, cells };
}
