import { describe, expect, it } from 'vitest';
import { isValidSiret, isValidSiren } from '../subgraphs/kit/siret.ts';
import { formatCents, parseEuros, parseIsoDate } from '../subgraphs/kit/scalars.ts';
import { requestHash, stableJson } from '../subgraphs/kit/writes.ts';
import { connectionOf, page, MAX_PAGE_SIZE } from '../subgraphs/kit/pagination.ts';
import { employer, employers, person, personId, DEFAULT_WORLD, LA_POSTE_SIRET } from '../subgraphs/kit/population.ts';
import { departements } from '../subgraphs/kit/territory.ts';

describe('SIRET check', () => {
  it('accepts a SIRET whose digits pass Luhn', () => expect(isValidSiret('73282932000074')).toBe(true));
  it('accepts a La Poste establishment by the multiple-of-5 rule even though Luhn fails', () => expect(isValidSiret('35600000009075')).toBe(true));
  it('rejects a La Poste SIRET whose digits do not add up to a multiple of 5', () => expect(isValidSiret('35600000009090')).toBe(false));
  it('rejects a wrong check digit, letters and wrong lengths', () => {
    expect(isValidSiret('73282932000075')).toBe(false);
    expect(isValidSiret('7328293200007A')).toBe(false);
    expect(isValidSiret('7328293200007')).toBe(false);
    expect(isValidSiret('')).toBe(false);
  });
  it('checks the SIREN part on its own', () => {
    expect(isValidSiren('732829320')).toBe(true);
    expect(isValidSiren('732829321')).toBe(false);
  });
});

describe('money and dates on the wire', () => {
  it('reads euros with cents into integer cents, never through floating point', () => {
    expect(parseEuros('3150.00')).toBe(315000);
    expect(parseEuros('0.1')).toBe(10);
    expect(parseEuros('1234.56')).toBe(123456);
    expect(formatCents(315000)).toBe('3150.00');
    expect(formatCents(5)).toBe('0.05');
  });
  it('refuses negative, over-precise or non-numeric amounts', () => {
    for (const bad of ['-1', '1.234', '1e3', 'abc', '', '01']) expect(() => parseEuros(bad)).toThrow(/not an amount/);
  });
  it('refuses impossible calendar dates', () => {
    expect(parseIsoDate('2024-02-29')).toBe('2024-02-29');
    expect(() => parseIsoDate('2023-02-29')).toThrow();
    expect(() => parseIsoDate('2023-2-1')).toThrow();
  });
});

describe('idempotency keys', () => {
  it('hashes the same input the same whatever the key order', () => {
    expect(stableJson({ b: 1, a: [1, { d: 2, c: 3 }] })).toBe('{"a":[1,{"c":3,"d":2}],"b":1}');
    expect(requestHash({ a: 1, b: 2 })).toBe(requestHash({ b: 2, a: 1 }));
    expect(requestHash({ a: 1 })).not.toBe(requestHash({ a: 2 }));
  });
});

describe('pagination', () => {
  it('bounds the page size', () => {
    expect(page({}).first).toBe(20);
    expect(() => page({ first: MAX_PAGE_SIZE + 1 })).toThrow(/first must be/);
    expect(() => page({ first: 0 })).toThrow(/first must be/);
    expect(() => page({ after: "'; drop table person; --" })).toThrow(/cursor/);
  });
  it('walks an in-memory list page by page without loss or repeat', () => {
    const items = Array.from({ length: 45 }, (_, i) => i);
    const seen: number[] = [];
    let after: string | null = null;
    do {
      const c: ReturnType<typeof connectionOf<number>> = connectionOf(items, { first: 20, after });
      seen.push(...c.nodes);
      expect(c.totalCount).toBe(45);
      after = c.pageInfo.hasNextPage ? c.pageInfo.endCursor : null;
    } while (after);
    expect(seen).toEqual(items);
  });
});

describe('the synthetic world', () => {
  it('is the same for the same seed and differs for another', () => {
    expect(person(DEFAULT_WORLD, 42)).toEqual(person(DEFAULT_WORLD, 42));
    expect(person({ seed: 'other', scale: 10 }, 42).id).not.toBe(person(DEFAULT_WORLD, 42).id);
  });
  it('gives every person a unique pseudonymous id that is not a NIR', () => {
    const ids = new Set(Array.from({ length: 5000 }, (_, i) => personId(DEFAULT_WORLD, i)));
    expect(ids.size).toBe(5000);
    for (const id of [...ids].slice(0, 50)) expect(id).toMatch(/^psn_[0-9a-f]{8}[0-9a-z]{5,}$/);
  });
  it('gives job seeker ids in the legacy (7 digits + 1) or new (11 digits) format', () => {
    for (let i = 0; i < 200; i++) expect(person(DEFAULT_WORLD, i).jobSeekerId).toMatch(/^(\d{7}[A-Z0-9]|\d{11})$/);
  });
  it('gives every employer a valid, unique SIRET, La Poste included', () => {
    const all = [...employers(DEFAULT_WORLD)];
    expect(all[0].siret).toBe(LA_POSTE_SIRET);
    expect(all.every((e) => isValidSiret(e.siret))).toBe(true);
    expect(new Set(all.map((e) => e.siret)).size).toBe(all.length);
  });
  it('follows the published proportions: about 52% women and 35% oriented to Cap emploi', () => {
    const sample = Array.from({ length: 4000 }, (_, i) => person(DEFAULT_WORLD, i));
    const share = (f: (p: (typeof sample)[number]) => boolean) => sample.filter(f).length / sample.length;
    expect(share((p) => p.sex === 'F')).toBeGreaterThan(0.49);
    expect(share((p) => p.sex === 'F')).toBeLessThan(0.55);
    expect(share((p) => p.orientation === 'CAP_EMPLOI')).toBeGreaterThan(0.32);
    expect(share((p) => p.orientation === 'CAP_EMPLOI')).toBeLessThan(0.38);
    expect(employer(DEFAULT_WORLD, 3).departement).toMatch(/^(\d{2}|2A|2B|97\d)$/);
  });
  it('lives in the 101 départements of France (metropolitan and overseas)', () => {
    expect(departements).toHaveLength(101);
  });
});
