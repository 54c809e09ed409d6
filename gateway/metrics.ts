// Prometheus metrics of the gateway (prom-client, one registry per gateway): requests and latency
// per operation name and per subgraph, errors by public code, query-plan cache hits, the state of
// each subgraph's circuit, fair-sharing refusals, and the process itself (memory, event loop, GC).
// Labels never carry personal data: operation names, subgraph names, codes and organisations only.
import type { ApolloServerPlugin, GraphQLRequestContextWillSendResponse } from '@apollo/server';
import type { GraphQLFormattedError } from 'graphql';
import { BoundedLabel, LATENCY_BUCKETS } from '../subgraphs/kit/metrics.ts';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { BREAKER_STATES, type BreakerState } from './circuit-breaker.ts';
import type { GatewayContext } from './context.ts';

export { metricsRoute } from '../subgraphs/kit/metrics.ts';

export type RequestOutcome = 'ok' | 'partial' | 'error';

export class GatewayMetrics {
  readonly registry = new Registry();
  readonly #operations = new BoundedLabel();
  readonly #requests = new Counter({ name: 'passerelle_gateway_requests_total', help: 'GraphQL operations answered, by operation name and outcome (ok, partial: data with errors, error: no data).', labelNames: ['operation', 'outcome'], registers: [this.registry] });
  readonly #duration = new Histogram({ name: 'passerelle_gateway_request_duration_seconds', help: 'Time from the start of a GraphQL operation to its answer, by operation name.', labelNames: ['operation'], buckets: LATENCY_BUCKETS, registers: [this.registry] });
  readonly #errors = new Counter({ name: 'passerelle_gateway_errors_total', help: 'Errors answered to callers, by public code (after masking).', labelNames: ['code'], registers: [this.registry] });
  readonly #subgraphRequests = new Counter({ name: 'passerelle_subgraph_requests_total', help: 'Calls from the gateway to a subgraph, by subgraph and outcome (ok or a SUBGRAPH_* fault code).', labelNames: ['subgraph', 'outcome'], registers: [this.registry] });
  readonly #subgraphDuration = new Histogram({ name: 'passerelle_subgraph_request_duration_seconds', help: 'Duration of calls from the gateway to a subgraph, failed ones included.', labelNames: ['subgraph'], buckets: LATENCY_BUCKETS, registers: [this.registry] });
  readonly #circuit = new Gauge({ name: 'passerelle_subgraph_circuit_state', help: 'State of each subgraph circuit breaker: 1 for the current state (closed, open, half-open), 0 for the others.', labelNames: ['subgraph', 'state'], registers: [this.registry] });
  readonly #planCache = new Counter({ name: 'passerelle_gateway_query_plan_cache_total', help: 'Query plan cache lookups, by result (hit or miss).', labelNames: ['result'], registers: [this.registry] });
  readonly #limited = new Counter({ name: 'passerelle_gateway_rate_limited_total', help: 'Requests refused with 429 by fair sharing, by organisation and limit (organisation or app, rate or concurrency).', labelNames: ['organisation', 'limit'], registers: [this.registry] });
  readonly #limitStore = new Gauge({ name: 'passerelle_gateway_rate_limit_store_up', help: '1 while the shared rate-limit store (Redis) answers, 0 while the gateway counts locally per replica.', registers: [this.registry] });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
    this.#planCache.inc({ result: 'hit' }, 0);
    this.#planCache.inc({ result: 'miss' }, 0);
  }

  operationLabel(name: string | null | undefined): string {
    return this.#operations.of(name);
  }

  request(operation: string | null | undefined, outcome: RequestOutcome, seconds: number, errors: readonly GraphQLFormattedError[]): void {
    const label = this.operationLabel(operation);
    this.#requests.inc({ operation: label, outcome });
    this.#duration.observe({ operation: label }, seconds);
    for (const error of errors) this.error(String(error.extensions?.code ?? 'INTERNAL_SERVER_ERROR'));
  }

  /** An error answered outside a GraphQL execution (401, 413, 429...). */
  error(code: string): void {
    this.#errors.inc({ code });
  }

  subgraphCall(subgraph: string, outcome: string, seconds: number): void {
    this.#subgraphRequests.inc({ subgraph, outcome });
    this.#subgraphDuration.observe({ subgraph }, seconds);
  }

  circuitState(subgraph: string, state: BreakerState): void {
    for (const s of BREAKER_STATES) this.#circuit.set({ subgraph, state: s }, s === state ? 1 : 0);
  }

  planCache(hit: boolean): void {
    this.#planCache.inc({ result: hit ? 'hit' : 'miss' });
  }

  rateLimited(organisation: string, limit: string): void {
    this.#limited.inc({ organisation, limit });
  }

  limitStoreUp(up: boolean): void {
    this.#limitStore.set(up ? 1 : 0);
  }
}

function outcomeOf(context: GraphQLRequestContextWillSendResponse<GatewayContext>): { outcome: RequestOutcome; errors: readonly GraphQLFormattedError[] } {
  const body = context.response.body;
  const result = body.kind === 'single' ? body.singleResult : body.initialResult;
  const errors = result.errors ?? [];
  if (errors.length === 0) return { outcome: 'ok', errors };
  return { outcome: result.data ? 'partial' : 'error', errors };
}

/** Counts every GraphQL operation once its answer is ready. */
export function requestMetrics(metrics: GatewayMetrics): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart() {
      const started = performance.now();
      return {
        async willSendResponse(context) {
          const { outcome, errors } = outcomeOf(context);
          metrics.request(context.operationName, outcome, (performance.now() - started) / 1000, errors);
        },
      };
    },
  };
}

/**
 * ApolloGateway has no hook on its query-plan cache: its lookups are counted by wrapping the
 * store's `get` (the store object lives as long as the gateway; reloads clear it in place).
 */
export function countPlanCache(gateway: object, metrics: GatewayMetrics): void {
  const store = (gateway as { queryPlanStore?: { get(key: string): Promise<unknown> } }).queryPlanStore;
  if (!store) return;
  const get = store.get.bind(store);
  store.get = async (key: string) => {
    const plan = await get(key);
    metrics.planCache(plan !== undefined);
    return plan;
  };
}
