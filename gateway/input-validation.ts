// Strings a client sends that cannot be stored or shown (a NUL, another control character, a lone
// surrogate; tabs and line breaks outside free-text notes) are refused here with BAD_USER_INPUT
// naming the argument, before any subgraph is called: they used to reach a subgraph's database and
// come back as `internal error`. The rule is the kit's (subgraphs/kit/input-validation.ts), which
// each subgraph applies again to what it receives.
import type { ApolloServerPlugin } from '@apollo/server';
import { inputValidation } from '../subgraphs/kit/input-validation.ts';
import type { GatewayContext } from './context.ts';

export function invalidTextRefusal(): ApolloServerPlugin<GatewayContext> {
  return inputValidation<GatewayContext>();
}
