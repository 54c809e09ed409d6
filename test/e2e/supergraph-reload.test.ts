// The gateway serves whatever supergraph file it is given, and reloads it when the file changes,
// without dropping the requests in flight; an invalid file is refused and the previous one serves on.
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { spawnService, type ServiceProcess } from '../../gateway/processes.ts';
import { tokenFor } from './client.ts';

const ORIGINAL = 'France Travail agencies, optionally of one département.';

describe('supergraph reload', () => {
  let dir: string;
  let file: string;
  let gateway: ServiceProcess;
  let token: string;

  const post = async (query: string) => {
    const res = await fetch(gateway.url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify({ query }) });
    return { status: res.status, body: (await res.json()) as { data?: any; errors?: unknown[] } };
  };
  const description = async (): Promise<string> => {
    const res = await post('{ __schema { queryType { fields { name description } } } }');
    return res.body.data.__schema.queryType.fields.find((f: { name: string }) => f.name === 'agencies').description;
  };
  /** Polls until `description` answers `expected` (the gateway polls the file every 500 ms). */
  const waitForDescription = async (expected: string) => {
    for (let i = 0; i < 60; i++) {
      if ((await description()) === expected) return;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    expect(await description()).toBe(expected);
  };

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'passerelle-reload-'));
    file = path.join(dir, 'supergraph.graphql');
    copyFileSync('schema/supergraph.graphql', file);
    const keys = path.join(inject('dataDir'), 'keys');
    const urls = inject('subgraphUrls');
    gateway = await spawnService({
      name: 'gateway-reload', entry: 'gateway/main.ts',
      env: {
        PORT: '0', LOG_LEVEL: 'warn', DATA_DIR: inject('dataDir'), SUPERGRAPH_PATH: file,
        ISSUER_JWKS_FILE: path.join(keys, 'dev-issuer.jwks.json'), GATEWAY_SIGNING_KEY_FILE: path.join(keys, 'gateway.private.jwk.json'),
        SUBGRAPH_URL_POLE_EMPLOI: urls['pole-emploi'], SUBGRAPH_URL_CAP_EMPLOI: urls['cap-emploi'], SUBGRAPH_URL_AGEFIPH: urls.agefiph, SUBGRAPH_URL_FIPHFP: urls.fiphfp,
      },
    });
    token = await tokenFor('france-travail', 'counsellor');
    expect(await description()).toBe(ORIGINAL);
  });
  afterAll(async () => {
    await gateway?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves a changed supergraph without failing any request during the swap', async () => {
    const changed = 'Agencies of France Travail (reloaded).';
    const results: { status: number; ok: boolean }[] = [];
    let reloaded = false;
    writeFileSync(file, readFileSync(file, 'utf8').replace(`"""${ORIGINAL}"""`, `"""${changed}"""`));
    const watcher = waitForDescription(changed).then(() => {
      reloaded = true;
    });
    // Four clients keep querying until the new supergraph is served, then ten requests more each
    // (bounded: at most 500 requests per client).
    const clients = Array.from({ length: 4 }, async () => {
      let after = 10;
      for (let i = 0; i < 500 && after > 0; i++) {
        const res = await post('{ agencies(first: 1) { totalCount } }');
        results.push({ status: res.status, ok: !res.body.errors && res.body.data?.agencies?.totalCount === 202 });
        if (reloaded) after--;
      }
    });
    await Promise.all([watcher, ...clients]);
    expect(reloaded).toBe(true);
    expect(results.length).toBeGreaterThan(40);
    expect(results.filter((r) => r.status !== 200 || !r.ok)).toEqual([]);
  });

  it('keeps serving the previous supergraph when the new file is invalid, and takes the next valid one', async () => {
    const valid = readFileSync(file, 'utf8');
    const before = await description();
    writeFileSync(file, 'this is not a supergraph');
    // Give the poller several intervals to see the file; every query must still be answered.
    for (let i = 0; i < 8; i++) {
      const res = await post('{ agencies(first: 1) { totalCount } }');
      expect(res.body.data.agencies.totalCount).toBe(202);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    expect(await description()).toBe(before);
    writeFileSync(file, valid.replace(`"""${before}"""`, `"""${ORIGINAL}"""`));
    await waitForDescription(ORIGINAL);
  });
});
