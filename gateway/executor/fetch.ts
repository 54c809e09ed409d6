// One Fetch node: the variables it uses, the representations of the entities under its cursor (for
// an entity fetch), one subgraph call, the answer rewritten and merged into each entity, and the
// subgraph's errors moved to the client's paths. Same rules as ApolloGateway's executeFetch, but a
// representation shared by several entities is sent once (its answer and errors go to each).
import type { FetchNode, ResponsePath } from '@apollo/query-planner';
import { applyRewrites } from '@apollo/gateway/dist/dataRewrites.js';
import type { GraphQLError, GraphQLFormattedError, GraphQLSchema } from 'graphql';
import type { Cursor, ResultMap } from './cursor.ts';
import { deepMerge } from './merge.ts';
import { errorsOfShared, representationOf, sharedRepresentations, type SharedRepresentations } from './representations.ts';
import { downstreamError, errorPathMapper } from './subgraph-errors.ts';

export interface SubgraphAnswer {
  readonly data?: ResultMap | null;
  readonly errors?: readonly GraphQLFormattedError[];
}

/** Sends one fetch's operation to its subgraph (signed, timed, traced: subgraph-calls.ts). */
export type SendFetch = (fetch: FetchNode, variables: Record<string, unknown>, path: ResponsePath) => Promise<SubgraphAnswer>;

export interface FetchContext {
  readonly supergraphSchema: GraphQLSchema;
  readonly variables: Readonly<Record<string, unknown>> | undefined;
  readonly errors: (GraphQLError | Error)[];
  /** The way to a subgraph; throws for a subgraph the gateway does not know. */
  subgraph(name: string): SendFetch;
}

const hasOwn = Object.prototype.hasOwnProperty;

export async function executeFetch(context: FetchContext, fetch: FetchNode, cursor: Cursor): Promise<void> {
  const subgraph = context.subgraph(fetch.serviceName);
  const entities: ResultMap[] = Array.isArray(cursor.data) ? cursor.data.filter((entity) => entity !== null && entity !== undefined) : [cursor.data];
  if (entities.length < 1) return;

  const variables: Record<string, unknown> = Object.create(null);
  const provided = context.variables;
  if (fetch.variableUsages && provided) {
    for (const name of fetch.variableUsages) {
      if (hasOwn.call(provided, name) && provided[name] !== undefined) variables[name] = provided[name];
    }
  }

  const send = async (sent: Record<string, unknown>, shared?: SharedRepresentations): Promise<ResultMap | null | undefined> => {
    const response = await subgraph(fetch, sent, cursor.path);
    if (response.errors) {
      const mapPath = errorPathMapper(fetch, cursor);
      for (const error of response.errors) {
        if (!shared) context.errors.push(downstreamError(error, fetch.serviceName, mapPath));
        else for (const copy of errorsOfShared(error, shared)) context.errors.push(downstreamError(copy, fetch.serviceName, mapPath));
      }
    }
    return response.data;
  };

  if (!fetch.requires) {
    const received = await send(variables);
    if (received) applyRewrites(context.supergraphSchema, fetch.outputRewrites, received);
    for (const entity of entities) deepMerge(entity, received);
    return;
  }

  const representations: ResultMap[] = [];
  const representationToEntity: number[] = [];
  entities.forEach((entity, index) => {
    const representation = representationOf(context.supergraphSchema, entity, fetch.requires!);
    if (representation && representation.__typename) {
      applyRewrites(context.supergraphSchema, fetch.inputRewrites, representation);
      representations.push(representation);
      representationToEntity.push(index);
    }
  });
  if (representations.length < 1) return;
  if ('representations' in variables) throw new Error('Variables cannot contain key "representations"');

  const shared = sharedRepresentations(representations);
  const sent = shared?.sent ?? representations;
  const received = await send({ ...variables, representations: sent }, shared);
  if (!received) return;
  const receivedEntities = received._entities;
  if (!Array.isArray(receivedEntities)) throw new Error('Expected "data._entities" in response to be an array');
  if (receivedEntities.length !== sent.length) throw new Error(`Expected "data._entities" to contain ${sent.length} elements`);
  // Each answer rewritten once, then merged into every entity that sent its representation.
  const rewritten = shared ? new Uint8Array(sent.length) : undefined;
  for (let i = 0; i < representations.length; i++) {
    const at = shared ? shared.sentAs[i] : i;
    const receivedEntity = receivedEntities[at];
    const existing = entities[representationToEntity[i]];
    if (!rewritten || !rewritten[at]) {
      if (rewritten) rewritten[at] = 1;
      if (receivedEntity && !receivedEntity.__typename) receivedEntity.__typename = existing.__typename;
      applyRewrites(context.supergraphSchema, fetch.outputRewrites, receivedEntity);
    }
    deepMerge(existing, receivedEntity);
  }
}
