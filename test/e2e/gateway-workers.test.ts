// One gateway process per core (GATEWAY_WORKERS, gateway/workers.ts): two workers over the shared
// end-to-end subgraphs, each request on a connection of its own so that both workers serve.
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServiceProcess } from '../../gateway/processes.ts';
import { startReplica } from '../support/replicas.ts';
import { timeUntil } from '../support/fault-stack.ts';
import { tokenFor } from './client.ts';

/** The worker processes of the primary `pid`. */
const workersOf = (pid: number): number[] => {
  try {
    return execFileSync('ps', ['-o', 'pid=', '--ppid', String(pid)], { encoding: 'utf8' }).split('\n').map(Number).filter((n) => n > 0);
  } catch {
    return []; // ps exits 1 when there is none
  }
};
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** A request on a fresh connection: keep-alive would pin every request to one worker. */
const fresh = (url: string, init: RequestInit = {}) => fetch(url, { ...init, headers: { ...(init.headers as Record<string, string>), connection: 'close' } });

describe('the gateway as one process per core (GATEWAY_WORKERS=2)', () => {
  let gateway: ServiceProcess;
  let token: string;
  const logs: string[] = [];
  const ask = async () => {
    const res = await fresh(gateway.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query: 'query WorkersProbe { agencies(first: 1) { totalCount } }' }),
    });
    const body = (await res.json()) as { data?: { agencies: { totalCount: number } }; errors?: unknown[] };
    return { status: res.status, body };
  };
  const servedProbes = async () => {
    const text = await (await fresh(new URL('/metrics', gateway.url).href)).text();
    const line = text.split('\n').find((l) => l.startsWith('passerelle_gateway_requests_total{') && l.includes('operation="WorkersProbe"') && l.includes('outcome="ok"'));
    return line ? Number(line.split(' ').pop()) : 0;
  };

  beforeAll(async () => {
    gateway = await startReplica('gateway-workers', { GATEWAY_WORKERS: '2' }, logs);
    token = await tokenFor('france-travail', 'case-manager', { territory: ['*'] });
  });
  afterAll(async () => {
    await gateway?.stop();
  });

  it('runs two workers under one primary and answers on one port', async () => {
    expect(workersOf(gateway.child.pid!)).toHaveLength(2);
    const answers = await Promise.all(Array.from({ length: 20 }, ask));
    for (const a of answers) {
      expect(a.status).toBe(200);
      expect(a.body.data?.agencies.totalCount).toBeGreaterThan(0);
    }
  });

  it('answers /metrics for the whole gateway, whichever worker is asked', async () => {
    // 20 probes above, shared out between the workers: each scrape sums both.
    for (let i = 0; i < 6; i++) expect(await servedProbes()).toBe(20);
  });

  it('starts another worker when one dies, and keeps answering meanwhile', async () => {
    const [victim, survivor] = workersOf(gateway.child.pid!);
    process.kill(victim, 'SIGKILL');
    // A connection handed to the victim in the instant before the primary saw it die is lost with it
    // (node:cluster): in a deployment the load balancer retries it; here the test waits for the primary.
    await timeUntil('the primary sees the death', async () => logs.some((l) => l.includes('a gateway worker died')));
    for (let i = 0; i < 5; i++) expect((await ask()).status).toBe(200);
    await timeUntil('a worker replaces the killed one', async () => workersOf(gateway.child.pid!).filter((p) => p !== victim).length === 2, { timeoutMs: 30_000 });
    expect(workersOf(gateway.child.pid!)).toContain(survivor);
    await timeUntil('the new worker listens', async () => (await Promise.all(Array.from({ length: 6 }, ask))).every((a) => a.status === 200), { timeoutMs: 30_000 });
  });

  it('stops every worker with the primary on SIGTERM', async () => {
    const workers = workersOf(gateway.child.pid!);
    expect(workers).toHaveLength(2);
    await gateway.stop();
    expect(gateway.child.exitCode ?? gateway.child.signalCode).toBe(0);
    await timeUntil('the workers exit', async () => workers.every((pid) => !alive(pid)), { timeoutMs: 15_000 });
  });
});
