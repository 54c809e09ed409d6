// Calls to subgraphs, all on one path (SubgraphClient.call): each request is signed with the
// gateway's key (the caller's claims, the operation name, one subgraph as audience, one minute of
// validity; subgraph-token.ts) and bounded in time, so a slow subgraph costs only its own fields.
// Connections are kept alive in one pool per subgraph (undici): a query plan's fetches reuse warm
// sockets instead of paying a TCP handshake each. Both executors call subgraphs through here:
// gateway/executor/ directly, ApolloGateway's through SignedSubgraphCall.
// Every call goes through its subgraph's circuit breaker (circuit-breaker.ts), in a client span
// whose W3C trace context the subgraph continues (tracing.ts), and is counted (metrics.ts). A call
// that fails on the wire (down, slow, garbage) never throws: it answers like a subgraph whose every
// requested field failed, each error at its path in the subgraph operation with a public code and
// the partner (subgraph-faults.ts), so an executor merges it like any subgraph error and the other
// subgraphs' data stays.
import type { GraphQLDataSource, GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import type { GatewayGraphQLResponse } from '@apollo/server-gateway-interface';
import type { GraphQLFormattedError } from 'graphql';
import { Pool } from 'undici';
import type { Logger } from '../subgraphs/kit/logger.ts';
import { isCircuitRefusal, type SubgraphBreakers } from './circuit-breaker.ts';
import type { GatewayContext } from './context.ts';
import type { GatewayMetrics } from './metrics.ts';
import { answerOf, classifyFailure, faultAnswer, SubgraphFault, type SubgraphRequest as FaultedRequest } from './subgraph-faults.ts';
import type { SubgraphTokens } from './subgraph-token.ts';
import { inClientSpan, injectTraceContext } from './tracing.ts';

export interface SubgraphCallOptions {
  readonly name: string;
  readonly url: string;
  readonly tokens: SubgraphTokens;
  readonly timeoutMs: number;
  /** Open connections kept per subgraph at most. */
  readonly connections?: number;
  readonly breakers: SubgraphBreakers;
  readonly metrics?: GatewayMetrics;
  readonly logger?: Logger;
}

export interface SubgraphRequest extends FaultedRequest {
  readonly query: string;
}

export interface SubgraphResponse {
  readonly data?: Record<string, any> | null;
  readonly errors?: readonly GraphQLFormattedError[];
  readonly extensions?: Record<string, unknown>;
}

/** The answer to a call that carries several entity fetches, or each one's answer to the fault that stopped it. */
export type MergedResponse = { readonly answer: SubgraphResponse } | { readonly faults: readonly SubgraphResponse[] };

const ACCEPT = 'application/graphql-response+json, application/json';

export class SubgraphClient {
  readonly name: string;
  readonly #options: SubgraphCallOptions;
  readonly #pool: Pool;
  readonly #path: string;

  constructor(options: SubgraphCallOptions) {
    this.name = options.name;
    this.#options = options;
    const url = new URL(options.url);
    this.#path = `${url.pathname}${url.search}`;
    this.#pool = new Pool(url.origin, { connections: options.connections ?? 128, keepAliveTimeout: 60_000 });
  }

  /**
   * Sends one GraphQL request on behalf of `context`'s caller (none: health checks and schema
   * loads). Faults of the wire come back as errors in the response, never as a throw.
   */
  call(request: SubgraphRequest, context: GatewayContext | undefined): Promise<SubgraphResponse> {
    return this.#call(request, context, (response) => response, (fault) => faultAnswer(fault, request));
  }

  /**
   * Sends one request that carries several entity fetches (gateway/executor/entity-batches.ts: its
   * `entityLists` name each fetch's `_entities` in the answer). A fault of the wire is answered for
   * each of `parts` (what each fetch would have sent alone) as if that fetch had failed alone.
   */
  callMerged(request: SubgraphRequest, parts: readonly SubgraphRequest[], context: GatewayContext | undefined): Promise<MergedResponse> {
    return this.#call<MergedResponse>(request, context, (answer) => ({ answer }), (fault) => ({ faults: parts.map((part) => faultAnswer(fault, part)) }));
  }

  async #call<T>(request: SubgraphRequest, context: GatewayContext | undefined, answered: (response: SubgraphResponse) => T, failed: (fault: SubgraphFault) => T): Promise<T> {
    const { breakers, metrics, logger } = this.#options;
    const started = performance.now();
    let outcome = 'ok';
    try {
      return await inClientSpan(`subgraph ${this.name}`, { 'passerelle.subgraph': this.name, 'graphql.operation.name': request.operationName ?? '' }, async (span) => {
        try {
          return answered(await breakers.call(this.name, () => this.#send(request, context)));
        } catch (error) {
          if (!(error instanceof SubgraphFault)) throw error;
          outcome = error.code;
          span.setAttribute('passerelle.fault', error.code);
          // An open circuit's refusals are logged once, when it opens (main.ts).
          if (!isCircuitRefusal(error)) logger?.warn({ requestId: context?.requestId, subgraph: this.name, code: error.code, cause: causeOf(error) }, 'subgraph call failed');
          return failed(error);
        }
      });
    } finally {
      metrics?.subgraphCall(this.name, outcome, (performance.now() - started) / 1000);
    }
  }

  async #send(request: SubgraphRequest, context: GatewayContext | undefined): Promise<SubgraphResponse> {
    const headers: Record<string, string> = { 'content-type': 'application/json', accept: ACCEPT };
    injectTraceContext({ set: (name, value) => (headers[name] = value) });
    if (context?.caller) {
      headers.authorization = `Bearer ${await this.#options.tokens.tokenFor(this.name, context.caller, context.operationName)}`;
      headers['x-request-id'] = context.requestId;
    }
    const body = JSON.stringify({ query: request.query, variables: request.variables, operationName: request.operationName ?? undefined });
    let status: number;
    let text: string;
    try {
      const response = await this.#pool.request({ path: this.#path, method: 'POST', headers, body, signal: AbortSignal.timeout(this.#options.timeoutMs) });
      status = response.statusCode;
      text = await response.body.text();
    } catch (error) {
      throw classifyFailure(this.name, error);
    }
    return answerOf(this.name, status, text, request);
  }

  close(): Promise<void> {
    return this.#pool.close();
  }
}

function causeOf(fault: SubgraphFault): string {
  const cause = fault.cause as { code?: string; message?: string } | undefined;
  return cause?.code ?? cause?.message ?? String(cause);
}

/** ApolloGateway's data source for a subgraph: the same client, so its executor keeps every guarantee above. */
export class SignedSubgraphCall implements GraphQLDataSource<GatewayContext> {
  readonly client: SubgraphClient;

  constructor(client: SubgraphClient) {
    this.client = client;
  }

  async process({ request, context }: GraphQLDataSourceProcessOptions<GatewayContext>): Promise<GatewayGraphQLResponse> {
    if (!request.query) throw new Error('a subgraph request needs its query text');
    const caller = 'caller' in context && context.caller ? (context as GatewayContext) : undefined;
    const response = await this.client.call({ query: request.query, variables: request.variables, operationName: request.operationName }, caller);
    return response as GatewayGraphQLResponse;
  }
}

/** One client per subgraph and URL, shared by both executors; closed with the gateway. */
export class SubgraphClients {
  readonly #options: Omit<SubgraphCallOptions, 'name' | 'url'>;
  /** URLs that replace those of the supergraph (configuration), by subgraph name. */
  readonly #urls: Readonly<Record<string, string>>;
  readonly #clients = new Map<string, SubgraphClient>();

  constructor(options: Omit<SubgraphCallOptions, 'name' | 'url'> & { readonly urls: Readonly<Record<string, string>> }) {
    const { urls, ...rest } = options;
    this.#options = rest;
    this.#urls = urls;
  }

  clientFor(name: string, supergraphUrl: string | undefined): SubgraphClient {
    const url = this.#urls[name] ?? supergraphUrl;
    if (!url) throw new Error(`no URL for subgraph ${name}`);
    const key = `${name} ${url}`;
    let client = this.#clients.get(key);
    if (!client) {
      client = new SubgraphClient({ ...this.#options, name, url });
      this.#clients.set(key, client);
    }
    return client;
  }

  async close(): Promise<void> {
    await Promise.all([...this.#clients.values()].map((client) => client.close()));
    this.#clients.clear();
  }
}
