// The walker: from a schema alone, the selection of every path below a field to a bounded depth —
// every field the caller may read, every list (a small page), every implementation of an interface
// or union through an inline fragment — then cut into documents that the gateway's limits accept.
// Pure functions: test/perimeter-crawler.walker.test.ts checks them without a server.
import {
  Kind, Lexer, Source, TokenKind, astFromValue, getNamedType, isAbstractType, isCompositeType, isEnumType, isInputObjectType,
  isLeafType, isListType, isNonNullType, isObjectType, isInterfaceType, isScalarType, parse, print, validate, visit,
  type GraphQLArgument, type GraphQLCompositeType, type GraphQLField, type GraphQLInputType, type GraphQLNamedType,
  type GraphQLSchema, type ValidationRule,
} from 'graphql';
import { LIMITS, operationCost, operationLimits } from '../../../gateway/limits.ts';

export interface FieldSelection {
  readonly kind: 'field';
  readonly name: string;
  readonly alias?: string;
  /** Printed arguments, e.g. `(first: 2)`, or ''. */
  readonly args: string;
  /** Schema coordinate path of this field from the root, e.g. `Query.person.Person.fundings`. */
  readonly path: string;
  readonly children: readonly Selection[] | null;
  /** Variables the arguments of a root field refer to (`$name`), with their type and value. */
  readonly variables?: Readonly<Record<string, { readonly type: string; readonly value: unknown }>>;
}

export interface FragmentSelection {
  readonly kind: 'fragment';
  readonly on: string;
  readonly children: readonly Selection[];
}

export type Selection = FieldSelection | FragmentSelection;

/** Separates a field's name from the implementation in the alias of a field that conflicts across implementations. */
export const ALIAS_MARK = '__on';
/** Alias of the second, key-only selection of a field that returns an entity (`agent__key: agent { id }`). */
export const KEY_MARK = '__key';

/** The field name a response key stands for (aliases the walker makes start with the field's name, then `__`). */
export function fieldOfKey(key: string): string {
  const at = key.indexOf('__', 1);
  return at > 0 ? key.slice(0, at) : key;
}

export interface WalkOptions {
  readonly schema: GraphQLSchema;
  /** Depth as the gateway counts it (fields and inline fragments), root field at 1. */
  readonly maxDepth: number;
  /** Times one object type may appear on a path (2: a path may come back once, A → B → A). */
  readonly maxTypeRepeats: number;
  /** `first:`-like page size: every optional Int argument with a default value gets it. */
  readonly pageSize: number;
  /** Fields the walk may take (the caller's scopes, fields a subgraph does not resolve itself…). */
  readonly mayTake: (parent: GraphQLCompositeType, field: GraphQLField<unknown, unknown>) => boolean;
  /** Composite types worth expanding: those that lead to personal data, and anything inside a personal-data object. */
  readonly expands: (type: GraphQLNamedType, withinPersonalData: boolean) => boolean;
  /** Personal-data types: whatever hangs below one of them belongs to its person and is walked too. */
  readonly personal?: (typeName: string) => boolean;
  /**
   * Key fields of an entity type. A field returning an entity is also asked for with its key alone:
   * then the gateway does not call the entity's own subgraph, and the reference is all that comes back.
   */
  readonly entityKey?: (typeName: string) => readonly string[] | undefined;
  /** A value for a required argument or input field below the root, or undefined to leave the field out. */
  readonly fill?: (parent: GraphQLCompositeType, field: GraphQLField<unknown, unknown>, arg: GraphQLArgument) => unknown;
}

/** Literal of a JS value as a GraphQL value of `type` (enums bare, strings quoted, input objects). */
export function literal(value: unknown, type: GraphQLInputType): string {
  const ast = astFromValue(value as never, type);
  if (!ast) throw new Error(`cannot write ${JSON.stringify(value)} as ${String(type)}`);
  return print(ast);
}

export function printArgs(args: readonly GraphQLArgument[], values: Readonly<Record<string, unknown>>): string {
  const parts = args.filter((a) => values[a.name] !== undefined).map((a) => `${a.name}: ${literal(values[a.name], a.type)}`);
  return parts.length ? `(${parts.join(', ')})` : '';
}

/** Arguments a walk sets by itself: page sizes. Required ones come from `fill`; undefined when one cannot be filled. */
function argumentsOf(options: WalkOptions, parent: GraphQLCompositeType, field: GraphQLField<unknown, unknown>): string | undefined {
  const values: Record<string, unknown> = {};
  for (const arg of field.args) {
    const named = getNamedType(arg.type);
    if (isNonNullType(arg.type) && arg.defaultValue === undefined) {
      const value = options.fill?.(parent, field, arg);
      if (value === undefined) return undefined;
      values[arg.name] = value;
    } else if (isScalarType(named) && named.name === 'Int' && arg.defaultValue !== undefined && !isListType(arg.type)) {
      values[arg.name] = options.pageSize;
    }
  }
  return printArgs(field.args, values);
}

/** The selection below a field of `type` that sits at `depth`; `trail` counts object types on the path. */
export function selectionOf(options: WalkOptions, type: GraphQLCompositeType, depth: number, path: string, trail: ReadonlyMap<string, number> = new Map(), within = false): Selection[] {
  const typename: FieldSelection = { kind: 'field', name: '__typename', args: '', path: `${path}.__typename`, children: null };
  if (depth + 1 > options.maxDepth) return [typename];
  if (isAbstractType(type)) {
    const impls = options.schema.getPossibleTypes(type);
    // Fields of one name but different types in two implementations cannot share a response key.
    const typesByName = new Map<string, Set<string>>();
    for (const impl of impls) for (const f of Object.values(impl.getFields())) typesByName.set(f.name, (typesByName.get(f.name) ?? new Set()).add(String(f.type)));
    const fragments: Selection[] = [typename];
    for (const impl of impls) {
      const children = selectionOf(options, impl, depth + 1, `${path}<${impl.name}>`, trail, within)
        .map((c) => (c.kind === 'field' && (typesByName.get(c.name)?.size ?? 0) > 1 ? { ...c, alias: `${c.alias ?? c.name}${ALIAS_MARK}${impl.name}` } : c));
      if (children.length > 1) fragments.push({ kind: 'fragment', on: impl.name, children });
    }
    return fragments;
  }
  const seen = (trail.get(type.name) ?? 0) + 1;
  if (seen > options.maxTypeRepeats || !isObjectType(type)) return [typename];
  const nextTrail = new Map(trail).set(type.name, seen);
  const inside = within || (options.personal?.(type.name) ?? false);
  const selections: Selection[] = [typename];
  for (const field of Object.values(type.getFields())) {
    if (field.name.startsWith('__') || !options.mayTake(type, field)) continue;
    const named = getNamedType(field.type);
    const args = argumentsOf(options, type, field);
    if (args === undefined) continue;
    const fieldPath = `${path}.${field.name}`;
    if (isLeafType(named)) {
      selections.push({ kind: 'field', name: field.name, args, path: fieldPath, children: null });
      continue;
    }
    if (!isCompositeType(named) || !options.expands(named, inside)) continue;
    const children = selectionOf(options, named, depth + 1, `${fieldPath}.${named.name}`, nextTrail, inside);
    // A composite field is worth a trip only if something more than its __typename comes back.
    if (children.length <= 1) continue;
    selections.push({ kind: 'field', name: field.name, args, path: fieldPath, children });
    const key = isObjectType(named) ? options.entityKey?.(named.name) : undefined;
    if (key?.length && children.length > key.length + 1) {
      const keyFields: Selection[] = key.map((k) => ({ kind: 'field', name: k, args: '', path: `${fieldPath}.${named.name}.${k}`, children: null }));
      selections.push({ kind: 'field', name: field.name, alias: `${field.name}${KEY_MARK}`, args, path: `${fieldPath}${KEY_MARK}`, children: [typename, ...keyFields] });
    }
  }
  return selections;
}

/** A root field (or `_entities`) with its whole walk below it. */
export function rootSelection(options: WalkOptions, root: GraphQLCompositeType, fieldName: string, args: string | Pick<FieldSelection, 'args' | 'variables'>, alias?: string): FieldSelection | null {
  const { args: printed, variables } = typeof args === 'string' ? { args, variables: undefined } : args;
  const field = (isObjectType(root) || isInterfaceType(root)) ? root.getFields()[fieldName] : undefined;
  if (!field) return null;
  const named = getNamedType(field.type);
  const path = `${root.name}.${fieldName}`;
  if (isLeafType(named)) return { kind: 'field', name: fieldName, alias, args: printed, variables, path, children: null };
  if (!isCompositeType(named) || !options.expands(named, false)) return null;
  const children = selectionOf(options, named as GraphQLCompositeType, 1, `${path}.${named.name}`);
  return children.length > 1 ? { kind: 'field', name: fieldName, alias, args: printed, variables, path, children } : null;
}

export function printSelections(selections: readonly Selection[]): string {
  return selections.map((s) => {
    if (s.kind === 'fragment') return `... on ${s.on} { ${printSelections(s.children)} }`;
    const head = `${s.alias ? `${s.alias}: ` : ''}${s.name}${s.args}`;
    return s.children ? `${head} { ${printSelections(s.children)} }` : head;
  }).join(' ');
}

export function printOperation(kind: 'query' | 'mutation', name: string, roots: readonly FieldSelection[]): string {
  const variables = roots.flatMap((r) => Object.entries(r.variables ?? {}).map(([n, v]) => `$${n}: ${v.type}`));
  return `${kind} ${name}${variables.length ? `(${variables.join(', ')})` : ''} { ${printSelections(roots)} }`;
}

/** The variables' values of a document. */
export function variablesOf(roots: readonly FieldSelection[]): Record<string, unknown> {
  return Object.fromEntries(roots.flatMap((r) => Object.entries(r.variables ?? {}).map(([n, v]) => [n, v.value])));
}

/** The root field as the `index`-th of a document: aliased `e<index>`, its variables renamed to stay distinct. */
export function asEntry(root: FieldSelection, index: number): FieldSelection {
  const prefix = `e${index}_`;
  return {
    ...root,
    alias: `e${index}`,
    args: root.args.replace(/\$(\w+)/g, (_m, name: string) => `$${prefix}${name}`),
    variables: root.variables && Object.fromEntries(Object.entries(root.variables).map(([n, v]) => [`${prefix}${n}`, v])),
  };
}

/** Root-field arguments as variables: `(id: $id)` plus the variables' definitions. */
export function variableArgs(args: readonly GraphQLArgument[], values: Readonly<Record<string, unknown>>, inline: Readonly<Record<string, unknown>> = {}): Pick<FieldSelection, 'args' | 'variables'> {
  const parts: string[] = [];
  const variables: Record<string, { type: string; value: unknown }> = {};
  for (const a of args) {
    if (inline[a.name] !== undefined) parts.push(`${a.name}: ${literal(inline[a.name], a.type)}`);
    else if (values[a.name] !== undefined) {
      parts.push(`${a.name}: $${a.name}`);
      variables[a.name] = { type: String(a.type), value: values[a.name] };
    }
  }
  return { args: parts.length ? `(${parts.join(', ')})` : '', variables };
}

/** Every field path a selection asks for (leaves included): what "paths covered" counts. */
export function pathsOf(selections: readonly Selection[], into = new Set<string>()): Set<string> {
  for (const s of selections) {
    if (s.kind === 'fragment') pathsOf(s.children, into);
    else {
      if (s.name !== '__typename') into.add(s.path);
      if (s.children) pathsOf(s.children, into);
    }
  }
  return into;
}

export type Fits = (document: string) => boolean;

/** The gateway's own limits (gateway/limits.ts: depth, aliases, tokens, directives, cost), checked locally; a page size left to a variable counts as the largest. */
export function gatewayLimits(schema: GraphQLSchema): Fits {
  const rules = operationLimits().validationRules as ValidationRule[];
  return (text) => {
    let tokens = 0;
    const lexer = new Lexer(new Source(text));
    try {
      while (lexer.advance().kind !== TokenKind.EOF) if (++tokens > LIMITS.tokens) return false;
      const document = parse(text);
      // Aliases are counted by a plugin at the gateway, not by a validation rule: counted here.
      let aliases = 0;
      visit(document, { Field: (node) => void (node.alias && aliases++) });
      return aliases <= LIMITS.aliases && validate(schema, document, rules).length === 0 && operationCost(document, schema) <= LIMITS.cost;
    } catch {
      return false;
    }
  };
}

const isLeafSelection = (s: Selection) => s.kind === 'field' && s.children === null;

/**
 * Cuts a root field's walk into pieces that each fit when sent alone: leaves stay with every piece
 * (they identify the object), composite children are shared out, and a child too big on its own is
 * cut in turn below its own leaves.
 */
export function splitToFit(root: FieldSelection, fits: Fits, kind: 'query' | 'mutation' = 'query'): FieldSelection[] {
  const send = (wrap: (s: Selection) => FieldSelection, piece: Selection) => fits(printOperation(kind, 'Probe', [wrap(piece)]));
  const split = (node: FieldSelection | FragmentSelection, wrap: (s: Selection) => FieldSelection): Selection[] => {
    if (send(wrap, node) || !node.children) return [node];
    const leaves = node.children.filter(isLeafSelection);
    const rest = node.children.filter((s) => !isLeafSelection(s));
    const withChildren = (children: Selection[]) => ({ ...node, children }) as FieldSelection | FragmentSelection;
    const pieces: Selection[] = [];
    let current: Selection[] = [];
    for (const child of rest) {
      if (send(wrap, withChildren([...leaves, ...current, child]))) {
        current.push(child);
        continue;
      }
      if (current.length) pieces.push(withChildren([...leaves, ...current]));
      current = [];
      if (send(wrap, withChildren([...leaves, child]))) {
        current = [child];
        continue;
      }
      // Alone too big: cut the child, each part under this node's leaves.
      for (const part of split(child as FieldSelection | FragmentSelection, (s) => wrap(withChildren([...leaves, s])))) pieces.push(withChildren([...leaves, part]));
    }
    if (current.length || !pieces.length) pieces.push(withChildren([...leaves, ...current]));
    return pieces;
  };
  return split(root, (s) => s as FieldSelection) as FieldSelection[];
}

/** Packs root selections (each fitting alone) into as few documents as the limits allow. */
export function pack(roots: readonly FieldSelection[], fits: Fits, kind: 'query' | 'mutation' = 'query'): FieldSelection[][] {
  const documents: FieldSelection[][] = [];
  let current: FieldSelection[] = [];
  for (const root of roots) {
    if (current.length && (current.length >= LIMITS.aliases || !fits(printOperation(kind, 'Probe', [...current, asEntry(root, current.length)])))) {
      documents.push(current);
      current = [];
    }
    current.push(asEntry(root, current.length));
  }
  if (current.length) documents.push(current);
  return documents;
}

/** Input values for an input object type, from a filler per field (undefined leaves an optional field out). */
export function inputValue(type: GraphQLInputType, fillField: (name: string, type: GraphQLInputType) => unknown): unknown {
  const named = getNamedType(type);
  if (!isInputObjectType(named)) return fillField('', type);
  const value: Record<string, unknown> = {};
  for (const field of Object.values(named.getFields())) {
    const v = isInputObjectType(getNamedType(field.type)) ? inputValue(field.type, fillField) : fillField(field.name, field.type);
    if (v === undefined && isNonNullType(field.type)) return undefined;
    if (v !== undefined) value[field.name] = isListType(isNonNullType(field.type) ? field.type.ofType : field.type) && !Array.isArray(v) ? [v] : v;
  }
  return value;
}

/**
 * The generic filler for scalar values nobody harvested: a value of the right type and nothing more.
 * Dates are the synthetic world's reference month, money a small amount, enums their first value.
 */
export function genericValue(type: GraphQLInputType, unique: string): unknown {
  const named = getNamedType(type);
  if (isEnumType(named)) return named.getValues()[0]?.value;
  switch (named.name) {
    case 'Int': return 1;
    case 'Float': return 1;
    case 'Boolean': return false;
    case 'Date': return '2025-12-01';
    case 'DateTime': return '2025-12-01T10:00:00.000Z';
    case 'Money': return '100.00';
    default: return `crawler-${unique}`;
  }
}

export { Kind };
