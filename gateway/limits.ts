// Limits on what one operation may ask (graphql-armor): depth, aliases, tokens, directives, cost,
// and no "did you mean" field suggestions that would let a caller map a hidden schema.
// Batched HTTP requests are refused (an array body could multiply every other limit).
import { ApolloArmor } from '@escape.tech/graphql-armor';
import { costLimitRule } from '@escape.tech/graphql-armor-cost-limit';
import { GraphQLObjectType, GraphQLSchema, GraphQLString, validate, type DocumentNode } from 'graphql';

/** Our deepest legitimate operation (employer → fundings → nodes → beneficiary → history → nodes) is 7 levels. */
// Cost as graphql-armor counts it (objects 2, scalars 1, ×1.5 per level): a counsellor's whole
// person file across the four partners costs about 6,000.
export const LIMITS = Object.freeze({ depth: 10, aliases: 15, tokens: 3000, directives: 30, cost: 20_000 });

/** How graphql-armor counts cost here; registration of partner apps' operations counts the same way. */
const COST_MEASURE = Object.freeze({ ignoreIntrospection: true });

// The measure reads the document only (fields, page sizes, fragments), never the schema's types.
const ANY_SCHEMA = new GraphQLSchema({ query: new GraphQLObjectType({ name: 'Query', fields: { _: { type: GraphQLString } } }) });

/** The cost of `document` as the cost limit counts it (registration records it for registered operations). */
export function operationCost(document: DocumentNode): number {
  let cost = 0;
  validate(ANY_SCHEMA, document, [costLimitRule({ ...COST_MEASURE, maxCost: Infinity, onAccept: [(_context, { n }) => (cost += n)] })]);
  return cost;
}

export function operationLimits() {
  return new ApolloArmor({
    maxDepth: { n: LIMITS.depth, ignoreIntrospection: true },
    maxAliases: { n: LIMITS.aliases },
    maxTokens: { n: LIMITS.tokens },
    maxDirectives: { n: LIMITS.directives },
    costLimit: { ...COST_MEASURE, maxCost: LIMITS.cost },
    blockFieldSuggestion: { enabled: true },
  }).protect();
}
