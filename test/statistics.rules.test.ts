import { describe, expect, it } from 'vitest';
import { EMPLOYER_THRESHOLD, primaryReason, protectTable } from '../subgraphs/kit/statistics.ts';

const shown = (t: ReturnType<typeof protectTable>) => t.cells.filter((c) => c.count !== null);

describe('statistical secrecy of the analysts\' tables', () => {
  it('shows every cell of 11 people or more, and the total', () => {
    const t = protectTable([{ key: '27', count: 40 }, { key: '13', count: 11 }]);
    expect(t.total.count).toBe(51);
    expect(t.cells.map((c) => c.count)).toEqual([40, 11]);
  });

  it('hides a cell under 11 people and one more, so that the total minus the others reveals nothing', () => {
    const t = protectTable([{ key: 'A', count: 300 }, { key: 'B', count: 40 }, { key: 'C', count: 25 }, { key: 'D', count: 3 }]);
    expect(t.cells.find((c) => c.key === 'D')).toEqual({ key: 'D', count: null, suppressedBecause: 'SMALL_CELL' });
    expect(t.cells.find((c) => c.key === 'C')).toEqual({ key: 'C', count: null, suppressedBecause: 'COMPLEMENTARY' });
    // The subtraction attack: total − shown cells gives only the sum of two hidden cells.
    const hiddenSum = t.total.count! - shown(t).reduce((s, c) => s + c.count!, 0);
    expect(hiddenSum).toBe(28);
    expect(t.cells.filter((c) => c.count === null)).toHaveLength(2);
  });

  it('hides the total when it is itself under the threshold', () => {
    const t = protectTable([{ key: 'F', count: 6 }, { key: 'M', count: 4 }]);
    expect(t.total.count).toBeNull();
    expect(shown(t)).toHaveLength(0);
  });

  it('shows a total of two small cells, since neither can be told from the other', () => {
    const t = protectTable([{ key: 'X', count: 5 }, { key: 'Z', count: 9 }]);
    expect(t.total.count).toBe(14);
    expect(shown(t)).toHaveLength(0);
  });

  it('hides the only other cell of a two-cell table, whatever its size', () => {
    const t = protectTable([{ key: 'A', count: 20 }, { key: 'B', count: 2 }]);
    expect(t.cells.map((c) => c.suppressedBecause)).toEqual(['COMPLEMENTARY', 'SMALL_CELL']);
  });

  it('hides a count of employers under 3, and shows 3', () => {
    expect(primaryReason({ count: 2 }, EMPLOYER_THRESHOLD)).toBe('SMALL_CELL');
    expect(primaryReason({ count: 3 }, EMPLOYER_THRESHOLD)).toBeNull();
  });

  it('hides an amount where one contributor holds more than 85 % of the cell, however many contributors', () => {
    expect(primaryReason({ count: 40, amount: { sum: 100_000, largest: 85_001 } })).toBe('DOMINANCE');
    expect(primaryReason({ count: 40, amount: { sum: 100_000, largest: 85_000 } })).toBeNull();
  });

  it('protects a dominated amount like a small cell: a second cell is hidden with it', () => {
    const t = protectTable([
      { key: 'A', count: 30, amount: { sum: 9_000, largest: 500 } },
      { key: 'B', count: 20, amount: { sum: 50_000, largest: 45_000 } },
      { key: 'C', count: 25, amount: { sum: 7_000, largest: 400 } },
    ]);
    expect(t.cells.map((c) => [c.key, c.suppressedBecause])).toEqual([['A', null], ['C', 'COMPLEMENTARY'], ['B', 'DOMINANCE']]);
  });
});
