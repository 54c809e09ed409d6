// Statistical secrecy across queries (issue 9, item 5): an analyst who asks everything the API
// publishes, and subtracts, never isolates a person.
import { beforeAll, describe, expect, it } from 'vitest';
import { attack, collect, relationsOf, smallestGroup, type Collected } from './attacker.ts';
import { analystToken, gql, indicatorFields } from './client.ts';

let token: string;
let indicators: string[];

beforeAll(async () => {
  token = await analystToken();
  indicators = await indicatorFields(token);
});

function* daysOf(year: number): Generator<string> {
  for (let t = Date.UTC(year, 0, 1); t < Date.UTC(year + 1, 0, 2); t += 86_400_000) yield new Date(t).toISOString().slice(0, 10);
}

describe('the one-day differencing attack of issue 9', () => {
  it('two jobSeekerStatistics calls with registeredTo one day apart never differ by one to ten people in any cell', async () => {
    let pairs = 0;
    let answered = 0;
    let changed = 0;
    for (const dimension of ['DEPARTEMENT', 'SEX']) {
      for (const registeredFrom of ['2024-01-01', '2024-10-01']) {
        let previous: Map<string, number | null> | null = null;
        for (const registeredTo of daysOf(2024)) {
          if (registeredTo < registeredFrom) continue;
          const res = await gql(token, `query($from: Date, $to: Date) { jobSeekerStatistics(dimension: ${dimension}, registeredFrom: $from, registeredTo: $to) { total { count } cells { key count } } }`, { from: registeredFrom, to: registeredTo });
          let current: Map<string, number | null> | null = null;
          if (res.errors) {
            // Bounds that are not one period of the grid are refused, with a message saying which are.
            expect(res.errors[0].extensions?.code).toBe('BAD_USER_INPUT');
          } else {
            answered++;
            const table = res.data.jobSeekerStatistics;
            current = new Map([['TOTAL', table.total.count], ...table.cells.map((c: { key: string; count: number | null }) => [c.key, c.count] as const)]);
          }
          if (previous && current) {
            pairs++;
            for (const [key, count] of current) {
              const before = previous.get(key);
              if (count === null || before === null || before === undefined) continue;
              expect(Math.abs(count - before) === 0 || Math.abs(count - before) >= 11, `${dimension} ${key} on ${registeredTo}`).toBe(true);
              if (count !== before) changed++;
            }
          }
          previous = current;
        }
      }
    }
    // Bounds are rounded to whole months: two days of one month give the same table, and two days of
    // different months are never both answered (one of them is not a grid period with this start).
    expect(answered).toBeGreaterThan(150);
    expect(pairs).toBeGreaterThan(150);
    expect(changed).toBe(0);
  }, 600_000);

  it('bounds rounded to the same month give the same table, to the person', async () => {
    const a = await gql(token, '{ jobSeekerStatistics(dimension: SEX, registeredFrom: "2024-03-01", registeredTo: "2024-03-30") { total { count } cells { key count suppressedBecause } } }');
    const b = await gql(token, '{ jobSeekerStatistics(dimension: SEX, registeredFrom: "2024-03-02", registeredTo: "2024-03-31") { total { count } cells { key count suppressedBecause } } }');
    expect(a.data).toEqual(b.data);
    expect(a.data.jobSeekerStatistics.total.count).toBeGreaterThan(100);
  });
});

describe('every indicator, asked for everything it publishes, then subtracted', () => {
  const seen = new Map<string, Collected>();

  it('the graph publishes the indicators of issue 13 and the registrations', () => {
    expect(indicators).toContain('registrationStatistics');
  });

  it('no hidden count is recomputed and no shown total minus its shown parts leaves fewer than 11 people (3 employers), whatever the indicator', async () => {
    for (const indicator of indicators) {
      const collected = await collect(token, indicator);
      seen.set(indicator, collected);
      const relations = relationsOf(collected);
      const findings = attack(collected, relations, 'count');
      expect(findings.inconsistent, `${indicator}: totals that do not add up`).toEqual([]);
      expect(findings.recovered, `${indicator}: hidden counts recomputed`).toEqual([]);
      expect(findings.smallRemainders, `${indicator}: small groups isolated`).toEqual([]);
      // Enough of the grid is shown at this scale for the attack to have material.
      expect(findings.shown, indicator).toBeGreaterThan(findings.hidden);
      expect(relations.length, indicator).toBeGreaterThan(500);
    }
  }, 600_000);

  it('no hidden amount is recomputed either', async () => {
    for (const collected of seen.values()) {
      if ([...collected.cells.values()].every((c) => c.amount === null && c.amountSuppressedBecause === null)) continue;
      const findings = attack(collected, relationsOf(collected), 'amount');
      expect(findings.inconsistent, collected.indicator).toEqual([]);
      expect(findings.recovered, collected.indicator).toEqual([]);
    }
  });

  it('a hidden cell is null with its reason, never 0', () => {
    for (const collected of seen.values()) {
      for (const c of collected.cells.values()) {
        expect(c.count === null, c.key).toBe(c.countSuppressedBecause !== null);
        if (c.count !== null) expect(c.count === 0 || c.count >= smallestGroup(collected, [c.key]), c.key).toBe(true);
      }
    }
  });
});
