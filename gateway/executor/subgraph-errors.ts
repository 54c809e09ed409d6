// A subgraph's errors as the client sees them, as ApolloGateway writes them: the path moved from the
// subgraph operation into the client's answer (an entity's `_entities.<i>.…` onto that entity's
// place), the subgraph named in `serviceName`, and the code kept (a federation code keeps its
// definition; none becomes DOWNSTREAM_SERVICE_ERROR). The public codes of subgraph faults
// (subgraph-faults.ts) and the partner pass through unchanged.
import { errorCodeDef, ERRORS } from '@apollo/federation-internals';
import type { FetchNode, ResponsePath } from '@apollo/query-planner';
import { GraphQLError, type GraphQLErrorOptions, type GraphQLFormattedError } from 'graphql';
import { hydratedPaths, type Cursor } from './cursor.ts';

type ErrorPath = GraphQLErrorOptions['path'];

/** Maps error paths of one fetch; the entities' concrete paths are computed only if an error needs them. */
export function errorPathMapper(fetch: FetchNode, cursor: Cursor): (path: ErrorPath) => ErrorPath {
  let entityPaths: ResponsePath[] | undefined;
  return (path) => {
    if (fetch.requires && typeof path?.[1] === 'number') {
      entityPaths ??= hydratedPaths(cursor.path, cursor.root);
      return [...(entityPaths[path[1]] ?? []), ...path.slice(2)];
    }
    return path ? [...cursor.path, ...path] : undefined;
  };
}

export function downstreamError(original: GraphQLFormattedError, serviceName: string, mapPath: (path: ErrorPath) => ErrorPath): GraphQLError {
  const message = original.message || `Error while fetching subquery from service "${serviceName}"`;
  const options: GraphQLErrorOptions = {
    originalError: original as Error,
    path: mapPath(original.path),
    extensions: { ...original.extensions, serviceName },
  };
  const codeDef = errorCodeDef(original);
  if (!codeDef && original.extensions?.code) return new GraphQLError(message, options);
  return (codeDef ?? ERRORS.DOWNSTREAM_SERVICE_ERROR).err(message, options);
}
