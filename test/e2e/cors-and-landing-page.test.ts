// Analysts in a browser: Apollo's hosted Sandbox and the partners' own tools call the gateway across
// origins (CORS allow-list), and the Sandbox landing page is served in production too.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { spawnService, type ServiceProcess } from '../../gateway/processes.ts';
import { tokenFor } from './client.ts';

const STUDIO = 'https://studio.apollographql.com';
const QUERY = JSON.stringify({ query: '{ registrationStatistics(from: "2024") { cells { value { count } } } }' });

function preflight(url: string, origin: string) {
  return fetch(url, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type' } });
}

async function post(url: string, origin: string | null, token: string) {
  return fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, ...(origin ? { origin } : {}) }, body: QUERY });
}

describe('CORS, with the default allow-list (Apollo\'s hosted Sandbox)', () => {
  it('answers the preflight of Apollo\'s hosted Sandbox with its own origin, never *', async () => {
    const res = await preflight(inject('gatewayUrl'), STUDIO);
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe(STUDIO);
    expect(res.headers.get('access-control-allow-headers')).toContain('authorization');
    expect(res.headers.get('access-control-allow-methods')).toContain('POST');
    expect(res.headers.get('access-control-allow-credentials')).toBeNull();
    expect(res.headers.get('vary')).toContain('Origin');
  });

  it('lets an analyst query from Apollo\'s hosted Sandbox, and the browser read the answer', async () => {
    const res = await post(inject('gatewayUrl'), STUDIO, await tokenFor('dgefp', 'analyst'));
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe(STUDIO);
    expect((await res.json() as any).data.registrationStatistics.cells).toHaveLength(1);
  });

  it('refuses a page of any other origin, preflight and request, without a CORS header', async () => {
    for (const origin of ['https://evil.example', 'https://studio.apollographql.com.evil.example', 'null', 'http://studio.apollographql.com']) {
      const pre = await preflight(inject('gatewayUrl'), origin);
      expect(pre.status, origin).toBe(403);
      expect(pre.headers.get('access-control-allow-origin'), origin).toBeNull();
      const res = await post(inject('gatewayUrl'), origin, await tokenFor('dgefp', 'analyst'));
      expect(res.status, origin).toBe(403);
      expect((await res.json() as any).errors[0].extensions.code).toBe('ORIGIN_NOT_ALLOWED');
    }
  });

  it('serves the gateway\'s own pages (same origin) and callers without a browser as before', async () => {
    const token = await tokenFor('dgefp', 'analyst');
    const own = new URL(inject('gatewayUrl')).origin;
    expect((await post(inject('gatewayUrl'), own, token)).status).toBe(200);
    expect((await post(inject('gatewayUrl'), null, token)).status).toBe(200);
  });
});

describe('in production', () => {
  let gateway: ServiceProcess;
  const TOOL = 'https://indicateurs.cheops.example';

  beforeAll(async () => {
    const urls = inject('subgraphUrls');
    gateway = await spawnService({
      name: 'gateway-production-cors',
      entry: 'gateway/main.ts',
      env: {
        NODE_ENV: 'production', PORT: '0', LOG_LEVEL: 'warn', DATA_DIR: inject('dataDir'), CORS_ORIGINS: `${STUDIO}, ${TOOL}`,
        ISSUER_JWKS_FILE: path.join(inject('dataDir'), 'keys', 'dev-issuer.jwks.json'),
        GATEWAY_SIGNING_KEY_FILE: path.join(inject('dataDir'), 'keys', 'gateway.private.jwk.json'),
        SUBGRAPH_URL_POLE_EMPLOI: urls['pole-emploi'], SUBGRAPH_URL_CAP_EMPLOI: urls['cap-emploi'],
        SUBGRAPH_URL_AGEFIPH: urls.agefiph, SUBGRAPH_URL_FIPHFP: urls.fiphfp,
      },
    });
  });
  afterAll(async () => {
    await gateway?.stop();
  });

  it('serves Apollo\'s Sandbox landing page at /', async () => {
    const res = await fetch(gateway.url, { headers: { accept: 'text/html' } });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('embeddable-sandbox');
  });

  it('lets a partner tool of the allow-list query with a sandbox token, and refuses origins not listed', async () => {
    const token = await tokenFor('cheops', 'analyst');
    const tool = await post(gateway.url, TOOL, token);
    expect(tool.status).toBe(200);
    expect(tool.headers.get('access-control-allow-origin')).toBe(TOOL);
    expect((await tool.json() as any).data.registrationStatistics.cells).toHaveLength(1);
    expect((await post(gateway.url, 'https://other.example', token)).status).toBe(403);
  });

  it('still refuses data to a token without the sandbox scope from Apollo\'s Sandbox (its documents are not registered)', async () => {
    const res = await post(gateway.url, STUDIO, await tokenFor('france-travail', 'counsellor'));
    expect(res.headers.get('access-control-allow-origin')).toBe(STUDIO);
    const body = await res.json() as any;
    expect(body.data ?? null).toBeNull();
    expect(body.errors[0].extensions.code).toBe('OPERATION_NOT_TRUSTED');
  });
});
