// Partner apps' registrations under schema/operations/: what the gateway trusts must be what the
// apps' clients send, with the cost the gateway's limit would count.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse, specifiedRules, validate } from 'graphql';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { LIMITS, operationCost } from '../gateway/limits.ts';
import type { GatewayContext } from '../gateway/context.ts';
import { TrustedDocuments } from '../gateway/trusted-documents.ts';
import { apiSchemaOf } from '../schema/composition.ts';
import { costRecordOf, generateManifest, OPERATIONS_DIR } from '../schema/register.ts';
import { readCostRecord, readManifest, readRegistrations, registeredApps } from '../schema/registered-operations.ts';

const apps = registeredApps(OPERATIONS_DIR);

describe('registered operations of partner apps', () => {
  it('are registered for every app folder, each operation with its recorded cost', () => {
    expect(apps).toEqual(expect.arrayContaining(['analyst-app', 'counsellor-app']));
    for (const registration of readRegistrations(OPERATIONS_DIR)) {
      expect(registration, registration.app).toMatchObject({ ok: true, unrecorded: [] });
    }
  });

  it('are, for apps kept here, exactly what Apollo Client sends for their documents (__typename included)', async () => {
    for (const app of apps) {
      const committed = readManifest(OPERATIONS_DIR, app)!;
      expect(await generateManifest(path.join(OPERATIONS_DIR, app)), `${app}: run npm run operations:register -- ${app}`).toEqual(committed);
      for (const op of committed.operations) expect(op.body).toContain('__typename');
    }
  }, 60_000);

  it('record the cost the gateway\'s cost limit counts, every one within the limit', () => {
    const schema = apiSchemaOf(readFileSync('schema/supergraph.graphql', 'utf8'));
    for (const app of apps) {
      const manifest = readManifest(OPERATIONS_DIR, app)!;
      expect(readCostRecord(OPERATIONS_DIR, app), `${app}: run npm run operations:register -- ${app}`).toEqual(costRecordOf(manifest, schema));
      for (const op of manifest.operations) expect(operationCost(parse(op.body), schema)).toBeLessThanOrEqual(LIMITS.cost);
    }
  });

  it('validate against the public schema of the committed supergraph', () => {
    const schema = apiSchemaOf(readFileSync('schema/supergraph.graphql', 'utf8'));
    for (const app of apps) {
      for (const op of readManifest(OPERATIONS_DIR, app)!.operations) {
        expect(validate(schema, parse(op.body), specifiedRules).map((e) => e.message), `${app} ${op.name}`).toEqual([]);
      }
    }
  });

  it('mutations return what a client cache needs: the changed object\'s id and the person it changes', () => {
    const mutations = readManifest(OPERATIONS_DIR, 'counsellor-app')!.operations.filter((op) => op.type === 'mutation');
    expect(mutations.map((op) => op.name)).toContain('RecordOrientation');
    const recordOrientation = mutations.find((op) => op.name === 'RecordOrientation')!.body.replace(/\s+/g, ' ');
    expect(recordOrientation).toMatch(/recordOrientation\(input: \$input\) \{ id orientedTo track decidedOn person \{ id orientation \{ id orientedTo track decidedOn/);
  });
});

describe('the gateway\'s trusted documents', () => {
  const silent = pino({ level: 'silent' });
  const trusted = new TrustedDocuments({ dir: OPERATIONS_DIR, production: true, logger: silent });
  const plugin = trusted.plugin();
  const caseload = readManifest(OPERATIONS_DIR, 'counsellor-app')!.operations.find((op) => op.name === 'Caseload')!;
  const caller = { subject: 's', organisation: 'france-travail', role: 'counsellor', scopes: new Set<string>(), national: false, territory: ['27'] };

  async function resolveSource(source: string): Promise<GatewayContext> {
    const contextValue = { caller, operationName: null, registeredOperation: null } as unknown as GatewayContext;
    const listener = await plugin.requestDidStart!({ contextValue } as never);
    await listener!.didResolveSource!({ source, contextValue } as never);
    return contextValue;
  }

  it('tell the limits, before validation, that an operation is registered, by which app, under which name and cost', async () => {
    const context = await resolveSource(caseload.body);
    expect(context.registeredOperation).toEqual({ app: 'counsellor-app', name: 'Caseload', cost: readCostRecord(OPERATIONS_DIR, 'counsellor-app')!.operations[caseload.id].cost });
  });

  it('mark nothing for a document that differs from the registered one by a single field', async () => {
    const context = await resolveSource(caseload.body.replace('firstName', 'firstName birthDate'));
    expect(context.registeredOperation).toBeNull();
  });

  it('answer APQ lookups by manifest id and by sha256, and never learn a new document in production', async () => {
    const cache = trusted.apqCache();
    expect(await cache.get(`apq:${caseload.id}`)).toBe(caseload.body);
    await cache.set('apq:0000', 'query Free { people { nodes { id } } }');
    expect(await cache.get('apq:0000')).toBeUndefined();
  });
});
