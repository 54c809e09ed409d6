// Text a partner app sends that cannot be stored (a NUL, another control character, a lone surrogate)
// is a BAD_USER_INPUT naming the argument, answered by the gateway before any subgraph is called. It
// used to reach a subgraph's database and come back as `internal error`.
import { describe, expect, it } from 'vitest';
import { gql, tokenFor } from './client.ts';

const PEOPLE = 'query($filter: PersonFilter) { people(filter: $filter) { totalCount } }';

describe('invalid text in a request', () => {
  it('a NUL in a search variable answers BAD_USER_INPUT on lastName (it used to be an internal error)', async () => {
    const token = await tokenFor('france-travail', 'case-manager');
    const res = await gql(token, PEOPLE, { filter: { lastName: 'Du\u0000pont' } });
    expect(res.status).toBe(400);
    expect(res.body.data).toBeUndefined();
    expect(res.body.errors).toEqual([{ message: 'lastName contains a NUL character', extensions: { code: 'BAD_USER_INPUT', field: 'lastName' } }]);
  });

  it('a NUL written as \\u0000 in the document itself is refused the same way', async () => {
    const token = await tokenFor('france-travail', 'case-manager');
    const res = await gql(token, 'query { person(id: "psn_\\u0000") { id } }');
    expect(res.status).toBe(400);
    expect(res.body.errors?.[0].extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'id' });
  });

  it('a lone surrogate or another control character is refused, naming the argument', async () => {
    const token = await tokenFor('france-travail', 'case-manager');
    for (const [text, message] of [['Du\ud800pont', 'lastName is not well-formed Unicode (a lone surrogate)'], ['Du\u001bpont', 'lastName contains a control character'], ['Du\npont', 'lastName cannot contain tabs or line breaks']]) {
      const res = await gql(token, PEOPLE, { filter: { lastName: text } });
      expect(res.status).toBe(400);
      expect(res.body.errors).toEqual([{ message, extensions: { code: 'BAD_USER_INPUT', field: 'lastName' } }]);
    }
  });

  it('a NUL in a mutation input writes nothing and names the input field', async () => {
    const token = await tokenFor('agefiph', 'case-manager');
    const res = await gql(token, 'mutation($input: DecideAgefiphAidInput!) { decideAgefiphAid(input: $input) { id } }', {
      input: { idempotencyKey: 'nul-in-note-0001', requestId: 'agf-none', decision: 'REFUSED', note: 'refusé\u0000' },
    });
    expect(res.status).toBe(400);
    expect(res.body.errors?.[0].extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'note' });
  });

  it('ordinary accented text still goes through', async () => {
    const token = await tokenFor('france-travail', 'case-manager');
    const res = await gql(token, PEOPLE, { filter: { lastName: 'Lefèvre' } });
    expect(res.status).toBe(200);
    expect(res.body.errors).toBeUndefined();
  });
});
