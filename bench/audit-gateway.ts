// A gateway for running the public federation-gateway-audit locally (graphql-hive/federation-gateway-audit,
// never committed here): ApolloGateway + Apollo Server on one supergraph file, executing its plans with
// Passerelle's executor (gateway/executor/) or, with `--executor apollo`, with ApolloGateway's own, so
// both are audited on the same footing. Serves /graphql and /health, as the audit's run scripts expect.
//   node bench/audit-gateway.ts --supergraph ./supergraph.graphql --port 4000 --executor passerelle
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { parseArgs } from 'node:util';
import { ApolloGateway } from '@apollo/gateway';
import { ApolloServer, HeaderMap } from '@apollo/server';
import { usePasserelleExecutor } from '../gateway/executor/index.ts';

const { values } = parseArgs({ options: { supergraph: { type: 'string', default: 'supergraph.graphql' }, port: { type: 'string', default: '4000' }, executor: { type: 'string', default: 'passerelle' } } });

const gateway = new ApolloGateway({ supergraphSdl: readFileSync(values.supergraph, 'utf8') });
if (values.executor === 'passerelle') usePasserelleExecutor(gateway);
let loaded = false;
gateway.onSchemaLoadOrUpdate(() => (loaded = true));
const apollo = new ApolloServer({ gateway });
await apollo.start();

const server = http.createServer(async (req, res) => {
  const url = new URL(req.url ?? '/', 'http://localhost');
  if (url.pathname === '/health') return void res.writeHead(loaded ? 200 : 503).end(loaded ? 'OK' : 'loading');
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  const headers = new HeaderMap();
  for (const [name, value] of Object.entries(req.headers)) if (typeof value === 'string') headers.set(name, value);
  const answer = await apollo.executeHTTPGraphQLRequest({
    httpGraphQLRequest: { method: req.method ?? 'GET', headers, search: url.search, body: text ? JSON.parse(text) : undefined },
    context: async () => ({}),
  });
  res.writeHead(answer.status ?? 200, Object.fromEntries(answer.headers));
  if (answer.body.kind === 'complete') return void res.end(answer.body.string);
  for await (const chunk of answer.body.asyncIterator) res.write(chunk);
  res.end();
});
server.listen(Number(values.port), '127.0.0.1', () => process.stdout.write(`audit gateway (${values.executor} executor) on http://127.0.0.1:${values.port}/graphql\n`));
