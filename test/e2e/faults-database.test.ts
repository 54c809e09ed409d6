// A subgraph whose database goes away: its requests answer errors (masked, no SQL), /ready turns
// 503, the process stays up, and it serves again once the database is back, without restart. On
// PostgreSQL (TEST_POSTGRES_URL, as .ci/run does) behind a TCP proxy of the test's own that cuts every
// connection: the shared server the other suites use is never stopped.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseUrlOn, onPostgresServer } from '../../subgraphs/kit/postgres-server.ts';
import { FaultProxy } from '../support/fault-proxy.ts';
import { timeUntil } from '../support/fault-stack.ts';
import { startTestSubgraph, type TestSubgraph } from '../support/subgraph.ts';

const serverUrl = process.env.TEST_POSTGRES_URL;
const QUERY = '{ capEmploiOrganisations(first: 2) { nodes { id } } }';

describe.skipIf(!serverUrl)('a subgraph whose database goes away (PostgreSQL)', () => {
  const database = `passerelle_dbfault_${process.pid}`;
  let proxy: FaultProxy;
  let subgraph: TestSubgraph;

  beforeAll(async () => {
    await onPostgresServer(serverUrl!, async (client) => {
      await client.query(`drop database if exists "${database}" with (force)`);
      await client.query(`create database "${database}"`);
    });
    const server = new URL(serverUrl!);
    proxy = await FaultProxy.start(`http://${server.hostname}:${server.port || 5432}/`);
    const proxied = new URL(serverUrl!);
    proxied.port = new URL(proxy.url).port;
    subgraph = await startTestSubgraph('cap-emploi', { DATABASE_URL: databaseUrlOn(proxied.toString(), database), SEED_SCALE: '100' });
  });

  afterAll(async () => {
    await subgraph?.stop();
    await proxy?.close();
    await onPostgresServer(serverUrl!, (client) => client.query(`drop database if exists "${database}" with (force)`));
  });

  it('answers errors and is not ready while it is away, and serves again when it returns, without restart', async () => {
    const ready = async () => (await fetch(new URL('/ready', subgraph.process.url))).status;
    const healthy = await subgraph.call(QUERY);
    expect(healthy.body.errors).toBeUndefined();
    expect(healthy.body.data.capEmploiOrganisations.nodes.length).toBeGreaterThan(0);
    expect(await ready()).toBe(200);
    expect(await (await fetch(new URL('/metrics', subgraph.process.url))).text()).toMatch(/^passerelle_db_pool_connections\{state="max",subgraph="cap-emploi"\} 10$/m);

    proxy.setMode('cut');
    const noticedMs = await timeUntil('/ready to turn 503', async () => (await ready()) === 503, { everyMs: 50 });
    const failed = await subgraph.call(QUERY);
    expect(failed.body.errors, JSON.stringify(failed)).toBeDefined();
    expect(failed.body.errors.length).toBeGreaterThan(0);
    for (const error of failed.body.errors) {
      expect(error.extensions.code).toBe('INTERNAL_SERVER_ERROR');
      expect(error.message).toBe('internal error');
    }
    expect(JSON.stringify(failed.body)).not.toMatch(/select|ECONN|postgres|5432/i);
    expect(subgraph.process.child.exitCode).toBeNull();
    expect((await fetch(new URL('/health', subgraph.process.url))).status).toBe(200);
    const metrics = await (await fetch(new URL('/metrics', subgraph.process.url))).text();
    expect(metrics).toMatch(/^passerelle_database_up\{subgraph="cap-emploi"\} 0$/m);

    proxy.setMode('pass');
    const recoveredMs = await timeUntil('the subgraph to serve again', async () => (await ready()) === 200 && !(await subgraph.call(QUERY)).body.errors, { everyMs: 50 });
    expect(subgraph.process.child.exitCode).toBeNull();
    console.log(`database gone: noticed (/ready 503) in ${noticedMs} ms, recovered (ready and answering) in ${recoveredMs} ms`);
  });
});
