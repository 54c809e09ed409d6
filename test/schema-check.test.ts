// `npm run schema:check` as a partner team meets it, on a throw-away copy of the repository's
// contracts (schemas, deployed supergraph, registered operations) in a git repository of its own:
// the real tree is never touched.
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ACKNOWLEDGEMENTS_FILE, checkSubgraph, formatReport, readBaseline, type CheckReport } from '../schema/check.ts';
import { NON_NULL_ALLOWANCES_FILE } from '../schema/nullability.ts';
import { SUBGRAPHS } from '../subgraphs/kit/schema-files.ts';

let root: string;

const git = (...args: string[]) => execFileSync('git', ['-c', 'user.name=Test', '-c', 'user.email=test@passerelle.invalid', ...args], { cwd: root, stdio: 'pipe' });
const schemaOf = (subgraph: string) => path.join(root, 'subgraphs', subgraph, 'schema.graphql');

/** Edits a subgraph's working-tree schema; `from` must occur exactly once. */
function edit(subgraph: string, from: string | RegExp, to: string) {
  const text = readFileSync(schemaOf(subgraph), 'utf8');
  const matches = text.match(new RegExp(typeof from === 'string' ? from.replace(/[.*+?^${}()|[\]\\]/g, '\\$&') : from.source, 'g')) ?? [];
  expect(matches, `${String(from)} occurs once in ${subgraph}`).toHaveLength(1);
  writeFileSync(schemaOf(subgraph), text.replace(from, to));
}

const check = (subgraph: string): Promise<CheckReport> => checkSubgraph(readBaseline(root), subgraph);

/** Ships the working tree: recomposed supergraph committed, as after `npm run compose` and a merge. */
function ship(report: CheckReport) {
  writeFileSync(path.join(root, 'schema', 'supergraph.graphql'), report.supergraphSdl!);
  git('add', '-A');
  git('commit', '-qm', 'ship');
}

beforeEach(() => {
  root = mkdtempSync(path.join(tmpdir(), 'passerelle-schema-check-'));
  for (const subgraph of SUBGRAPHS) {
    mkdirSync(path.join(root, 'subgraphs', subgraph), { recursive: true });
    cpSync(path.join('subgraphs', subgraph, 'schema.graphql'), schemaOf(subgraph));
  }
  cpSync('subgraphs/kit/common.graphql', path.join(root, 'subgraphs/kit/common.graphql'));
  cpSync('schema/supergraph.graphql', path.join(root, 'schema/supergraph.graphql'));
  cpSync('schema/operations', path.join(root, 'schema/operations'), { recursive: true });
  cpSync(NON_NULL_ALLOWANCES_FILE, path.join(root, NON_NULL_ALLOWANCES_FILE));
  git('init', '-q');
  git('add', '-A');
  git('commit', '-qm', 'base');
});

afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('npm run schema:check', () => {
  it('passes an unchanged graph for every subgraph', async () => {
    for (const subgraph of SUBGRAPHS) {
      const report = await check(subgraph);
      expect(report).toMatchObject({ failed: false, compositionErrors: [], changes: [], brokenOperations: [] });
    }
  });

  it('shows the safe path: deprecate a field with a reason, see that no registered operation uses it, remove it', async () => {
    edit('agefiph', '  conditions: String!\n', '  conditions: String! @deprecated(reason: "Read the conditions on agefiph.fr: they change between catalogue versions.")\n');
    const deprecated = await check('agefiph');
    expect(deprecated.failed).toBe(false);
    expect(deprecated.changes).toEqual([expect.objectContaining({ level: 'safe', type: 'FIELD_DEPRECATION_ADDED', path: 'AgefiphAid.conditions', usedBy: [] })]);
    expect(deprecated.deprecatedUses).toEqual([]);
    ship(deprecated);

    edit('agefiph', /  "Conditions of eligibility[^\n]*\n  conditions: String! @deprecated[^\n]*\n/, '');
    const removed = await check('agefiph');
    expect(removed.changes).toEqual([expect.objectContaining({ level: 'dangerous', type: 'FIELD_REMOVED', path: 'AgefiphAid.conditions', usedBy: [] })]);
    expect(removed.brokenOperations).toEqual([]);
    expect(removed.failed).toBe(false);
  });

  it('names the deprecated fields a registered operation still uses, so the team knows to wait', async () => {
    edit('pole-emploi', /  track: Track!\n(?=  "Day of the decision\.")/, '  track: Track! @deprecated(reason: "Read it from the orientation history.")\n');
    const report = await check('pole-emploi');
    expect(report.failed).toBe(false);
    expect(report.deprecatedUses.map((d) => `${d.app} ${d.operation}`).sort()).toEqual(['counsellor-app Caseload', 'counsellor-app CaseloadWithHistory', 'counsellor-app PersonFile', 'counsellor-app RecordOrientation']);
  });

  it('fails a removed field that a partner app\'s registered operations read, naming the app and the operations', async () => {
    edit('pole-emploi', /  "Current job seeker category\."\n  category: JobSeekerCategory!\n/, '');
    const report = await check('pole-emploi');
    expect(report.failed).toBe(true);
    expect(report.changes).toContainEqual(expect.objectContaining({ level: 'breaking', type: 'FIELD_REMOVED', path: 'Registration.category', usedBy: ['counsellor-app Caseload', 'counsellor-app CaseloadWithHistory', 'counsellor-app PersonFile'] }));
    expect(report.brokenOperations.map((b) => `${b.app} ${b.operation}`)).toEqual(['counsellor-app Caseload', 'counsellor-app CaseloadWithHistory', 'counsellor-app PersonFile']);
    expect(report.brokenOperations[0].messages.join()).toMatch(/Cannot query field "category" on type "Registration"/);
  });

  it('fails a breaking change until a committed acknowledgement says which, for which subgraph, why and who', async () => {
    edit('agefiph', /  "Version of the catalogue[^\n]*\n  catalogueVersion: String!\n/, '');
    const refused = await check('agefiph');
    expect(refused.failed).toBe(true);
    expect(refused.changes).toEqual([expect.objectContaining({ level: 'breaking', type: 'FIELD_REMOVED', path: 'AgefiphAid.catalogueVersion', usedBy: [] })]);

    const entry = { subgraph: 'agefiph', change: 'FIELD_REMOVED', path: 'AgefiphAid.catalogueVersion', why: 'The catalogue is versioned by its own type since 2026; no app reads this field.', who: '@passerelle/agefiph (Camille Martin)' };
    writeFileSync(path.join(root, ACKNOWLEDGEMENTS_FILE), JSON.stringify({ acknowledged: [{ ...entry, subgraph: 'fiphfp' }] }));
    expect((await check('agefiph')).failed, 'an acknowledgement for another subgraph does not count').toBe(true);
    writeFileSync(path.join(root, ACKNOWLEDGEMENTS_FILE), JSON.stringify({ acknowledged: [{ ...entry, why: ' ' }] }));
    const blank = await check('agefiph');
    expect(blank.failed, 'an acknowledgement without a reason does not count').toBe(true);
    expect(blank.problems).toEqual([`${ACKNOWLEDGEMENTS_FILE}: entry 1 lacks why`]);

    writeFileSync(path.join(root, ACKNOWLEDGEMENTS_FILE), JSON.stringify({ acknowledged: [entry] }));
    const accepted = await check('agefiph');
    expect(accepted.failed).toBe(false);
    expect(accepted.changes[0].acknowledgement).toEqual(entry);
  });

  it('fails a field a partner contributes to another\'s entity made non-null, naming subgraph, type and field', async () => {
    edit('fiphfp', '): FiphfpDeclarationConnection @requiresScopes', '): FiphfpDeclarationConnection! @requiresScopes');
    const report = await check('fiphfp');
    expect(report.failed).toBe(true);
    expect(report.nonNullAcrossSubgraphs.map((f) => `${f.subgraph} ${f.type}.${f.field}`)).toEqual(['fiphfp Employer.fiphfpDeclarations']);
    expect(formatReport(report)).toMatch(/\(d\) non-null fields across a subgraph boundary[^\n]*\n\s+fiphfp: Employer\.fiphfpDeclarations: FiphfpDeclarationConnection! is non-null/);
    expect((await check('agefiph')).failed, 'another team\'s check is not failed by it').toBe(false);
  });

  it('fails a change that breaks composition, with the composition error', async () => {
    // Cap emploi declares the shared Person key with another type than the other partners.
    edit('cap-emploi', /(type Person @key\(fields: "id"\) \{\n(?:  "[^\n]*\n)?)  id: ID!/, '$1  id: String!');
    const report = await check('cap-emploi');
    expect(report.failed).toBe(true);
    expect(report.compositionErrors.join('\n')).toMatch(/Person\.id/);
  });

  it('reports, as dangerous, an access declaration that changes under a registered operation', async () => {
    edit('pole-emploi', /  category: JobSeekerCategory!\n/, '  category: JobSeekerCategory! @requiresScopes(scopes: [["health:read"]])\n');
    const report = await check('pole-emploi');
    expect(report.changes).toEqual([expect.objectContaining({ level: 'dangerous', type: 'ACCESS_CHANGED', path: 'Registration.category', usedBy: ['counsellor-app Caseload', 'counsellor-app CaseloadWithHistory', 'counsellor-app PersonFile'] })]);
  });

  it('exits non-zero from the command line on a breaking change, zero once it is safe', () => {
    const run = () => spawnSync(process.execPath, [path.resolve('schema/check.ts'), 'agefiph'], { cwd: root, encoding: 'utf8' });
    expect(run().status).toBe(0);
    edit('agefiph', /  "Version of the catalogue[^\n]*\n  catalogueVersion: String!\n/, '');
    const refused = run();
    expect(refused.status).toBe(1);
    expect(refused.stdout).toMatch(/BREAKING\s+FIELD_REMOVED AgefiphAid\.catalogueVersion/);
    expect(refused.stdout).toMatch(/"subgraph":"agefiph","change":"FIELD_REMOVED","path":"AgefiphAid.catalogueVersion"/);
  });
});
