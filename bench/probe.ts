// Loaded into each Passerelle subgraph process by the benchmark (`node --import bench/probe.ts`):
// counts the GraphQL requests the process receives (through Node's own http diagnostics channel,
// without touching the subgraph's code) and answers the count on a port of its own, announced on
// stderr as `BENCH_PROBE <port>`. The benchmark divides the count by the operations served to get
// the subgraph calls per operation, whatever gateway made them.
import { subscribe } from 'node:diagnostics_channel';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

let graphqlRequests = 0;

const probe = http.createServer((_req, res) => {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ graphqlRequests }));
});

subscribe('http.server.request.start', (message) => {
  const { request, server } = message as { request: http.IncomingMessage; server: http.Server };
  if (server !== probe && request.method === 'POST') graphqlRequests += 1;
});

probe.listen(0, '127.0.0.1', () => {
  process.stderr.write(`BENCH_PROBE ${(probe.address() as AddressInfo).port}\n`);
});
// The probe never keeps a process alive that wants to stop.
probe.unref();
