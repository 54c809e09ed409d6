// The representations an entity fetch sends: each entity's `requires` selection (its key and the
// fields a @requires needs), read from the tree built so far. An entity missing one of them (its
// fetch failed on a non-null field) is not sent, as in ApolloGateway. `requires` may name elements
// that are @inaccessible, so it is read against the supergraph schema, never the API schema.
import type { QueryPlanSelectionNode } from '@apollo/query-planner';
import type { GraphQLSchema } from 'graphql';
import { isObjectOfType } from '@apollo/gateway/dist/dataRewrites.js';
import type { ResultMap } from './cursor.ts';
import { deepMerge } from './merge.ts';

const hasOwn = Object.prototype.hasOwnProperty;

export function representationOf(schema: GraphQLSchema, source: ResultMap | null, selections: readonly QueryPlanSelectionNode[]): ResultMap | null {
  if (source === null) return null;
  const result: ResultMap = Object.create(null);
  for (const selection of selections) {
    if (selection.kind === 'Field') {
      const responseName = selection.alias ?? selection.name;
      const sub = selection.selections;
      if (!hasOwn.call(source, responseName) || source[responseName] === undefined) return null;
      const value = source[responseName];
      if (Array.isArray(value)) result[responseName] = value.map((element) => (sub ? representationOf(schema, element, sub) : element));
      else if (sub) result[responseName] = representationOf(schema, value, sub);
      else result[responseName] = value;
    } else if (selection.typeCondition && source && isObjectOfType(schema, source, selection.typeCondition)) {
      deepMerge(result, representationOf(schema, source, selection.selections));
    }
  }
  return result;
}
