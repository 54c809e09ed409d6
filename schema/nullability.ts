// The cross-subgraph nullability rule, part of `npm run schema:check`: a field whose value comes from
// across a subgraph boundary must be nullable, so that when the partner behind it fails the null stops
// at that field instead of climbing to the object (and erasing what the other partners know about it).
// Such a field, on an entity type (@key) that several subgraphs define, is:
//   (a) a contribution: resolved only by subgraphs other than the entity's owner — the subgraph that
//       resolves most of its fields (Person, Employer: France Travail; AgefiphAidRequest: Agefiph) —
//       the partners' connections on Person and Employer and the hub's inputs (`<prefix>Events`...);
//   (b) a merge: a field with @requires, whose inputs another subgraph resolves (Person.history).
// A non-null one passes only with a documented reason in schema/non-null-across-subgraphs.json
// (subgraph, type, field, why). Key fields and @external declarations are not checked.
import { Kind, parse, print, type ConstDirectiveNode, type FieldDefinitionNode, type ObjectTypeDefinitionNode, type ObjectTypeExtensionNode } from 'graphql';

export const NON_NULL_ALLOWANCES_FILE = 'schema/non-null-across-subgraphs.json';

/** A non-null field across a boundary that the platform accepts, and why. */
export interface NonNullAllowance {
  readonly subgraph: string;
  readonly type: string;
  readonly field: string;
  readonly why: string;
}

export interface CrossBoundaryField {
  readonly subgraph: string;
  readonly type: string;
  readonly field: string;
  /** The field's type as declared, e.g. `FiphfpDeclarationConnection!`. */
  readonly fieldType: string;
  /** Why its value crosses a boundary: whose entity it contributes to, or what it requires. */
  readonly crossing: string;
  readonly nonNull: boolean;
  readonly allowance?: NonNullAllowance;
}

interface Source {
  readonly name: string;
  readonly sdl: string;
}

type ObjectNode = ObjectTypeDefinitionNode | ObjectTypeExtensionNode;

const hasDirective = (node: { directives?: readonly ConstDirectiveNode[] }, name: string) => (node.directives ?? []).some((d) => d.name.value === name);

/** The `fields` argument of a directive, e.g. @key or @requires. */
function fieldsArgument(d: ConstDirectiveNode): string | null {
  const value = d.arguments?.find((a) => a.name.value === 'fields')?.value;
  return value?.kind === Kind.STRING ? value.value : null;
}

/** The top-level field names of a field set ("id window { at }" -> id, window). */
function topLevel(fieldSet: string): string[] {
  const names: string[] = [];
  let depth = 0;
  for (const token of fieldSet.replace(/[{}]/g, (b) => ` ${b} `).split(/[\s,]+/).filter(Boolean)) {
    if (token === '{') depth++;
    else if (token === '}') depth--;
    else if (depth === 0) names.push(token);
  }
  return names;
}

/** Top-level field names of every @key of a type declaration. */
const keyFields = (node: ObjectNode): string[] => (node.directives ?? []).filter((d) => d.name.value === 'key').flatMap((d) => topLevel(fieldsArgument(d) ?? ''));

/**
 * Every field across a subgraph boundary in `sources` (each subgraph's SDL as it is served, the hub's
 * plumbing included), non-null or not, with the allowance that covers it if any.
 */
export function crossBoundaryFields(sources: readonly Source[], allowances: readonly NonNullAllowance[] = []): CrossBoundaryField[] {
  // Entity declarations by type, then by subgraph (a type may be declared and extended in one SDL).
  const entities = new Map<string, Map<string, ObjectNode[]>>();
  for (const { name, sdl } of sources) {
    for (const d of parse(sdl).definitions) {
      if (d.kind !== Kind.OBJECT_TYPE_DEFINITION && d.kind !== Kind.OBJECT_TYPE_EXTENSION) continue;
      const bySubgraph = entities.get(d.name.value) ?? new Map<string, ObjectNode[]>();
      bySubgraph.set(name, [...(bySubgraph.get(name) ?? []), d]);
      entities.set(d.name.value, bySubgraph);
    }
  }
  const found: CrossBoundaryField[] = [];
  for (const [type, bySubgraph] of entities) {
    const declaring = [...bySubgraph].filter(([, nodes]) => nodes.some((n) => hasDirective(n, 'key')));
    if (declaring.length < 2) continue;
    const keys = new Set(declaring.flatMap(([, nodes]) => nodes.flatMap(keyFields)));
    const resolved = declaring.map(([subgraph, nodes]) => ({
      subgraph,
      fields: nodes.flatMap((n) => n.fields ?? []).filter((f) => !hasDirective(f, 'external') && !keys.has(f.name.value)),
    }));
    const owner = [...resolved].sort((a, b) => b.fields.length - a.fields.length)[0].subgraph;
    for (const { subgraph, fields } of resolved) {
      for (const field of fields) {
        const crossing = crossingOf(type, field, subgraph, owner, resolved);
        if (!crossing) continue;
        const allowance = allowances.find((a) => a.subgraph === subgraph && a.type === type && a.field === field.name.value);
        found.push({
          subgraph, type, field: field.name.value, fieldType: print(field.type), crossing,
          nonNull: field.type.kind === Kind.NON_NULL_TYPE, ...(allowance ? { allowance } : {}),
        });
      }
    }
  }
  return found;
}

function crossingOf(type: string, field: FieldDefinitionNode, subgraph: string, owner: string, resolved: readonly { subgraph: string; fields: readonly FieldDefinitionNode[] }[]): string | null {
  const requires = field.directives?.find((d) => d.name.value === 'requires');
  if (requires) return `merged by ${subgraph} from ${topLevel(fieldsArgument(requires) ?? '').join(', ')} (@requires)`;
  const owners = resolved.filter((r) => r.fields.some((f) => f.name.value === field.name.value)).map((r) => r.subgraph);
  if (owners.includes(owner)) return null;
  return `contributed by ${subgraph} to ${owner}'s ${type}`;
}

/** The non-null ones without a documented reason: what fails the check. */
export function nonNullViolations(fields: readonly CrossBoundaryField[]): CrossBoundaryField[] {
  return fields.filter((f) => f.nonNull && !f.allowance);
}

export function formatViolation(f: CrossBoundaryField): string {
  return `${f.subgraph}: ${f.type}.${f.field}: ${f.fieldType} is non-null across a subgraph boundary (${f.crossing}): make it nullable, or add { "subgraph": "${f.subgraph}", "type": "${f.type}", "field": "${f.field}", "why": "…" } to ${NON_NULL_ALLOWANCES_FILE}`;
}
