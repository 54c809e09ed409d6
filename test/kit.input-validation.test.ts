// The kit's check of the text in a request, and a subgraph applying it to what it receives (a call
// signed as the gateway signs it): NUL, control characters and lone surrogates answer BAD_USER_INPUT
// naming the argument, before any resolver runs.
import { parse } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findInvalidInput, textProblem } from '../subgraphs/kit/input-validation.ts';
import { people } from '../subgraphs/kit/population.ts';
import { startTestSubgraph, type TestSubgraph } from './support/subgraph.ts';

const population = [...people({ seed: 'passerelle', scale: 400 })];
const check = (query: string, variables: Record<string, unknown> = {}) => findInvalidInput(parse(query), variables);

describe('which text is refused', () => {
  it('refuses NUL, other C0 and C1 controls, DEL and lone surrogates everywhere', () => {
    for (const bad of ['a\u0000', 'a\u0001', 'a\u001b', 'a\u007f', 'a\u0085', 'a\ud800', 'a\udc00b']) expect(textProblem(bad, 'note')).not.toBeNull();
    expect(textProblem('a\u0000', 'lastName')).toBe('lastName contains a NUL character');
  });
  it('allows tabs and line breaks in free-text notes only', () => {
    expect(textProblem('ligne 1\r\nligne 2\tfin', 'note')).toBeNull();
    expect(textProblem('ligne 1\nligne 2', 'medicalRestrictions')).toBeNull();
    expect(textProblem('Du\tpont', 'lastName')).toBe('lastName cannot contain tabs or line breaks');
  });
  it('accepts ordinary text, accents, emoji (a valid surrogate pair) and non-breaking spaces', () => {
    for (const good of ['Lefèvre', "N'Diaye", 'Œuvre 😀', 'a\u00a0b', '']) expect(textProblem(good, 'lastName')).toBeNull();
  });
});

describe('where text is looked for', () => {
  it('in literal arguments and nested input objects and lists', () => {
    expect(check('{ people(filter: { lastName: "a\\u0000" }) { totalCount } }')).toEqual({ field: 'lastName', message: 'lastName contains a NUL character' });
    expect(check('{ a(ids: ["ok", "b\\u0007"]) }')?.field).toBe('ids');
  });
  it('in variables, named after the argument or input field that receives them', () => {
    expect(check('query($f: PersonFilter) { people(filter: $f) { totalCount } }', { f: { lastName: 'ok', firstName: 'x\u0000' } })?.field).toBe('firstName');
    expect(check('query($c: String) { people(after: $c) { totalCount } }', { c: 'x\u0000' })?.field).toBe('after');
    expect(check('query($i: [In]) { a(list: $i) }', { i: [{ note: 'ok\n' }, { note: 'x\ud800' }] })?.field).toBe('note');
    expect(check('query($c: String = "x\\u0000") { people(after: $c) { totalCount } }')?.field).toBe('c');
    expect(check('query($s: Boolean!) { a @include(if: $s) { b(x: "\\u0001") } }', { s: true })?.field).toBe('x');
  });
  it('not in _entities representations (built by the gateway), but in the arguments below them', () => {
    const query = 'query($r: [_Any!]!, $after: String) { _entities(representations: $r) { ... on Person { history(after: $after) { totalCount } } } }';
    expect(check(query, { r: [{ __typename: 'Person', id: 'p', capEmploiEvents: [{ summary: 'line\nbreak' }] }] })).toBeNull();
    expect(check(query, { r: [], after: 'x\u0000' })?.field).toBe('after');
  });
});

describe('a subgraph receiving invalid text', () => {
  let sub: TestSubgraph;
  beforeAll(async () => {
    sub = await startTestSubgraph('pole-emploi');
  });
  afterAll(async () => {
    await sub?.stop();
  });

  it('answers BAD_USER_INPUT with status 400 before any resolver runs (it used to be an internal error)', async () => {
    const { status, body } = await sub.call('query($f: PersonFilter) { people(filter: $f) { totalCount } }', { f: { lastName: 'Du\u0000pont' } });
    expect(status).toBe(400);
    expect(body).toEqual({ errors: [{ message: 'lastName contains a NUL character', extensions: { code: 'BAD_USER_INPUT', field: 'lastName' } }] });
  });

  it('writes nothing when a mutation input holds a NUL', async () => {
    const person = population.find((p) => p.registeredOn < '2025-01-01')!;
    const count = async () => (await sub.call('query($id: ID!) { person(id: $id) { orientations { totalCount } } }', { id: person.id })).body.data.person.orientations.totalCount;
    const before = await count();
    const { status, body } = await sub.call('mutation($input: RecordOrientationInput!) { recordOrientation(input: $input) { id } }', {
      input: { idempotencyKey: 'nul\u0000key-0001', personId: person.id, orientedTo: 'CAP_EMPLOI', track: 'EMPLOYMENT', decidedOn: '2025-06-01' },
    });
    expect(status).toBe(400);
    expect(body.errors[0].extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'idempotencyKey' });
    expect(await count()).toBe(before);
  });
});
