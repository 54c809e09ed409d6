// Logs never hold a token, a variable value or personal data: operation names and codes only.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { spawnService, type ServiceProcess } from '../../gateway/processes.ts';
import { person as personAt } from '../../subgraphs/kit/population.ts';
import { tokenFor } from './client.ts';

describe('logs', () => {
  const lines: string[] = [];
  const started: ServiceProcess[] = [];
  let gatewayUrl: string;
  let dataDir: string;

  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'passerelle-logs-'));
    const keys = path.join(inject('dataDir'), 'keys');
    const common = { LOG_LEVEL: 'debug', PORT: '0', DATA_DIR: dataDir, SEED_SCALE: '60', GATEWAY_JWKS_FILE: path.join(keys, 'gateway.jwks.json') };
    const poleEmploi = await spawnService({ name: 'pole-emploi', entry: 'subgraphs/pole-emploi/main.ts', env: common, onLog: (l) => lines.push(l) });
    started.push(poleEmploi);
    const urls = inject('subgraphUrls');
    const gateway = await spawnService({
      name: 'gateway', entry: 'gateway/main.ts', onLog: (l) => lines.push(l),
      env: {
        ...common, ISSUER_JWKS_FILE: path.join(keys, 'dev-issuer.jwks.json'), GATEWAY_SIGNING_KEY_FILE: path.join(keys, 'gateway.private.jwk.json'),
        SUBGRAPH_URL_POLE_EMPLOI: poleEmploi.url, SUBGRAPH_URL_CAP_EMPLOI: urls['cap-emploi'], SUBGRAPH_URL_AGEFIPH: urls.agefiph, SUBGRAPH_URL_FIPHFP: urls.fiphfp,
      },
    });
    started.push(gateway);
    gatewayUrl = gateway.url;
  });
  afterAll(async () => {
    await Promise.all(started.map((s) => s.stop()));
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('hold no token, variable value or personal data, even at debug level and on errors', async () => {
    const token = await tokenFor('france-travail', 'case-manager', { territory: ['*'] });
    const someone = personAt({ seed: 'passerelle', scale: 60 }, 5);
    const send = (query: string, variables: object) => fetch(gatewayUrl, {
      method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify({ query, variables }),
    }).then((r) => r.json() as Promise<{ data?: any }>);
    const found = await send('query Find($name: String!) { people(filter: { lastName: $name }) { nodes { id firstName lastName birthDate } } }', { name: someone.lastName });
    expect(found.data.people.nodes.length).toBeGreaterThan(0);
    await send('mutation Bad($id: ID!) { recordOrientation(input: { idempotencyKey: "logs-probe-0001", personId: $id, orientedTo: CAP_EMPLOI, track: EMPLOYMENT, decidedOn: "2099-01-01" }) { id } }', { id: someone.id });
    await send('{ nope }', {});
    expect(lines.length).toBeGreaterThan(0);
    const text = lines.join('\n');
    expect(text).not.toContain(token);
    expect(text).not.toContain(token.split('.')[2]);
    for (const p of found.data.people.nodes) {
      expect(text).not.toContain(p.lastName);
      expect(text).not.toContain(p.birthDate);
      expect(text).not.toContain(p.id);
    }
    expect(text).not.toContain('Bearer');
  });
});
