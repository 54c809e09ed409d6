// Progressive override through our gateway (gateway/override.ts): a toy pair of subgraphs, `from`
// and `to`, where `to` takes over three fields with `@override(from: "from", label: "percent(N)")`
// at 0 %, 50 % and 100 %. Each field is asked 200 times through a real gateway; the answers (each
// subgraph answers its own name) and the calls each subgraph counted show the split.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnService, type ServiceProcess } from '../../gateway/processes.ts';
import { composeSources } from '../../schema/composition.ts';
import { spawnTestGateway } from '../support/test-gateway.ts';
import { toyOverrideSdl } from '../support/toy-override/main.ts';
import { tokenFor } from './client.ts';

const REQUESTS = 200;

describe('progressive @override(label: "percent(N)") through the gateway', () => {
  let dir: string;
  const started: ServiceProcess[] = [];
  let gateway: ServiceProcess;
  let from: ServiceProcess;
  let to: ServiceProcess;
  let token: string;

  const calls = async (toy: ServiceProcess): Promise<Record<string, number>> => (await fetch(new URL('/calls', toy.url))).json() as Promise<Record<string, number>>;

  /** Asks `field` REQUESTS times, 10 at a time; how many answers came from each side. */
  async function split(field: string): Promise<{ from: number; to: number }> {
    const answers = { from: 0, to: 0 };
    for (let i = 0; i < REQUESTS; i += 10) {
      await Promise.all(Array.from({ length: 10 }, async () => {
        const res = await fetch(gateway.url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify({ query: `{ ${field} }` }) });
        const body = (await res.json()) as { data?: Record<string, 'from' | 'to'>; errors?: unknown };
        expect(body.errors, JSON.stringify(body.errors)).toBeUndefined();
        answers[body.data![field]]++;
      }));
    }
    return answers;
  }

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'passerelle-override-'));
    from = await spawnService({ name: 'from', entry: 'test/support/toy-override/main.ts', env: { TOY_SIDE: 'from' } });
    started.push(from);
    to = await spawnService({ name: 'to', entry: 'test/support/toy-override/main.ts', env: { TOY_SIDE: 'to' } });
    started.push(to);
    const composed = composeSources(
      [{ name: 'from', sdl: toyOverrideSdl('from'), origin: 'working tree' }, { name: 'to', sdl: toyOverrideSdl('to'), origin: 'working tree' }],
      { from: from.url, to: to.url },
    );
    expect(composed.errors).toEqual([]);
    const file = path.join(dir, 'supergraph.graphql');
    writeFileSync(file, composed.supergraphSdl!);
    // 600 requests in a few seconds from one application: the split is measured, not the rate limits.
    gateway = await spawnTestGateway('gateway-override', file, { RATE_LIMITS: 'off' });
    started.push(gateway);
    token = await tokenFor('france-travail', 'counsellor');
  }, 60_000);

  afterAll(async () => {
    for (const service of started.reverse()) await service.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('keeps a field at 0 % on the subgraph it comes from', async () => {
    expect(await split('zero')).toEqual({ from: REQUESTS, to: 0 });
    expect((await calls(from)).zero).toBe(REQUESTS);
    expect((await calls(to)).zero).toBeUndefined();
  });

  it('sends about half of the calls of a field at 50 % to the overriding subgraph', async () => {
    const answers = await split('half');
    // Binomial(200, 0.5): 100 ± 7; outside 60..140 is more than 5 standard deviations away.
    expect(answers.to).toBeGreaterThan(60);
    expect(answers.to).toBeLessThan(140);
    expect((await calls(from)).half).toBe(answers.from);
    expect((await calls(to)).half).toBe(answers.to);
  });

  it('moves a field at 100 % entirely', async () => {
    expect(await split('full')).toEqual({ from: 0, to: REQUESTS });
    expect((await calls(from)).full).toBeUndefined();
    expect((await calls(to)).full).toBe(REQUESTS);
  });
});
