// The supergraph only names its custom scalars; the gateway would let any value through to the
// subgraphs. Checking our scalars' input here answers "2025-02-30" or "12.345" with a typed error
// before any subgraph is called. Output is left as the subgraphs serialised it.
import { isScalarType, type GraphQLSchema } from 'graphql';
import { scalarResolvers } from '../subgraphs/kit/scalars.ts';

export function checkScalarInputs(schema: GraphQLSchema): void {
  for (const scalar of Object.values(scalarResolvers)) {
    const type = schema.getType(scalar.name);
    if (!isScalarType(type)) continue;
    Object.assign(type, { parseValue: scalar.parseValue, parseLiteral: scalar.parseLiteral });
  }
}
