// Incremental delivery (@defer) over HTTP, in the format Apollo Client 4 reads (its
// Defer20220824Handler): the answer `{data, errors?, hasNext: true}`, then one payload per deferred
// part, `{incremental: [{data, path, label?, errors?}], hasNext}`, the last with hasNext false, as
// `multipart/mixed; boundary="-"; deferSpec=20220824`.
// Only to a client whose Accept header prefers `multipart/mixed; deferSpec=20220824` (decided with the
// negotiator Apollo Server itself uses, so that both always agree): any other client gets the whole
// answer at once (executor/index.ts), never an error.
// Apollo Server answers a gateway with one result; its HTTP layer already writes a response body of
// kind `incremental` as chunked multipart. The executor offers the payloads after the answer here,
// keyed by the request's context, and this plugin turns the answer into that body when it is sent
// (willSendResponse). Each payload's errors are formatted and masked as the answer's are
// (formatError: maskGatewayError; what a subgraph left null: withoutGatewayInternals), logged with the
// request id and counted by code.
import { createRequire } from 'node:module';
import type { ApolloServerPlugin } from '@apollo/server';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import type { Logger } from '../subgraphs/kit/logger.ts';
import type { GatewayContext } from './context.ts';
import { maskGatewayError, withoutGatewayInternals } from './errors.ts';
import type { IncrementalItem, SubsequentPayload } from './executor/deferred.ts';
import type { GatewayMetrics } from './metrics.ts';

interface NegotiatorInstance { mediaType(available: string[]): string | undefined }
const apolloServer = createRequire(import.meta.url).resolve('@apollo/server');
const Negotiator = createRequire(apolloServer)('negotiator') as new (request: { headers: { accept?: string } }) => NegotiatorInstance;

const DEFER_SPEC_20220824 = 'multipart/mixed; deferSpec=20220824';
/** Apollo Server's candidates, in its order (runHttpQuery): the one preferred decides. */
const MULTIPART_TYPES = ['multipart/mixed', 'multipart/mixed; incrementalSpec=v0.2', DEFER_SPEC_20220824];

export function acceptsIncrementalDelivery(accept: string | null | undefined): boolean {
  return !!accept && new Negotiator({ headers: { accept } }).mediaType(MULTIPART_TYPES) === DEFER_SPEC_20220824;
}

const offered = new WeakMap<object, AsyncIterable<SubsequentPayload>>();

/** The executor's payloads after the answer of the request whose context is `context`. */
export function offerSubsequentPayloads(context: object, payloads: AsyncIterable<SubsequentPayload>): void {
  offered.set(context, payloads);
}

type FormattedItem = Omit<IncrementalItem, 'errors' | 'extensions'> & { errors?: GraphQLFormattedError[] };

/** As Apollo Server formats an error before formatError: a GraphQLError with a code. */
function formatted(error: unknown): GraphQLFormattedError {
  const graphql = error instanceof GraphQLError ? error : new GraphQLError(error instanceof Error ? error.message : String(error), { originalError: error instanceof Error ? error : undefined });
  return maskGatewayError({ ...graphql.toJSON(), extensions: { ...graphql.extensions, code: graphql.extensions.code ?? 'INTERNAL_SERVER_ERROR' } });
}

export function incrementalDelivery(logger: Logger, metrics: GatewayMetrics): ApolloServerPlugin<GatewayContext> {
  async function* subsequent(payloads: AsyncIterable<SubsequentPayload>, context: GatewayContext, operation: string | null) {
    for await (const payload of payloads) {
      const incremental = payload.incremental.map(({ errors, extensions, ...item }): FormattedItem => {
        if (errors) {
          logger.warn({ requestId: context.requestId, operation, deferred: item.path, errors: errors.map((e) => ({ code: (e as GraphQLError).extensions?.code ?? 'INTERNAL_SERVER_ERROR', path: (e as GraphQLError).path })) }, 'request errors');
        }
        const shaped = withoutGatewayInternals({ ...item, ...(errors ? { errors: errors.map(formatted) } : {}), ...(extensions ? { extensions } : {}) }, logger, context, operation);
        for (const error of shaped.errors ?? []) metrics.error(String(error.extensions?.code ?? 'INTERNAL_SERVER_ERROR'));
        return shaped as FormattedItem;
      });
      yield { incremental, hasNext: payload.hasNext };
    }
  }

  return {
    async requestDidStart() {
      return {
        async willSendResponse({ response, contextValue, operationName }) {
          const payloads = offered.get(contextValue);
          if (!payloads) return;
          offered.delete(contextValue);
          const body = response.body;
          if (body?.kind !== 'single' || !body.singleResult.data) return;
          response.body = {
            kind: 'incremental',
            initialResult: { ...body.singleResult, hasNext: true },
            subsequentResults: subsequent(payloads, contextValue, operationName ?? null),
          } as unknown as typeof response.body;
        },
      };
    },
  };
}
