// Starts the real stack once for the end-to-end files: four subgraph processes on SQLite files
// (or on PostgreSQL databases created for this run when TEST_POSTGRES_URL is set) and the gateway.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { startStack } from '../../gateway/stack.ts';
import { createTestDatabases, dropTestDatabases } from '../support/postgres.ts';

export const E2E_SCALE = 600;

declare module 'vitest' {
  export interface ProvidedContext {
    gatewayUrl: string;
    dataDir: string;
    seedScale: number;
    subgraphUrls: Record<string, string>;
    postgres: boolean;
    /** Prefix of the PostgreSQL databases of this run (gateway/stack.ts subgraphDatabaseUrl). */
    databasePrefix: string;
  }
}

export default async function setup(project: TestProject) {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'passerelle-e2e-'));
  const postgresUrl = process.env.TEST_POSTGRES_URL;
  const prefix = `passerelle_e2e_${process.pid}_`;
  if (postgresUrl) await createTestDatabases(postgresUrl, prefix);
  let stack;
  try {
    stack = await startStack({ dataDir, port: 0, seedScale: E2E_SCALE, postgresUrl, databasePrefix: prefix, env: { LOG_LEVEL: 'warn' } });
  } catch (error) {
    if (postgresUrl) await dropTestDatabases(postgresUrl, prefix);
    rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
  project.provide('gatewayUrl', stack.gatewayUrl);
  project.provide('dataDir', dataDir);
  project.provide('seedScale', E2E_SCALE);
  project.provide('subgraphUrls', Object.fromEntries(Object.entries(stack.subgraphs).map(([name, s]) => [name, s.url])));
  project.provide('postgres', Boolean(postgresUrl));
  project.provide('databasePrefix', prefix);
  return async () => {
    await stack.stop();
    if (postgresUrl) await dropTestDatabases(postgresUrl, prefix);
    rmSync(dataDir, { recursive: true, force: true });
  };
}
