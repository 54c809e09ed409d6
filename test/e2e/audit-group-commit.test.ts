// The audit writer's group commit (kit/audit-writer.ts) on a real pole-emploi process and its real
// database — the SQLite file, or a PostgreSQL database of its own when TEST_POSTGRES_URL is set (the
// second pass of .ci/run): concurrent reads share commits and every read has its entries; a process
// killed (SIGKILL) in a burst of reads loses no entry of an answer it sent; a commit the database
// refuses answers a typed error without data to every request it held, and the process goes on.
import { DatabaseSync } from 'node:sqlite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseUrlOn, onPostgresServer } from '../../subgraphs/kit/postgres-server.ts';
import { startTestSubgraph, type TestSubgraph } from '../support/subgraph.ts';

const serverUrl = process.env.TEST_POSTGRES_URL;
const PAGE = 'query Page($first: Int!) { people(first: $first) { nodes { id firstName lastName } } }';
/** People per page: each answer that carries data has exactly this many READ entries under its operation. */
const ROWS = 10;
/** Only the rows of this test's requests (operation names carry the run's tag). */
const RUN = `G${process.pid}`;

/** The subgraph's own database, read (and given a refusing trigger) from outside the process. */
interface AuditDatabase {
  /** READ entries per operation name, for operations starting with `prefix`. */
  entriesByOperation(prefix: string): Promise<Map<string, number>>;
  /** Makes the database refuse audit entries of operations starting with `prefix` (a trigger). */
  refuse(prefix: string): Promise<void>;
  allow(): Promise<void>;
}

function sqliteAudit(file: string): AuditDatabase {
  const run = <T>(work: (db: DatabaseSync) => T): T => {
    const db = new DatabaseSync(file, { timeout: 10_000 });
    try {
      return work(db);
    } finally {
      db.close();
    }
  };
  return {
    async entriesByOperation(prefix) {
      const rows = run((db) => db.prepare("select operation, count(*) as n from audit_entry where action = 'READ' and operation like ? group by operation").all(`${prefix}%`)) as { operation: string; n: number }[];
      return new Map(rows.map((r) => [r.operation, Number(r.n)]));
    },
    async refuse(prefix) {
      run((db) => db.exec(`create trigger audit_entry_refused_by_test before insert on audit_entry when new.operation like '${prefix}%' begin select raise(abort, 'refused by the test'); end`));
    },
    async allow() {
      run((db) => db.exec('drop trigger if exists audit_entry_refused_by_test'));
    },
  };
}

function postgresAudit(url: string): AuditDatabase {
  return {
    async entriesByOperation(prefix) {
      const { rows } = await onPostgresServer(url, (client) => client.query<{ operation: string; n: string }>("select operation, count(*) as n from audit_entry where action = 'READ' and operation like $1 group by operation", [`${prefix}%`]));
      return new Map(rows.map((r) => [r.operation, Number(r.n)]));
    },
    async refuse(prefix) {
      await onPostgresServer(url, async (client) => {
        await client.query(`create or replace function audit_refused_by_test() returns trigger language plpgsql as $$ begin raise exception 'refused by the test'; end $$`);
        await client.query(`create trigger audit_entry_refused_by_test before insert on audit_entry for each row when (new.operation like '${prefix}%') execute function audit_refused_by_test()`);
      });
    },
    async allow() {
      await onPostgresServer(url, (client) => client.query('drop trigger if exists audit_entry_refused_by_test on audit_entry'));
    },
  };
}

async function metric(subgraph: TestSubgraph, name: string, outcome: string): Promise<number> {
  const text = await (await fetch(new URL('/metrics', subgraph.process.url))).text();
  return Number(new RegExp(`^${name}\\{outcome="${outcome}",subgraph="pole-emploi"\\} (\\d+)$`, 'm').exec(text)?.[1] ?? NaN);
}

const range = (n: number) => Array.from({ length: n }, (_, i) => i);
const withData = (answer: { status: number; body: any }) => answer.status === 200 && !answer.body.errors && answer.body.data?.people?.nodes?.length === ROWS;

describe(`the audit writer's group commit (${serverUrl ? 'PostgreSQL' : 'SQLite'})`, () => {
  const database = `passerelle_auditgc_${process.pid}`;
  let subgraph: TestSubgraph;
  let audit: AuditDatabase;
  const page = (operation: string) => subgraph.call(PAGE, { first: ROWS }, {}, {}, operation);

  beforeAll(async () => {
    let env: Record<string, string> = {};
    if (serverUrl) {
      await onPostgresServer(serverUrl, async (client) => {
        await client.query(`drop database if exists "${database}" with (force)`);
        await client.query(`create database "${database}"`);
      });
      env = { DATABASE_URL: databaseUrlOn(serverUrl, database) };
    }
    subgraph = await startTestSubgraph('pole-emploi', { SEED_SCALE: '400', ...env });
    audit = serverUrl ? postgresAudit(databaseUrlOn(serverUrl, database)) : sqliteAudit(subgraph.databaseFile);
  });

  afterAll(async () => {
    await subgraph?.stop();
    if (serverUrl) await onPostgresServer(serverUrl, (client) => client.query(`drop database if exists "${database}" with (force)`));
  });

  it('writes the entries of concurrent reads in fewer commits than requests, each answer after its own', async () => {
    // 20 clients, 5 pages each without pause: how commits group depends on the load (a lone request
    // commits alone), so the load lasts.
    const clients = 20;
    const requests = clients * 5;
    const commitsBefore = await metric(subgraph, 'passerelle_audit_commits_total', 'ok');
    const heldBefore = await metric(subgraph, 'passerelle_audit_commit_requests_total', 'ok');
    const answers = (await Promise.all(range(clients).map(async (c) => {
      const mine = [];
      for (let i = c; i < requests; i += clients) mine.push(await page(`${RUN}Burst_${i}`));
      return mine;
    }))).flat();
    for (const answer of answers) expect(withData(answer), JSON.stringify(answer)).toBe(true);
    const entries = await audit.entriesByOperation(`${RUN}Burst_`);
    expect(entries.size).toBe(requests);
    for (const i of range(requests)) expect(entries.get(`${RUN}Burst_${i}`)).toBe(ROWS);
    const commits = (await metric(subgraph, 'passerelle_audit_commits_total', 'ok')) - commitsBefore;
    expect((await metric(subgraph, 'passerelle_audit_commit_requests_total', 'ok')) - heldBefore).toBe(requests);
    expect(commits).toBeGreaterThan(0);
    expect(commits).toBeLessThan(requests);
    console.log(`${requests} pages of ${ROWS} people by ${clients} clients at once: ${requests * ROWS} entries in ${commits} commits (${(requests / commits).toFixed(1)} requests per commit)`);
  }, 120_000);

  /**
   * 20 clients read pages without pause; after `after` answers with data the process gets `signal` and
   * the clients send nothing more (the requests then in flight run their course). Returns each request
   * sent (its operation name, whether its answer with data arrived) and how the process exited.
   */
  async function burstThen(signal: NodeJS.Signals, tag: string, after = 60) {
    const sent: { operation: string; answered: boolean }[] = [];
    const child = subgraph.process.child;
    let signalledAt = 0;
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; ms: number }>((resolve) => child.once('exit', (code, sig) => resolve({ code, signal: sig, ms: Math.round(performance.now() - signalledAt) })));
    let signalled = false;
    let answered = 0;
    let next = 0;
    const client = async () => {
      while (!signalled) {
        const operation = `${RUN}${tag}_${next++}`;
        let ok = false;
        try {
          ok = withData(await page(operation));
        } catch {
          // The connection was cut or refused: the process is going.
        }
        sent.push({ operation, answered: ok });
        if (ok && ++answered === after) {
          signalled = true;
          signalledAt = performance.now();
          child.kill(signal);
        }
      }
    };
    await Promise.all(range(20).map(client));
    return { sent, exit: await exited };
  }

  /** Every answer sent has all its entries; every request has all or none. */
  async function expectNoEntryLost(sent: { operation: string; answered: boolean }[], tag: string): Promise<string> {
    const entries = await audit.entriesByOperation(`${RUN}${tag}_`);
    const lost = sent.filter((s) => s.answered && entries.get(s.operation) !== ROWS);
    expect(lost, 'answers sent whose entries are missing').toEqual([]);
    for (const [operation, n] of entries) expect(n, `entries of ${operation}: all or none`).toBe(ROWS);
    const unanswered = sent.filter((s) => !s.answered);
    return `${sent.length - unanswered.length} answers sent, each with its ${ROWS} entries; ${unanswered.length} requests unanswered, ${unanswered.filter((s) => entries.has(s.operation)).length} of them committed without their answer reaching the client`;
  }

  it('loses no entry of an answer it sent when the process is killed (SIGKILL) in a burst of reads', async () => {
    const { sent, exit } = await burstThen('SIGKILL', 'Crash');
    expect(exit.signal).toBe('SIGKILL');
    await subgraph.restart();
    console.log(`killed (SIGKILL) in a burst: ${await expectNoEntryLost(sent, 'Crash')}`);
    expect(withData(await page(`${RUN}AfterRestart`))).toBe(true);
  }, 240_000);

  it('answers a typed error without data to every request of a commit the database refuses, then goes on serving', async () => {
    const refused = `${RUN}Refused`;
    await audit.refuse(refused);
    try {
      const errorsBefore = await metric(subgraph, 'passerelle_audit_commits_total', 'error');
      const requests = 20;
      const answers = await Promise.all(range(requests).map((i) => page(`${refused}_${i}`)));
      for (const answer of answers) {
        expect(answer.status).toBe(503);
        expect(answer.body.data).toBeUndefined();
        expect(answer.body.errors).toEqual([{ message: expect.stringMatching(/audit/), extensions: { code: 'AUDIT_UNAVAILABLE' } }]);
        expect(JSON.stringify(answer.body)).not.toMatch(/insert|audit_entry|refused by the test|select|\.ts:|sqlite|postgres/i);
      }
      expect(await audit.entriesByOperation(refused)).toEqual(new Map());
      const failedCommits = (await metric(subgraph, 'passerelle_audit_commits_total', 'error')) - errorsBefore;
      expect(failedCommits).toBeGreaterThan(0);
      expect(failedCommits).toBeLessThanOrEqual(requests);
      // Counted as what the caller got: an error, not the answer the resolvers had prepared.
      const metrics = await (await fetch(new URL('/metrics', subgraph.process.url))).text();
      expect(Number(/^passerelle_operation_errors_total\{code="AUDIT_UNAVAILABLE",subgraph="pole-emploi"\} (\d+)$/m.exec(metrics)?.[1])).toBeGreaterThanOrEqual(requests);
      const answeredError = [...metrics.matchAll(/^passerelle_operations_total\{operation="[^"]*",outcome="error",subgraph="pole-emploi"\} (\d+)$/gm)].reduce((sum, m) => sum + Number(m[1]), 0);
      expect(answeredError).toBeGreaterThanOrEqual(requests);

      // Refused and accepted requests at once: a request that shared a refused commit fails whole.
      const mixed = await Promise.all(range(30).map(async (i) => {
        const operation = i % 5 === 0 ? `${refused}_m${i}` : `${RUN}Mixed_${i}`;
        return { operation, answer: await page(operation) };
      }));
      const entries = new Map([...(await audit.entriesByOperation(`${RUN}Mixed_`)), ...(await audit.entriesByOperation(refused))]);
      let sharedRefusal = 0;
      for (const { operation, answer } of mixed) {
        if (withData(answer)) {
          expect(entries.get(operation), operation).toBe(ROWS);
        } else {
          expect(answer.status, operation).toBe(503);
          expect(answer.body.data).toBeUndefined();
          expect(answer.body.errors?.[0]?.extensions?.code).toBe('AUDIT_UNAVAILABLE');
          expect(entries.has(operation), `${operation} failed, yet some of its entries were kept`).toBe(false);
          if (!operation.startsWith(refused)) sharedRefusal += 1;
        }
      }
      for (const { operation, answer } of mixed) if (operation.startsWith(refused)) expect(withData(answer)).toBe(false);
      console.log(`refused commits: ${requests} refused requests in ${failedCommits} failed commits; mixed burst: ${sharedRefusal} accepted requests failed with a refused one in their commit`);
    } finally {
      await audit.allow();
    }
    expect(subgraph.process.child.exitCode).toBeNull();
    const after = await page(`${RUN}AfterRefusal`);
    expect(withData(after)).toBe(true);
    expect((await audit.entriesByOperation(`${RUN}AfterRefusal`)).get(`${RUN}AfterRefusal`)).toBe(ROWS);
  }, 120_000);

  it('drains its audit writer when stopped (SIGTERM) in a burst of reads: exits 0, every answer sent has its entries', async () => {
    const { sent, exit } = await burstThen('SIGTERM', 'Stop');
    expect(exit.code).toBe(0);
    // Its clients' kept-alive connections do not hold it until their idle timeout (65 s).
    expect(exit.ms).toBeLessThan(15_000);
    console.log(`stopped (SIGTERM) in a burst, exited in ${exit.ms} ms: ${await expectNoEntryLost(sent, 'Stop')}`);
    await subgraph.restart();
  }, 240_000);
});
