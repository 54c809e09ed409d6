// Every caller is authenticated by the gateway, and subgraphs answer only the gateway.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { SignJWT, generateKeyPair, importJWK, type JWK } from 'jose';
import { codes, gql, tokenFor } from './client.ts';
import { signSubgraphToken } from '../../gateway/subgraph-token.ts';

const QUERY = '{ agencies(first: 1) { totalCount } }';

async function devIssuerKey() {
  const jwk = JSON.parse(readFileSync(path.join(inject('dataDir'), 'keys', 'dev-issuer.private.jwk.json'), 'utf8')) as JWK;
  return { kid: jwk.kid!, key: await importJWK(jwk, 'ES256') };
}

function claims() {
  return { org: 'france-travail', role: 'counsellor', territory: ['27'], scope: 'person:read' };
}

async function expectRefused(token: string | null, header?: string) {
  const res = await gql(null, QUERY, {}, { headers: header !== undefined ? { authorization: header } : token ? { authorization: `Bearer ${token}` } : {} });
  expect(res.status).toBe(401);
  expect(codes(res)).toEqual(['UNAUTHENTICATED']);
  expect(res.body.data ?? null).toBeNull();
}

describe('authentication at the gateway', () => {
  it('answers a partner app that sends a valid token', async () => {
    const res = await gql(await tokenFor('france-travail', 'counsellor'), QUERY);
    expect(res.status).toBe(200);
    expect(res.body.data.agencies.totalCount).toBe(202);
  });

  it('refuses a request without a token', () => expectRefused(null));
  it('refuses a malformed token', () => expectRefused('not-a-jwt'));
  it('refuses a header that is not a bearer token', () => expectRefused(null, 'Basic dXNlcjpwYXNz'));

  it('refuses an unsigned token (alg none)', async () => {
    const header = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url');
    const now = Math.floor(Date.now() / 1000);
    const payload = Buffer.from(JSON.stringify({ ...claims(), sub: 'x', iss: 'passerelle-dev-issuer', aud: 'passerelle', iat: now, exp: now + 600 })).toString('base64url');
    await expectRefused(`${header}.${payload}.`);
  });

  it('refuses a token signed by another key', async () => {
    const { privateKey } = await generateKeyPair('ES256');
    const forged = await new SignJWT(claims()).setProtectedHeader({ alg: 'ES256' }).setIssuer('passerelle-dev-issuer').setAudience('passerelle').setSubject('intruder').setIssuedAt().setExpirationTime('5m').sign(privateKey);
    await expectRefused(forged);
  });

  it('refuses an expired token, beyond the tolerated clock skew', async () => {
    const { kid, key } = await devIssuerKey();
    const now = Math.floor(Date.now() / 1000);
    const expired = await new SignJWT(claims()).setProtectedHeader({ alg: 'ES256', kid }).setIssuer('passerelle-dev-issuer').setAudience('passerelle').setSubject('late').setIssuedAt(now - 3600).setExpirationTime(now - 120).sign(key);
    await expectRefused(expired);
  });

  it('refuses a token for another audience or from another issuer', async () => {
    const { kid, key } = await devIssuerKey();
    const otherAudience = await new SignJWT(claims()).setProtectedHeader({ alg: 'ES256', kid }).setIssuer('passerelle-dev-issuer').setAudience('another-api').setSubject('x').setIssuedAt().setExpirationTime('5m').sign(key);
    await expectRefused(otherAudience);
    const otherIssuer = await new SignJWT(claims()).setProtectedHeader({ alg: 'ES256', kid }).setIssuer('someone-else').setAudience('passerelle').setSubject('x').setIssuedAt().setExpirationTime('5m').sign(key);
    await expectRefused(otherIssuer);
  });

  it('refuses a token naming an unknown organisation or département', async () => {
    const { kid, key } = await devIssuerKey();
    const sign = (extra: object) => new SignJWT({ ...claims(), ...extra }).setProtectedHeader({ alg: 'ES256', kid }).setIssuer('passerelle-dev-issuer').setAudience('passerelle').setSubject('x').setIssuedAt().setExpirationTime('5m').sign(key);
    await expectRefused(await sign({ org: 'acme' }));
    await expectRefused(await sign({ territory: ['99'] }));
  });

  it('a blank territory claim is refused, not national access', async () => {
    const { kid, key } = await devIssuerKey();
    const sign = (extra: object) => new SignJWT({ ...claims(), ...extra }).setProtectedHeader({ alg: 'ES256', kid }).setIssuer('passerelle-dev-issuer').setAudience('passerelle').setSubject('x').setIssuedAt().setExpirationTime('5m').sign(key);
    // Before, empty codes were dropped and an empty list meant national: these counsellors saw everyone.
    for (const territory of [[''], '', ['', ''], [], ' ', ['27', '']]) await expectRefused(await sign({ territory }));
    const { territory: _, ...withoutTerritory } = claims();
    await expectRefused(await new SignJWT(withoutTerritory).setProtectedHeader({ alg: 'ES256', kid }).setIssuer('passerelle-dev-issuer').setAudience('passerelle').setSubject('x').setIssuedAt().setExpirationTime('5m').sign(key));
  });

  it('a national perimeter is stated with `*`, and only for a role that may be national', async () => {
    await expectRefused(await tokenFor('france-travail', 'counsellor', { territory: ['*'] }));
    await expectRefused(await tokenFor('france-travail', 'case-manager', { territory: ['*', '27'] }));
    const people = '{ people(first: 1) { totalCount } }';
    const national = await gql(await tokenFor('france-travail', 'case-manager', { territory: ['*'] }), people);
    const eure = await gql(await tokenFor('france-travail', 'counsellor', { territory: ['27'] }), people);
    expect(national.status).toBe(200);
    expect(eure.body.data.people.totalCount).toBeGreaterThan(0);
    expect(national.body.data.people.totalCount).toBeGreaterThan(eure.body.data.people.totalCount);
  });

  it('reads scopes from the `scope` claim: a token without scopes reads no protected field', async () => {
    const res = await gql(await tokenFor('france-travail', 'counsellor', { scopes: [] }), '{ people(first: 1) { totalCount } }');
    expect(codes(res)).toEqual(['FORBIDDEN']);
  });
});

describe('subgraphs trust only the gateway', () => {
  const direct = async (subgraph: string, query: string, authorization?: string) => {
    const res = await fetch(inject('subgraphUrls')[subgraph], {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
      body: JSON.stringify({ query }),
    });
    return { status: res.status, body: (await res.json()) as { data?: unknown; errors?: { extensions?: { code?: string } }[] } };
  };

  for (const subgraph of ['pole-emploi', 'cap-emploi', 'agefiph', 'fiphfp']) {
    it(`${subgraph} refuses _service, _entities and queries without the gateway's signature`, async () => {
      for (const query of ['{ _service { sdl } }', '{ _entities(representations: [{ __typename: "Person", id: "x" }]) { __typename } }']) {
        const res = await direct(subgraph, query);
        expect(res.status).toBe(401);
        expect(res.body.data ?? null).toBeNull();
        expect(res.body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
      }
    });

    it(`${subgraph} refuses a token the gateway did not sign, and a partner token sent directly`, async () => {
      const { privateKey } = await generateKeyPair('ES256');
      const caller = { subject: 'x', organisation: 'france-travail' as const, role: 'counsellor' as const, scopes: new Set(['person:read']), national: false, territory: ['27'] };
      const forged = await signSubgraphToken({ kid: 'gateway', key: privateKey }, subgraph, caller, 'Forged');
      expect((await direct(subgraph, '{ _service { sdl } }', `Bearer ${forged}`)).status).toBe(401);
      const partnerToken = await tokenFor('france-travail', 'counsellor');
      expect((await direct(subgraph, '{ _service { sdl } }', `Bearer ${partnerToken}`)).status).toBe(401);
    });
  }

  it('refuses a gateway token replayed after it expired', async () => {
    const jwk = JSON.parse(readFileSync(path.join(inject('dataDir'), 'keys', 'gateway.private.jwk.json'), 'utf8')) as JWK;
    const key = await importJWK(jwk, 'ES256');
    const now = Math.floor(Date.now() / 1000);
    const stale = await new SignJWT({ org: 'france-travail', role: 'counsellor', scope: 'person:read', territory: ['27'] })
      .setProtectedHeader({ alg: 'ES256', kid: jwk.kid }).setIssuer('passerelle-gateway').setAudience('passerelle-subgraph:pole-emploi')
      .setSubject('x').setIssuedAt(now - 600).setExpirationTime(now - 540).sign(key);
    expect((await direct('pole-emploi', '{ _service { sdl } }', `Bearer ${stale}`)).status).toBe(401);
  });

  it('refuses a gateway-signed token whose territory is blank, even from the gateway\'s own key', async () => {
    const jwk = JSON.parse(readFileSync(path.join(inject('dataDir'), 'keys', 'gateway.private.jwk.json'), 'utf8')) as JWK;
    const key = await importJWK(jwk, 'ES256');
    for (const territory of [[''], [], '*']) {
      const blank = await new SignJWT({ org: 'france-travail', role: 'counsellor', scope: 'person:read', territory })
        .setProtectedHeader({ alg: 'ES256', kid: jwk.kid }).setIssuer('passerelle-gateway').setAudience('passerelle-subgraph:pole-emploi')
        .setSubject('x').setIssuedAt().setExpirationTime('1m').sign(key);
      expect((await direct('pole-emploi', '{ _service { sdl } }', `Bearer ${blank}`)).status).toBe(401);
    }
  });

  it('refuses a gateway token minted for another subgraph', async () => {
    const jwk = JSON.parse(readFileSync(path.join(inject('dataDir'), 'keys', 'gateway.private.jwk.json'), 'utf8')) as JWK;
    const caller = { subject: 'x', organisation: 'france-travail' as const, role: 'counsellor' as const, scopes: new Set(['person:read']), national: false, territory: ['27'] };
    const forAgefiph = await signSubgraphToken({ kid: jwk.kid!, key: (await importJWK(jwk, 'ES256')) as never }, 'agefiph', caller, 'Op');
    expect((await direct('pole-emploi', '{ _service { sdl } }', `Bearer ${forAgefiph}`)).status).toBe(401);
    expect((await direct('agefiph', '{ _service { sdl } }', `Bearer ${forAgefiph}`)).status).toBe(200);
  });
});
