// Limits on what one operation may ask (graphql-armor): depth, aliases, tokens, directives, cost,
// and no "did you mean" field suggestions that would let a caller map a hidden schema.
// Batched HTTP requests are refused (an array body could multiply every other limit).
// A refusal names what was measured and the limit ("cost 131,002 exceeds 120,000"), never armor's
// "Syntax Error: …" wording, which told a partner team its document did not parse.
import { ApolloArmor } from '@escape.tech/graphql-armor';
import { costLimitRule } from '@escape.tech/graphql-armor-cost-limit';
import type { ApolloServerPlugin } from '@apollo/server';
import {
  GraphQLError, GraphQLObjectType, GraphQLSchema, GraphQLString, Kind, TypeInfo, validate, visit, visitWithTypeInfo,
  type ArgumentNode, type DocumentNode, type FieldNode, type GraphQLFormattedError, type ValueNode, type VariableDefinitionNode,
} from 'graphql';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from '../subgraphs/kit/pagination.ts';
import type { GatewayContext } from './context.ts';

/** Our deepest legitimate operation (employer → fundings → nodes → beneficiary → history → nodes) is 7 levels. */
// Cost as graphql-armor counts it (objects 2, scalars 1, ×1.5 per level, × the page size of a list):
// a counsellor's page of 50 people with their registration, orientation, accompaniments, last 10
// history events and fundings costs 54,588, the same page of 100 people (the largest page) 109,175.
export const LIMITS = Object.freeze({ depth: 10, aliases: 15, tokens: 3000, directives: 30, cost: 120_000 });

/** How graphql-armor counts cost here; registration of partner apps' operations counts the same way. */
const COST_MEASURE = Object.freeze({ ignoreIntrospection: true });

// The measure reads the document only (fields, page sizes, fragments); page sizes are written into it
// beforehand (pageSized), from the schema and the request.
const ANY_SCHEMA = new GraphQLSchema({ query: new GraphQLObjectType({ name: 'Query', fields: { _: { type: GraphQLString } } }) });

/** Where the page sizes of an operation come from. */
export type PageSizes =
  /** A request: its variables (a missing one takes its declared default, then the field's default). */
  | { readonly variables: Readonly<Record<string, unknown>> }
  /** Registration: a page size the caller may choose counts as the largest page a field gives. */
  | { readonly worstCase: true };

const PAGE_ARGUMENTS = new Set(['first', 'last']);
const intValue = (n: number): ValueNode => ({ kind: Kind.INT, value: String(n) });

/**
 * `document` with every page size written as a literal, so that the cost counts what will be read:
 * a variable page size as the request sets it (or, at registration, the largest page), and, when the
 * schema is known, a list field asked without `first` as the page size it defaults to.
 */
function pageSized(document: DocumentNode, schema: GraphQLSchema | undefined, sizes: PageSizes): DocumentNode {
  const declared = new Map<string, VariableDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.OPERATION_DEFINITION) for (const v of definition.variableDefinitions ?? []) declared.set(v.variable.name.value, v);
  }
  const sizeOf = (value: ValueNode, fieldDefault: number): ValueNode => {
    if (value.kind !== Kind.VARIABLE) return value;
    if ('worstCase' in sizes) return intValue(MAX_PAGE_SIZE);
    const given = sizes.variables[value.name.value];
    if (Number.isInteger(given)) return intValue(given as number);
    const fallback = declared.get(value.name.value)?.defaultValue;
    return given === undefined && fallback?.kind === Kind.INT ? fallback : intValue(fieldDefault);
  };
  const typeInfo = schema ? new TypeInfo(schema) : undefined;
  const sized = (field: FieldNode): FieldNode | undefined => {
    const definition = typeInfo?.getFieldDef();
    const pageArgument = definition?.args.find((a) => a.name === 'first');
    const fieldDefault = typeof pageArgument?.defaultValue === 'number' ? pageArgument.defaultValue : DEFAULT_PAGE_SIZE;
    let changed = false;
    const args: ArgumentNode[] = (field.arguments ?? []).map((a) => {
      if (!PAGE_ARGUMENTS.has(a.name.value)) return a;
      const value = sizeOf(a.value, fieldDefault);
      if (value === a.value) return a;
      changed = true;
      return { ...a, value };
    });
    if (pageArgument && !args.some((a) => PAGE_ARGUMENTS.has(a.name.value))) {
      args.push({ kind: Kind.ARGUMENT, name: { kind: Kind.NAME, value: 'first' }, value: intValue(fieldDefault) });
      changed = true;
    }
    return changed ? { ...field, arguments: args } : undefined;
  };
  return visit(document, typeInfo ? visitWithTypeInfo(typeInfo, { Field: sized }) : { Field: sized });
}

/** The cost of `document` as the cost limit counts it (registration records it for registered operations). */
export function operationCost(document: DocumentNode, schema?: GraphQLSchema, sizes: PageSizes = { worstCase: true }): number {
  let cost = 0;
  validate(ANY_SCHEMA, pageSized(document, schema, sizes), [costLimitRule({ ...COST_MEASURE, maxCost: Infinity, onAccept: [(_context, { n }) => (cost += n)] })]);
  return cost;
}

const figure = (n: number) => Math.round(n).toLocaleString('en');

/**
 * Refuses an ad-hoc operation (Sandbox callers, development) that costs more than the limit, measured
 * with the request's own page sizes. A registered operation is not measured again: its cost was
 * computed, limited and shown to its team when it was registered (schema/register.ts).
 */
export function costLimit(): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ contextValue, document, schema, request }) {
          if (contextValue.registeredOperation) return;
          const cost = operationCost(document, schema, { variables: request.variables ?? {} });
          if (cost <= LIMITS.cost) return;
          throw new GraphQLError(`cost ${figure(cost)} exceeds ${figure(LIMITS.cost)}: ask for smaller pages (first) or fewer fields`, {
            extensions: { code: 'QUERY_TOO_COMPLEX', http: { status: 400 } },
          });
        },
      };
    },
  };
}

// graphql-armor's refusals, as it words them ("Syntax Error: Query depth limit of 10 exceeded, found 12.").
const ARMOR_REFUSAL = /^Syntax Error: (Query depth|Aliases|Directives|Token) limit of (\d+) exceeded(?:, found (\d+))?\.?$/;
const MEASURE_NAMES: Record<string, string> = { 'Query depth': 'depth', Aliases: 'aliases', Directives: 'directives', Token: 'tokens' };

/** An armor refusal reworded as what was measured and the limit; any other error unchanged. */
export function limitRefusal(formatted: GraphQLFormattedError): GraphQLFormattedError {
  const match = ARMOR_REFUSAL.exec(formatted.message);
  if (!match) return formatted;
  const [, measure, limit, found] = match;
  const message = found ? `${MEASURE_NAMES[measure]} ${figure(Number(found))} exceeds ${figure(Number(limit))}` : `the document has more than ${figure(Number(limit))} ${MEASURE_NAMES[measure]}`;
  return { ...formatted, message };
}

export function operationLimits() {
  return new ApolloArmor({
    maxDepth: { n: LIMITS.depth, ignoreIntrospection: true },
    maxAliases: { n: LIMITS.aliases },
    maxTokens: { n: LIMITS.tokens },
    maxDirectives: { n: LIMITS.directives },
    // Measured per request with its page sizes by costLimit(), which tells registered operations apart.
    costLimit: { enabled: false },
    blockFieldSuggestion: { enabled: true },
  }).protect();
}
