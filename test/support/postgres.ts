// Tests create and drop their own PostgreSQL databases (one per subgraph, under a unique prefix).
import pg from 'pg';
import { SUBGRAPHS } from '../../subgraphs/kit/schema-files.ts';
import { subgraphDatabaseUrl } from '../../gateway/stack.ts';

async function onServer<T>(serverUrl: string, run: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end();
  }
}

export function testDatabaseNames(prefix: string): string[] {
  return SUBGRAPHS.map((name) => new URL(subgraphDatabaseUrl('postgres://x/', prefix, name)).pathname.slice(1));
}

export async function createTestDatabases(serverUrl: string, prefix: string): Promise<void> {
  await onServer(serverUrl, async (client) => {
    for (const db of testDatabaseNames(prefix)) {
      await client.query(`drop database if exists "${db}" with (force)`);
      await client.query(`create database "${db}"`);
    }
  });
}

export async function dropTestDatabases(serverUrl: string, prefix: string): Promise<void> {
  await onServer(serverUrl, async (client) => {
    for (const db of testDatabaseNames(prefix)) await client.query(`drop database if exists "${db}" with (force)`);
  });
}
