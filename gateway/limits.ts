// Limits on what one operation may ask (graphql-armor): depth, aliases, tokens, directives, cost,
// and no "did you mean" field suggestions that would let a caller map a hidden schema.
// Batched HTTP requests are refused (an array body could multiply every other limit).
import { ApolloArmor } from '@escape.tech/graphql-armor';

/** Our deepest legitimate operation (employer → fundings → nodes → beneficiary → history → nodes) is 7 levels. */
// Cost as graphql-armor counts it (objects 2, scalars 1, ×1.5 per level): a counsellor's whole
// person file across the four partners costs about 6,000.
export const LIMITS = Object.freeze({ depth: 10, aliases: 15, tokens: 3000, directives: 30, cost: 20_000 });

export function operationLimits() {
  return new ApolloArmor({
    maxDepth: { n: LIMITS.depth, ignoreIntrospection: true },
    maxAliases: { n: LIMITS.aliases },
    maxTokens: { n: LIMITS.tokens },
    maxDirectives: { n: LIMITS.directives },
    costLimit: { maxCost: LIMITS.cost, ignoreIntrospection: true },
    blockFieldSuggestion: { enabled: true },
  }).protect();
}
