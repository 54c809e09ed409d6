// The cross-subgraph nullability rule (schema/nullability.ts, part of `npm run schema:check`): a field
// whose value comes from another subgraph than its object's is nullable, or has a documented reason,
// so that one partner down costs only its own fields.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { withHubPlumbing, workingTreeSource } from '../schema/composition.ts';
import { crossBoundaryFields, formatViolation, NON_NULL_ALLOWANCES_FILE, nonNullViolations, type NonNullAllowance } from '../schema/nullability.ts';
import { SUBGRAPHS } from '../subgraphs/kit/schema-files.ts';

const allowances = (JSON.parse(readFileSync(NON_NULL_ALLOWANCES_FILE, 'utf8')) as { allowed: NonNullAllowance[] }).allowed;

/** The four subgraphs as served, `edit` applied to one of them first. */
function graph(edit?: { subgraph: string; from: string; to: string }) {
  return withHubPlumbing(SUBGRAPHS.map((name) => {
    const source = workingTreeSource(process.cwd(), name);
    if (edit?.subgraph !== name) return source;
    expect(source.sdl.split(edit.from), `${edit.from} occurs once in ${name}`).toHaveLength(2);
    return { ...source, sdl: source.sdl.replace(edit.from, edit.to) };
  }));
}

describe('no non-null field across a subgraph boundary without a documented reason', () => {
  it('passes on the current graph, whose partner connections, merged fields and merge inputs are nullable', () => {
    const fields = crossBoundaryFields(graph(), allowances);
    expect(nonNullViolations(fields)).toEqual([]);
    const coordinates = fields.map((f) => `${f.subgraph} ${f.type}.${f.field}`);
    // What the rule sees as crossing: the other partners' fields on France Travail's entities, and the merges.
    expect(coordinates).toEqual(expect.arrayContaining([
      'fiphfp Employer.fiphfpDeclarations', 'cap-emploi Person.capEmploiAccompaniments', 'agefiph Person.agefiphAidRequests',
      'cap-emploi Person.capEmploiEvents', 'pole-emploi Person.history', 'pole-emploi Employer.fundings',
    ]));
    // The owner's own fields and another partner's own entity are not crossings.
    expect(coordinates).not.toContain('pole-emploi Person.lastName');
    expect(coordinates.filter((c) => c.includes('AgefiphAidRequest.'))).toEqual([]);
    // Each non-null one is an allowance with its reason.
    for (const f of fields.filter((f) => f.nonNull)) expect(f.allowance?.why.length).toBeGreaterThan(20);
  });

  it('fails a partner connection made non-null, naming the subgraph, the type and the field', () => {
    const fields = crossBoundaryFields(graph({ subgraph: 'fiphfp', from: '): FiphfpDeclarationConnection @requiresScopes', to: '): FiphfpDeclarationConnection! @requiresScopes' }), allowances);
    const violations = nonNullViolations(fields);
    expect(violations.map((v) => [v.subgraph, v.type, v.field, v.fieldType])).toEqual([['fiphfp', 'Employer', 'fiphfpDeclarations', 'FiphfpDeclarationConnection!']]);
    expect(formatViolation(violations[0])).toMatch(/^fiphfp: Employer\.fiphfpDeclarations: FiphfpDeclarationConnection! is non-null across a subgraph boundary \(contributed by fiphfp to pole-emploi's Employer\)/);
  });

  it('fails a merge input or a merged field made non-null', () => {
    const input = nonNullViolations(crossBoundaryFields(graph({ subgraph: 'cap-emploi', from: 'capEmploiEvents: [HistoryEvent!] @inaccessible', to: 'capEmploiEvents: [HistoryEvent!]! @inaccessible' }), allowances));
    expect(input.map((v) => `${v.subgraph} ${v.type}.${v.field}`)).toEqual(['cap-emploi Person.capEmploiEvents']);
    const merged = nonNullViolations(crossBoundaryFields(graph({ subgraph: 'pole-emploi', from: 'after: String): HistoryEventConnection\n', to: 'after: String): HistoryEventConnection!\n' }), allowances));
    expect(merged.map((v) => `${v.subgraph} ${v.type}.${v.field} ${v.crossing}`)).toEqual(['pole-emploi Person.history merged by pole-emploi from capEmploiEvents, agefiphEvents, fiphfpEvents (@requires)']);
  });

  it('counts an allowance only for its own subgraph, type and field', () => {
    const edit = { subgraph: 'fiphfp', from: '): FiphfpDeclarationConnection @requiresScopes', to: '): FiphfpDeclarationConnection! @requiresScopes' };
    const why = 'A declaration list is never partial.';
    expect(nonNullViolations(crossBoundaryFields(graph(edit), [...allowances, { subgraph: 'agefiph', type: 'Employer', field: 'fiphfpDeclarations', why }]))).toHaveLength(1);
    expect(nonNullViolations(crossBoundaryFields(graph(edit), [...allowances, { subgraph: 'fiphfp', type: 'Employer', field: 'fiphfpDeclarations', why }]))).toEqual([]);
  });
});
