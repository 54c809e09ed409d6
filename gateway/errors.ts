// Error masking at the gateway: the subgraphs' rule (kit/errors.ts), plus the codes the gateway's
// own layers answer with. A subgraph that is down, slow or answers garbage is reported with a
// SUBGRAPH_* code and the partner concerned (subgraph-faults.ts), never its host or process;
// anything else unexpected is `internal error`. The gateway's own response extensions never reach a
// client either (maskGatewayInternals).
import type { ApolloServerPlugin } from '@apollo/server';
import type { FormattedExecutionResult, GraphQLFormattedError } from 'graphql';
import { maskError } from '../subgraphs/kit/errors.ts';
import type { Logger } from '../subgraphs/kit/logger.ts';
import type { GatewayContext } from './context.ts';
import { SUBGRAPH_FAULT_CODES } from './subgraph-faults.ts';

const GATEWAY_PUBLIC = new Set(['UNAUTHENTICATED', 'FORBIDDEN', 'PAYLOAD_TOO_LARGE', 'BAD_REQUEST', 'OPERATION_NOT_TRUSTED', 'QUERY_TOO_COMPLEX', 'BATCHING_NOT_ALLOWED', 'RATE_LIMITED', ...SUBGRAPH_FAULT_CODES]);

export function maskGatewayError(formatted: GraphQLFormattedError, onMasked?: (code: unknown) => void): GraphQLFormattedError {
  const masked = maskError(formatted, onMasked, GATEWAY_PUBLIC);
  const code = masked.extensions?.code;
  const partner = formatted.extensions?.partner;
  if (typeof code === 'string' && SUBGRAPH_FAULT_CODES.has(code) && typeof partner === 'string') {
    return { ...masked, extensions: { ...masked.extensions, partner } };
  }
  return masked;
}

/** A value ApolloGateway had to null after the subgraphs answered (its `valueCompletion`). */
function completionError(value: unknown): GraphQLFormattedError {
  const { message, path, extensions } = (value ?? {}) as { message?: unknown; path?: unknown; extensions?: unknown };
  return {
    message: String(message),
    ...(Array.isArray(path) ? { path: path as (string | number)[] } : {}),
    ...(extensions && typeof extensions === 'object' ? { extensions: extensions as Record<string, unknown> } : {}),
  };
}

/**
 * The response's `extensions` are the gateway's business, not the client's: ApolloGateway puts there
 * `valueCompletion` (a subgraph left null a non-null field: "Cannot return null for non-nullable field
 * Person.lastName", code INVALID_GRAPHQL) and, when asked, its query plans. They are dropped; each value
 * the gateway had to null becomes an `internal error` at its path, so that no null goes unexplained,
 * and is logged with its message for the operators.
 */
export function maskGatewayInternals(logger: Logger): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ response, contextValue, operationName }) {
          const body = response.body;
          if (body?.kind === 'single' && body.singleResult.extensions) {
            response.body = { ...body, singleResult: withoutGatewayInternals(body.singleResult, logger, contextValue, operationName ?? null) };
          } else if (body?.kind === 'incremental' && body.initialResult.extensions) {
            response.body = { ...body, initialResult: withoutGatewayInternals(body.initialResult, logger, contextValue, operationName ?? null) };
          }
        },
      };
    },
  };
}

/** One answer (or one payload of a deferred part) without the gateway's extensions: see maskGatewayInternals. */
export function withoutGatewayInternals<T extends FormattedExecutionResult>(result: T, logger: Logger, context: GatewayContext, operation: string | null): T {
  const completion = Array.isArray(result.extensions?.valueCompletion) ? result.extensions.valueCompletion.map(completionError) : [];
  // A null in an object whose field a partner's fault already reports (the DPO trail, whole or
  // absent, without that partner's window) is explained: it gets no second error.
  const parent = (path: readonly (string | number)[] | undefined) => JSON.stringify(path?.slice(0, -1));
  const explained = new Set((result.errors ?? []).filter((e) => SUBGRAPH_FAULT_CODES.has(String(e.extensions?.code))).map((e) => parent(e.path)));
  const unexplained = completion.filter((e) => !explained.has(parent(e.path)));
  const out = { ...result };
  delete out.extensions;
  if (completion.length > 0) {
    logger.warn({ requestId: context.requestId, operation, valueCompletion: completion.map((e) => ({ path: e.path, message: e.message })) }, 'a subgraph left null a non-null field');
    if (unexplained.length > 0) out.errors = [...(result.errors ?? []), ...unexplained.map((e) => maskGatewayError(e))];
  }
  return out;
}
