// The Passerelle gateway: Apollo Server over an ApolloGateway that serves a composed supergraph.
// The gateway's own pages, /explorer and /indicators, are static files (pages/serve.ts); /indicators
// signs analysts in at the trusted issuer by itself (sign-in.ts says where).
// A request meets, in order: allowed browser origins (cors.ts) → body limit and JSON-only bodies
// (kit/http.ts) → CSRF prevention and no batching (Apollo Server options) →
// authentication (context) → fair sharing between partner apps and organisations (rate-limits.ts) →
// operation limits (limits.ts) →
// introspection gate → trusted documents (registered operations marked; only those in production) →
// operation name → field authorisation (AuthorizingGateway) → query plan (ApolloGateway's planner and
// cache) → its execution (executor/, Passerelle's; GATEWAY_EXECUTOR=apollo for Apollo's) → signed subgraph calls with
// timeouts, a circuit breaker per subgraph and partial answers when one fails (subgraph-calls.ts) →
// error masking (errors.ts) → @defer's payloads after the answer (incremental-delivery.ts). Around them: metrics (metrics.ts), traces (tracing.ts), request-scoped
// logs (request-log.ts). Each concern lives in its own module; this file only lists them.
// GATEWAY_WORKERS > 1 runs this file as a node:cluster primary and its workers (workers.ts).
import { ApolloGateway } from '@apollo/gateway';
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { serveHttp, type HttpServer } from '../subgraphs/kit/http.ts';
import { createLogger } from '../subgraphs/kit/logger.ts';
import { authenticator } from './authentication.ts';
import { AuthorizingGateway } from './authorizing-gateway.ts';
import { progressiveOverride } from './override.ts';
import { usePasserelleExecutor } from './executor/index.ts';
import { loadGatewayConfig, type GatewayConfig } from './config.ts';
import type { GatewayContext } from './context.ts';
import { maskGatewayError, maskGatewayInternals } from './errors.ts';
import { loadSigningKey } from './keys.ts';
import { countPlanCache, GatewayMetrics, metricsRoute, requestMetrics } from './metrics.ts';
import { FairSharing } from './rate-limits.ts';
import { requestIdOf, requestLog } from './request-log.ts';
import { SubgraphBreakers } from './circuit-breaker.ts';
import { startTracing } from './tracing.ts';
import { gracefulShutdown, type Draining } from './shutdown.ts';
import { SignedSubgraphCall, SubgraphClients } from './subgraph-calls.ts';
import { SubgraphTokens } from './subgraph-token.ts';
import { supergraphFromFile } from './supergraph.ts';
import { costLimit, limitRefusal, operationLimits } from './limits.ts';
import { introspectionGate } from './introspection.ts';
import { landingPage } from './landing-page.ts';
import { cors } from './cors.ts';
import { pages } from './pages/serve.ts';
import { signInOrigins, signInRoute } from './sign-in.ts';
import { TrustedDocuments } from './trusted-documents.ts';
import { invalidTextRefusal } from './input-validation.ts';
import { incrementalDelivery } from './incremental-delivery.ts';
import { gatewayExposition, isWorker, runPrimary, workerCount, workerReady } from './workers.ts';

export interface RunningGateway {
  readonly http: HttpServer;
  readonly metrics: GatewayMetrics;
  stop(): Promise<void>;
}

/** Signs the operation name into subgraph calls (their audit logs record it). */
const operationName: ApolloServerPlugin<GatewayContext> = {
  async requestDidStart() {
    return {
      async didResolveOperation({ contextValue, operationName }) {
        contextValue.operationName = operationName ?? null;
      },
    };
  },
};

export async function createGateway(config: GatewayConfig = loadGatewayConfig()): Promise<RunningGateway> {
  const logger = createLogger('gateway');
  const signingKey = await loadSigningKey(config.signingKeyFile);
  const metrics = new GatewayMetrics();
  const breakers = new SubgraphBreakers({
    ...config.circuitBreaker,
    onStateChange: (subgraph, state, previous) => {
      metrics.circuitState(subgraph, state);
      if (previous) logger.warn({ subgraph, state, previous }, `circuit of subgraph ${subgraph} is ${state}`);
    },
  });
  // A token must outlive the slowest call it is used for, with room for clock skew.
  const tokens = new SubgraphTokens(signingKey, { minRemainingSeconds: Math.ceil(config.subgraphTimeoutMs / 1000) + 5 });
  const subgraphs = new SubgraphClients({ tokens, timeoutMs: config.subgraphTimeoutMs, urls: config.subgraphUrls, breakers, metrics, logger });
  let loaded = false;
  // The authorization layer reads each supergraph's access declarations before ApolloGateway loads it.
  let authorizing: AuthorizingGateway | undefined;
  const gateway = new ApolloGateway({
    supergraphSdl: supergraphFromFile({
      path: config.supergraphPath,
      prepare: (sdl) => authorizing!.prepare(sdl),
      onReload: (ok, error) => (ok ? logger.info('supergraph reloaded') : logger.error({ err: String(error) }, 'supergraph reload refused; the previous one keeps serving')),
    }),
    buildService: ({ name, url }) => new SignedSubgraphCall(subgraphs.clientFor(name, url)),
    logger,
  });
  if (config.executor === 'passerelle') usePasserelleExecutor(gateway);
  progressiveOverride(gateway);
  authorizing = new AuthorizingGateway(gateway);
  countPlanCache(gateway, metrics);
  gateway.onSchemaLoadOrUpdate(() => {
    loaded = true;
  });

  const limits = operationLimits();
  const trusted = new TrustedDocuments({ dir: config.operationsDir, production: config.production, logger });
  const apollo = new ApolloServer<GatewayContext>({
    gateway: authorizing,
    csrfPrevention: true,
    allowBatchedHttpRequests: false,
    validationRules: limits.validationRules,
    persistedQueries: { cache: trusted.apqCache() },
    plugins: [
      requestMetrics(metrics),
      requestLog(logger),
      landingPage(config.production),
      ...(limits.plugins as ApolloServerPlugin<GatewayContext>[]),
      introspectionGate(config.production),
      trusted.plugin(),
      costLimit(),
      invalidTextRefusal(),
      operationName,
      maskGatewayInternals(logger),
      incrementalDelivery(logger, metrics),
    ],
    // Introspection itself is gated by role in introspectionGate.
    introspection: true,
    // The process handles SIGTERM/SIGINT itself (see the end of this file).
    stopOnTerminationSignals: false,
    includeStacktraceInErrorResponses: false,
    // Errors are logged with their original codes, request id and operation by requestLog.
    formatError: (formatted) => maskGatewayError(limitRefusal(formatted)),
    logger,
  });
  await apollo.start();

  const authenticate = authenticator(config);
  const fairSharing = new FairSharing(config.fairSharing, { metrics, logger });
  let shutdown: Draining | undefined;
  const http = await serveHttp<GatewayContext>({
    host: config.host,
    port: config.port,
    bodyLimitBytes: config.bodyLimitBytes,
    apollo,
    ready: () => loaded && !shutdown?.draining,
    handlers: [
      metricsRoute({ exposition: gatewayExposition(metrics.registry) }), cors({ allowedOrigins: config.corsOrigins }),
      signInRoute(config.signIn), await pages({ production: config.production, logger, connectOrigins: signInOrigins(config.signIn) }),
      fairSharing.handler(),
    ],
    context: async ({ req }) => {
      const caller = await authenticate(req.headers.authorization);
      await fairSharing.admit(req, caller);
      return { caller, operationName: null, registeredOperation: null, requestId: requestIdOf(req.headers) };
    },
  });
  shutdown = gracefulShutdown(http.server, config.shutdownTimeoutMs);
  logger.info({ url: http.url, supergraph: config.supergraphPath }, 'gateway listening');
  return {
    http,
    metrics,
    async stop() {
      logger.info('stopping: new connections refused, requests in flight finishing');
      const drained = await shutdown!.drain();
      if (!drained) logger.warn({ timeoutMs: config.shutdownTimeoutMs }, 'requests still in flight were cut at the shutdown bound');
      await apollo.stop();
      await subgraphs.close();
      await fairSharing.close();
    },
  };
}

const entry = import.meta.url === `file://${process.argv[1]}`;
const workers = entry || isWorker() ? workerCount() : 1;
if (entry && !isWorker() && workers > 1) {
  loadGatewayConfig(); // a configuration error stops the primary before any worker starts
  const url = await runPrimary(workers, createLogger('gateway'), (code) => process.exit(code));
  process.stdout.write(`PASSERELLE_READY gateway ${url}\n`);
} else if (entry || isWorker()) {
  const loaded = loadGatewayConfig();
  // Each worker counts its own share of every limit while Redis is away.
  const config = { ...loaded, fairSharing: { ...loaded.fairSharing, replicas: loaded.fairSharing.replicas * workers } };
  const tracing = startTracing('passerelle-gateway', config.tracing);
  const running = await createGateway(config);
  if (isWorker()) workerReady(running.http.url);
  else process.stdout.write(`PASSERELLE_READY gateway ${running.http.url}\n`);
  const stop = async () => {
    await running.stop();
    await tracing.shutdown();
    process.exit(0);
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}
