// Runs one real subgraph process for a test and calls it as the gateway would (signed token).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { callerOf, type Caller, type Organisation, type Role } from '../../subgraphs/kit/caller.ts';
import { ensureDevKeys, loadSigningKey } from '../../gateway/keys.ts';
import { spawnService, type ServiceProcess } from '../../gateway/processes.ts';
import { signSubgraphToken } from '../../gateway/subgraph-token.ts';

export interface TestSubgraph {
  /** The running process (a new one after `restart`). */
  readonly process: ServiceProcess;
  readonly name: string;
  /** The subgraph's SQLite file (when it runs on the embedded default). */
  readonly databaseFile: string;
  /** Sends a GraphQL request signed for `caller` (and the client operation name the gateway signs, `Test` by default); returns status and JSON body. */
  call(query: string, variables?: Record<string, unknown>, caller?: Partial<CallerClaims>, headers?: Record<string, string>, operationName?: string): Promise<{ status: number; body: any }>;
  /** Starts the subgraph again on the same data directory and database (after a stop or a crash). */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

export interface CallerClaims {
  subject: string;
  organisation: Organisation;
  role: Role;
  scopes: string[];
  /** The territory claim as the gateway signs it: `['*']` for national, else département codes. */
  territory: string[];
}

export const NATIONAL_ADMIN: CallerClaims = {
  subject: 'test-admin', organisation: 'france-travail', role: 'case-manager', territory: ['*'],
  scopes: ['person:read', 'health:read', 'orientation:write', 'accompaniment:read', 'accompaniment:write', 'aid:read', 'aid:request', 'aid:decide', 'aid:notes', 'employer:read', 'declaration:write', 'fiphfp:read', 'fiphfp:request', 'fiphfp:decide', 'audit:read', 'statistics:read'],
};

/** The Caller a subgraph reads from these claims (refused as it would refuse them: kit/caller.ts). */
export function toCaller(claims: CallerClaims): Caller {
  return callerOf(claims);
}

/** Starts `subgraphs/<name>/main.ts` on a free port with a fresh SQLite database (or DATABASE_URL). */
export async function startTestSubgraph(name: string, env: Record<string, string> = {}): Promise<TestSubgraph> {
  const dataDir = mkdtempSync(path.join(tmpdir(), `passerelle-${name}-`));
  const keys = await ensureDevKeys(dataDir);
  const signing = await loadSigningKey(keys.gateway.privateKey);
  const spawn = () => spawnService({
    name,
    entry: `subgraphs/${name}/main.ts`,
    env: { PORT: '0', DATA_DIR: dataDir, SEED_SCALE: '400', GATEWAY_JWKS_FILE: keys.gateway.publicJwks, LOG_LEVEL: 'warn', ...env },
  });
  let proc = await spawn();
  return {
    get process() {
      return proc;
    },
    name,
    databaseFile: path.join(dataDir, `${name}.sqlite`),
    async call(query, variables = {}, claims = {}, headers = {}, operationName = 'Test') {
      const token = await signSubgraphToken(signing, name, toCaller({ ...NATIONAL_ADMIN, ...claims }), operationName);
      const res = await fetch(proc.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, ...headers },
        body: JSON.stringify({ query, variables }),
      });
      return { status: res.status, body: await res.json() };
    },
    async restart() {
      await proc.stop();
      proc = await spawn();
    },
    async stop() {
      await proc.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
