// Administration of a PostgreSQL server — creating and dropping subgraph databases — for the tools
// (seed, migrations) and the tests. A running subgraph never needs it: it only opens its own database.
import pg from 'pg';

/** Runs `work` with a client connected to the server's maintenance database, then disconnects. */
export async function onPostgresServer<T>(serverUrl: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** The URL of `database` on the server of `serverUrl` (same host, port and credentials). */
export function databaseUrlOn(serverUrl: string, database: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${database}`;
  return url.toString();
}
