// Group commit of a subgraph's audit log: the READ entries of many requests go into one transaction,
// and each request is answered only once the commit holding its entries has succeeded (kit/server.ts
// awaits `write` in Apollo's willSendResponse, which runs before the HTTP body is written). While one
// commit is in flight the next batch gathers; batches and the queue are bounded. A failed commit fails
// every request of its batch (rolled back whole: none of its entries is kept), each with the typed
// error below, and the writer goes on with the next batch. On PostgreSQL two commits may be in
// flight, each with its own batch. Durability is the database's: SQLite in WAL with synchronous=FULL
// (kit/database.ts), PostgreSQL with synchronous_commit=on for this transaction.
import type { EntityManager } from '@mikro-orm/core';
import type { SqlEntityManager } from '@mikro-orm/sql';
import { AuditEntry, type AuditRow } from './audit.ts';
import type { Dialect } from './database.ts';

/** The public code of a request refused because its audit entries could not be made durable. */
export const AUDIT_UNAVAILABLE = 'AUDIT_UNAVAILABLE';

export type AuditUnavailableReason = 'commit-failed' | 'queue-full' | 'closed';

const MESSAGES: Record<AuditUnavailableReason, string> = {
  'commit-failed': 'the audit log could not record this access: no data is sent without its audit entry; retry later',
  'queue-full': 'the audit log is saturated: no data is sent without its audit entry; retry later',
  closed: 'this subgraph is shutting down: retry on another instance',
};

/** Why a request's audit entries were not made durable; its message is safe for the caller (no SQL, no stack). */
export class AuditUnavailable extends Error {
  readonly code = AUDIT_UNAVAILABLE;
  readonly reason: AuditUnavailableReason;

  constructor(reason: AuditUnavailableReason, cause?: unknown) {
    super(MESSAGES[reason], cause === undefined ? undefined : { cause });
    this.name = 'AuditUnavailable';
    this.reason = reason;
  }
}

/** What one commit did, for metrics and logs. */
export interface AuditCommit {
  readonly ok: boolean;
  readonly requests: number;
  readonly rows: number;
  readonly seconds: number;
  readonly error?: unknown;
}

export interface AuditWriterOptions {
  readonly dialect: Dialect;
  /** A fresh EntityManager for one commit (a fork of the ORM's). */
  fork(): EntityManager;
  /** Most entries in one commit (a request's entries are never split: a larger request commits alone). */
  readonly maxBatchRows?: number;
  /** Most entries waiting; past it a request is refused at once (a request alone is always accepted). */
  readonly maxQueuedRows?: number;
  /**
   * Most commits in flight at once, each with its own batch (default 1). SQLite has one connection
   * and a commit holds the thread: 1. PostgreSQL syncs concurrent commits together and a commit's
   * inserts cost its server time: a few, so that the writer is not the bottleneck under load.
   */
  readonly maxCommitsInFlight?: number;
  /** Called after every commit, successful or not. */
  onCommit?(commit: AuditCommit): void;
}

export const DEFAULT_MAX_BATCH_ROWS = 2_000;
export const DEFAULT_MAX_QUEUED_ROWS = 20_000;
/**
 * On PostgreSQL, two commits in flight: with one, the writer capped a subgraph under 20 clients (one
 * commit, about 60 ms on the shared machine, at a time: 110 pages/s against 160 with a commit per
 * request); with two it answered more pages than a commit per request did, in a fifth of the commits.
 */
export const POSTGRES_COMMITS_IN_FLIGHT = 2;
/** SQLite: rows per INSERT statement inside a commit (9 parameters each: far below its limit). */
const ROWS_PER_STATEMENT = 500;

/**
 * PostgreSQL: a batch in one statement of one parameter, the rows as JSON (AuditRow's keys, `at` in
 * ISO 8601): for 400 rows, a third less time and half the subgraph's CPU of the ORM's multi-row
 * INSERT, whose SQL and parameters are built row by row. The columns are audit_entry's (kit/audit.ts).
 */
const POSTGRES_INSERT = `insert into audit_entry (id, at, subject, organisation, role, operation, action, person_id, fields)
  select id, at, subject, organisation, role, operation, action, "personId", fields
  from json_to_recordset(?::json) as entry(id text, at timestamptz, subject text, organisation text, role text, operation text, action text, "personId" text, fields text)`;

interface Pending {
  readonly rows: readonly AuditRow[];
  resolve(): void;
  reject(error: AuditUnavailable): void;
}

export class AuditWriter {
  readonly #options: AuditWriterOptions;
  readonly #maxBatchRows: number;
  readonly #maxQueuedRows: number;
  readonly #maxCommitsInFlight: number;
  #queue: Pending[] = [];
  #queuedRows = 0;
  #scheduled = false;
  #inFlight = 0;
  #closed = false;
  #idle: (() => void)[] = [];

  constructor(options: AuditWriterOptions) {
    this.#options = options;
    this.#maxBatchRows = options.maxBatchRows ?? DEFAULT_MAX_BATCH_ROWS;
    this.#maxQueuedRows = options.maxQueuedRows ?? DEFAULT_MAX_QUEUED_ROWS;
    this.#maxCommitsInFlight = options.maxCommitsInFlight ?? 1;
  }

  /** Entries waiting for a commit (not counting the commit in flight). */
  get queuedRows(): number {
    return this.#queuedRows;
  }

  /**
   * Resolves once `rows` are committed (durable); rejects with AuditUnavailable when their commit
   * failed, the queue is full or the writer is closed — in which case none of them was kept.
   */
  write(rows: readonly AuditRow[]): Promise<void> {
    if (rows.length === 0) return Promise.resolve();
    if (this.#closed) return Promise.reject(new AuditUnavailable('closed'));
    if (this.#queuedRows > 0 && this.#queuedRows + rows.length > this.#maxQueuedRows) return Promise.reject(new AuditUnavailable('queue-full'));
    return new Promise<void>((resolve, reject) => {
      this.#queue.push({ rows, resolve, reject });
      this.#queuedRows += rows.length;
      this.#schedule();
    });
  }

  /** Refuses new entries, then waits until every entry accepted is committed or refused. */
  async close(): Promise<void> {
    this.#closed = true;
    if (!this.#busy()) return;
    await new Promise<void>((resolve) => this.#idle.push(resolve));
  }

  #busy(): boolean {
    return this.#inFlight > 0 || this.#scheduled || this.#queue.length > 0;
  }

  // A commit that a new request could start waits one turn of the event loop, so that the requests
  // finishing in the same turn join it (on SQLite a commit blocks the thread: nothing else would
  // gather while it runs). When a commit ends, the next starts at once with what gathered meanwhile.
  #schedule(): void {
    if (this.#inFlight >= this.#maxCommitsInFlight || this.#scheduled) return;
    this.#scheduled = true;
    setImmediate(() => {
      this.#scheduled = false;
      this.#start();
    });
  }

  #start(): void {
    while (this.#inFlight < this.#maxCommitsInFlight && this.#queue.length > 0) {
      this.#inFlight += 1;
      void this.#commit(this.#take()).finally(() => {
        this.#inFlight -= 1;
        this.#start();
        if (!this.#busy()) for (const done of this.#idle.splice(0)) done();
      });
    }
  }

  /** The next batch: whole requests, in arrival order, up to the batch bound (at least one request). */
  #take(): Pending[] {
    let rows = 0;
    let count = 0;
    while (count < this.#queue.length && (count === 0 || rows + this.#queue[count].rows.length <= this.#maxBatchRows)) {
      rows += this.#queue[count].rows.length;
      count += 1;
    }
    this.#queuedRows -= rows;
    return this.#queue.splice(0, count);
  }

  async #commit(batch: Pending[]): Promise<void> {
    const rows = batch.flatMap((pending) => pending.rows);
    const started = performance.now();
    let error: unknown;
    try {
      await this.#options.fork().transactional(async (em) => {
        if (this.#options.dialect === 'postgresql') {
          // Whatever the server's default, this transaction's COMMIT returns only once its WAL is flushed.
          await (em as SqlEntityManager).execute('set local synchronous_commit = on', [], 'run');
          await (em as SqlEntityManager).execute(POSTGRES_INSERT, [JSON.stringify(rows)], 'run');
        } else {
          for (let i = 0; i < rows.length; i += ROWS_PER_STATEMENT) await em.insertMany(AuditEntry, rows.slice(i, i + ROWS_PER_STATEMENT));
        }
      });
    } catch (failure) {
      error = failure;
    }
    const seconds = (performance.now() - started) / 1000;
    for (const pending of batch) {
      if (error === undefined) pending.resolve();
      else pending.reject(new AuditUnavailable('commit-failed', error));
    }
    try {
      this.#options.onCommit?.({ ok: error === undefined, requests: batch.length, rows: rows.length, seconds, ...(error === undefined ? {} : { error }) });
    } catch {
      // Metrics and logs never stop the writer.
    }
  }
}
