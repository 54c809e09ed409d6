// Prometheus metrics of a subgraph (prom-client, GET /metrics): GraphQL requests and latency per
// operation, errors by code, SQL statements (count and duration by kind), audit writes and the audit
// writer's commits (kit/audit-writer.ts), the database
// pool (PostgreSQL), and the process itself. Every SQL statement also gets a client span in the
// request's trace (kit/tracing.ts). Labels are operation names, kinds and codes: never personal data.
import type { ApolloServerPlugin, GraphQLRequestContextWillSendResponse } from '@apollo/server';
import { SpanKind } from '@opentelemetry/api';
import type { MikroORM } from '@mikro-orm/core';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { AuditCommit } from './audit-writer.ts';
import type { RequestHandler } from './http.ts';
import { inSpan, nameRequestSpan, tracingRecords } from './tracing.ts';

/** Operation names come from clients: past this many distinct names, the rest count as `other`. */
const OPERATION_LABELS_LIMIT = 200;

/** Seconds; from a cached reference read to a person's whole file across four partners. */
export const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
const SQL_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5];

/** Bounds a label's distinct values (operation names are chosen by clients). */
export class BoundedLabel {
  readonly #seen = new Set<string>();

  of(name: string | null | undefined): string {
    if (!name) return 'anonymous';
    if (this.#seen.has(name)) return name;
    if (this.#seen.size >= OPERATION_LABELS_LIMIT) return 'other';
    this.#seen.add(name);
    return name;
  }
}

/** GET /metrics: the Prometheus exposition of `registry` (keep it off the public load balancer). */
export function metricsRoute(metrics: { exposition(): Promise<{ contentType: string; body: string }> }): RequestHandler {
  return async (req, res, url) => {
    if (url.pathname !== '/metrics' || req.method !== 'GET') return false;
    const { contentType, body } = await metrics.exposition();
    res.writeHead(200, { 'content-type': contentType });
    res.end(body);
    return true;
  };
}

type Connection = { executeQuery(query: string, cb: () => Promise<unknown>, context?: Record<string, unknown>): Promise<unknown>; getNativeClient?(): Promise<unknown> };
type PgPool = { totalCount: number; idleCount: number; waitingCount: number; options?: { max?: number } };

const AUDIT_INSERT = /^insert\s+into\s+[`"]?audit_entry[`"]?/i;

export class SubgraphMetrics {
  readonly registry = new Registry();
  readonly #operations = new BoundedLabel();
  readonly #requests: Counter;
  readonly #duration: Histogram;
  readonly #errors: Counter;
  readonly #statements: Counter;
  readonly #statementDuration: Histogram;
  readonly #auditWrites: Counter;
  readonly #auditDuration: Histogram;
  readonly #auditCommits: Counter;
  readonly #auditCommitRequests: Counter;
  readonly #auditCommitDuration: Histogram;
  #pool: PgPool | null = null;
  readonly #databaseUp: Gauge;

  constructor(subgraph: string) {
    const registers = [this.registry];
    this.registry.setDefaultLabels({ subgraph });
    collectDefaultMetrics({ register: this.registry });
    this.#requests = new Counter({ name: 'passerelle_operations_total', help: 'GraphQL operations a subgraph answered, by the client operation name the gateway signed and outcome (ok, partial, error).', labelNames: ['operation', 'outcome'], registers });
    this.#duration = new Histogram({ name: 'passerelle_operation_duration_seconds', help: 'Time a subgraph took to answer an operation, by operation name.', labelNames: ['operation'], buckets: LATENCY_BUCKETS, registers });
    this.#errors = new Counter({ name: 'passerelle_operation_errors_total', help: 'Errors a subgraph answered, by public code (after masking).', labelNames: ['code'], registers });
    this.#statements = new Counter({ name: 'passerelle_sql_statements_total', help: 'SQL statements run, by kind (select, insert, update, delete, other) and outcome.', labelNames: ['kind', 'outcome'], registers });
    this.#statementDuration = new Histogram({ name: 'passerelle_sql_statement_duration_seconds', help: 'Duration of SQL statements, by kind.', labelNames: ['kind'], buckets: SQL_BUCKETS, registers });
    this.#auditWrites = new Counter({ name: 'passerelle_audit_writes_total', help: 'Statements that appended audit entries, by outcome.', labelNames: ['outcome'], registers });
    this.#auditDuration = new Histogram({ name: 'passerelle_audit_write_duration_seconds', help: 'Time an answer waited for its read entries to be durable (queued, then committed by the audit writer): what the audit adds to its latency.', buckets: SQL_BUCKETS, registers });
    this.#auditCommits = new Counter({ name: 'passerelle_audit_commits_total', help: 'Transactions of the audit writer (each holds the read entries of one or more requests), by outcome.', labelNames: ['outcome'], registers });
    this.#auditCommitRequests = new Counter({ name: 'passerelle_audit_commit_requests_total', help: 'Requests whose read entries an audit commit held, by outcome (divided by passerelle_audit_commits_total: requests per commit).', labelNames: ['outcome'], registers });
    this.#auditCommitDuration = new Histogram({ name: 'passerelle_audit_commit_duration_seconds', help: 'Duration of an audit writer\'s transaction, from BEGIN to durable COMMIT.', buckets: SQL_BUCKETS, registers });
    const pool = () => this.#pool;
    new Gauge({
      name: 'passerelle_db_pool_connections', help: 'Database pool connections by state (PostgreSQL): total, idle, waiting (requests waiting for one), max.', labelNames: ['state'], registers,
      collect() {
        const p = pool();
        if (!p) return;
        this.set({ state: 'total' }, p.totalCount);
        this.set({ state: 'idle' }, p.idleCount);
        this.set({ state: 'waiting' }, p.waitingCount);
        if (p.options?.max) this.set({ state: 'max' }, p.options.max);
      },
    });
    for (const outcome of ['ok', 'error']) {
      this.#auditWrites.inc({ outcome }, 0);
      this.#auditCommits.inc({ outcome }, 0);
      this.#auditCommitRequests.inc({ outcome }, 0);
    }
    this.#databaseUp = new Gauge({ name: 'passerelle_database_up', help: '1 while the database answers the readiness probe, 0 while it does not (/ready answers 503).', registers });
    this.#databaseUp.set(1);
  }

  /** One transaction of the audit writer (kit/audit-writer.ts). */
  auditCommitted(commit: AuditCommit): void {
    const outcome = commit.ok ? 'ok' : 'error';
    this.#auditCommits.inc({ outcome });
    this.#auditCommitRequests.inc({ outcome }, commit.requests);
    this.#auditCommitDuration.observe(commit.seconds);
  }

  /** How long one answer waited for its read entries to be durable. */
  auditWaited(seconds: number): void {
    this.#auditDuration.observe(seconds);
  }

  databaseUp(up: boolean): void {
    this.#databaseUp.set(up ? 1 : 0);
  }

  /** Counts and traces every SQL statement the ORM runs; reads the PostgreSQL pool's state. */
  async observeDatabase(orm: MikroORM): Promise<void> {
    const driver = orm.em.getDriver() as unknown as { getConnection(type?: 'read' | 'write'): Connection };
    for (const connection of new Set([driver.getConnection('write'), driver.getConnection('read')])) {
      const execute = connection.executeQuery.bind(connection);
      connection.executeQuery = (query, cb, context) => this.#statement(typeof context?.query === 'string' ? context.query : query, () => execute(query, cb, context));
      const client = await connection.getNativeClient?.().catch(() => null);
      if (client && typeof (client as PgPool).totalCount === 'number') this.#pool = client as PgPool;
    }
  }

  async #statement<T>(sql: string, run: () => Promise<T>): Promise<T> {
    const kind = /^\s*(select|insert|update|delete)\b/i.exec(sql)?.[1].toLowerCase() ?? 'other';
    const audit = AUDIT_INSERT.test(sql.trimStart());
    const started = performance.now();
    let outcome = 'ok';
    try {
      // Without an exporter a span is a no-op that still costs a context switch per statement.
      return await (tracingRecords() ? inSpan(`SQL ${kind.toUpperCase()}`, SpanKind.CLIENT, { 'db.query.text': sql.slice(0, 2000), 'db.operation.name': kind }, run) : run());
    } catch (error) {
      outcome = 'error';
      throw error;
    } finally {
      const seconds = (performance.now() - started) / 1000;
      this.#statements.inc({ kind, outcome });
      this.#statementDuration.observe({ kind }, seconds);
      if (audit) this.#auditWrites.inc({ outcome });
    }
  }

  /**
   * Counts every operation once its answer is ready and names its request span. `settle` runs first
   * when the answer is about to be sent, and what it makes of the answer is what is counted (the
   * audit's commit may turn an answer into an error: kit/server.ts).
   */
  plugin<TContext extends { readonly operationName: string | null }>(serviceName: string, settle?: (request: GraphQLRequestContextWillSendResponse<TContext>) => Promise<void>): ApolloServerPlugin<TContext> {
    const metrics = this;
    return {
      async requestDidStart() {
        const started = performance.now();
        return {
          async didResolveOperation({ contextValue, operationName }) {
            nameRequestSpan(serviceName, metrics.#operations.of(contextValue.operationName ?? operationName));
          },
          async willSendResponse(request) {
            if (settle) await settle(request);
            const { contextValue, operationName, response } = request;
            const result = response.body.kind === 'single' ? response.body.singleResult : response.body.initialResult;
            const errors = result.errors ?? [];
            const operation = metrics.#operations.of(contextValue.operationName ?? operationName);
            metrics.#requests.inc({ operation, outcome: errors.length === 0 ? 'ok' : result.data ? 'partial' : 'error' });
            metrics.#duration.observe({ operation }, (performance.now() - started) / 1000);
            for (const error of errors) metrics.#errors.inc({ code: String(error.extensions?.code ?? 'INTERNAL_SERVER_ERROR') });
          },
        };
      },
    };
  }

  async exposition(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
