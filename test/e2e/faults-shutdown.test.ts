// SIGTERM of a gateway under load: the requests in flight complete with their data, new
// connections are refused, and the process exits soon after the last answer, within its bound.
// The requests are held in flight by the test's proxy in front of France Travail, so the signal
// lands while they are certainly being served.
import { once } from 'node:events';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { post, startFaultStack, timeUntil, type FaultStack } from '../support/fault-stack.ts';

const IN_FLIGHT = 8;
const SHUTDOWN_BOUND_MS = 10_000;

function refusesConnections(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = net.connect(Number(port), hostname);
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code === 'ECONNREFUSED'));
  });
}

describe('SIGTERM during load', () => {
  let env: FaultStack;

  beforeAll(async () => {
    env = await startFaultStack({ name: 'shutdown', gatewayEnv: { SHUTDOWN_TIMEOUT_MS: String(SHUTDOWN_BOUND_MS), SUBGRAPH_TIMEOUT_MS: '20000', LOG_LEVEL: 'info' } });
  });
  afterAll(async () => {
    await env?.stop();
  });

  it('completes the requests in flight, refuses new connections, and exits within its bound', async () => {
    const token = await env.token('france-travail', 'case-manager', ['*']);
    const url = env.stack.gatewayUrl;
    const { siret } = (await post(url, token, '{ employers(first: 1) { nodes { siret } } }')).body.data.employers.nodes[0];
    const query = 'query($siret: String!) { employer(siret: $siret) { siret name } }';

    const proxy = env.proxies['pole-emploi'];
    proxy.setMode('stall');
    let held = 0;
    const allHeld = new Promise<void>((resolve) => proxy.on('request', (mode) => mode === 'stall' && ++held === IN_FLIGHT && resolve()));
    const inFlight = Array.from({ length: IN_FLIGHT }, () => post(url, token, query, { siret }));
    await allHeld;

    const gateway = env.stack.gateway;
    const exited = once(gateway.child, 'exit');
    const signalled = performance.now();
    gateway.child.kill('SIGTERM');
    const refusedMs = await timeUntil('new connections to be refused', () => refusesConnections(url), { everyMs: 10 });
    expect(env.logs.some((line) => line.includes('stopping: new connections refused'))).toBe(true);

    proxy.setMode('pass');
    const answers = await Promise.all(inFlight);
    const answeredMs = Math.round(performance.now() - signalled);
    for (const answer of answers) {
      expect(answer.status).toBe(200);
      expect(answer.body).toEqual({ data: { employer: { siret, name: expect.any(String) } } });
    }
    const [code] = await exited;
    const exitMs = Math.round(performance.now() - signalled);
    expect(code).toBe(0);
    expect(exitMs).toBeLessThan(SHUTDOWN_BOUND_MS);
    console.log(`SIGTERM with ${IN_FLIGHT} requests in flight: new connections refused after ${refusedMs} ms, in-flight answered (once released) after ${answeredMs} ms, exit after ${exitMs} ms`);
  });
});
