// Fair sharing between partners (gateway/rate-limits.ts): limits per partner app (its token's `azp`)
// and per organisation, counted in Redis by every replica together, answered 429 with Retry-After;
// with Redis away, each replica keeps serving under its own share of the limits.
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServiceProcess } from '../../gateway/processes.ts';
import { appToken, ask, metric, startReplica } from '../support/replicas.ts';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
/** Long enough for 40 requests on a busy machine: the window must not roll over mid-count. */
const LIMITS = { RATE_LIMIT_APP: '40/30s', CONCURRENCY_LIMIT_APP: '3', RATE_LIMIT_ORGANISATION: '1000/s', CONCURRENCY_LIMIT_ORGANISATION: '100' };
const LIGHT = '{ __typename }';
const HEAVY = '{ employers(first: 100) { totalCount nodes { siret name } } }';

async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('fair sharing between partner apps', () => {
  const replicas: ServiceProcess[] = [];
  let one: string, two: string, alone: string;
  const prefix = `passerelle-test:${process.pid}:${Date.now()}`;

  beforeAll(async () => {
    const shared = { ...LIMITS, REDIS_URL, RATE_LIMIT_KEY_PREFIX: prefix, RATE_LIMIT_REPLICAS: '2' };
    const started = await Promise.all([
      startReplica('gateway-1', shared),
      startReplica('gateway-2', shared),
      startReplica('gateway-no-redis', { ...shared, REDIS_URL: `redis://127.0.0.1:${await closedPort()}` }),
    ]);
    replicas.push(...started);
    [one, two, alone] = started.map((r) => r.url);
    // The replicas count in Redis once they are connected to it.
    for (const url of [one, two]) {
      for (let i = 0; (await metric(url, 'passerelle_gateway_rate_limit_store_up')) !== 1; i++) {
        if (i > 100) throw new Error('the replica never connected to Redis');
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
  });

  afterAll(async () => {
    await Promise.all(replicas.map((r) => r.stop()));
  });

  it('counts an app across both replicas: the request past its rate is a 429 with Retry-After, whichever replica it reaches', async () => {
    const token = await appToken('rate-counted-app');
    for (let i = 0; i < 40; i++) {
      const answer = await ask(i % 2 ? two : one, token, LIGHT);
      expect(answer.status, `request ${i + 1} of 40`).toBe(200);
    }
    for (const url of [one, two]) {
      const refused = await ask(url, token, LIGHT);
      expect(refused.status).toBe(429);
      expect(refused.body).toEqual({ errors: [{ message: expect.stringMatching(/too many requests from this application/), extensions: { code: 'RATE_LIMITED' } }] });
      expect(Number(refused.retryAfter)).toBeGreaterThanOrEqual(1);
      expect(Number(refused.retryAfter)).toBeLessThanOrEqual(30);
    }
    // Another app of the same organisation is not touched by this one's count.
    expect((await ask(two, await appToken('rate-other-app'), LIGHT)).status).toBe(200);
    expect(await metric(one, 'passerelle_gateway_rate_limited_total{organisation="france-travail",limit="app-rate"}')).toBeGreaterThanOrEqual(1);
  });

  it('counts an app\'s requests in flight across both replicas and gives them back when they are answered', async () => {
    const token = await appToken('concurrent-app');
    const answers = await Promise.all(Array.from({ length: 12 }, (_, i) => ask(i % 2 ? two : one, token, HEAVY)));
    const served = answers.filter((a) => a.status === 200);
    const refused = answers.filter((a) => a.status === 429);
    expect(served.length + refused.length).toBe(12);
    expect(served.length).toBeGreaterThanOrEqual(3);
    expect(refused.length).toBeGreaterThanOrEqual(1);
    for (const r of refused) {
      expect(r.body.errors?.[0]).toMatchObject({ message: expect.stringMatching(/at once/), extensions: { code: 'RATE_LIMITED' } });
      expect(r.retryAfter).toBe('1');
    }
    // Every lease was given back: three at once are served again.
    const again = await Promise.all(Array.from({ length: 3 }, (_, i) => ask(i % 2 ? two : one, token, HEAVY)));
    expect(again.map((a) => a.status)).toEqual([200, 200, 200]);
  });

  it('with Redis unreachable, a replica keeps serving under its own share of the limits (the limit / RATE_LIMIT_REPLICAS)', async () => {
    expect((await fetch(new URL('/ready', alone))).status).toBe(200);
    expect(await metric(alone, 'passerelle_gateway_rate_limit_store_up')).toBe(0);
    const token = await appToken('no-redis-app');
    const statuses: number[] = [];
    for (let i = 0; i < 21; i++) statuses.push((await ask(alone, token, LIGHT)).status);
    expect(statuses.slice(0, 20)).toEqual(Array(20).fill(200));
    expect(statuses[20]).toBe(429);
  });
});
