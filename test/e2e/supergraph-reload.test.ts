// The gateway serves whatever supergraph file it is given, and reloads it when the file changes,
// without dropping the requests in flight; an invalid file is refused and the previous one serves on.
// A gateway of its own (development mode, so introspection shows descriptions) on a copy of the
// supergraph, in front of the shared subgraphs.
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { spawnService, type ServiceProcess } from '../../gateway/processes.ts';
import { tokenFor } from './client.ts';

const ORIGINAL = 'France Travail agencies, optionally of one département.';
const QUERY = '{ agencies(first: 1) { totalCount } }';
/** The gateway polls the file every 500 ms; we poll its answers every 100 ms, for 20 s at most. */
const POLL_MS = 100;
const TIMEOUT_MS = 20_000;

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(what: string, check: () => boolean | Promise<boolean>): Promise<void> {
  const deadline = Date.now() + TIMEOUT_MS;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`gave up after ${TIMEOUT_MS} ms waiting for ${what}`);
    await pause(POLL_MS);
  }
}

/** The same supergraph text with the description of Query.agencies replaced. */
function withAgenciesDescription(sdl: string, from: string, to: string): string {
  const next = sdl.replace(`"""${from}"""`, `"""${to}"""`);
  if (next === sdl) throw new Error(`description "${from}" not found in the supergraph`);
  return next;
}

describe('supergraph reload', () => {
  let dir: string;
  let file: string;
  let gateway: ServiceProcess;
  let token: string;
  let agencies: number;
  const logs: string[] = [];

  const post = async (query: string) => {
    const res = await fetch(gateway.url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify({ query }) });
    return { status: res.status, body: (await res.json()) as { data?: any; errors?: unknown[] } };
  };
  /** One query of the load: its HTTP status (0: dropped connection) and whether it answered whole. */
  const attempt = async (): Promise<{ ok: boolean; status: number }> => {
    const res = await post(QUERY).catch(() => null);
    return { ok: res?.status === 200 && !res.body.errors && res.body.data?.agencies?.totalCount === agencies, status: res?.status ?? 0 };
  };
  const answered = async (): Promise<boolean> => (await attempt()).ok;
  const description = async (): Promise<string> => {
    const res = await post('{ __schema { queryType { fields { name description } } } }');
    return res.body.data.__schema.queryType.fields.find((f: { name: string }) => f.name === 'agencies').description;
  };
  const served = (expected: string) => until(`the description "${expected}"`, async () => (await description()) === expected);

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'passerelle-reload-'));
    file = path.join(dir, 'supergraph.graphql');
    copyFileSync('schema/supergraph.graphql', file);
    const keys = path.join(inject('dataDir'), 'keys');
    const urls = inject('subgraphUrls');
    gateway = await spawnService({
      name: 'gateway-reload',
      entry: 'gateway/main.ts',
      onLog: (line) => logs.push(line),
      env: {
        // Four clients without pause exceed an app's rate (a 429 is fair sharing, not a failed swap).
        PORT: '0', LOG_LEVEL: 'warn', DATA_DIR: inject('dataDir'), SUPERGRAPH_PATH: file, RATE_LIMITS: 'off',
        ISSUER_JWKS_FILE: path.join(keys, 'dev-issuer.jwks.json'), GATEWAY_SIGNING_KEY_FILE: path.join(keys, 'gateway.private.jwk.json'),
        SUBGRAPH_URL_POLE_EMPLOI: urls['pole-emploi'], SUBGRAPH_URL_CAP_EMPLOI: urls['cap-emploi'], SUBGRAPH_URL_AGEFIPH: urls.agefiph, SUBGRAPH_URL_FIPHFP: urls.fiphfp,
      },
    });
    token = await tokenFor('france-travail', 'counsellor');
    agencies = (await post(QUERY)).body.data.agencies.totalCount;
    expect(agencies).toBeGreaterThan(0);
    expect(await description()).toBe(ORIGINAL);
  });
  afterAll(async () => {
    await gateway?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('serves a changed supergraph without failing any request during the swap', async () => {
    const changed = 'Agencies of France Travail (reloaded).';
    const results: { ok: boolean; status: number; afterReload: boolean }[] = [];
    let rewritten = false;
    let reloaded = false;
    // Four clients query without pause. Once 20 answers are in, the file is rewritten; the clients
    // go on until the new supergraph is served, then send 20 requests more each. Bounded: 1,000
    // requests per client at most.
    const clients = Array.from({ length: 4 }, async () => {
      let more = 20;
      for (let i = 0; i < 1000 && more > 0; i++) {
        const afterReload = reloaded;
        results.push({ ...(await attempt()), afterReload });
        if (afterReload) more--;
        if (!rewritten && results.length >= 20) {
          rewritten = true;
          writeFileSync(file, withAgenciesDescription(readFileSync(file, 'utf8'), ORIGINAL, changed));
        }
      }
    });
    await until('the rewritten file', () => rewritten);
    await served(changed);
    reloaded = true;
    await Promise.all(clients);

    expect(results.filter((r) => !r.ok)).toEqual([]);
    expect(results.filter((r) => !r.afterReload).length).toBeGreaterThanOrEqual(20);
    expect(results.filter((r) => r.afterReload).length).toBe(80);
    expect(await description()).toBe(changed);
  });

  it('keeps serving the previous supergraph when the new file is invalid, and takes the next valid one', async () => {
    const valid = readFileSync(file, 'utf8');
    const before = await description();
    const refusals = () => logs.filter((line) => line.includes('supergraph reload refused')).length;
    const refusedBefore = refusals();
    writeFileSync(file, 'this is not graphql');
    // Every query is answered while the gateway reads the file and refuses it, and two poll
    // intervals after that.
    await until('the refusal of the invalid file', async () => {
      expect(await answered()).toBe(true);
      return refusals() > refusedBefore;
    });
    for (let i = 0; i < 10; i++) {
      expect(await answered()).toBe(true);
      await pause(POLL_MS);
    }
    expect(await description()).toBe(before);

    writeFileSync(file, withAgenciesDescription(valid, before, ORIGINAL));
    await served(ORIGINAL);
    expect(await answered()).toBe(true);
  });
});
