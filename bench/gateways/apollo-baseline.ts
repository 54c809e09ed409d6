// The benchmark's baseline: a plain `@apollo/gateway` under `@apollo/server`, both with their defaults,
// serving SUPERGRAPH_PATH on 127.0.0.1:PORT. Prints `BENCH_READY <url>` once it serves.
// With BENCH_SIGN=1 (workload 2, whose subgraphs accept nothing else) its data source signs every
// subgraph call exactly as Passerelle's gateway does (gateway/subgraph-token.ts), and nothing more:
// the caller's claims are read once per distinct token (the bench sends a handful) with the gateway's
// own reader, so that the steady state has no authentication work, no authorisation, no limits.
import { readFileSync } from 'node:fs';
import { ApolloGateway, RemoteGraphQLDataSource, type GraphQLDataSource, type GraphQLDataSourceProcessOptions, type ServiceEndpointDefinition } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import type { Caller } from '../../subgraphs/kit/caller.ts';
import { authenticator } from '../../gateway/authentication.ts';
import { withoutSecurityFeatures } from '../../gateway/authorization.ts';
import { loadGatewayConfig } from '../../gateway/config.ts';
import { loadSigningKey } from '../../gateway/keys.ts';
import { SubgraphTokens } from '../../gateway/subgraph-token.ts';

interface BaselineContext {
  readonly authorization: string | undefined;
}

class SigningDataSource extends RemoteGraphQLDataSource<BaselineContext> {
  readonly #name: string;
  readonly #tokens: SubgraphTokens;
  readonly #callers: (authorization: string | undefined) => Promise<Caller>;

  constructor(name: string, url: string, tokens: SubgraphTokens, callers: (authorization: string | undefined) => Promise<Caller>) {
    super({ url });
    this.#name = name;
    this.#tokens = tokens;
    this.#callers = callers;
  }

  override async willSendRequest(options: GraphQLDataSourceProcessOptions<BaselineContext>): Promise<void> {
    if (!('incomingRequestContext' in options)) return;
    const { request, context, incomingRequestContext } = options;
    const caller = await this.#callers(context.authorization);
    const token = await this.#tokens.tokenFor(this.#name, caller, incomingRequestContext.operationName ?? null);
    request.http?.headers.set('authorization', `Bearer ${token}`);
  }
}

const supergraphPath = process.env.SUPERGRAPH_PATH;
if (!supergraphPath) throw new Error('SUPERGRAPH_PATH is required');
const signing = process.env.BENCH_SIGN === '1';

let buildService: ((definition: ServiceEndpointDefinition) => GraphQLDataSource) | undefined;
if (signing) {
  const config = loadGatewayConfig();
  // Signed and reused as gateway/main.ts does.
  const tokens = new SubgraphTokens(await loadSigningKey(config.signingKeyFile), { minRemainingSeconds: Math.ceil(config.subgraphTimeoutMs / 1000) + 5 });
  const authenticate = authenticator(config);
  const known = new Map<string, Promise<Caller>>();
  const callers = (authorization: string | undefined) => {
    const header = authorization ?? '';
    let caller = known.get(header);
    if (!caller) known.set(header, (caller = authenticate(header)));
    return caller;
  };
  buildService = ({ name, url }) => new SigningDataSource(name, config.subgraphUrls[name] ?? url!, tokens, callers);
}

// ApolloGateway refuses supergraphs that link the access directives; it ignores them anyway.
const gateway = new ApolloGateway({ supergraphSdl: withoutSecurityFeatures(readFileSync(supergraphPath, 'utf8')), buildService });
const server = new ApolloServer<BaselineContext>({ gateway });
const { url } = await startStandaloneServer(server, {
  listen: { host: '127.0.0.1', port: Number(process.env.PORT ?? 0) },
  context: async ({ req }) => ({ authorization: req.headers.authorization }),
});
process.stdout.write(`BENCH_READY ${url}\n`);
const stop = () => void server.stop().finally(() => process.exit(0));
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
