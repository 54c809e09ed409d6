// Calls to subgraphs: each request is signed with the gateway's key (the caller's claims, the
// operation name, one subgraph as audience, one minute of validity) and bounded in time, so a slow
// subgraph costs only its own fields.
import { RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import type { GatewayContext } from './context.ts';
import type { SigningKey } from './keys.ts';
import { signSubgraphToken } from './subgraph-token.ts';

export interface SubgraphCallOptions {
  readonly name: string;
  readonly url: string;
  readonly signingKey: SigningKey;
  readonly timeoutMs: number;
}

export class SignedSubgraphCall extends RemoteGraphQLDataSource<GatewayContext> {
  readonly #options: SubgraphCallOptions;

  constructor(options: SubgraphCallOptions) {
    super({
      url: options.url,
      fetcher: ((url: string, init: RequestInit) => fetch(url, { ...init, signal: AbortSignal.timeout(options.timeoutMs) })) as never,
    });
    this.#options = options;
  }

  override async willSendRequest({ request, context }: GraphQLDataSourceProcessOptions<GatewayContext>): Promise<void> {
    // Health checks and schema loads have no caller: the gateway reads the supergraph file instead.
    if (!('caller' in context) || !context.caller) return;
    const token = await signSubgraphToken(this.#options.signingKey, this.#options.name, context.caller, context.operationName);
    request.http?.headers.set('authorization', `Bearer ${token}`);
  }
}
