// Serves a toy subgraph schema over HTTP in its own process for an end-to-end test, counts the
// calls it answers by root or entity field (GET /calls), and prints the PASSERELLE_READY line.
import { createServer } from 'node:http';
import { ApolloServer, HeaderMap } from '@apollo/server';
import type { GraphQLSchema } from 'graphql';

export async function serveToy(name: string, schema: GraphQLSchema, count: (body: { query?: string }) => string[] = () => ['call']): Promise<void> {
  const calls: Record<string, number> = {};
  const apollo = new ApolloServer({ schema });
  await apollo.start();
  const server = createServer(async (req, res) => {
    if (req.method === 'GET' && req.url === '/calls') {
      res.setHeader('content-type', 'application/json').end(JSON.stringify(calls));
      return;
    }
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
    for (const key of count(body)) calls[key] = (calls[key] ?? 0) + 1;
    const headers = new HeaderMap();
    for (const [key, value] of Object.entries(req.headers)) if (typeof value === 'string') headers.set(key, value);
    const result = await apollo.executeHTTPGraphQLRequest({ httpGraphQLRequest: { method: req.method ?? 'POST', headers, search: '', body }, context: async () => ({}) });
    res.statusCode = result.status ?? 200;
    for (const [key, value] of result.headers) res.setHeader(key, value);
    res.end(result.body.kind === 'complete' ? result.body.string : '');
  });
  server.listen(0, '127.0.0.1', () => process.stdout.write(`PASSERELLE_READY ${name} http://127.0.0.1:${(server.address() as { port: number }).port}/\n`));
  process.on('SIGTERM', () => server.close(() => process.exit(0)));
}
