// Statistical secrecy for the analysts' tables (rules of INSEE's table-protection manual):
// counts of people under 11 are not shown (primary suppression), and when a hidden cell could be
// recomputed by subtracting the shown cells from the total, more cells are hidden (secondary
// suppression) — the smallest shown ones, until at least two cells are hidden, or the total too.

export const PEOPLE_THRESHOLD = 11;

export interface RawCell {
  readonly key: string;
  readonly count: number;
}

export interface ProtectedCell {
  readonly key: string;
  readonly count: number | null;
  readonly suppressedBecause: 'SMALL_CELL' | 'COMPLEMENTARY' | null;
}

export function protectTable(raw: readonly RawCell[], threshold = PEOPLE_THRESHOLD): { total: ProtectedCell; cells: ProtectedCell[] } {
  const totalCount = raw.reduce((sum, c) => sum + c.count, 0);
  const cells: ProtectedCell[] = [...raw]
    .sort((a, b) => b.count - a.count || a.key.localeCompare(b.key))
    .map((c) => (c.count < threshold ? { key: c.key, count: null, suppressedBecause: 'SMALL_CELL' } : { key: c.key, count: c.count, suppressedBecause: null }));
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
