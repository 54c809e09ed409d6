// One log line per request, and every line about a request, carry its request id and operation
// name — never variables, tokens or data. The id is the load balancer's `x-request-id` when it
// looks like one, a fresh UUID otherwise, and is echoed in the answer's `x-request-id` header and
// sent to subgraphs so their logs line up with ours.
import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { ApolloServerPlugin } from '@apollo/server';
import type { Logger } from '../subgraphs/kit/logger.ts';
import type { GatewayContext } from './context.ts';

const REQUEST_ID = /^[A-Za-z0-9._:-]{8,128}$/;

export function requestIdOf(headers: IncomingHttpHeaders): string {
  const given = headers['x-request-id'];
  return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
}

export function requestLog(logger: Logger): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart() {
      const started = performance.now();
      return {
        async didEncounterErrors({ errors, contextValue, operationName }) {
          logger.warn({
            requestId: contextValue.requestId,
            operation: operationName ?? null,
            errors: errors.map((e) => ({ code: e.extensions?.code ?? 'INTERNAL_SERVER_ERROR', path: e.path })),
          }, 'request errors');
        },
        async willSendResponse({ response, contextValue, operationName }) {
          response.http.headers.set('x-request-id', contextValue.requestId);
          logger.info({ requestId: contextValue.requestId, operation: operationName ?? null, ms: Math.round(performance.now() - started) }, 'request');
        },
      };
    },
  };
}
