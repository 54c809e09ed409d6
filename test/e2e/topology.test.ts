// docker-compose.yml's topology as plain processes: one fresh database per subgraph (PostgreSQL
// databases of the test's own with TEST_POSTGRES_URL, dropped at the end; SQLite files in a data dir of
// its own otherwise), the four subgraphs in production mode (migrations at start, no seeding), the
// shared Redis, and two gateway replicas on two ports counting together in Redis. The world is empty
// until an operator imports one; then both replicas answer the same, and what is written through one
// is read through the other.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mintDevToken } from '../../gateway/dev-token.ts';
import { spawnService, type ServiceProcess } from '../../gateway/processes.ts';
import { startStack, subgraphDatabaseUrl, type Stack } from '../../gateway/stack.ts';
import { person as personAt, type WorldOptions } from '../../subgraphs/kit/population.ts';
import { SUBGRAPHS } from '../../subgraphs/kit/schema-files.ts';
import { seedSubgraphDatabase } from '../../subgraphs/kit/seed-cli.ts';
import { post, timeUntil, type GraphQLAnswer } from '../support/fault-stack.ts';
import { createTestDatabases, dropTestDatabases } from '../support/postgres.ts';
import { gatewayEnvFor, metric } from '../support/replicas.ts';

/** The world an operator imports once the cluster runs (a stand-in for real data). */
const WORLD: WorldOptions = { seed: 'passerelle', scale: 10 };
const PEOPLE = Array.from({ length: WORLD.scale }, (_, i) => personAt(WORLD, i));

/** Registered operations are all production serves to a counsellor: they are sent as their exact text. */
const manifest = JSON.parse(readFileSync('schema/operations/counsellor-app/persisted-query-manifest.json', 'utf8')) as { operations: { name: string; body: string }[] };
const registered = (name: string) => manifest.operations.find((op) => op.name === name)!.body;

describe('the cluster topology as processes: fresh databases, production subgraphs, two gateway replicas sharing Redis', () => {
  const postgresUrl = process.env.TEST_POSTGRES_URL;
  const prefix = `passerelle_topology_${process.pid}_`;
  let dataDir: string;
  let stack: Stack | undefined;
  let second: ServiceProcess | undefined;
  let replicas: string[];
  const logs: string[] = [];

  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'passerelle-topology-'));
    if (postgresUrl) await createTestDatabases(postgresUrl, prefix);
    const production = { NODE_ENV: 'production', CURSOR_SECRET: randomBytes(36).toString('base64'), LOG_LEVEL: 'warn' };
    const shared = { REDIS_URL: 'redis://127.0.0.1:6379', RATE_LIMIT_REPLICAS: '2', RATE_LIMIT_KEY_PREFIX: `passerelle-topology-${process.pid}` };
    stack = await startStack({ dataDir, port: 0, postgresUrl, databasePrefix: prefix, env: production, gatewayEnv: shared, onLog: (line) => logs.push(line) });
    const urls = Object.fromEntries(Object.entries(stack.subgraphs).map(([name, s]) => [name, s.url]));
    second = await spawnService({ name: 'gateway-2', entry: 'gateway/main.ts', env: { ...gatewayEnvFor(dataDir, urls), ...production, ...shared }, onLog: (line) => logs.push(line) });
    replicas = [stack.gatewayUrl, second.url];
  });

  afterAll(async () => {
    await second?.stop();
    await stack?.stop();
    if (postgresUrl) await dropTestDatabases(postgresUrl, prefix);
    rmSync(dataDir, { recursive: true, force: true });
  });

  const counsellor = (departement: string) => mintDevToken(dataDir, { organisation: 'france-travail', role: 'counsellor', territory: [departement] });
  const personFile = async (url: string, id: string, departement: string): Promise<GraphQLAnswer> => post(url, await counsellor(departement), registered('PersonFile'), { id });

  it('serves on two ports, both replicas counting in the shared Redis', async () => {
    expect(new Set(replicas).size).toBe(2);
    for (const url of replicas) {
      expect((await fetch(new URL('/ready', url))).status).toBe(200);
      await timeUntil('the replica to count in Redis', async () => (await metric(url, 'passerelle_gateway_rate_limit_store_up')) === 1, { timeoutMs: 20_000, everyMs: 200 });
    }
  });

  it('starts production subgraphs on migrated, empty databases: no synthetic person is there', async () => {
    for (const s of Object.values(stack!.subgraphs)) expect((await fetch(new URL('/ready', s.url))).status, `${s.name} migrated its database and is ready`).toBe(200);
    for (const url of replicas) {
      for (const someone of PEOPLE) {
        const answer = await personFile(url, someone.id, someone.departement);
        expect(answer.body.errors, `${someone.id} through ${url}`).toBeUndefined();
        expect(answer.body.data, `${someone.id} is in no database`).toEqual({ person: null });
      }
    }
    expect(logs.join('\n')).not.toMatch(/seeded/i);
  });

  it('once an operator has imported a world, both replicas answer the same, and a write through one is read through the other', async () => {
    // The import, as `npm run seed` does it, into each subgraph's own database while it is stopped.
    for (const name of SUBGRAPHS) {
      await stack!.subgraphs[name].stop();
      const databaseUrl = postgresUrl ? subgraphDatabaseUrl(postgresUrl, prefix, name) : null;
      const { rows } = await seedSubgraphDatabase(name, { databaseUrl, dataDir }, WORLD);
      expect(Object.values(rows).reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
      await stack!.restartSubgraph(name);
    }
    const someone = PEOPLE[0];
    await timeUntil('the imported person to be served', async () => (await personFile(replicas[0], someone.id, someone.departement)).body.data?.person?.id === someone.id, { timeoutMs: 30_000, everyMs: 250 });
    await timeUntil('both replicas to answer whole', async () => {
      const answers = await Promise.all(replicas.map((url) => personFile(url, someone.id, someone.departement)));
      return answers.every((a) => !a.body.errors);
    }, { timeoutMs: 30_000, everyMs: 250 });
    for (const other of PEOPLE) {
      const [a, b] = await Promise.all(replicas.map((url) => personFile(url, other.id, other.departement)));
      expect(a.body.errors).toBeUndefined();
      expect(a.body.data.person?.id).toBe(other.id);
      expect(b.body).toEqual(a.body);
    }

    const input = { idempotencyKey: `topology-${process.pid}-${Date.now()}`, personId: someone.id, orientedTo: 'CAP_EMPLOI', track: 'SOCIO_PROFESSIONAL', decidedOn: '2025-11-20' };
    const written = await post(replicas[0], await counsellor(someone.departement), registered('RecordOrientation'), { input });
    expect(written.body.errors).toBeUndefined();
    const orientation = written.body.data.recordOrientation;
    expect(orientation).toMatchObject({ orientedTo: 'CAP_EMPLOI', track: 'SOCIO_PROFESSIONAL', decidedOn: '2025-11-20' });
    const read = await personFile(replicas[1], someone.id, someone.departement);
    expect(read.body.errors).toBeUndefined();
    expect(read.body.data.person.orientation).toEqual({ __typename: 'Orientation', id: orientation.id, orientedTo: 'CAP_EMPLOI', track: 'SOCIO_PROFESSIONAL', decidedOn: '2025-11-20' });
    // The retry through the other replica is the same write, answered once.
    const retried = await post(replicas[1], await counsellor(someone.departement), registered('RecordOrientation'), { input });
    expect(retried.body.data.recordOrientation.id).toBe(orientation.id);
  });
});
