// The gateways the benchmark compares, each started the same way: pinned to the gateway core, in
// production mode, on a free port of 127.0.0.1, over the same subgraph processes. Passerelle's gateway
// also runs as a node:cluster of GATEWAY_WORKERS processes allowed on both cores (the cluster part).
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { freePort, ROOT, startPinned, type Pinned } from './processes.ts';
import { CLUSTER_CORES, GATEWAY_CORE } from './load.ts';

/** Passerelle's gateway with GATEWAY_WORKERS=<n>, on both cores. */
export type ClusterGatewayId = `passerelle-workers-${number}`;
export type GatewayId = 'passerelle' | 'apollo-gateway' | 'hive-gateway' | 'hive-gateway-router-runtime' | ClusterGatewayId;

export const clusterGateway = (workers: number): ClusterGatewayId => `passerelle-workers-${workers}`;

/** GATEWAY_WORKERS of a cluster gateway; null for the others. */
function workersOf(id: GatewayId): number | null {
  const n = /^passerelle-workers-(\d+)$/.exec(id)?.[1];
  return n ? Number(n) : null;
}

export interface GatewayUnderTest {
  readonly id: GatewayId;
  readonly title: string;
  /** Package versions, from node_modules. */
  readonly version: string;
}

export interface Running {
  readonly gateway: GatewayUnderTest;
  readonly process: Pinned;
  /** Where GraphQL requests go. */
  readonly endpoint: string;
}

export interface GatewayEnvironment {
  readonly supergraphPath: string;
  /** Subgraph URLs by subgraph name (workload 2: overriding those written in the supergraph). */
  readonly subgraphUrls: Readonly<Record<string, string>>;
  readonly dataDir: string;
  readonly issuerJwksFile: string;
  readonly signingKeyFile: string;
  /** Registered operations (Passerelle's trusted documents). */
  readonly operationsDir: string;
  /** Workload 2: the baseline signs its subgraph calls as Passerelle does (its subgraphs accept nothing else). */
  readonly baselineSigns: boolean;
  /** Where Hive Gateway runs (it reads a gateway.config.* from its working directory). */
  readonly scratchDir: string;
  /** Writes a V8 CPU profile of the gateway there when it stops. */
  readonly cpuProfileDir?: string;
}

const version = (pkg: string) => (JSON.parse(readFileSync(path.join(ROOT, 'node_modules', pkg, 'package.json'), 'utf8')) as { version: string }).version;

export function gatewayUnderTest(id: GatewayId): GatewayUnderTest {
  const apollo = `@apollo/gateway ${version('@apollo/gateway')}, @apollo/server ${version('@apollo/server')}`;
  switch (id) {
    case 'passerelle':
      return { id, title: 'Passerelle (production mode, every layer on)', version: apollo };
    case 'apollo-gateway':
      return { id, title: 'plain @apollo/gateway + @apollo/server (baseline)', version: apollo };
    case 'hive-gateway':
      return { id, title: 'Hive Gateway', version: `@graphql-hive/gateway ${version('@graphql-hive/gateway')}` };
    case 'hive-gateway-router-runtime':
      return { id, title: 'Hive Gateway + router runtime', version: `@graphql-hive/gateway ${version('@graphql-hive/gateway')}, @graphql-hive/router-runtime ${version('@graphql-hive/router-runtime')}` };
    default: {
      const workers = workersOf(id)!;
      return { id, title: `Passerelle, ${workers} worker${workers > 1 ? 's' : ''} (GATEWAY_WORKERS=${workers}, cores ${CLUSTER_CORES})`, version: apollo };
    }
  }
}

const subgraphUrlVariables = (urls: Readonly<Record<string, string>>) =>
  Object.fromEntries(Object.entries(urls).map(([name, url]) => [`SUBGRAPH_URL_${name.toUpperCase().replace(/-/g, '_')}`, url]));

const profileArgs = (env: GatewayEnvironment, name: string) =>
  env.cpuProfileDir ? ['--cpu-prof', '--cpu-prof-dir', env.cpuProfileDir, '--cpu-prof-name', `${name}.cpuprofile`] : [];

export async function startGateway(id: GatewayId, env: GatewayEnvironment): Promise<Running> {
  const gateway = gatewayUnderTest(id);
  const common = { NODE_ENV: 'production', NO_COLOR: '1', HOST: '127.0.0.1' };
  const timeoutMs = 120_000;
  const workers = workersOf(id);
  const ours = id === 'passerelle' || workers !== null;
  if (ours || id === 'apollo-gateway') {
    const process_ = await startPinned({
      name: id,
      core: workers === null ? GATEWAY_CORE : CLUSTER_CORES,
      command: process.execPath,
      args: [...profileArgs(env, id), ours ? 'gateway/main.ts' : 'bench/gateways/apollo-baseline.ts'],
      env: {
        ...common,
        PORT: '0',
        DATA_DIR: env.dataDir,
        SUPERGRAPH_PATH: env.supergraphPath,
        TRUSTED_OPERATIONS_DIR: env.operationsDir,
        // The peers share nothing between partners: the bench measures the gateways, not the limits.
        ...(ours ? { RATE_LIMITS: 'off' } : {}),
        ...(workers !== null ? { GATEWAY_WORKERS: String(workers) } : {}),
        ISSUER_JWKS_FILE: env.issuerJwksFile,
        GATEWAY_SIGNING_KEY_FILE: env.signingKeyFile,
        ...subgraphUrlVariables(env.subgraphUrls),
        ...(id === 'apollo-gateway' && env.baselineSigns ? { BENCH_SIGN: '1' } : {}),
      },
      ready: { line: /^(PASSERELLE_READY gateway|BENCH_READY) (?<url>\S+)$/ },
      timeoutMs,
    });
    return { gateway, process: process_, endpoint: process_.url };
  }
  const port = await freePort();
  mkdirSync(env.scratchDir, { recursive: true });
  const process_ = await startPinned({
    name: id,
    core: GATEWAY_CORE,
    command: process.execPath,
    args: [
      path.join(ROOT, 'node_modules/@graphql-hive/gateway/dist/bin.js'), 'supergraph', env.supergraphPath,
      '--host', '127.0.0.1', '--port', String(port), ...(id === 'hive-gateway-router-runtime' ? ['--hive-router-runtime'] : []),
    ],
    cwd: env.scratchDir,
    env: common,
    ready: { line: /Listening on (?<url>http:\/\/\S+)/ },
    timeoutMs,
  });
  return { gateway, process: process_, endpoint: `http://127.0.0.1:${port}/graphql` };
}
