import { describe, expect, it } from 'vitest';
import { people } from '../subgraphs/kit/population.ts';
import { addTo, emptyContent, primaryReason, protectPublication, type ProtectedCell, type Relation } from '../subgraphs/kit/statistics.ts';
import { protectedPublication } from '../subgraphs/kit/statistics-api.ts';
import { determinedCells } from '../subgraphs/kit/statistics-audit.ts';
import { AREAS, type IndicatorDefinition, type StatisticsRecord } from '../subgraphs/kit/statistics-cube.ts';

let next = 0;
/** A cell of `count` people (or employers), each contributing `amounts[i]` cents when given. */
function cell(count: number, options: { employers?: boolean; amounts?: number[] } = {}): ProtectedCell {
  const content = emptyContent({ amounts: Boolean(options.amounts), oneRecordPerContributor: false });
  for (let i = 0; i < count; i++) addTo(content, `c${next++}`, !options.employers, options.amounts?.[i] ?? null);
  return { content, hidden: { count: null, amount: null } };
}
const sumOf = (...cells: ProtectedCell[]): ProtectedCell => {
  const out = cell(0);
  for (const c of cells) for (const k of c.content.contributors!) addTo(out.content, k, true, null);
  return out;
};
const hidden = (...cells: ProtectedCell[]) => cells.map((c) => c.hidden.count);

describe('statistical secrecy: primary rules', () => {
  it('hides a count of 1 to 10 people and shows 0 and 11', () => {
    expect(primaryReason(cell(0).content, 'count')).toBeNull();
    expect(primaryReason(cell(1).content, 'count')).toBe('SMALL_CELL');
    expect(primaryReason(cell(10).content, 'count')).toBe('SMALL_CELL');
    expect(primaryReason(cell(11).content, 'count')).toBeNull();
  });

  it('hides a cell of 11 events made by fewer than 11 people', () => {
    const content = emptyContent({ amounts: false, oneRecordPerContributor: false });
    for (let i = 0; i < 12; i++) addTo(content, `p${i % 4}`, true, null);
    expect(primaryReason(content, 'count')).toBe('SMALL_CELL');
  });

  it('hides a count of employers under 3, and shows 3', () => {
    expect(primaryReason(cell(2, { employers: true }).content, 'count')).toBe('SMALL_CELL');
    expect(primaryReason(cell(3, { employers: true }).content, 'count')).toBeNull();
  });

  it('hides an amount where one contributor holds more than 85 % of the cell, however many contributors', () => {
    const rest = Array.from({ length: 39 }, () => 1);
    expect(primaryReason(cell(40, { amounts: [...rest, 222] }).content, 'amount')).toBe('DOMINANCE');
    expect(primaryReason(cell(40, { amounts: [...rest, 221] }).content, 'amount')).toBeNull();
  });
});

describe('statistical secrecy: secondary suppression over relations', () => {
  it('hides a second cell beside a small one, so that the total minus the others reveals nothing', () => {
    const [a, b, c, d] = [cell(300), cell(40), cell(25), cell(3)];
    const total = sumOf(a, b, c, d);
    protectPublication([total, a, b, c, d], [{ parent: total, children: [a, b, c, d] }], 'count');
    expect(hidden(total, a, b, c, d)).toEqual([null, null, null, 'COMPLEMENTARY', 'SMALL_CELL']);
  });

  it('hides more when the hidden cells of a relation together still count fewer than 11 people', () => {
    const [a, b, c, d] = [cell(300), cell(40), cell(4), cell(3)];
    const total = sumOf(a, b, c, d);
    protectPublication([total, a, b, c, d], [{ parent: total, children: [a, b, c, d] }], 'count');
    // 4 + 3 = 7 people: total − shown would isolate them; 40 more makes the hidden part 47.
    expect(hidden(a, b, c, d)).toEqual([null, 'COMPLEMENTARY', 'SMALL_CELL', 'SMALL_CELL']);
  });

  it('hides a part when its total is hidden and every other part is shown', () => {
    const [a, b] = [cell(20), cell(30)];
    const total = sumOf(a, b);
    total.content.count = 5; // A total made small by hand: its parts alone would give it away.
    protectPublication([total, a, b], [{ parent: total, children: [a, b] }], 'count');
    expect(hidden(total, a, b)).toEqual(['SMALL_CELL', 'COMPLEMENTARY', null]);
  });

  it('finds a hidden cell that relations safe one by one pin together, and hides more', () => {
    // x + y, y + z and x + z are each shown as totals with two hidden parts; together they give
    // x = (t1 − t2 + t3) / 2. The audit must see it.
    const [x, y, z] = [cell(5), cell(6), cell(7)];
    const [s1, s2, s3] = [cell(40), cell(50), cell(60)];
    const relations: Relation[] = [
      { parent: sumOf(x, y, s1), children: [x, y, s1] },
      { parent: sumOf(y, z, s2), children: [y, z, s2] },
      { parent: sumOf(x, z, s3), children: [x, z, s3] },
    ];
    for (const c of [x, y, z]) c.hidden.count = 'SMALL_CELL';
    expect(new Set(determinedCells(relations, (c) => c.hidden.count !== null))).toEqual(new Set([x, y, z]));
    protectPublication([x, y, z, s1, s2, s3, ...relations.map((r) => r.parent)], relations, 'count');
    expect(determinedCells(relations, (c) => c.hidden.count !== null)).toEqual([]);
  });

  it('protects a dominated amount like a small cell: a second amount is hidden with it', () => {
    const [a, b, c] = [cell(30, { amounts: Array(30).fill(300) }), cell(20, { amounts: [45_000, ...Array(19).fill(250)] }), cell(25, { amounts: Array(25).fill(280) })];
    const total = cell(0, { amounts: [] });
    for (const part of [a, b, c]) for (const [k, v] of part.content.amounts!) addTo(total.content, k, true, v);
    protectPublication([total, a, b, c], [{ parent: total, children: [a, b, c] }], 'amount');
    expect([a, b, c].map((p) => p.hidden.amount)).toEqual([null, 'DOMINANCE', 'COMPLEMENTARY']);
  });
});

describe('statistical secrecy: a whole publication', () => {
  const definition: IndicatorDefinition<StatisticsRecord[]> = {
    name: 'testRegistrations', kind: 'FLOW', contributors: 'PEOPLE', breakdowns: { SEX: ['F', 'M'] }, amounts: false, oneRecordPerContributor: true,
    records: async (records) => records,
  };
  const records: StatisticsRecord[] = [...people({ seed: 'statistics-test', scale: 3000 })].map((p) => ({
    on: p.registeredOn, departement: p.departement, contributor: p.id, person: true, categories: { SEX: p.sex },
  }));
  const publication = protectedPublication(definition, records);

  it('publishes months for France only, quarters for France and régions, years everywhere, and breakdowns one step coarser', () => {
    expect(publication.cell('2024-05', 'FRANCE', 'FR', null, null)).toBeDefined();
    expect(publication.cell('2024-05', 'REGION', '28', null, null)).toBeUndefined();
    expect(publication.cell('2024-Q2', 'REGION', '28', null, null)).toBeDefined();
    expect(publication.cell('2024-Q2', 'DEPARTEMENT', '27', null, null)).toBeUndefined();
    expect(publication.cell('2024', 'DEPARTEMENT', '27', null, null)).toBeDefined();
    // A breakdown is one step coarser below France: régions by year, départements over the series.
    expect(publication.cell('2024-Q2', 'REGION', '28', 'SEX', 'F')).toBeUndefined();
    expect(publication.cell('2024', 'REGION', '28', 'SEX', 'F')).toBeDefined();
    expect(publication.cell('2024', 'DEPARTEMENT', '27', 'SEX', 'F')).toBeUndefined();
    expect(publication.cell('ALL', 'DEPARTEMENT', '27', 'SEX', 'F')).toBeDefined();
    expect(publication.cell('2026', 'FRANCE', 'FR', null, null)).toBeUndefined();
  });

  it('adds up: every published total is the sum of its published parts', () => {
    for (const { parent, children } of publication.relations) {
      expect(children.reduce((s, c) => s + c.content.count, 0)).toBe(parent.content.count);
    }
    expect(publication.cell('ALL', 'FRANCE', 'FR', null, null)!.content.count).toBe(3000);
  });

  it('leaves no hidden cell alone in a relation, no small hidden part under a shown total, and none recomputable', () => {
    for (const { parent, children } of publication.relations) {
      const hiddenMembers = [parent, ...children].filter((c) => c.hidden.count !== null);
      expect(hiddenMembers.length === 0 || hiddenMembers.length >= 2).toBe(true);
      const hiddenParts = children.filter((c) => c.hidden.count !== null).reduce((s, c) => s + c.content.count, 0);
      if (parent.hidden.count === null && hiddenParts > 0) expect(hiddenParts).toBeGreaterThanOrEqual(11);
    }
    expect(determinedCells(publication.relations, (c) => c.hidden.count !== null)).toEqual([]);
  });

  it('protects a région with the départements it contains: the région minus its shown départements is never one hidden département', () => {
    for (const region of AREAS.REGION) {
      for (const year of ['2020', '2024', 'ALL']) {
        const total = publication.cell(year, 'REGION', region.code, null, null)!;
        const parts = region.departements.map((d) => publication.cell(year, 'DEPARTEMENT', d, null, null)!);
        const hiddenParts = parts.filter((p) => p.hidden.count !== null);
        if (total.hidden.count === null) {
          expect(hiddenParts.length).not.toBe(1);
          const hiddenSum = hiddenParts.reduce((s, p) => s + p.content.count, 0);
          expect(hiddenSum === 0 || hiddenSum >= 11).toBe(true);
        } else {
          // A hidden région is not the sum of shown départements either.
          expect(hiddenParts.length).toBeGreaterThan(0);
        }
      }
    }
  });
});
