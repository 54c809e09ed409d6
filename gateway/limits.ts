// Limits on what one operation may ask (graphql-armor): depth, aliases, tokens, directives, cost,
// and no "did you mean" field suggestions that would let a caller map a hidden schema.
// Batched HTTP requests are refused (an array body could multiply every other limit).
import { ApolloArmor } from '@escape.tech/graphql-armor';

/** Our deepest legitimate operation (employer → fundings → nodes → beneficiary → history → nodes) is 7 levels. */
export const LIMITS = Object.freeze({ depth: 10, aliases: 15, tokens: 3000, directives: 30, cost: 5000 });

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
