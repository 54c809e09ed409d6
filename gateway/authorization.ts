// Field authorisation from the schema's own declarations: `@authenticated` and `@requiresScopes`
// are written in the subgraph schemas, composed into the supergraph, and enforced here before any
// subgraph is called. Fields the caller may not read are removed from the operation, each with a
// FORBIDDEN error at its path; the rest executes (the behaviour of Apollo Router's authorization).
import {
  Kind, visit, isAbstractType, getNamedType, parse, print, type DocumentNode, type FieldNode, type FragmentDefinitionNode,
  type GraphQLCompositeType, type GraphQLSchema, type OperationDefinitionNode, type SelectionNode, type SelectionSetNode,
  GraphQLError, isObjectType, isInterfaceType, type ConstDirectiveNode,
} from 'graphql';
import type { Caller } from '../subgraphs/kit/caller.ts';

export interface Requirement {
  readonly authenticated: boolean;
  /** Alternatives (OR) of scope sets (AND); null when no scope is required. */
  readonly scopes: readonly (readonly string[])[] | null;
}

export interface AccessPolicy {
  /** Requirements of `Type.field` and of types (by type name). */
  readonly fields: ReadonlyMap<string, Requirement>;
  readonly types: ReadonlyMap<string, Requirement>;
}

/** The names under which the supergraph imports the two directives (a @link may rename them). */
function directiveNames(document: DocumentNode): { authenticated: string; requiresScopes: string } {
  const names = { authenticated: 'authenticated', requiresScopes: 'requiresScopes' };
  for (const def of document.definitions) {
    if (def.kind !== Kind.SCHEMA_DEFINITION && def.kind !== Kind.SCHEMA_EXTENSION) continue;
    for (const link of def.directives ?? []) {
      if (link.name.value !== 'link') continue;
      const url = link.arguments?.find((a) => a.name.value === 'url')?.value;
      const as = link.arguments?.find((a) => a.name.value === 'as')?.value;
          if (url?.kind !== Kind.STRING || as?.kind !== Kind.STRING) continue;
      if (url.value.includes('/authenticated/')) names.authenticated = as.value;
      if (url.value.includes('/requiresScopes/')) names.requiresScopes = as.value;
    }
  }
  return names;
}

function requirementOf(directives: readonly ConstDirectiveNode[] | undefined, names: ReturnType<typeof directiveNames>): Requirement | null {
  let authenticated = false;
  let scopes: string[][] | null = null;
  for (const d of directives ?? []) {
    if (d.name.value === names.authenticated) authenticated = true;
    if (d.name.value === names.requiresScopes) {
      const arg = d.arguments?.find((a) => a.name.value === 'scopes')?.value;
      if (arg?.kind === Kind.LIST) {
        scopes = arg.values.map((inner) => (inner.kind === Kind.LIST ? inner.values.flatMap((v) => (v.kind === Kind.STRING ? [v.value] : [])) : []));
      }
    }
  }
  return authenticated || scopes ? { authenticated: authenticated || scopes !== null, scopes } : null;
}

const SECURITY_FEATURES = ['/authenticated/', '/requiresScopes/'];

/**
 * ApolloGateway refuses supergraphs that link the authorization features (they are "for: SECURITY"
 * and it cannot enforce them). We enforce them ourselves, so the gateway gets the supergraph
 * without them: the @link, the directive definitions, their scalar and every application.
 */
export function withoutSecurityFeatures(supergraphSdl: string): string {
  const document = parse(supergraphSdl);
  const names = directiveNames(document);
  const drop = new Set([names.authenticated, names.requiresScopes]);
  const stripped = visit(document, {
    [Kind.DIRECTIVE](node) {
      if (drop.has(node.name.value)) return null;
      if (node.name.value === 'link') {
        const url = node.arguments?.find((a) => a.name.value === 'url')?.value;
        if (url?.kind === Kind.STRING && SECURITY_FEATURES.some((f) => url.value.includes(f))) return null;
      }
      return undefined;
    },
    [Kind.DIRECTIVE_DEFINITION](node) {
      return drop.has(node.name.value) ? null : undefined;
    },
    [Kind.SCALAR_TYPE_DEFINITION](node) {
      return node.name.value === `${names.requiresScopes}__Scope` ? null : undefined;
    },
  });
  return print(stripped);
}

/** Reads the access declarations of a supergraph SDL. */
export function accessPolicy(supergraphSdl: string): AccessPolicy {
  const document = parse(supergraphSdl);
  const names = directiveNames(document);
  const fields = new Map<string, Requirement>();
  const types = new Map<string, Requirement>();
  for (const def of document.definitions) {
    if (!('name' in def) || !def.name || !('directives' in def)) continue;
    const typeName = def.name.value;
    const own = requirementOf(def.directives as ConstDirectiveNode[], names);
    if (own && def.kind !== Kind.DIRECTIVE_DEFINITION) types.set(typeName, own);
    if ((def.kind === Kind.OBJECT_TYPE_DEFINITION || def.kind === Kind.INTERFACE_TYPE_DEFINITION) && def.fields) {
      for (const field of def.fields) {
        const req = requirementOf(field.directives, names);
        if (req) fields.set(`${typeName}.${field.name.value}`, req);
      }
    }
  }
  return { fields, types };
}

/**
 * What of a caller field authorisation reads (its scopes, nothing else): callers with the same key
 * get the same authorised document, so it can be computed once per key. Keep in step with `satisfied`.
 */
export function authorizationKey(caller: Caller): string {
  return [...caller.scopes].sort().join(' ');
}

function satisfied(req: Requirement | null | undefined, caller: Caller): boolean {
  if (!req) return true;
  if (!req.scopes) return true; // authenticated: every caller that reached this point is.
  return req.scopes.some((all) => all.every((scope) => caller.scopes.has(scope)));
}

export interface AuthorizedOperation {
  readonly document: DocumentNode;
  readonly errors: readonly GraphQLError[];
  /** True when nothing is left to execute. */
  readonly empty: boolean;
}

/**
 * Removes from `document` every field `caller` may not read. Fragments are inlined first, so that
 * each removed field has one exact response path (aliases included).
 */
export function authorizeOperation(schema: GraphQLSchema, policy: AccessPolicy, document: DocumentNode, operationName: string | null | undefined, caller: Caller): AuthorizedOperation {
  const fragments = new Map<string, FragmentDefinitionNode>();
  let operation: OperationDefinitionNode | undefined;
  for (const def of document.definitions) {
    if (def.kind === Kind.FRAGMENT_DEFINITION) fragments.set(def.name.value, def);
    if (def.kind === Kind.OPERATION_DEFINITION && (!operationName || def.name?.value === operationName)) operation ??= def;
  }
  if (!operation) return { document, errors: [], empty: false };
  const errors: GraphQLError[] = [];

  const allowedField = (parent: GraphQLCompositeType, fieldName: string): boolean => {
    const fieldType = (isObjectType(parent) || isInterfaceType(parent)) ? parent.getFields()[fieldName]?.type : undefined;
    const returned = fieldType ? getNamedType(fieldType).name : undefined;
    if (!satisfied(policy.fields.get(`${parent.name}.${fieldName}`), caller)) return false;
    if (!satisfied(policy.types.get(parent.name), caller)) return false;
    if (returned && !satisfied(policy.types.get(returned), caller)) return false;
    // A field read through an interface is read on every implementation: each must allow it.
    if (isAbstractType(parent)) {
      for (const impl of schema.getPossibleTypes(parent)) {
        if (!satisfied(policy.fields.get(`${impl.name}.${fieldName}`), caller)) return false;
      }
    }
    return true;
  };

  const filter = (set: SelectionSetNode, parent: GraphQLCompositeType, path: readonly (string | number)[]): SelectionSetNode | null => {
    const kept: SelectionNode[] = [];
    for (const selection of set.selections) {
      if (selection.kind === Kind.FIELD) {
        const name = selection.name.value;
        const responseKey = selection.alias?.value ?? name;
        if (name.startsWith('__')) {
          kept.push(selection);
          continue;
        }
        if (!allowedField(parent, name)) {
          errors.push(new GraphQLError(`You are not allowed to read ${parent.name}.${name}`, { path: [...path, responseKey], extensions: { code: 'FORBIDDEN' } }));
          continue;
        }
        const fieldDef = (isObjectType(parent) || isInterfaceType(parent)) ? parent.getFields()[name] : undefined;
        if (selection.selectionSet && fieldDef) {
          const sub = filter(selection.selectionSet, getNamedType(fieldDef.type) as GraphQLCompositeType, [...path, responseKey]);
          if (!sub) continue;
          kept.push({ ...selection, selectionSet: sub } as FieldNode);
        } else kept.push(selection);
      } else {
        const fragment = selection.kind === Kind.FRAGMENT_SPREAD ? fragments.get(selection.name.value) : selection;
        if (!fragment) continue;
        const on = fragment.typeCondition ? (schema.getType(fragment.typeCondition.name.value) as GraphQLCompositeType | undefined) : parent;
        if (!on) continue;
        const sub = filter(fragment.selectionSet, on, path);
        if (!sub) continue;
        kept.push({ kind: Kind.INLINE_FRAGMENT, typeCondition: fragment.typeCondition, directives: selection.directives, selectionSet: sub });
      }
    }
    return kept.length ? { ...set, selections: kept } : null;
  };

  const root = operation.operation === 'query' ? schema.getQueryType() : operation.operation === 'mutation' ? schema.getMutationType() : schema.getSubscriptionType();
  if (!root) return { document, errors: [], empty: false };
  const selectionSet = filter(operation.selectionSet, root, []);
  if (errors.length === 0) return { document, errors, empty: false };
  if (!selectionSet) return { document, errors, empty: true };
  const rewritten: DocumentNode = { kind: Kind.DOCUMENT, definitions: [{ ...operation, selectionSet }] };
  // Re-parse the printed document so that locations match the text the plan cache hashes.
  return { document: parse(print(rewritten)), errors, empty: false };
}
