// What the perimeter crawler knows of the graph, read from the composed supergraph alone: the public
// API schema (what partner apps query), each subgraph's own schema as the supergraph records it (for
// direct `_entities` calls), the entity keys, the access declarations, and which types hold personal
// data. Nothing here names a field: a field added to any subgraph is crawled the day it is composed.
import { readFileSync } from 'node:fs';
import { ROUTER_SUPPORTED_SUPERGRAPH_FEATURES, Supergraph } from '@apollo/federation-internals';
import {
  getNamedType, isAbstractType, isCompositeType, isInterfaceType, isListType, isNonNullType, isObjectType, isLeafType,
  type GraphQLCompositeType, type GraphQLField, type GraphQLNamedType, type GraphQLObjectType, type GraphQLSchema, type GraphQLType,
} from 'graphql';
import { accessPolicy, type AccessPolicy, type Requirement } from '../../../gateway/authorization.ts';

/**
 * The one name the spec starts from: a person is an object of this type, and personal data is this
 * type, every type with a field of this type, and the types of this type's fields.
 */
export const PERSON_TYPE = 'Person';

export interface EntityKey {
  readonly typeName: string;
  /** Key fields of a simple `@key(fields: "a b")`. */
  readonly fields: readonly string[];
}

export interface SubgraphView {
  readonly name: string;
  /** The subgraph's own schema, `_entities` and fields hidden from the API included. */
  readonly schema: GraphQLSchema;
  /** Entity types this subgraph resolves by key (resolvable keys only). */
  readonly entities: readonly EntityKey[];
  /** `Type.field` that the subgraph does not resolve itself (@external) or that need other subgraphs' data (@requires). */
  readonly foreignFields: ReadonlySet<string>;
}

export interface CrawlSchema {
  readonly api: GraphQLSchema;
  readonly access: AccessPolicy;
  readonly subgraphs: readonly SubgraphView[];
  /** Concrete object types that hold personal data (see PERSON_TYPE). */
  readonly personalTypes: ReadonlySet<string>;
  /** Composite types from which some personal-data type can be reached. */
  readonly reachesPersonalData: ReadonlySet<string>;
}

export function loadCrawlSchema(supergraphPath: string): CrawlSchema {
  return crawlSchemaOf(readFileSync(supergraphPath, 'utf8'));
}

export function crawlSchemaOf(supergraphSdl: string): CrawlSchema {
  const supergraph = Supergraph.build(supergraphSdl, { supportedFeatures: ROUTER_SUPPORTED_SUPERGRAPH_FEATURES });
  const api = supergraph.apiSchema().toGraphQLJSSchema();
  const subgraphs = supergraph.subgraphs().values().map((subgraph): SubgraphView => {
    const metadata = subgraph.metadata();
    const entities: EntityKey[] = [];
    const foreignFields = new Set<string>();
    for (const type of subgraph.schema.objectTypes()) {
      for (const key of type.appliedDirectivesOf('key')) {
        const args = key.arguments() as { fields: string; resolvable?: boolean };
        if (args.resolvable === false || /[{}]/.test(args.fields)) continue;
        entities.push({ typeName: type.name, fields: args.fields.trim().split(/\s+/) });
      }
      for (const field of type.fields()) {
        if (metadata.isFieldExternal(field) || field.hasAppliedDirective('requires')) foreignFields.add(`${type.name}.${field.name}`);
      }
    }
    return { name: subgraph.name, schema: subgraph.schema.toGraphQLJSSchema(), entities, foreignFields };
  });
  const personalTypes = personalTypesOf(api);
  return { api, access: accessPolicy(supergraphSdl), subgraphs, personalTypes, reachesPersonalData: reaching(api, personalTypes) };
}

/** The concrete object types a field of this type can return. */
export function concreteTypes(schema: GraphQLSchema, type: GraphQLNamedType): GraphQLObjectType[] {
  if (isObjectType(type)) return [type];
  if (isAbstractType(type)) return [...schema.getPossibleTypes(type)];
  return [];
}

/** Element types of a page: the composite types of a page's list fields (a "connection" has no identity of its own). */
function pageElements(type: GraphQLNamedType): GraphQLNamedType[] | null {
  if (!isObjectType(type)) return null;
  const fields = Object.values(type.getFields());
  if (fields.some((f) => isLeafType(getNamedType(f.type)) && getNamedType(f.type).name === 'ID')) return null;
  const lists = fields.filter((f) => isListOf(f.type) && isCompositeType(getNamedType(f.type)));
  return lists.length ? lists.map((f) => getNamedType(f.type)) : null;
}

function isListOf(type: GraphQLType): boolean {
  return isListType(isNonNullType(type) ? type.ofType : type);
}

/**
 * Personal data, derived from the schema: the person type; every type with a field returning the
 * person type (an aid request's agent, an orientation's person…); the types of the person type's
 * own fields (its registration, disability status, histories, fundings, audit trail), pages unwrapped.
 */
export function personalTypesOf(schema: GraphQLSchema): Set<string> {
  const person = schema.getType(PERSON_TYPE);
  if (!person || !isObjectType(person)) throw new Error(`the supergraph has no ${PERSON_TYPE} type: the perimeter crawler has nothing to check`);
  const found = new Set<string>([person.name]);
  const addAll = (type: GraphQLNamedType) => {
    for (const t of concreteTypes(schema, type)) found.add(t.name);
  };
  for (const type of Object.values(schema.getTypeMap())) {
    if (type.name.startsWith('__') || !(isObjectType(type) || isInterfaceType(type))) continue;
    if (type === schema.getQueryType() || type === schema.getMutationType() || pageElements(type)) continue;
    if (Object.values(type.getFields()).some((f) => getNamedType(f.type) === person)) addAll(type);
  }
  for (const field of Object.values(person.getFields())) {
    const named = getNamedType(field.type);
    if (!isCompositeType(named)) continue;
    for (const element of pageElements(named) ?? [named]) addAll(element);
  }
  return found;
}

/** Composite types from which a personal-data type can be reached through fields (themselves included). */
function reaching(schema: GraphQLSchema, targets: ReadonlySet<string>): Set<string> {
  const result = new Set<string>(targets);
  let grew = true;
  while (grew) {
    grew = false;
    for (const type of Object.values(schema.getTypeMap())) {
      if (result.has(type.name) || type.name.startsWith('__') || !isCompositeType(type)) continue;
      const next = isAbstractType(type)
        ? schema.getPossibleTypes(type).map((t) => t.name)
        : Object.values((type as GraphQLObjectType).getFields()).map((f) => getNamedType(f.type).name);
      if (next.some((n) => result.has(n))) {
        result.add(type.name);
        grew = true;
      }
    }
  }
  return result;
}

/** The scope sets a caller holds are enough for `requirement` (the gateway's rule, read from the same declarations). */
export function satisfies(requirement: Requirement | undefined, scopes: ReadonlySet<string>): boolean {
  if (!requirement?.scopes) return true;
  return requirement.scopes.some((all) => all.every((s) => scopes.has(s)));
}

/** Whether a caller with `scopes` may read `parent.field` (field, parent type and returned type declarations). */
export function mayRead(schema: CrawlSchema, parent: GraphQLCompositeType, field: GraphQLField<unknown, unknown>, scopes: ReadonlySet<string>): boolean {
  const { fields, types } = schema.access;
  if (!satisfies(fields.get(`${parent.name}.${field.name}`), scopes)) return false;
  if (!satisfies(types.get(parent.name), scopes) || !satisfies(types.get(getNamedType(field.type).name), scopes)) return false;
  if (isAbstractType(parent)) return schema.api.getPossibleTypes(parent).every((impl) => satisfies(fields.get(`${impl.name}.${field.name}`), scopes));
  return true;
}

/** Personal-data types a caller with `scopes` can reach from the query root through fields it may read. */
export function reachablePersonalTypes(schema: CrawlSchema, scopes: ReadonlySet<string>): Set<string> {
  const seen = new Set<string>();
  const queue: GraphQLNamedType[] = [schema.api.getQueryType()!];
  while (queue.length) {
    const type = queue.pop()!;
    if (seen.has(type.name)) continue;
    seen.add(type.name);
    if (isAbstractType(type)) queue.push(...schema.api.getPossibleTypes(type));
    if (!(isObjectType(type) || isInterfaceType(type))) continue;
    for (const field of Object.values(type.getFields())) {
      if (isCompositeType(getNamedType(field.type)) && mayRead(schema, type, field, scopes)) queue.push(getNamedType(field.type));
    }
  }
  return new Set([...seen].filter((name) => schema.personalTypes.has(name)));
}
