// `npm run schema:check [-- <subgraph>...]`: tells a partner team whether its change can ship.
// For each subgraph (all when none is named), its working-tree schema is composed with the others'
// committed schemas (git HEAD), as the graph would run once this one change is deployed, and checked:
//   (a) composition errors;
//   (b) changes of the public API against the deployed one (the committed schema/supergraph.graphql),
//       classified breaking / dangerous / safe by @graphql-inspector/core (removing a field that was
//       deprecated first is dangerous, not breaking), plus changes of access declarations
//       (@authenticated, @requiresScopes), each with the registered operations that use it;
//   (c) every registered operation of every partner app (schema/operations/) that no longer validates;
//   (d) the subgraph's non-null fields across a subgraph boundary without a documented reason
//       (schema/nullability.ts, schema/non-null-across-subgraphs.json).
// It fails on (a), on (c), on (d), and on a breaking change that schema/breaking-changes.json does not
// acknowledge (which subgraph, which change, why, who). Registered operations that use deprecated
// fields are listed, so that a team knows when a deprecated field can go.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { CriticalityLevel, diff, DiffRule, type Change } from '@graphql-inspector/core';
import { isInterfaceType, isObjectType, Kind, NoDeprecatedCustomRule, parse, specifiedRules, TypeInfo, validate, visit, visitWithTypeInfo, type DocumentNode, type GraphQLSchema } from 'graphql';
import { accessPolicy, type Requirement } from '../gateway/authorization.ts';
import { SUBGRAPHS } from '../subgraphs/kit/schema-files.ts';
import { apiSchemaOf, committedFile, composeSources, proposedSources, withHubPlumbing, type CommittedReader } from './composition.ts';
import { crossBoundaryFields, formatViolation, NON_NULL_ALLOWANCES_FILE, nonNullViolations, type CrossBoundaryField, type NonNullAllowance } from './nullability.ts';
import { readManifest, registeredApps } from './registered-operations.ts';

export const ACKNOWLEDGEMENTS_FILE = 'schema/breaking-changes.json';
const OPERATIONS_DIR = 'schema/operations';
const SUPERGRAPH_FILE = 'schema/supergraph.graphql';

export type Level = 'breaking' | 'dangerous' | 'safe';

/** An entry of schema/breaking-changes.json: one breaking change a team ships on purpose. */
export interface Acknowledgement {
  readonly subgraph: string;
  /** The change type as the check prints it, e.g. FIELD_REMOVED. */
  readonly change: string;
  /** The schema coordinate, e.g. AgefiphAid.catalogueVersion. */
  readonly path: string;
  /** Why it cannot be done the safe way (deprecate, wait until no registered operation uses it, remove). */
  readonly why: string;
  /** Who decided: the team handle and a person. */
  readonly who: string;
}

export interface ClassifiedChange {
  readonly level: Level;
  readonly type: string;
  readonly path: string;
  readonly message: string;
  /** Registered operations ("app Operation") that use what changed. */
  readonly usedBy: readonly string[];
  readonly acknowledgement?: Acknowledgement;
}

export interface RegisteredDocument {
  readonly app: string;
  readonly name: string;
  readonly document: DocumentNode;
}

export interface OperationFinding {
  readonly app: string;
  readonly operation: string;
  readonly messages: readonly string[];
}

export interface CheckReport {
  readonly subgraph: string;
  readonly composedWith: readonly string[];
  readonly compositionErrors: readonly string[];
  readonly changes: readonly ClassifiedChange[];
  /** (c): registered operations that do not validate against the proposed API. */
  readonly brokenOperations: readonly OperationFinding[];
  /** Registered operations that use deprecated fields, arguments or values. */
  readonly deprecatedUses: readonly OperationFinding[];
  /** (d): this subgraph's non-null fields across a subgraph boundary without a documented reason. */
  readonly nonNullAcrossSubgraphs: readonly CrossBoundaryField[];
  /** Registrations or acknowledgements that cannot be read. */
  readonly problems: readonly string[];
  readonly supergraphSdl?: string;
  readonly failed: boolean;
}

/** What every subgraph's check compares against, read once. */
export interface Baseline {
  readonly root: string;
  /** Committed files, each read from git once. */
  readonly committed: CommittedReader;
  readonly deployedSupergraph: string;
  readonly deployedApi: GraphQLSchema;
  readonly operations: readonly RegisteredDocument[];
  readonly acknowledgements: readonly Acknowledgement[];
  /** Non-null fields across a subgraph boundary accepted with a reason (schema/nullability.ts). */
  readonly nonNullAllowances: readonly NonNullAllowance[];
  readonly problems: readonly string[];
}

export function readBaseline(root: string): Baseline {
  const problems: string[] = [];
  const files = new Map<string, string | null>();
  const committed: CommittedReader = (file) => {
    if (!files.has(file)) files.set(file, committedFile(root, file));
    return files.get(file)!;
  };
  const deployedSupergraph = committed(SUPERGRAPH_FILE);
  if (deployedSupergraph === null) throw new Error(`${SUPERGRAPH_FILE} is not committed: nothing to compare with`);
  const operations: RegisteredDocument[] = [];
  const dir = path.join(root, OPERATIONS_DIR);
  for (const app of registeredApps(dir)) {
    try {
      const manifest = readManifest(dir, app);
      if (!manifest) problems.push(`${app}: no persisted-query-manifest.json`);
      for (const op of manifest?.operations ?? []) operations.push({ app, name: op.name, document: parse(op.body) });
    } catch (error) {
      problems.push(`${app}: ${(error as Error).message}`);
    }
  }
  const acknowledgements = readEntries<Acknowledgement>(root, ACKNOWLEDGEMENTS_FILE, 'acknowledged', ['subgraph', 'change', 'path', 'why', 'who'], problems);
  const nonNullAllowances = readEntries<NonNullAllowance>(root, NON_NULL_ALLOWANCES_FILE, 'allowed', ['subgraph', 'type', 'field', 'why'], problems);
  return { root, committed, deployedSupergraph, deployedApi: apiSchemaOf(deployedSupergraph), operations, acknowledgements, nonNullAllowances, problems };
}

/** The entries of a committed JSON list (`{ "<key>": [ ... ] }`), each with every field of `fields` non-blank. */
function readEntries<T>(root: string, file: string, key: string, fields: readonly string[], problems: string[]): T[] {
  const full = path.join(root, file);
  if (!existsSync(full)) return [];
  let parsed: Record<string, unknown>;
  try {
    parsed = JSON.parse(readFileSync(full, 'utf8'));
  } catch (error) {
    problems.push(`${file} is not valid JSON (${(error as Error).message})`);
    return [];
  }
  const list = parsed[key];
  if (!Array.isArray(list)) {
    problems.push(`${file} must hold { "${key}": [ ... ] }`);
    return [];
  }
  const entries: T[] = [];
  for (const [i, entry] of list.entries()) {
    const missing = fields.filter((k) => typeof entry?.[k] !== 'string' || entry[k].trim() === '');
    if (missing.length) problems.push(`${file}: entry ${i + 1} lacks ${missing.join(', ')}`);
    else entries.push(entry as T);
  }
  return entries;
}

/** Schema coordinates (Type.field, Type.field.argument) each registered operation reads. */
function coordinatesOf(schema: GraphQLSchema, document: DocumentNode): Set<string> {
  const used = new Set<string>();
  const typeInfo = new TypeInfo(schema);
  visit(document, visitWithTypeInfo(typeInfo, {
    [Kind.FIELD](node) {
      const parent = typeInfo.getParentType();
      if (parent) used.add(`${parent.name}.${node.name.value}`);
    },
    [Kind.ARGUMENT](node) {
      const field = typeInfo.getFieldDef();
      const parent = typeInfo.getParentType();
      if (field && parent) used.add(`${parent.name}.${field.name}.${node.name.value}`);
    },
  }));
  return used;
}

function usersOf(coordinate: string, usage: ReadonlyMap<RegisteredDocument, Set<string>>): string[] {
  const users: string[] = [];
  for (const [op, coordinates] of usage) {
    if (coordinates.has(coordinate) || [...coordinates].some((c) => c.startsWith(`${coordinate}.`))) users.push(`${op.app} ${op.name}`);
  }
  return users;
}

const LEVELS: Record<string, Level> = { [CriticalityLevel.Breaking]: 'breaking', [CriticalityLevel.Dangerous]: 'dangerous', [CriticalityLevel.NonBreaking]: 'safe' };

function accessText(req: Requirement | undefined): string {
  if (!req) return 'open';
  return req.scopes ? `@requiresScopes(${JSON.stringify(req.scopes)})` : '@authenticated';
}

/** Access declarations that differ: a field newly closed breaks apps at run time, one newly open widens who reads it. */
function accessChanges(before: string, after: string, schemas: readonly GraphQLSchema[]): { path: string; message: string }[] {
  const [old, next] = [accessPolicy(before), accessPolicy(after)];
  const changes: { path: string; message: string }[] = [];
  // Fields and types added or removed are already reported as such.
  const inBoth = (coordinate: string) => schemas.every((schema) => {
    const [typeName, fieldName] = coordinate.split('.');
    const type = schema.getType(typeName);
    return type && (!fieldName || ((isObjectType(type) || isInterfaceType(type)) && fieldName in type.getFields()));
  });
  for (const kind of ['types', 'fields'] as const) {
    for (const coordinate of new Set([...old[kind].keys(), ...next[kind].keys()])) {
      if (!inBoth(coordinate)) continue;
      const [was, now] = [accessText(old[kind].get(coordinate)), accessText(next[kind].get(coordinate))];
      if (was !== now) changes.push({ path: coordinate, message: `Access to '${coordinate}' changed from ${was} to ${now}` });
    }
  }
  return changes;
}

export async function checkSubgraph(baseline: Baseline, subgraph: string): Promise<CheckReport> {
  const sources = proposedSources(baseline.root, [subgraph], baseline.committed);
  const composedWith = sources.filter((s) => s.name !== subgraph).map((s) => s.name);
  const composed = composeSources(sources);
  const base = { subgraph, composedWith, problems: baseline.problems };
  if (!composed.apiSchema || !composed.supergraphSdl) {
    return { ...base, compositionErrors: composed.errors, changes: [], brokenOperations: [], deprecatedUses: [], nonNullAcrossSubgraphs: [], failed: true };
  }
  const usage = new Map(baseline.operations.map((op) => [op, coordinatesOf(baseline.deployedApi, op.document)]));
  const inspected: Change[] = await diff(baseline.deployedApi, composed.apiSchema, [DiffRule.suppressRemovalOfDeprecatedField]);
  const changes: ClassifiedChange[] = [
    ...inspected
      // A deprecation is reported once (FIELD_DEPRECATION_ADDED...), not again as a use of @deprecated.
      .filter((c) => !(String(c.type).startsWith('DIRECTIVE_USAGE_') && c.path?.includes('.@deprecated')))
      .map((c) => ({ level: LEVELS[c.criticality.level], type: String(c.type), path: (c.path ?? '').replace(/\.@.*$/, ''), message: c.message })),
    ...accessChanges(baseline.deployedSupergraph, composed.supergraphSdl, [baseline.deployedApi, composed.apiSchema]).map((c) => ({ level: 'dangerous' as const, type: 'ACCESS_CHANGED', ...c })),
  ].map((c) => {
    const acknowledgement = c.level === 'breaking'
      ? baseline.acknowledgements.find((a) => a.subgraph === subgraph && a.change === c.type && a.path === c.path)
      : undefined;
    return { ...c, usedBy: c.path ? usersOf(c.path, usage) : [], ...(acknowledgement ? { acknowledgement } : {}) };
  });
  const brokenOperations: OperationFinding[] = [];
  const deprecatedUses: OperationFinding[] = [];
  for (const op of baseline.operations) {
    const errors = validate(composed.apiSchema, op.document, specifiedRules);
    if (errors.length) brokenOperations.push({ app: op.app, operation: op.name, messages: errors.map((e) => e.message) });
    else {
      const deprecated = validate(composed.apiSchema, op.document, [NoDeprecatedCustomRule]);
      if (deprecated.length) deprecatedUses.push({ app: op.app, operation: op.name, messages: deprecated.map((e) => e.message) });
    }
  }
  const unacknowledged = changes.some((c) => c.level === 'breaking' && !c.acknowledgement);
  const nonNullAcrossSubgraphs = nonNullViolations(crossBoundaryFields(withHubPlumbing(sources), baseline.nonNullAllowances)).filter((f) => f.subgraph === subgraph);
  return {
    ...base, compositionErrors: [], changes, brokenOperations, deprecatedUses, nonNullAcrossSubgraphs, supergraphSdl: composed.supergraphSdl,
    failed: unacknowledged || brokenOperations.length > 0 || nonNullAcrossSubgraphs.length > 0 || baseline.problems.length > 0,
  };
}

export function formatReport(r: CheckReport): string {
  const out = [`${r.subgraph} (working tree) composed with ${r.composedWith.join(', ') || 'nothing'} (committed)`];
  for (const p of r.problems) out.push(`  ! ${p}`);
  if (r.compositionErrors.length) {
    out.push('  (a) composition FAILS:', ...r.compositionErrors.map((e) => `      ${e}`));
    return [...out, '  => FAILED: the graph would not compose'].join('\n');
  }
  out.push('  (a) composes');
  const counts = (['breaking', 'dangerous', 'safe'] as const).map((l) => `${r.changes.filter((c) => c.level === l).length} ${l}`).join(', ');
  out.push(`  (b) public API against the deployed supergraph: ${r.changes.length ? counts : 'no change'}`);
  for (const c of r.changes) {
    out.push(`      ${c.level.toUpperCase().padEnd(9)} ${c.type} ${c.path}: ${c.message}`);
    if (c.level !== 'safe' || c.usedBy.length) out.push(`                used by ${c.usedBy.length ? c.usedBy.join(', ') : 'no registered operation'}`);
    if (c.acknowledgement) out.push(`                acknowledged by ${c.acknowledgement.who}: ${c.acknowledgement.why}`);
    else if (c.level === 'breaking') {
      out.push(`                not acknowledged: deprecate first, or add to ${ACKNOWLEDGEMENTS_FILE} "acknowledged":`);
      out.push(`                ${JSON.stringify({ subgraph: r.subgraph, change: c.type, path: c.path, why: '…', who: '@passerelle/<team> (name)' })}`);
    }
  }
  if (r.brokenOperations.length) {
    out.push(`  (c) registered operations that would BREAK: ${r.brokenOperations.length}`);
    for (const b of r.brokenOperations) out.push(`      ${b.app} ${b.operation}:`, ...b.messages.map((m) => `        - ${m}`));
  } else out.push('  (c) every registered operation of every partner app still validates');
  for (const d of r.deprecatedUses) out.push(`      uses deprecated: ${d.app} ${d.operation}: ${d.messages.join(' ')}`);
  if (r.nonNullAcrossSubgraphs.length) {
    out.push(`  (d) non-null fields across a subgraph boundary without a documented reason: ${r.nonNullAcrossSubgraphs.length}`);
    for (const f of r.nonNullAcrossSubgraphs) out.push(`      ${formatViolation(f)}`);
  } else out.push('  (d) every field across a subgraph boundary is nullable or has a documented reason');
  const reasons = [
    r.changes.some((c) => c.level === 'breaking' && !c.acknowledgement) && 'unacknowledged breaking change',
    r.brokenOperations.length > 0 && 'registered operations break',
    r.nonNullAcrossSubgraphs.length > 0 && 'non-null fields across a subgraph boundary',
    r.problems.length > 0 && 'unreadable registrations or acknowledgements',
  ].filter(Boolean);
  out.push(reasons.length ? `  => FAILED: ${reasons.join('; ')}` : '  => ok');
  return out.join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const started = performance.now();
  const named = process.argv.slice(2).filter((a) => !a.startsWith('-'));
  const unknown = named.filter((n) => !(SUBGRAPHS as readonly string[]).includes(n));
  if (unknown.length) {
    process.stderr.write(`unknown subgraph ${unknown.join(', ')} (subgraphs: ${SUBGRAPHS.join(', ')})\n`);
    process.exit(2);
  }
  const subgraphs = named.length ? named : [...SUBGRAPHS];
  const baseline = readBaseline(process.cwd());
  let failed = false;
  for (const subgraph of subgraphs) {
    const report = await checkSubgraph(baseline, subgraph);
    failed ||= report.failed;
    process.stdout.write(`${formatReport(report)}\n\n`);
  }
  process.stdout.write(`schema:check ${subgraphs.join(', ')}: ${failed ? 'FAILED' : 'ok'} in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
  process.exit(failed ? 1 : 0);
}
