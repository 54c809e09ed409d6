// `npm run bench [-- --quick] [--only products,sqlite,postgresql,national,profile,cluster] [--reseed] [--profile-products]
//   [--postgres URL] [--scale 50000] [--national-scale 500000]`
// Measures Passerelle's gateway against its peers in one run on this machine (issue 10) and writes
// bench/results/<date>.md and .json. Not part of `npm test`.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { ensureDevKeys } from '../gateway/keys.ts';
import { mintDevToken } from '../gateway/dev-token.ts';
import { compareAnswers, post, type Answer } from './answers.ts';
import { clusterGateway, startGateway, type GatewayEnvironment, type GatewayId, type Running } from './gateways.ts';
import { CLUSTER_CORES, LOAD_CORE, measureWindow, requestsFile, settle, type Accounted, type Counter, type LoadRequest, type Window } from './load.ts';
import { largestCaseloads } from './passerelle/caseloads.ts';
import { counsellorPages, DOCUMENTS, documentOf, passerelleOperations, type Operation } from './passerelle/workload.ts';
import { prepareRunData, runDatabaseNames, startSubgraphs, type RunData, type Store, type World } from './passerelle/world.ts';
import { ROOT, startPinned, stopEverything, type Pinned } from './processes.ts';
import { summariseProfile } from './profile.ts';
import { composeProducts, OPERATION_NAME, QUERY } from './products/workload.ts';
import { comparable, renderMarkdown, type ClusterResult, type NationalResult, type ProfileResult, type Results, type RoundResult, type Row, type Target, type WorkloadResult } from './results.ts';
import { describeMachine, ensureWrk, loadAverage, peakRssMiB, processTree, round2, treePeakRssMiB } from './system.ts';
import { gatewayUnderTest } from './gateways.ts';
import { SUBGRAPHS } from '../subgraphs/kit/schema-files.ts';
import { apiSchemaOf } from '../schema/composition.ts';
import { registerForRun, type RunRegistration } from './registration.ts';

const PARTS = ['products', 'sqlite', 'postgresql', 'national', 'profile', 'cluster'] as const;
type Part = (typeof PARTS)[number];

const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    only: { type: 'string' },
    reseed: { type: 'boolean', default: false },
    postgres: { type: 'string', default: process.env.POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres' },
    scale: { type: 'string', default: '50000' },
    'national-scale': { type: 'string', default: '500000' },
    seed: { type: 'string', default: 'passerelle' },
    /** Workload 1 under `node --cpu-prof` (gateways' profiles in .data/profiles-products; figures then skewed). */
    'profile-products': { type: 'boolean', default: false },
  },
});

interface Pace {
  readonly rounds: number;
  readonly warmupSeconds: number;
  readonly seconds: number;
  readonly connections: number;
}

const PLAN = args.quick
  ? {
    parts: ['products', 'sqlite', 'cluster'] as Part[],
    products: { rounds: 1, warmupSeconds: 2, seconds: 5, connections: 50 },
    passerelle: { rounds: 1, warmupSeconds: 2, seconds: 5, connections: 20 },
    national: { warmupSeconds: 2, seconds: 5, counsellors: [20] },
    profile: { mixSeconds: 10, baselinePageSeconds: 5 },
    deadlineMinutes: 10,
  }
  : {
    parts: [...PARTS] as Part[],
    products: { rounds: 2, warmupSeconds: 5, seconds: 15, connections: 50 },
    passerelle: { rounds: 2, warmupSeconds: 3, seconds: 8, connections: 20 },
    national: { warmupSeconds: 3, seconds: 10, counsellors: [10, 20, 50, 100] },
    profile: { mixSeconds: 20, baselinePageSeconds: 10 },
    deadlineMinutes: 45,
  };
const parts: Part[] = args.only ? args.only.split(',').map((p) => p.trim() as Part) : PLAN.parts;
for (const p of parts) if (!PARTS.includes(p)) throw new Error(`--only takes ${PARTS.join(', ')}`);
const scale = Number(args.scale);
const nationalScale = Number(args['national-scale']);
const WORLD: World = { seed: args.seed!, scale };
const NATIONAL: World = { seed: args.seed!, scale: nationalScale };
const RUN_TAG = `bench${process.pid}`;

const started = new Date();
const write = (line: string) => process.stdout.write(`[bench ${((Date.now() - started.getTime()) / 1000).toFixed(0).padStart(4)} s] ${line}\n`);

// The benchmark's own work (reading logs, counting) stays off the gateway's core.
execFileSync('taskset', ['-cp', String(LOAD_CORE), String(process.pid)], { stdio: 'ignore' });

const runDir = path.join(ROOT, '.data', `bench-run-${process.pid}`);
const cleanups: (() => Promise<void>)[] = [];
let stopping = false;
async function cleanUp(): Promise<void> {
  await stopEverything();
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch((e) => write(`clean-up failed: ${String(e)}`));
  rmSync(runDir, { recursive: true, force: true });
}
async function abort(reason: string, code: number): Promise<never> {
  if (!stopping) {
    stopping = true;
    write(`stopping: ${reason}`);
    await cleanUp();
  }
  process.exit(code);
}
process.once('SIGINT', () => void abort('interrupted', 130));
process.once('SIGTERM', () => void abort('terminated', 143));
// The run is bounded in time; preparing the data (seeding a cache, bounded on its own) does not count.
let deadlineAt = Date.now() + PLAN.deadlineMinutes * 60_000;
let preparing = false;
setInterval(() => {
  if (preparing) deadlineAt += 1000;
  else if (Date.now() > deadlineAt) void abort(`the run exceeded its ${PLAN.deadlineMinutes} minutes (seeding aside)`, 1);
}, 1000).unref();

const foreign: number[] = [];

// ---------------------------------------------------------------------------------------------
// Measuring gateways on a workload

interface Measured {
  readonly rows: Row[];
  readonly answerBytes: Record<string, number>;
}

interface PerOperation {
  readonly subgraphCalls: number | null;
  readonly sqlStatements: number | null;
}

function aggregate(operation: Operation, gateway: GatewayId, connections: number, windows: readonly Window[], check: string, order: readonly number[], counts: PerOperation): Row {
  const requests = windows.reduce((s, w) => s + w.wrk.requests, 0);
  const errors = windows.reduce((s, w) => s + w.wrk.failures + w.wrk.socketErrors.connect + w.wrk.socketErrors.read + w.wrk.socketErrors.write + w.wrk.socketErrors.timeout, 0);
  const mean = (f: (w: Window) => number) => windows.reduce((s, w) => s + f(w), 0) / windows.length;
  const cpu: Record<string, number> = {};
  for (const w of windows) for (const [role, ms] of Object.entries(w.cpuMs)) cpu[role] = (cpu[role] ?? 0) + ms;
  // The CPU of a window pays for its answered requests and for those in flight at its end.
  const served = requests + windows.reduce((s, w) => s + w.inFlightAtEnd, 0);
  const perRequest = Object.fromEntries(Object.entries(cpu).map(([role, ms]) => [role, round2(requests ? ms / served : NaN)]));
  const rounds: RoundResult[] = windows.map((w, i) => ({
    order: order[i],
    rps: round2(w.wrk.requests / w.seconds),
    latencyMs: { p50: w.wrk.latencyUs.p50 / 1000, p90: w.wrk.latencyUs.p90 / 1000, p99: w.wrk.latencyUs.p99 / 1000 },
    requests: w.wrk.requests,
    errors: w.wrk.failures + w.wrk.socketErrors.connect + w.wrk.socketErrors.read + w.wrk.socketErrors.write + w.wrk.socketErrors.timeout,
    seconds: round2(w.seconds),
    foreignCores: round2(w.foreignCores),
  }));
  for (const w of windows) foreign.push(w.foreignCores);
  return {
    operation: operation.id,
    operationTitle: operation.title,
    gateway,
    connections,
    rounds,
    rps: round2(mean((w) => w.wrk.requests / w.seconds)),
    latencyMs: { p50: round2(mean((w) => w.wrk.latencyUs.p50) / 1000), p90: round2(mean((w) => w.wrk.latencyUs.p90) / 1000), p99: round2(mean((w) => w.wrk.latencyUs.p99) / 1000) },
    requests,
    errors,
    errorSample: windows.flatMap((w) => w.wrk.samples)[0] ?? null,
    cpuMsPerRequest: perRequest,
    cpuMsPerRequestTotal: round2(Object.values(perRequest).reduce((a, b) => a + b, 0)),
    subgraphCallsPerOperation: counts.subgraphCalls,
    sqlStatementsPerOperation: counts.sqlStatements,
    responseCheck: check,
  };
}

/** The same request for every gateway, a key unique to the request where the body asks for one. */
const verificationRequest = (request: LoadRequest, key: string): LoadRequest => ({ ...request, body: request.body.replaceAll('@@KEY@@', key) });

/**
 * Sends each request once, one after the other, and returns the answers with what the subgraphs
 * counted meanwhile, per request: exact figures, where a loaded window would blur them with the
 * requests in flight at its edges.
 */
async function singleRequests(endpoint: string, requests: readonly LoadRequest[], keyPrefix: string, counters: Readonly<Record<string, Counter>>, accounted: readonly Accounted[]): Promise<{ answers: Answer[]; counts: PerOperation }> {
  await settle(accounted);
  const read = async () => ({ subgraphCalls: await counters.subgraphCalls?.() ?? null, sqlStatements: await counters.sqlStatements?.() ?? null });
  const before = await read();
  const answers: Answer[] = [];
  for (const [i, request] of requests.entries()) answers.push(await post(endpoint, verificationRequest(request, `${keyPrefix}-${i}`)));
  const after = await read();
  const per = (k: keyof PerOperation) => (before[k] === null || after[k] === null ? null : round2((after[k]! - before[k]!) / requests.length));
  return { answers, counts: { subgraphCalls: per('subgraphCalls'), sqlStatements: per('sqlStatements') } };
}

async function measureGateways(options: {
  readonly workload: string;
  readonly operations: readonly Operation[];
  readonly gateways: readonly Running[];
  readonly reference: GatewayId;
  readonly pace: Pace;
  readonly accounted: (gateway: Running) => Accounted[];
  readonly counters: Readonly<Record<string, Counter>>;
}): Promise<Measured> {
  const checks = new Map<string, string>();
  const counts = new Map<string, PerOperation>();
  const answerBytes: Record<string, number> = {};
  const reference = options.gateways.find((g) => g.gateway.id === options.reference)!;
  const others = options.gateways.filter((x) => x !== reference);
  for (const op of options.operations) {
    const keyPrefix = `${RUN_TAG}-verify-${op.id}`;
    const references = await singleRequests(reference.endpoint, op.requests, keyPrefix, options.counters, options.accounted(reference));
    answerBytes[op.id] = Buffer.byteLength(references.answers[0].text);
    checks.set(`${op.id}/${reference.gateway.id}`, 'reference');
    counts.set(`${op.id}/${reference.gateway.id}`, references.counts);
    for (const g of others) {
      // The same keys: a mutation is replayed, and must answer as the first time.
      const { answers, counts: c } = await singleRequests(g.endpoint, op.requests, keyPrefix, options.counters, options.accounted(g));
      const check = answers.map((a, i) => compareAnswers(a, references.answers[i])).find((x) => x !== 'equal') ?? 'equal';
      checks.set(`${op.id}/${g.gateway.id}`, check);
      counts.set(`${op.id}/${g.gateway.id}`, c);
      if (check !== 'equal') write(`${options.workload} ${op.id}: ${g.gateway.id} ${check}`);
    }
  }
  const windows = new Map<string, { windows: Window[]; order: number[] }>();
  for (let round = 0; round < options.pace.rounds; round++) {
    for (const op of options.operations) {
      const file = requestsFile(runDir, `${options.workload}-${op.id}`, op.requests);
      // Rounds alternate the order, so that no gateway always runs first (or on a warmer machine).
      const order = round % 2 === 0 ? options.gateways : [...options.gateways].reverse();
      for (const [position, g] of order.entries()) {
        const window = await measureWindow({
          url: g.endpoint, file, connections: options.pace.connections, warmupSeconds: options.pace.warmupSeconds, seconds: options.pace.seconds,
          accounted: options.accounted(g), runTag: RUN_TAG,
        });
        const key = `${op.id}/${g.gateway.id}`;
        const entry = windows.get(key) ?? { windows: [], order: [] };
        entry.windows.push(window);
        entry.order.push(position + 1);
        windows.set(key, entry);
        write(`${options.workload} ${op.id} round ${round + 1} ${g.gateway.id}: ${(window.wrk.requests / window.seconds).toFixed(1)} req/s, p99 ${(window.wrk.latencyUs.p99 / 1000).toFixed(0)} ms, ` +
          `${window.wrk.failures} failures, other load ${window.foreignCores.toFixed(2)} cores`);
      }
    }
  }
  const rows: Row[] = [];
  for (const op of options.operations) {
    for (const g of options.gateways) {
      const key = `${op.id}/${g.gateway.id}`;
      const { windows: ws, order } = windows.get(key)!;
      rows.push(aggregate(op, g.gateway.id, options.pace.connections, ws, checks.get(key)!, order, counts.get(key)!));
    }
  }
  return { rows, answerBytes };
}

async function startAll(ids: readonly GatewayId[], env: GatewayEnvironment): Promise<Running[]> {
  const running: Running[] = [];
  for (const id of ids) {
    running.push(await startGateway(id, env));
    write(`${id} serves ${running.at(-1)!.endpoint}`);
  }
  return running;
}

const pidOf = (p: Pinned): Accounted => ({ role: p.name, pids: () => [p.pid] });
/** A gateway's CPU: every process of its tree (a cluster's primary and its workers). */
const gatewayAccount = (g: Running): Accounted => ({ role: 'gateway', pids: () => processTree(g.process.pid) });
/** Peak RSS of each gateway (a cluster's: the sum over its processes). */
const gatewaysPeakRss = (gateways: readonly Running[]): Record<string, number | null> =>
  Object.fromEntries(gateways.map((g) => [g.gateway.id, round2(treePeakRssMiB(g.process.pid) ?? NaN)]));

function describeRegistration(r: RunRegistration | undefined): string {
  if (!r) return 'not registered';
  return r.problems.length ? `refused at registration: ${r.problems.join('; ')}` : `registered for the run, cost ${Math.round(r.cost ?? NaN).toLocaleString('en')}`;
}

// ---------------------------------------------------------------------------------------------
// Workload (1): the public benchmark's shape

const PRODUCTS_SHAPE = 'Four small subgraphs of the public graphql-gateways-benchmark\'s shape (bench/products/: accounts, inventory, products, reviews; one process, four servers, core 1), ' +
  'its query (users → reviews → products → reviews → authors → reviews → products, and the top products), no access rules.';
const PRODUCTS_TITLE = 'Workload 1: four small subgraphs (the public benchmark\'s shape)';

/** Subgraphs ready for gateways: the gateways' environment, whose CPU a window counts, the subgraphs' counters. */
interface Served {
  readonly env: GatewayEnvironment;
  readonly accounted: (gateway: Running) => Accounted[];
  readonly counters: Readonly<Record<string, Counter>>;
}

/** Workload 1's subgraphs, supergraph, registered query and request. */
interface ProductsStack extends Served {
  readonly operation: Operation;
  readonly registration: string;
  readonly subgraphs: Pinned;
}

async function productsStack(name: string, cpuProfileDir?: string): Promise<ProductsStack> {
  const dir = path.join(runDir, name);
  mkdirSync(dir, { recursive: true });
  const subgraphs = await startPinned({
    name: 'bench-subgraphs', core: LOAD_CORE, command: process.execPath, args: ['bench/products/subgraphs.ts'],
    ready: { line: /^BENCH_SUBGRAPHS (?<urls>\{.*\})$/ }, timeoutMs: 60_000,
  });
  const urls = JSON.parse(subgraphs.captured.urls) as Record<string, string>;
  const supergraphPath = path.join(dir, 'supergraph.graphql');
  const supergraphSdl = composeProducts(urls);
  writeFileSync(supergraphPath, supergraphSdl);
  const registration = await registerForRun(path.join(dir, 'operations'), 'bench-products', QUERY, apiSchemaOf(supergraphSdl));
  const keys = await ensureDevKeys(runDir);
  const env: GatewayEnvironment = {
    supergraphPath, subgraphUrls: {}, dataDir: runDir, issuerJwksFile: keys.issuer.publicJwks, signingKeyFile: keys.gateway.privateKey,
    operationsDir: path.join(dir, 'operations'), baselineSigns: false, scratchDir: path.join(dir, 'scratch'), cpuProfileDir,
  };
  const token = await mintDevToken(runDir, { organisation: 'france-travail', role: 'counsellor', territory: ['27'], subject: 'ft-27-001' });
  const operation: Operation = {
    id: 'top-products-and-reviews', title: 'users → reviews → products → reviews … (the public benchmark\'s query)', operationName: OPERATION_NAME,
    requests: [{ authorization: `Bearer ${token}`, body: JSON.stringify({ query: QUERY, operationName: OPERATION_NAME }) }],
  };
  const subgraphCalls: Counter = async () => {
    let total = 0;
    for (const url of Object.values(urls)) total += ((await (await fetch(url)).json()) as { requests: number }).requests;
    return total;
  };
  return {
    env, operation, registration: describeRegistration(registration), subgraphs,
    accounted: (g) => [gatewayAccount(g), { role: 'subgraphs', pids: () => [subgraphs.pid] }],
    counters: { subgraphCalls },
  };
}

async function products(): Promise<WorkloadResult> {
  const ids: GatewayId[] = ['passerelle', 'apollo-gateway', 'hive-gateway', 'hive-gateway-router-runtime'];
  const description = [
    PRODUCTS_SHAPE,
    'Every gateway gets the same request, with a France Travail counsellor\'s token of the development issuer: Passerelle authenticates it, runs every layer ' +
    '(limits, trusted documents — the query is registered for the run —, authorisation, signed subgraph calls); the bench subgraphs ignore the Authorization header, the peers do not look at it.',
    'Peers run with their defaults in production mode (NODE_ENV=production); Hive Gateway without the inbound deduplication the public benchmark turns on.',
  ];
  const stack = await productsStack('products', args['profile-products'] ? path.join(ROOT, '.data', 'profiles-products') : undefined);
  const gateways = await startAll(ids, stack.env);
  const measured = await measureGateways({
    workload: 'products', operations: [stack.operation], gateways, reference: 'apollo-gateway', pace: PLAN.products, accounted: stack.accounted, counters: stack.counters,
  });
  const rss = gatewaysPeakRss(gateways);
  rss['bench subgraphs'] = round2(peakRssMiB(stack.subgraphs.pid) ?? NaN);
  await Promise.all([...gateways.map((g) => g.process.stop()), stack.subgraphs.stop()]);
  return {
    id: 'products', title: PRODUCTS_TITLE, description, gateways: ids.map(gatewayUnderTest),
    rows: measured.rows, peakRssMiB: rss, answerBytes: measured.answerBytes, registrations: { [stack.operation.id]: stack.registration },
  };
}

// ---------------------------------------------------------------------------------------------
// Workload (2): our graph

interface Stack extends Served {
  readonly data: RunData;
  /** Registration of each of the workload's documents, by operation name. */
  readonly registrations: ReadonlyMap<string, RunRegistration>;
  readonly subgraphs: Pinned[];
  stop(): Promise<void>;
}

const reseeded = new Set<string>();

async function subgraphStack(world: World, store: Store, cpuProfileDir?: string): Promise<Stack> {
  const keys = await ensureDevKeys(runDir);
  // --reseed once per world and store, not once per part.
  const seeded = `${store.kind}/${world.scale}`;
  const reseed = Boolean(args.reseed) && !reseeded.has(seeded);
  reseeded.add(seeded);
  preparing = true;
  const data = await prepareRunData({ world, store, runDir, gatewayJwksFile: keys.gateway.publicJwks, reseed, write }).finally(() => (preparing = false));
  cleanups.push(data.remove);
  const subgraphs = await startSubgraphs({
    world, dataDir: data.dataDir, databaseUrls: data.databaseUrls, gatewayJwksFile: keys.gateway.publicJwks, core: LOAD_CORE,
    production: true, probe: true, cpuProfileDir, timeoutMs: 10 * 60_000,
  });
  // Database server backends serving this run's databases (PostgreSQL only).
  let client: pg.Client | null = null;
  if (store.kind === 'postgresql') {
    client = new pg.Client({ connectionString: store.serverUrl });
    await client.connect();
  }
  const backends = async () => (client ? (await client.query<{ pid: number }>('select pid from pg_stat_activity where datname = any($1)', [runDatabaseNames()])).rows.map((r) => r.pid) : []);
  const probeCount = async (s: Pinned) => {
    if (!s.captured.probe) return null;
    return ((await (await fetch(`http://127.0.0.1:${s.captured.probe}/`)).json()) as { graphqlRequests: number }).graphqlRequests;
  };
  // SQL statements: the subgraphs' Prometheus counter, once they expose it.
  const sqlCount = async (s: Pinned) => {
    try {
      const response = await fetch(new URL('metrics', s.url), { signal: AbortSignal.timeout(5000) });
      if (!response.ok) return null;
      const lines = (await response.text()).split('\n').filter((l) => l.startsWith('passerelle_sql_statements_total'));
      return lines.length ? lines.reduce((sum, l) => sum + Number(l.trim().split(/\s+/).at(-1)), 0) : null;
    } catch {
      return null;
    }
  };
  const sumOf = (read: (s: Pinned) => Promise<number | null>): Counter => async () => {
    const counts = await Promise.all(subgraphs.map(read));
    return counts.some((c) => c === null) ? null : counts.reduce((a, b) => a! + b!, 0);
  };
  const supergraphPath = path.join(ROOT, 'schema', 'supergraph.graphql');
  const registry = path.join(data.dataDir, 'operations');
  const apiSchema = apiSchemaOf(readFileSync(supergraphPath, 'utf8'));
  const registrations = new Map<string, RunRegistration>();
  for (const name of DOCUMENTS) registrations.set(name, await registerForRun(registry, `bench-${name.toLowerCase()}`, documentOf(name), apiSchema));
  const env: GatewayEnvironment = {
    supergraphPath,
    subgraphUrls: Object.fromEntries(subgraphs.map((s) => [s.name, s.url])),
    dataDir: runDir, issuerJwksFile: keys.issuer.publicJwks, signingKeyFile: keys.gateway.privateKey,
    operationsDir: registry, baselineSigns: true, scratchDir: path.join(runDir, 'scratch'), cpuProfileDir,
  };
  return {
    data, subgraphs, env, registrations,
    accounted: (g) => [gatewayAccount(g), ...subgraphs.map(pidOf), ...(client ? [{ role: 'postgresql', pids: backends }] : [])],
    counters: { subgraphCalls: sumOf(probeCount), sqlStatements: sumOf(sqlCount) },
    async stop() {
      await Promise.all(subgraphs.map((s) => s.stop()));
      const open = client;
      client = null;
      await open?.end();
    },
  };
}

const discoverThrough = (endpoint: string) => async (authorization: string, body: string) => JSON.parse((await post(endpoint, { authorization, body })).text);

async function passerelle(store: Store): Promise<WorkloadResult> {
  const ids: GatewayId[] = ['passerelle', 'apollo-gateway'];
  const where = store.kind === 'sqlite' ? 'SQLite (the embedded default)' : 'PostgreSQL (the deployment mode; the shared local server, not pinned)';
  const description = [
    `Our four subgraphs in production mode on ${where}, seeded with ${scale.toLocaleString('en')} people (seed "${args.seed}"), audit on; each subgraph a process on core 1.`,
    'Operations of bench/passerelle/operations/ registered for the run (trusted documents with their recorded cost, as partner apps\' are), sent as their exact text with tokens of the development issuer: France Travail counsellors of their own département ' +
    '(10 counsellors whose caseloads hold 50 people or more, in turn), a DGEFP analyst for the aggregate.',
    'The baseline is a plain @apollo/gateway whose data source signs subgraph calls as ours does (gateway/subgraph-token.ts), nothing more (no authentication, authorisation, limits or trusted documents).',
    `Subgraph calls counted in the subgraph processes (bench/probe.ts); SQL statements from their /metrics counter \`passerelle_sql_statements_total\` when they expose it (n/a otherwise).` +
    (store.kind === 'postgresql' ? ' CPU of the PostgreSQL backends serving this run\'s databases counted as `postgresql`.' : ''),
  ];
  const stack = await subgraphStack(WORLD, store);
  try {
    const gateways = await startAll(ids, stack.env);
    const caseloads = largestCaseloads(WORLD, 11, 50);
    const operations = await passerelleOperations(runDir, { pages: caseloads.slice(0, 10), recorder: caseloads[10] }, discoverThrough(gateways[1].endpoint));
    const measured = await measureGateways({
      workload: store.kind, operations, gateways, reference: 'apollo-gateway', pace: PLAN.passerelle, accounted: stack.accounted, counters: stack.counters,
    });
    const peakRss = gatewaysPeakRss(gateways);
    for (const s of stack.subgraphs) peakRss[s.name] = round2(peakRssMiB(s.pid) ?? NaN);
    await Promise.all(gateways.map((g) => g.process.stop()));
    return {
      id: store.kind, title: `Workload 2: our graph, ${scale.toLocaleString('en')} people, ${store.kind === 'sqlite' ? 'SQLite' : 'PostgreSQL'}`,
      description, gateways: ids.map(gatewayUnderTest), rows: measured.rows, peakRssMiB: peakRss, answerBytes: measured.answerBytes,
      registrations: Object.fromEntries(operations.map((o) => [o.id, describeRegistration(stack.registrations.get(o.operationName))])),
    };
  } finally {
    await stack.stop();
  }
}

async function national(): Promise<NationalResult> {
  const description = [
    `The same subgraphs on SQLite seeded with ${nationalScale.toLocaleString('en')} people (the national scale), Passerelle's gateway only.`,
    'Each point: as many connections as counsellors, each request the page of 50 people of one of them (the largest caseloads, each counsellor with their own token), ' +
    `${PLAN.national.warmupSeconds} s of warm-up, ${PLAN.national.seconds} s measured. The issue's headline is 20 counsellors at once.`,
  ];
  const stack = await subgraphStack(NATIONAL, { kind: 'sqlite' });
  try {
    const [ours] = await startAll(['passerelle'], stack.env);
    const caseloads = largestCaseloads(NATIONAL, Math.max(...PLAN.national.counsellors), 50);
    const points = [];
    const pages = await counsellorPages(runDir, caseloads.slice(0, 3));
    const { answers, counts } = await singleRequests(ours.endpoint, pages.requests, `${RUN_TAG}-national`, stack.counters, stack.accounted(ours));
    const check = answers.every((a) => a.status === 200 && !a.text.includes('"errors"')) ? 'served' : `refused: ${answers[0].text.slice(0, 200)}`;
    for (const counsellors of PLAN.national.counsellors) {
      const operation = await counsellorPages(runDir, caseloads.slice(0, counsellors));
      const file = requestsFile(runDir, `national-${counsellors}`, operation.requests);
      const window = await measureWindow({
        url: ours.endpoint, file, connections: counsellors, warmupSeconds: PLAN.national.warmupSeconds, seconds: PLAN.national.seconds,
        accounted: stack.accounted(ours), runTag: RUN_TAG,
      });
      points.push({ counsellors, row: aggregate(operation, 'passerelle', counsellors, [window], check, [1], counts) });
      write(`national ${counsellors} counsellors: ${(window.wrk.requests / window.seconds).toFixed(1)} req/s, p99 ${(window.wrk.latencyUs.p99 / 1000).toFixed(0)} ms, ${window.wrk.failures} failures`);
    }
    await ours.process.stop();
    return { scale: nationalScale, description, points };
  } finally {
    await stack.stop();
  }
}

async function profile(): Promise<ProfileResult> {
  const dir = path.join(runDir, 'profiles');
  mkdirSync(dir, { recursive: true });
  const description = [
    `\`node --cpu-prof\` of Passerelle's gateway and of the four subgraphs (SQLite, ${scale.toLocaleString('en')} people), in one stack started for the purpose: ` +
    `first ${PLAN.profile.mixSeconds} s of every workload-2 operation in turn through Passerelle's gateway (20 connections), then ${PLAN.profile.baselinePageSeconds} s of the page of 50 ` +
    'through the baseline, so that the subgraphs\' profiles hold the page whatever Passerelle answers. Self time; `(garbage collector)` and `(program)` are V8\'s.',
  ];
  const stack = await subgraphStack(WORLD, { kind: 'sqlite' }, dir);
  const processes: Record<string, ReturnType<typeof summariseProfile>> = {};
  try {
    const ours = (await startAll(['passerelle'], stack.env))[0];
    const baseline = (await startAll(['apollo-gateway'], { ...stack.env, cpuProfileDir: undefined }))[0];
    const caseloads = largestCaseloads(WORLD, 11, 50);
    const operations = await passerelleOperations(runDir, { pages: caseloads.slice(0, 10), recorder: caseloads[10] }, discoverThrough(baseline.endpoint));
    const mix = operations.flatMap((o) => o.requests.slice(0, 3));
    const mixWindow = await measureWindow({
      url: ours.endpoint, file: requestsFile(runDir, 'profile-mix', mix), connections: 20, warmupSeconds: 3, seconds: PLAN.profile.mixSeconds,
      accounted: [], runTag: RUN_TAG,
    });
    description.push(`Through Passerelle: ${mixWindow.wrk.requests} requests, ${mixWindow.wrk.failures} failed${mixWindow.wrk.samples[0] ? ` (first: \`${mixWindow.wrk.samples[0].slice(0, 160).replace(/`/g, "'")}\`)` : ''}.`);
    const page = operations.find((o) => o.id === 'counsellor-page')!;
    const pageWindow = await measureWindow({
      url: baseline.endpoint, file: requestsFile(runDir, 'profile-page', page.requests), connections: 20, warmupSeconds: 0, seconds: PLAN.profile.baselinePageSeconds,
      accounted: [], runTag: RUN_TAG,
    });
    description.push(`Through the baseline: ${pageWindow.wrk.requests} pages, ${pageWindow.wrk.failures} failed.`);
    // Profiles are written when the processes stop.
    await Promise.all([ours.process.stop(), baseline.process.stop()]);
    await stack.stop();
    // Only the measured windows count: start-up (module loading, type stripping) and warm-up are left out.
    const spans = { passerelle: [mixWindow], subgraph: [mixWindow, pageWindow] };
    for (const name of ['passerelle', ...SUBGRAPHS]) {
      try {
        processes[name === 'passerelle' ? 'gateway (Passerelle)' : name] = summariseProfile(path.join(dir, `${name}.cpuprofile`), name === 'passerelle' ? spans.passerelle : spans.subgraph);
      } catch (error) {
        description.push(`No profile of ${name}: ${String(error)}`);
      }
    }
  } finally {
    await stack.stop();
  }
  return { description, processes };
}

// ---------------------------------------------------------------------------------------------
// One process per core: GATEWAY_WORKERS=1 and 2, both on both cores

const CLUSTER = [clusterGateway(1), clusterGateway(2)] as const;

/** Starts the cluster's gateways on `stack`, measures them on `operation`, stops them. */
async function clusterWorkload(options: {
  readonly id: WorkloadResult['id'];
  readonly title: string;
  readonly description: readonly string[];
  readonly stack: Served;
  readonly operation: Operation;
  readonly registration: string;
  readonly pace: Pace;
}): Promise<WorkloadResult> {
  const gateways = await startAll(CLUSTER, options.stack.env);
  const measured = await measureGateways({
    workload: `cluster ${options.id}`, operations: [options.operation], gateways, reference: CLUSTER[0], pace: options.pace,
    accounted: options.stack.accounted, counters: options.stack.counters,
  });
  const peakRss = gatewaysPeakRss(gateways);
  await Promise.all(gateways.map((g) => g.process.stop()));
  return {
    id: options.id, title: options.title, description: options.description, gateways: CLUSTER.map(gatewayUnderTest),
    rows: measured.rows, peakRssMiB: peakRss, answerBytes: measured.answerBytes, registrations: { [options.operation.id]: options.registration },
  };
}

async function cluster(): Promise<ClusterResult> {
  const description = [
    `Passerelle's gateway (production mode, every layer on) as one process (GATEWAY_WORKERS=1) and as a node:cluster primary with two workers (GATEWAY_WORKERS=2, gateway/workers.ts), ` +
    `each allowed on both cores (\`taskset -c ${CLUSTER_CORES}\`), one after the other over the same subgraph processes, with the same requests and connections as the parts above; ` +
    'the answers of 2 workers are compared with those of 1 worker before timing.',
    'Gateway CPU per request and peak RSS are summed over the gateway\'s process tree (the primary and its workers, every pid read from /proc during the window; peak RSS as the sum of each process\'s peak).',
    `Limits on this 2-core machine: the load generator (wrk), the subgraphs and the benchmark itself stay pinned to core ${LOAD_CORE}, so the gateway's second core is not its own: ` +
    'a second worker only gets what they leave of it, and takes it from them. The ratio says what a second process buys a gateway that shares the machine with its load and subgraphs, ' +
    'not how the gateway scales on cores of its own (production: one worker per core of the gateway\'s container, subgraphs elsewhere).',
  ];
  const workloads: WorkloadResult[] = [];
  // Each workload on its own: one that cannot be measured leaves the other.
  const attempt = async (id: WorkloadResult['id'], title: string, measure: () => Promise<WorkloadResult>) => {
    try {
      workloads.push(await measure());
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      write(`cluster ${id} failed: ${message}`);
      await stopEverything();
      workloads.push({ id, title, description: [], gateways: CLUSTER.map(gatewayUnderTest), rows: [], peakRssMiB: {}, answerBytes: {}, registrations: {}, error: message.split('\n')[0] });
    }
  };
  await attempt('products', PRODUCTS_TITLE, async () => {
    const stack = await productsStack('cluster-products');
    const result = await clusterWorkload({
      id: 'products', title: PRODUCTS_TITLE, description: [PRODUCTS_SHAPE], stack, operation: stack.operation, registration: stack.registration, pace: PLAN.products,
    });
    await stack.subgraphs.stop();
    return result;
  });
  const pageTitle = `Workload 2: a counsellor's page of 50 people, ${scale.toLocaleString('en')} people, SQLite`;
  await attempt('sqlite', pageTitle, async () => {
    const stack = await subgraphStack(WORLD, { kind: 'sqlite' });
    try {
      // The same ten counsellors as workload 2's page.
      const operation = await counsellorPages(runDir, largestCaseloads(WORLD, 11, 50).slice(0, 10));
      return await clusterWorkload({
        id: 'sqlite', title: pageTitle,
        description: [`Our four subgraphs in production mode on SQLite, seeded with ${scale.toLocaleString('en')} people, audit on, each a process on core ${LOAD_CORE}; the page of 50 of ten counsellors in turn, each with their own token.`],
        stack, operation, registration: describeRegistration(stack.registrations.get(operation.operationName)), pace: PLAN.passerelle,
      });
    } finally {
      await stack.stop();
    }
  });
  const ratios: Record<string, number | null> = {};
  for (const w of workloads) {
    for (const op of new Set(w.rows.map((r) => r.operation))) {
      const [one, two] = CLUSTER.map((id) => row(w, op, id));
      const label = w.id === 'products' ? 'workload 1' : `workload 2 (${w.id}) ${op}`;
      ratios[`${label} req/s`] = both(two, one, (r) => r.rps);
      ratios[`${label} p50`] = both(two, one, (r) => r.latencyMs.p50);
      ratios[`${label} p99`] = both(two, one, (r) => r.latencyMs.p99);
      ratios[`${label} gateway CPU per request`] = both(two, one, (r) => r.cpuMsPerRequest.gateway);
    }
  }
  return { description, workloads, ratios };
}

// ---------------------------------------------------------------------------------------------
// Ratios and targets

function row(w: WorkloadResult | undefined, op: string, gateway: GatewayId): Row | undefined {
  return w?.rows.find((r) => r.operation === op && r.gateway === gateway);
}

const div = (a: number | undefined, b: number | undefined) => (a === undefined || b === undefined || !b ? null : round2(a / b));
/** Ratios only between rows that served their requests: a refusal is fast and measures nothing. */
const both = (x: Row | undefined, y: Row | undefined, f: (r: Row) => number) => (x && y && comparable(x) && comparable(y) ? div(f(x), f(y)) : null);

function ratiosAndTargets(workloads: readonly WorkloadResult[], nationalResult: NationalResult | null) {
  const ratios: Record<string, number | null> = {};
  const targets: Target[] = [];
  const p = workloads.find((w) => w.id === 'products');
  if (p && !p.error) {
    const ours = row(p, 'top-products-and-reviews', 'passerelle');
    const peers = (['apollo-gateway', 'hive-gateway', 'hive-gateway-router-runtime'] as const).map((id) => row(p, 'top-products-and-reviews', id));
    for (const peer of peers) if (peer) ratios[`workload 1 req/s: Passerelle / ${peer.gateway}`] = both(ours, peer, (r) => r.rps);
    const router = peers[2];
    const baseline = peers[0];
    const servedOk = ours && ours.errors === 0;
    targets.push({
      target: 'W1: req/s at or above Hive Gateway + router runtime, and ≥ 3.5× plain @apollo/gateway',
      measured: `${ours?.rps ?? 'n/a'} req/s (${ratios[`workload 1 req/s: Passerelle / hive-gateway-router-runtime`] ?? 'n/a'}× router runtime, ${ratios['workload 1 req/s: Passerelle / apollo-gateway'] ?? 'n/a'}× baseline), ${ours?.errors ?? 'n/a'} errors`,
      met: ours && router && baseline ? Boolean(servedOk && ours.rps >= router.rps && ours.rps >= 3.5 * baseline.rps) : null,
    });
    const worstPeerP99 = Math.min(...peers.filter(Boolean).map((x) => x!.latencyMs.p99));
    targets.push({ target: 'W1: p99 below every peer', measured: `${ours?.latencyMs.p99 ?? 'n/a'} ms (best peer ${worstPeerP99} ms)`, met: ours ? Boolean(servedOk && ours.latencyMs.p99 < worstPeerP99) : null });
    const rss = p.peakRssMiB.passerelle;
    targets.push({ target: 'W1: peak RSS under 400 MiB', measured: `${rss ?? 'n/a'} MiB`, met: rss === null || rss === undefined ? null : rss < 400 });
  }
  const cpuPerPage: Partial<Record<string, number>> = {};
  for (const w of workloads.filter((x) => x.id !== 'products' && !x.error)) {
    const page = row(w, 'counsellor-page', 'passerelle');
    const base = row(w, 'counsellor-page', 'apollo-gateway');
    for (const op of new Set(w.rows.map((r) => r.operation))) {
      ratios[`workload 2 (${w.id}) ${op} req/s: Passerelle / baseline`] = both(row(w, op, 'passerelle'), row(w, op, 'apollo-gateway'), (r) => r.rps);
      ratios[`workload 2 (${w.id}) ${op} CPU per request, all processes: Passerelle / baseline`] = both(row(w, op, 'passerelle'), row(w, op, 'apollo-gateway'), (r) => r.cpuMsPerRequestTotal);
    }
    targets.push({ target: `W2 ${w.id}: the page of 50 people is served, never refused`, measured: page ? `${page.errors} errors of ${page.requests} requests${page.errorSample ? ` (${page.errorSample.slice(0, 120)})` : ''}` : 'n/a', met: page ? page.errors === 0 && page.requests > 0 : null });
    if (page && page.errors === 0) cpuPerPage[w.id] = page.cpuMsPerRequestTotal;
    targets.push({
      target: `W2 ${w.id}: CPU per page across all processes ≤ 12 ms`,
      measured: page ? (page.errors ? `n/a: the page was refused (baseline, which serves it: ${base?.cpuMsPerRequestTotal ?? 'n/a'} ms)` : `${page.cpuMsPerRequestTotal} ms`) : 'n/a',
      met: page && page.errors === 0 ? page.cpuMsPerRequestTotal <= 12 : page ? false : null,
    });
    // Today's figures (issue 10): 25–30 req/s on SQLite (page of 30), 18.7 on PostgreSQL.
    const today = w.id === 'sqlite' ? 25 : 18.7;
    targets.push({
      target: `W2 ${w.id}: pages per second of the whole stack ≥ 5× today's (${today} → ${round2(5 * today)})`,
      measured: page ? `${page.errors ? 0 : page.rps} pages/s served${page.errors ? ' (refused)' : ''}` : 'n/a',
      met: page ? page.errors === 0 && page.rps >= 5 * today : null,
    });
    const small = row(w, 'counsellor-page-5', 'passerelle');
    const smallBase = row(w, 'counsellor-page-5', 'apollo-gateway');
    const sql = (r: Row | undefined) => r?.sqlStatementsPerOperation ?? null;
    targets.push({
      target: `W2 ${w.id}: SQL statements do not grow with the page (5 and 50 people)`,
      measured: `Passerelle ${sql(small) ?? 'n/a'} / ${sql(page) ?? 'n/a'}, baseline ${sql(smallBase) ?? 'n/a'} / ${sql(base) ?? 'n/a'} statements per page`,
      met: sql(smallBase) === null || sql(base) === null ? null : sql(smallBase) === sql(base),
    });
  }
  if (cpuPerPage.sqlite !== undefined && cpuPerPage.postgresql !== undefined) ratios['workload 2 CPU per page: PostgreSQL / SQLite'] = div(cpuPerPage.postgresql, cpuPerPage.sqlite);
  if (workloads.some((w) => w.id === 'postgresql') && workloads.some((w) => w.id === 'sqlite')) {
    const r = ratios['workload 2 CPU per page: PostgreSQL / SQLite'];
    targets.push({ target: 'W2: PostgreSQL\'s CPU per page within 1.5× SQLite\'s', measured: r === undefined || r === null ? 'n/a (page refused)' : `${r}×`, met: r === undefined || r === null ? null : r <= 1.5 });
  }
  if (nationalResult && !nationalResult.error) {
    const twenty = nationalResult.points.find((x) => x.counsellors === 20)?.row;
    targets.push({
      target: 'National scale, 20 counsellors at once: p99 ≤ 250 ms',
      measured: twenty ? `p99 ${twenty.latencyMs.p99} ms, ${twenty.rps} req/s, ${twenty.errors} errors of ${twenty.requests}` : 'n/a',
      met: twenty ? twenty.errors === 0 && twenty.latencyMs.p99 <= 250 : null,
    });
  }
  return { ratios, targets };
}

// ---------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  ensureWrk(write);
  mkdirSync(runDir, { recursive: true });
  const loadStart = loadAverage();
  write(`benchmark (${args.quick ? 'quick' : 'full'}): ${parts.join(', ')}; load average ${loadStart.join(' / ')}`);
  let postgresVersion: string | null = null;
  if (parts.includes('postgresql')) {
    try {
      const client = new pg.Client({ connectionString: args.postgres });
      await client.connect();
      postgresVersion = (await client.query<{ v: string }>("select current_setting('server_version') as v")).rows[0].v;
      await client.end();
    } catch (error) {
      write(`PostgreSQL does not answer at ${args.postgres}: ${String(error)}`);
    }
  }
  const workloads: WorkloadResult[] = [];
  let nationalResult: NationalResult | null = null;
  let profileResult: ProfileResult | null = null;
  let clusterResult: ClusterResult | null = null;
  const notes: string[] = [];
  for (const part of parts) {
    if (stopping) return;
    write(`— ${part}`);
    try {
      if (part === 'products') workloads.push(await products());
      if (part === 'sqlite') workloads.push(await passerelle({ kind: 'sqlite' }));
      if (part === 'postgresql') {
        if (!postgresVersion) throw new Error(`no PostgreSQL server at ${args.postgres}`);
        workloads.push(await passerelle({ kind: 'postgresql', serverUrl: args.postgres! }));
      }
      if (part === 'national') nationalResult = await national();
      if (part === 'profile') profileResult = await profile();
      if (part === 'cluster') clusterResult = await cluster();
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      write(`${part} failed: ${message}`);
      notes.push(`${part}: not measured: ${message.split('\n')[0]}`);
      await stopEverything();
    }
  }
  if (stopping) return;
  const loadEnd = loadAverage();
  const { ratios, targets } = ratiosAndTargets(workloads, nationalResult);
  const meanForeign = foreign.length ? foreign.reduce((a, b) => a + b, 0) / foreign.length : 0;
  const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
  const dirty = execFileSync('git', ['status', '--porcelain', '--', 'gateway', 'subgraphs', 'schema', 'bench'], { cwd: ROOT, encoding: 'utf8' }).trim() !== '';
  const results: Results = {
    date: started.toISOString().slice(0, 10),
    mode: args.quick ? 'quick' : 'full',
    commit: `${commit}${dirty ? ' (with uncommitted changes)' : ''}`,
    startedAt: started.toISOString(),
    durationSeconds: Math.round((Date.now() - started.getTime()) / 1000),
    machine: describeMachine(postgresVersion),
    loadAverage: { start: loadStart, end: loadEnd },
    foreignCores: { mean: round2(meanForeign), max: round2(Math.max(0, ...foreign)) },
    // Measured in the windows themselves: the load average at the start still counts the minutes before.
    noisy: meanForeign > 0.15 || Math.max(0, ...foreign) > 0.5,
    workloads, national: nationalResult, profile: profileResult, cluster: clusterResult, ratios, targets, notes,
  };
  // Full runs are the record (committed); quick or partial looks go to the ignored tmp/ folder.
  const partial = args.quick || parts.length < PARTS.length;
  const dir = path.join(ROOT, 'bench', 'results', ...(partial ? ['tmp'] : []));
  mkdirSync(dir, { recursive: true });
  const name = `${results.date}${args.quick ? '-quick' : partial ? '-partial' : ''}`;
  writeFileSync(path.join(dir, `${name}.json`), `${JSON.stringify(results, null, 2)}\n`);
  const markdown = renderMarkdown(results);
  writeFileSync(path.join(dir, `${name}.md`), markdown);
  process.stdout.write(`\n${markdown}\n`);
  write(`results: ${path.relative(ROOT, path.join(dir, name))}.md and .json`);
}

try {
  await main();
} catch (error) {
  write(`failed: ${error instanceof Error ? error.stack : String(error)}`);
  process.exitCode = 1;
} finally {
  if (!stopping) {
    stopping = true;
    await cleanUp();
  }
}
process.exit();
