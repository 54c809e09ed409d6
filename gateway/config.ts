// The gateway's configuration, read once from the environment and the command line, validated and
// frozen. A wrong value stops the process with a message naming the variable.
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ConfigError, integer, url } from '../subgraphs/kit/config.ts';
import { corsOriginsFrom } from './cors.ts';
import { fairSharingConfig, type FairSharingConfig } from './rate-limits.ts';
import { signInConfigFrom, type SignInConfig } from './sign-in.ts';
import { tracingConfig, type TracingConfig } from './tracing.ts';

export type ScopeClaim = 'scope' | 'scp' | 'roles';

export interface GatewayConfig {
  readonly host: string;
  readonly port: number;
  readonly production: boolean;
  /** The composed supergraph to serve; reloaded when the file changes. */
  readonly supergraphPath: string;
  /** Subgraph URLs that replace those written in the supergraph, by subgraph name. */
  readonly subgraphUrls: Readonly<Record<string, string>>;
  readonly issuer: string;
  readonly audience: string;
  readonly issuerJwks: { readonly url: string } | { readonly file: string };
  /** Where identity providers put scopes: a space-separated `scope`, or `scp` / `roles` arrays. */
  readonly scopeClaim: ScopeClaim;
  readonly signingKeyFile: string;
  readonly bodyLimitBytes: number;
  readonly subgraphTimeoutMs: number;
  readonly operationsDir: string;
  /** Per subgraph: consecutive faults that open its circuit, and the wait before a probe. */
  readonly circuitBreaker: { readonly failures: number; readonly halfOpenMs: number };
  /** After SIGTERM, how long in-flight requests may take before the process exits anyway. */
  readonly shutdownTimeoutMs: number;
  readonly tracing: TracingConfig;
  /** Origins whose browser pages may call the API (cors.ts). */
  readonly corsOrigins: readonly string[];
  /** Rate and concurrency limits per partner app and organisation (rate-limits.ts). */
  readonly fairSharing: FairSharingConfig;
  /** OpenID Connect sign-in of the gateway's pages at ISSUER, or null (sign-in.ts). */
  readonly signIn: SignInConfig | null;
  /** Who executes query plans: Passerelle's executor (executor/), or `apollo`, ApolloGateway's own (for comparison). */
  readonly executor: 'passerelle' | 'apollo';
}

type Env = Readonly<Record<string, string | undefined>>;

export function loadGatewayConfig(env: Env = process.env, argv: readonly string[] = process.argv.slice(2)): GatewayConfig {
  const { values } = parseArgs({ args: [...argv], options: { supergraph: { type: 'string' }, port: { type: 'string' } }, allowPositionals: false, strict: false });
  const dataDir = path.resolve(env.DATA_DIR ?? '.data');
  const subgraphUrls: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) {
    const match = /^SUBGRAPH_URL_([A-Z0-9_]+)$/.exec(key);
    if (match && value) subgraphUrls[match[1].toLowerCase().replace(/_/g, '-')] = url(env, key)!;
  }
  const scopeClaim = (env.SCOPE_CLAIM ?? 'scope') as ScopeClaim;
  if (!['scope', 'scp', 'roles'].includes(scopeClaim)) throw new ConfigError('SCOPE_CLAIM must be scope, scp or roles');
  const jwksUrl = url(env, 'ISSUER_JWKS_URL');
  const production = env.NODE_ENV === 'production';
  const issuer = env.ISSUER ?? 'passerelle-dev-issuer';
  const executor = env.GATEWAY_EXECUTOR ?? 'passerelle';
  if (executor !== 'passerelle' && executor !== 'apollo') throw new ConfigError('GATEWAY_EXECUTOR must be passerelle or apollo');
  if (production && !jwksUrl && !env.ISSUER_JWKS_FILE) throw new ConfigError('ISSUER_JWKS_URL (or ISSUER_JWKS_FILE) is required in production');
  return Object.freeze({
    host: env.HOST ?? '127.0.0.1',
    port: integer({ PORT: typeof values.port === 'string' ? values.port : env.PORT }, 'PORT', 4000, 0, 65535),
    production,
    supergraphPath: path.resolve(typeof values.supergraph === 'string' ? values.supergraph : env.SUPERGRAPH_PATH ?? 'schema/supergraph.graphql'),
    subgraphUrls: Object.freeze(subgraphUrls),
    issuer,
    audience: env.AUDIENCE ?? 'passerelle',
    issuerJwks: jwksUrl ? { url: jwksUrl } : { file: path.resolve(env.ISSUER_JWKS_FILE ?? path.join(dataDir, 'keys', 'dev-issuer.jwks.json')) },
    scopeClaim,
    signingKeyFile: path.resolve(env.GATEWAY_SIGNING_KEY_FILE ?? path.join(dataDir, 'keys', 'gateway.private.jwk.json')),
    bodyLimitBytes: integer(env, 'BODY_LIMIT_BYTES', 1_000_000, 1024, 100_000_000),
    subgraphTimeoutMs: integer(env, 'SUBGRAPH_TIMEOUT_MS', 10_000, 100, 120_000),
    operationsDir: path.resolve(env.TRUSTED_OPERATIONS_DIR ?? 'schema/operations'),
    circuitBreaker: Object.freeze({
      failures: integer(env, 'CIRCUIT_BREAKER_FAILURES', 5, 1, 1000),
      halfOpenMs: integer(env, 'CIRCUIT_BREAKER_HALF_OPEN_MS', 2000, 50, 600_000),
    }),
    shutdownTimeoutMs: integer(env, 'SHUTDOWN_TIMEOUT_MS', 15_000, 100, 600_000),
    tracing: tracingConfig(env),
    corsOrigins: corsOriginsFrom(env),
    fairSharing: fairSharingConfig(env),
    signIn: signInConfigFrom(env, issuer),
    executor,
  });
}
