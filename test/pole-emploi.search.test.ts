// Name search as a counsellor types it: `%` and `_` are characters of a name, not wildcards.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { people } from '../subgraphs/kit/population.ts';
import { searchKey } from '../subgraphs/pole-emploi/rules.ts';
import { startTestSubgraph, type TestSubgraph } from './support/subgraph.ts';

const population = [...people({ seed: 'passerelle', scale: 400 })];

let sub: TestSubgraph;
beforeAll(async () => {
  sub = await startTestSubgraph('pole-emploi');
});
afterAll(async () => {
  await sub?.stop();
});

async function count(field: 'people' | 'employers', filter: Record<string, string>): Promise<number> {
  const { body } = await sub.call(`query($filter: ${field === 'people' ? 'PersonFilter' : 'EmployerFilter'}) { ${field}(filter: $filter, first: 1) { totalCount } }`, { filter });
  expect(body.errors).toBeUndefined();
  return body.data[field].totalCount;
}

describe('name search', () => {
  it('lastName "%" or "_" matches nobody instead of everyone', async () => {
    expect(await count('people', {})).toBe(population.length);
    for (const text of ['%', '_', '%%', '_%', '!', '\\']) {
      expect(await count('people', { lastName: text })).toBe(0);
      expect(await count('people', { firstName: text })).toBe(0);
      expect(await count('employers', { name: text })).toBe(0);
    }
  });

  it('a wildcard inside a name is not a wildcard: "D_" finds no Dupont', async () => {
    const someone = population[0];
    const prefix = searchKey(someone.lastName).slice(0, 2);
    const expected = population.filter((p) => searchKey(p.lastName).startsWith(prefix)).length;
    expect(await count('people', { lastName: prefix })).toBe(expected);
    expect(await count('people', { lastName: `${prefix[0]}_` })).toBe(population.filter((p) => searchKey(p.lastName).startsWith(`${prefix[0]}_`)).length);
    expect(await count('people', { lastName: `${prefix[0]}%${prefix[1]}` })).toBe(0);
  });
});
