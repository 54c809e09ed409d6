// Calls to subgraphs, all on one path (SubgraphClient.call): each request is signed with the
// gateway's key (the caller's claims, the operation name, one subgraph as audience, one minute of
// validity; subgraph-token.ts) and bounded in time, so a slow subgraph costs only its own fields.
// Connections are kept alive in one pool per subgraph (undici): a query plan's fetches reuse warm
// sockets instead of paying a TCP handshake each. Both executors call subgraphs through here:
// gateway/executor/ directly, ApolloGateway's through SignedSubgraphCall.
import { STATUS_CODES } from 'node:http';
import type { GraphQLDataSource, GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import type { GatewayGraphQLResponse } from '@apollo/server-gateway-interface';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { Pool } from 'undici';
import type { GatewayContext } from './context.ts';
import type { SubgraphTokens } from './subgraph-token.ts';

export interface SubgraphCallOptions {
  readonly name: string;
  readonly url: string;
  readonly tokens: SubgraphTokens;
  readonly timeoutMs: number;
  /** Open connections kept per subgraph at most. */
  readonly connections?: number;
}

export interface SubgraphRequest {
  readonly query: string;
  readonly variables?: Readonly<Record<string, unknown>>;
  readonly operationName?: string | null;
}

export interface SubgraphResponse {
  readonly data?: Record<string, any> | null;
  readonly errors?: readonly GraphQLFormattedError[];
  readonly extensions?: Record<string, unknown>;
}

const ACCEPT = 'application/graphql-response+json, application/json';

function httpError(status: number, statusText: string): GraphQLError {
  const code = status === 401 ? 'UNAUTHENTICATED' : status === 403 ? 'FORBIDDEN' : undefined;
  return new GraphQLError(`${status}: ${statusText}`, { extensions: code ? { code } : {} });
}

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

  /** Sends one GraphQL request on behalf of `context`'s caller (none: health checks and schema loads). */
  async call(request: SubgraphRequest, context: GatewayContext | undefined): Promise<SubgraphResponse> {
    const headers: Record<string, string> = { 'content-type': 'application/json', accept: ACCEPT };
    if (context?.caller) {
      headers.authorization = `Bearer ${await this.#options.tokens.tokenFor(this.name, context.caller, context.operationName)}`;
    }
    const body = JSON.stringify({ query: request.query, variables: request.variables, operationName: request.operationName ?? undefined });
    const response = await this.#pool.request({ path: this.#path, method: 'POST', headers, body, signal: AbortSignal.timeout(this.#options.timeoutMs) });
    const text = await response.body.text();
    if (response.statusCode < 200 || response.statusCode > 299) throw httpError(response.statusCode, STATUS_CODES[response.statusCode] ?? 'Error');
    const parsed: unknown = JSON.parse(text);
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('the subgraph answered something other than a GraphQL response');
    return parsed as SubgraphResponse;
  }

  close(): Promise<void> {
    return this.#pool.close();
  }
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
