// Tests create and drop their own PostgreSQL databases (one per subgraph, under a unique prefix).
import { SUBGRAPHS } from '../../subgraphs/kit/schema-files.ts';
import { onPostgresServer } from '../../subgraphs/kit/postgres-server.ts';
import { subgraphDatabaseUrl } from '../../gateway/stack.ts';


export function testDatabaseNames(prefix: string): string[] {
  return SUBGRAPHS.map((name) => new URL(subgraphDatabaseUrl('postgres://x/', prefix, name)).pathname.slice(1));
}

export async function createTestDatabases(serverUrl: string, prefix: string): Promise<void> {
  await onPostgresServer(serverUrl, async (client) => {
    for (const db of testDatabaseNames(prefix)) {
      await client.query(`drop database if exists "${db}" with (force)`);
      await client.query(`create database "${db}"`);
    }
  });
}

export async function dropTestDatabases(serverUrl: string, prefix: string): Promise<void> {
  await onPostgresServer(serverUrl, async (client) => {
    for (const db of testDatabaseNames(prefix)) await client.query(`drop database if exists "${db}" with (force)`);
  });
}
