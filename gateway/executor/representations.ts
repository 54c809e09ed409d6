// The representations an entity fetch sends: each entity's `requires` selection (its key and the
// fields a @requires needs), read from the tree built so far. An entity missing one of them (its
// fetch failed on a non-null field) is not sent, as in ApolloGateway. `requires` may name elements
// that are @inaccessible, so it is read against the supergraph schema, never the API schema.
import type { QueryPlanSelectionNode } from '@apollo/query-planner';
import type { GraphQLFormattedError, GraphQLSchema } from 'graphql';
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

/**
 * The representations an entity fetch sends once each: entities with the same representation (the
 * same product under many reviews) are asked for once, and the answer goes to each of them.
 */
export interface SharedRepresentations {
  readonly sent: ResultMap[];
  /** For each representation, the index of the one sent in its place. */
  readonly sentAs: number[];
}

/** Undefined when no two representations are the same. */
export function sharedRepresentations(representations: readonly ResultMap[]): SharedRepresentations | undefined {
  if (representations.length < 2) return undefined;
  const seen = new Map<string, number>();
  const sent: ResultMap[] = [];
  const sentAs: number[] = [];
  for (const representation of representations) {
    const key = JSON.stringify(representation);
    let index = seen.get(key);
    if (index === undefined) {
      index = sent.length;
      seen.set(key, index);
      sent.push(representation);
    }
    sentAs.push(index);
  }
  return sent.length < representations.length ? { sent, sentAs } : undefined;
}

/** A subgraph's error at `_entities.<j>…` of a shared representation, once for each representation that shares it. */
export function errorsOfShared(error: GraphQLFormattedError, shared: SharedRepresentations): GraphQLFormattedError[] {
  const path = error.path;
  if (path?.[0] !== '_entities' || typeof path[1] !== 'number') return [error];
  const copies: GraphQLFormattedError[] = [];
  shared.sentAs.forEach((index, i) => {
    if (index === path[1]) copies.push({ ...error, path: ['_entities', i, ...path.slice(2)] });
  });
  return copies.length > 0 ? copies : [error];
}
