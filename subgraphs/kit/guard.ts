// The last line of the policy, applied to the executable schema rather than to resolvers: every
// field that returns a personal-data object (a Person, or a type the partner's policy ties to a
// governed table) has its result checked against the caller's perimeter, whatever resolver produced
// it — root fields, nested lists, `_entities` and `__resolveReference`, mutation results. An object
// outside is dropped (null, or left out of a list) and logged as the bug it is. Every field of a
// personal-data object that answers something is recorded in the request's audit trail for the
// person concerned, so auditing cannot be forgotten by a resolver either.
import {
  defaultFieldResolver, getNamedType, isAbstractType, isListType, isNonNullType, isObjectType,
  type GraphQLFieldResolver, type GraphQLNamedType, type GraphQLOutputType, type GraphQLResolveInfo, type GraphQLSchema,
} from 'graphql';
import type { Logger } from './logger.ts';
import type { SubgraphContext } from './context.ts';

/** The type every subgraph shares for a person; its key is the person id. */
const PERSON = 'Person';

type Guarded = Record<string, unknown> & { __typename?: string };

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as PromiseLike<unknown> | null)?.then === 'function';
}

function isEmpty(value: unknown): boolean {
  if (value === null || value === undefined) return true;
  if (Array.isArray(value)) return value.length === 0;
  if (typeof value === 'object') {
    const connection = value as { totalCount?: unknown; nodes?: unknown };
    if (connection.totalCount === 0) return true;
    if (Array.isArray(connection.nodes) && connection.nodes.length === 0 && connection.totalCount === undefined) return true;
  }
  return false;
}

export class PerimeterGuard {
  readonly #personal: ReadonlySet<string>;
  readonly #logger: Logger;

  constructor(personalTypes: Iterable<string>, logger: Logger) {
    this.#personal = new Set([PERSON, ...personalTypes]);
    this.#logger = logger;
  }

  /** Wraps the resolvers of `schema` in place and returns it. */
  apply(schema: GraphQLSchema): GraphQLSchema {
    for (const type of Object.values(schema.getTypeMap())) {
      if (!isObjectType(type) || type.name.startsWith('__')) continue;
      for (const field of Object.values(type.getFields())) {
        const named = getNamedType(field.type);
        const entities = type.name === 'Query' && field.name === '_entities';
        const returnsPersonal = entities || this.#mayBePersonal(schema, named);
        const ofPersonal = this.#personal.has(type.name);
        if (!returnsPersonal && !ofPersonal) continue;
        const resolve: GraphQLFieldResolver<unknown, SubgraphContext> = field.resolve ?? defaultFieldResolver;
        const read = [`${type.name}.${field.name}`];
        const audited = (source: unknown, ctx: SubgraphContext, value: unknown) => {
          if (ofPersonal && !isEmpty(value)) this.#audit(type.name, source as Guarded, read, ctx);
          return value;
        };
        field.resolve = returnsPersonal
          ? async (source, args, ctx, info) => audited(source, ctx, await this.#gate(await resolve(source, args, ctx, info), field.type, ctx, info))
          // A field that returns no personal object (a scalar of a person, most often) is only
          // audited: synchronously when its resolver is, as a promise per field costs more than the field.
          : (source, args, ctx, info) => {
            const value = resolve(source, args, ctx, info);
            return isPromiseLike(value) ? Promise.resolve(value).then((v) => audited(source, ctx, v)) : audited(source, ctx, value);
          };
      }
    }
    return schema;
  }

  #mayBePersonal(schema: GraphQLSchema, named: GraphQLNamedType): boolean {
    if (this.#personal.has(named.name)) return true;
    return isAbstractType(named) && schema.getPossibleTypes(named).some((t) => this.#personal.has(t.name));
  }

  async #gate(answer: unknown, type: GraphQLOutputType, ctx: SubgraphContext, info: GraphQLResolveInfo): Promise<unknown> {
    // `_entities` answers a list of promises.
    const value = await answer;
    const inner = isNonNullType(type) ? type.ofType : type;
    if (isListType(inner) && Array.isArray(value)) {
      const items = await Promise.all(value.map((item) => this.#gate(item, inner.ofType, ctx, info)));
      // Inside a list, an object outside the perimeter is left out rather than answered as null,
      // except in `_entities`, whose answers must stay aligned with the representations asked.
      return info.fieldName === '_entities' ? items : items.filter((item, i) => item !== null || value[i] === null);
    }
    if (value === null || value === undefined || typeof value !== 'object') return value ?? null;
    const object = value as Guarded;
    const typeName = object.__typename ?? (isAbstractType(getNamedType(type)) ? undefined : getNamedType(type).name);
    if (!typeName) {
      this.#drop('an object of an abstract type without __typename', info);
      return null;
    }
    if (!this.#personal.has(typeName)) return value;
    const allowed = typeName === PERSON ? await ctx.perimeter.includesPerson(object.id as string) : await ctx.perimeter.allows(typeName, object);
    if (!allowed) {
      // A reference asked by id (an `_entities` representation) is not a resolver bug: answering null is the rule.
      if (info.fieldName !== '_entities') this.#drop(typeName, info);
      return null;
    }
    return value;
  }

  #audit(typeName: string, source: Guarded, fields: string[], ctx: SubgraphContext): void {
    const personId = typeName === PERSON ? (source.id as string | undefined) : ctx.perimeter.personOf(typeName, source);
    if (personId) ctx.audit.read(personId, fields);
  }

  #drop(what: string, info: GraphQLResolveInfo): void {
    this.#logger.error({ type: what, path: `${info.parentType.name}.${info.fieldName}` }, 'the perimeter guard dropped an object a resolver returned outside the caller perimeter');
  }
}
