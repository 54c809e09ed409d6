// A whole stack of its own for the fault tests (four subgraph processes, the gateway), with a
// FaultProxy of the test's own between the gateway and each subgraph, so that a test can kill,
// stall or garble one partner without disturbing the shared end-to-end stack.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Organisation, Role } from '../../subgraphs/kit/caller.ts';
import { mintDevToken } from '../../gateway/dev-token.ts';
import { startStack, type Stack } from '../../gateway/stack.ts';
import { FaultProxy } from './fault-proxy.ts';
import { createTestDatabases, dropTestDatabases } from './postgres.ts';

export interface FaultStack {
  readonly stack: Stack;
  readonly dataDir: string;
  readonly proxies: Readonly<Record<string, FaultProxy>>;
  readonly logs: string[];
  /** A development token (territory: `*` for a national-capable role, else `27`, unless given). */
  token(organisation: Organisation, role: Role, territory?: string[]): Promise<string>;
  stop(): Promise<void>;
}

export interface GraphQLAnswer {
  readonly status: number;
  readonly body: { data?: any; errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, unknown> }[] };
}

export async function post(url: string, token: string, query: string, variables: Record<string, unknown> = {}): Promise<GraphQLAnswer> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify({ query, variables }) });
  return { status: res.status, body: await res.json() as GraphQLAnswer['body'] };
}

export async function startFaultStack(options: { name: string; seedScale?: number; gatewayEnv?: Record<string, string> }): Promise<FaultStack> {
  const dataDir = mkdtempSync(path.join(tmpdir(), `passerelle-${options.name}-`));
  const postgresUrl = process.env.TEST_POSTGRES_URL;
  const prefix = `passerelle_${options.name.replace(/\W/g, '_')}_${process.pid}_`;
  if (postgresUrl) await createTestDatabases(postgresUrl, prefix);
  const proxies: Record<string, FaultProxy> = {};
  const logs: string[] = [];
  let stack: Stack;
  try {
    stack = await startStack({
      dataDir, port: 0, seedScale: options.seedScale ?? 300, postgresUrl, databasePrefix: prefix,
      env: { LOG_LEVEL: 'warn' },
      gatewayEnv: options.gatewayEnv,
      onLog: (line) => logs.push(line),
      subgraphRoute: async (name, url) => {
        proxies[name] = await FaultProxy.start(url);
        return proxies[name].url;
      },
    });
  } catch (error) {
    await Promise.all(Object.values(proxies).map((p) => p.close()));
    if (postgresUrl) await dropTestDatabases(postgresUrl, prefix);
    rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
  return {
    stack, dataDir, proxies, logs,
    token: (organisation, role, territory) => mintDevToken(dataDir, { organisation, role, ...(territory ? { territory } : {}) }),
    async stop() {
      await stack.stop();
      await Promise.all(Object.values(proxies).map((p) => p.close()));
      if (postgresUrl) await dropTestDatabases(postgresUrl, prefix);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Polls `check` every `everyMs` until it holds; resolves with the time it took. */
export async function timeUntil(what: string, check: () => Promise<boolean>, options: { everyMs?: number; timeoutMs?: number } = {}): Promise<number> {
  const started = performance.now();
  const deadline = started + (options.timeoutMs ?? 30_000);
  while (!(await check())) {
    if (performance.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, options.everyMs ?? 25));
  }
  return Math.round(performance.now() - started);
}
