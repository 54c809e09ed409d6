// The cost the gateway limits: page sizes counted as they will be read, whichever way they are given.
import { readFileSync } from 'node:fs';
import { parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { limitRefusal, operationCost } from '../gateway/limits.ts';
import { apiSchemaOf } from '../schema/composition.ts';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from '../subgraphs/kit/pagination.ts';

const schema = apiSchemaOf(readFileSync('schema/supergraph.graphql', 'utf8'));
const page = (first: string) => parse(`query($c: ID!, $n: Int = 7) { caseload(counsellorId: $c${first}) { totalCount nodes { id lastName history(first: 10) { nodes { kind } } } } }`);
const cost = (first: string, sizes?: Parameters<typeof operationCost>[2]) => operationCost(page(first), schema, sizes);

describe('the cost of an operation', () => {
  it('grows with the page size written in the document', () => {
    expect(cost(', first: 50')).toBeGreaterThan(cost(', first: 5'));
  });

  it('counts a variable page size as the request sets it, else as declared, else as the field defaults', () => {
    expect(cost(', first: $n', { variables: { n: 50 } })).toBe(cost(', first: 50'));
    expect(cost(', first: $n', { variables: {} })).toBe(cost(', first: 7'));
    expect(cost(', first: $n', { variables: { n: null } })).toBe(cost(`, first: ${DEFAULT_PAGE_SIZE}`));
  });

  it('counts a list asked without a page size as the page it gets', () => {
    expect(cost('', { variables: {} })).toBe(cost(`, first: ${DEFAULT_PAGE_SIZE}`));
  });

  it('counts, at registration, a page size left to the caller as the largest page', () => {
    expect(cost(', first: $n', { worstCase: true })).toBe(cost(`, first: ${MAX_PAGE_SIZE}`));
  });
});

describe('a refusal by the limits', () => {
  it('says what was measured and the limit, not "Syntax Error"', () => {
    expect(limitRefusal({ message: 'Syntax Error: Query depth limit of 10 exceeded, found 12.' }).message).toBe('depth 12 exceeds 10');
    expect(limitRefusal({ message: 'Syntax Error: Aliases limit of 15 exceeded, found 1600.' }).message).toBe('aliases 1,600 exceeds 15');
    expect(limitRefusal({ message: 'Syntax Error: Token limit of 3000 exceeded.' }).message).toBe('the document has more than 3,000 tokens');
    expect(limitRefusal({ message: 'Syntax Error: Unexpected "}".' }).message).toBe('Syntax Error: Unexpected "}".');
  });
});
