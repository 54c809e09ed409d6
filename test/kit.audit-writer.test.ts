// The audit writer (kit/audit-writer.ts) on a real SQLite database, in process, where the test decides
// what is queued together: batches are whole requests within their bounds, a refused commit keeps none
// of its entries and fails each of its requests, the writer goes on after it, and closing drains it.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { MikroORM } from '@mikro-orm/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditTrail, type AuditRow } from '../subgraphs/kit/audit.ts';
import { AuditUnavailable, AuditWriter, type AuditCommit, type AuditWriterOptions } from '../subgraphs/kit/audit-writer.ts';
import { openDatabase } from '../subgraphs/kit/database.ts';
import { callerOf } from '../subgraphs/kit/caller.ts';

const caller = callerOf({ subject: 'writer-test', organisation: 'france-travail', role: 'case-manager', territory: ['*'], scopes: ['person:read'] });

/** The read entries of one request named `operation`, about `people` people. */
function request(operation: string, people: number): AuditRow[] {
  const trail = new AuditTrail(caller, operation);
  for (let i = 0; i < people; i++) trail.read(`person-${i}`, ['Person.id', 'Person.lastName']);
  let rows: AuditRow[] = [];
  void trail.flush({ write: async (r) => void (rows = [...r]) });
  return rows;
}

describe('the audit writer', () => {
  let dir: string;
  let orm: MikroORM;
  const count = async (operation: string) => (await orm.em.fork().getConnection().execute<{ n: number }[]>('select count(*) as n from audit_entry where operation = ?', [operation]))[0].n;
  const writer = (options: Partial<AuditWriterOptions> = {}) => {
    const commits: AuditCommit[] = [];
    const w = new AuditWriter({ dialect: 'sqlite', fork: () => orm.em.fork(), onCommit: (c) => commits.push(c), ...options });
    return { w, commits };
  };

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'passerelle-audit-writer-'));
    orm = await openDatabase({ name: 'audit-writer', databaseUrl: null, dataDir: dir, entities: [], migrationsPath: dir });
    const connection = orm.em.getConnection();
    expect((await connection.execute<{ synchronous: number }[]>('pragma synchronous'))[0].synchronous, 'synchronous = FULL').toBe(2);
    expect((await connection.execute<{ journal_mode: string }[]>('pragma journal_mode'))[0].journal_mode).toBe('wal');
  });

  afterAll(async () => {
    await orm?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('commits the requests queued together in one transaction and resolves each once it is committed', async () => {
    const { w, commits } = writer();
    const done = await Promise.all(Array.from({ length: 10 }, (_, i) => w.write(request(`together-${i}`, 5)).then(async () => count(`together-${i}`))));
    expect(done).toEqual(Array(10).fill(5));
    expect(commits).toEqual([expect.objectContaining({ ok: true, requests: 10, rows: 50 })]);
  });

  it('bounds a batch by whole requests, and commits a request larger than the bound alone', async () => {
    const { w, commits } = writer({ maxBatchRows: 8 });
    await Promise.all([w.write(request('bound-a', 3)), w.write(request('bound-b', 3)), w.write(request('bound-c', 3)), w.write(request('bound-big', 12)), w.write(request('bound-d', 1))]);
    expect(commits.map((c) => [c.requests, c.rows])).toEqual([[2, 6], [1, 3], [1, 12], [1, 1]]);
    expect(await count('bound-big')).toBe(12);
  });

  it('refuses a request at once when the queue is full, never a request alone', async () => {
    const { w } = writer({ maxQueuedRows: 10 });
    const first = w.write(request('queue-a', 8));
    await expect(w.write(request('queue-b', 8))).rejects.toMatchObject({ reason: 'queue-full' });
    await first;
    await w.write(request('queue-alone', 30));
    expect([await count('queue-a'), await count('queue-b'), await count('queue-alone')]).toEqual([8, 0, 30]);
  });

  it('fails every request of a refused commit, keeps none of its entries, and commits the next batch', async () => {
    await orm.em.getConnection().execute(`create trigger audit_entry_refused_by_test before insert on audit_entry when new.operation = 'poison' begin select raise(abort, 'refused by the test'); end`);
    try {
      const { w, commits } = writer();
      const batch = ['fail-a', 'poison', 'fail-b'].map((operation) => w.write(request(operation, 4)).then(() => 'ok', (error: unknown) => error));
      const outcomes = await Promise.all(batch);
      for (const outcome of outcomes) {
        expect(outcome).toBeInstanceOf(AuditUnavailable);
        expect((outcome as AuditUnavailable).reason).toBe('commit-failed');
        expect((outcome as Error).message).not.toMatch(/insert|audit_entry|refused by the test/);
      }
      expect([await count('fail-a'), await count('poison'), await count('fail-b')]).toEqual([0, 0, 0]);
      await w.write(request('after-failure', 2));
      expect(await count('after-failure')).toBe(2);
      expect(commits.map((c) => [c.ok, c.requests])).toEqual([[false, 3], [true, 1]]);
    } finally {
      await orm.em.getConnection().execute('drop trigger audit_entry_refused_by_test');
    }
  });

  it('drains what it accepted when closed, then refuses', async () => {
    const { w } = writer();
    const accepted = Array.from({ length: 5 }, (_, i) => w.write(request(`drain-${i}`, 2)));
    await w.close();
    for (let i = 0; i < 5; i++) expect(await count(`drain-${i}`)).toBe(2);
    await Promise.all(accepted);
    await expect(w.write(request('after-close', 1))).rejects.toMatchObject({ reason: 'closed' });
  });
});
