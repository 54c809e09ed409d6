// Starts one subgraph: configuration, database (migrated and seeded), Apollo Server over the
// subgraph schema, gateway-signed requests only, each answer sent once its audit entries are durable.
import { ApolloServer, type GraphQLRequestContextWillSendResponse } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginInlineTraceDisabled, ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { buildSubgraphSchema } from '@apollo/subgraph';
import type { EntityManager, EntitySchema } from '@mikro-orm/core';
import type { GraphQLScalarType } from 'graphql';
import { loadSubgraphConfig, type SubgraphConfig } from './config.ts';
import { AUDIT_UNAVAILABLE, AuditUnavailable, AuditWriter, POSTGRES_COMMITS_IN_FLIGHT, type AuditCommit } from './audit-writer.ts';
import { clockOf } from './clock.ts';
import { createContext, type SubgraphContext } from './context.ts';
import { cursorKey, cursorSeal, cursorSecret, sealCursors } from './cursor.ts';
import { dialectOf, KIT_ENTITIES, openDatabase, seedOnStart } from './database.ts';
import { maskError } from './errors.ts';
import { PerimeterGuard } from './guard.ts';
import { DatabaseHealth } from './health.ts';
import { serveHttp } from './http.ts';
import { inputValidation } from './input-validation.ts';
import { createLogger, type Logger } from './logger.ts';
import { checkPolicy, type PartnerPolicy } from './policy.ts';
import { metricsRoute, SubgraphMetrics } from './metrics.ts';
import { startTracing, traceRequests, tracingConfig } from './tracing.ts';
import type { WorldOptions } from './population.ts';
import { scalarResolvers } from './scalars.ts';
import { preparePublications, withIndicators } from './statistics-api.ts';
import type { IndicatorDefinition } from './statistics-cube.ts';
import { DEFAULT_PORTS, subgraphDir, subgraphTypeDefs, type SubgraphName } from './schema-files.ts';
import { gatewayKeys, GatewayTokenVerifier } from './trust.ts';

/** A resolver map: type name to field resolvers (or a custom scalar). */
export type Resolvers = Record<string, Record<string, unknown> | GraphQLScalarType>;

export interface SubgraphDefinition {
  readonly name: SubgraphName;
  readonly entities: EntitySchema<any, any>[];
  readonly resolvers: Resolvers;
  /** Who reads which rows, who writes what (the partner's policy.ts): enforced by the kit on every path. */
  readonly policy: PartnerPolicy;
  /** The partner's indicators for analysts (statistics.ts): fields of Query, built before serving. */
  readonly indicators?: readonly IndicatorDefinition<EntityManager>[];
  /** Writes the subgraph's share of the synthetic world into an empty database. */
  seed(em: EntityManager, world: WorldOptions): Promise<void>;
}

export interface RunningSubgraph {
  readonly url: string;
  stop(): Promise<void>;
}

export async function startSubgraph(definition: SubgraphDefinition, config: SubgraphConfig = loadSubgraphConfig(definition.name, DEFAULT_PORTS[definition.name])): Promise<RunningSubgraph> {
  const logger = createLogger(definition.name);
  checkPolicy(definition.policy, definition.entities, KIT_ENTITIES);
  const orm = await openDatabase({
    name: definition.name,
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    entities: definition.entities,
    migrationsPath: `${subgraphDir(definition.name)}migrations`,
  });
  const metrics = new SubgraphMetrics(definition.name);
  await metrics.observeDatabase(orm);
  const database = new DatabaseHealth(orm, { logger, onChange: (up) => metrics.databaseUp(up) }).start();
  const seeding = await seedOnStart(orm, config, definition.seed);
  if (seeding.seeded) logger.info({ scale: config.world.scale, ms: seeding.ms }, 'seeded the synthetic world');
  const gatewayTokens = new GatewayTokenVerifier(await gatewayKeys(config), definition.name);
  const clock = clockOf(config);
  await preparePublications(definition.indicators ?? [], orm.em);

  const audit = new AuditWriter({
    dialect: dialectOf(config),
    fork: () => orm.em.fork(),
    maxCommitsInFlight: dialectOf(config) === 'postgresql' ? POSTGRES_COMMITS_IN_FLIGHT : 1,
    onCommit: (commit) => {
      metrics.auditCommitted(commit);
      if (!commit.ok) logCommitFailure(logger, commit);
    },
  });

  // Apollo awaits willSendResponse before it hands the body to kit/http.ts: an answer leaves only once
  // the commit holding its read entries succeeded. If none of them was kept, the answer is replaced
  // by a typed error and no data (503, which the gateway reports as the partner being unavailable).
  const flushAudit = async ({ contextValue, response }: GraphQLRequestContextWillSendResponse<SubgraphContext>) => {
    const started = performance.now();
    try {
      await contextValue.audit.flush(audit);
    } catch (error) {
      const refusal = error instanceof AuditUnavailable ? error : new AuditUnavailable('commit-failed', error);
      if (refusal.reason === 'queue-full') logger.warn({ queuedRows: audit.queuedRows }, 'audit queue full: request refused');
      response.body = { kind: 'single', singleResult: { errors: [{ message: refusal.message, extensions: { code: AUDIT_UNAVAILABLE } }] } };
      response.http.status = 503;
      response.http.headers.set('retry-after', '1');
    } finally {
      metrics.auditWaited((performance.now() - started) / 1000);
    }
  };

  const apollo = new ApolloServer<SubgraphContext>({
    schema: sealCursors(
      new PerimeterGuard(Object.keys(definition.policy.types), logger).apply(
        buildSubgraphSchema({ typeDefs: subgraphTypeDefs(definition.name), resolvers: { ...scalarResolvers, ...withIndicators(definition.resolvers, definition.indicators ?? []) } as never }),
      ),
      cursorSeal(cursorKey(cursorSecret(config), definition.name), definition.name),
    ),
    // No federated tracing: traces would carry unmasked error messages to whoever asks for them.
    // No cache-control plugin: it wraps every field of every answer (a tenth of a page's graphql
    // time) to compute an HTTP cache hint that our answers never get (personal data is private, and
    // Apollo's default maxAge 0 for object fields made reference data's hints void anyway).
    plugins: [ApolloServerPluginLandingPageDisabled(), ApolloServerPluginInlineTraceDisabled(), ApolloServerPluginCacheControlDisabled(), inputValidation(), metrics.plugin<SubgraphContext>(definition.name, flushAudit)],
    // runSubgraph handles SIGTERM/SIGINT itself (close HTTP, then Apollo, then the database).
    stopOnTerminationSignals: false,
    includeStacktraceInErrorResponses: false,
    formatError: (formatted) => maskError(formatted, (code) => logger.error({ code, path: formatted.path }, 'masked error')),
    logger,
  });
  await apollo.start();

  const http = await serveHttp<SubgraphContext>({
    host: config.host,
    port: config.port,
    bodyLimitBytes: config.bodyLimitBytes,
    apollo,
    ready: () => database.ready,
    handlers: [metricsRoute(metrics)],
    context: async ({ req }) => {
      const { caller, operationName } = await gatewayTokens.verify(req.headers.authorization);
      return createContext({ em: orm.em, caller, operationName, policy: definition.policy, clock });
    },
  });
  traceRequests(http.server, definition.name);
  logger.info({ url: http.url }, `${definition.name} subgraph listening`);
  return {
    url: http.url,
    async stop() {
      database.stop();
      // The gateway keeps its connections alive: answers from now on close theirs, and idle ones are
      // closed as they become idle, so that the process waits for the requests in flight, not for the
      // connections' idle timeout (65 s).
      http.server.prependListener('request', (_req, res) => res.setHeader('connection', 'close'));
      const sweep = setInterval(() => http.server.closeIdleConnections(), 100);
      await http.close().finally(() => clearInterval(sweep));
      await apollo.stop();
      // Every answer already waited for its commit; this waits for any commit still in flight.
      await audit.close();
      await orm.close();
    },
  };
}

/** A failed audit commit, without its SQL or values (they name people): what failed and how many requests. */
function logCommitFailure(logger: Logger, commit: AuditCommit): void {
  const error = commit.error as { name?: string; code?: unknown; sqlState?: unknown } | undefined;
  logger.error({ requests: commit.requests, rows: commit.rows, error: error?.name, code: error?.code, sqlState: error?.sqlState }, 'audit commit failed: its requests were answered AUDIT_UNAVAILABLE, without data');
}

/** Entry point of a subgraph's main.ts: start, print the URL, stop cleanly on SIGTERM/SIGINT. */
export async function runSubgraph(definition: SubgraphDefinition): Promise<void> {
  const tracing = startTracing(`passerelle-${definition.name}`, tracingConfig(process.env));
  const running = await startSubgraph(definition);
  // The stack launcher and tests read this line to learn the port.
  process.stdout.write(`PASSERELLE_READY ${definition.name} ${running.url}\n`);
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await running.stop();
    await tracing.shutdown();
    process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}
