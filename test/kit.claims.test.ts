// Claims fail closed: one rule (kit/caller.ts) reads the territory claim at the gateway (the partner's
// token) and in every subgraph (the gateway's token). Before, a blank claim was national access.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SignJWT, createLocalJWKSet, exportJWK, generateKeyPair } from 'jose';
import { ClaimError, ROLES, callerOf, inTerritory, territoryClaim, territoryFilter, type Role } from '../subgraphs/kit/caller.ts';
import { departements } from '../subgraphs/kit/territory.ts';
import { NATIONAL_ROLES } from '../gateway/scope-matrix.ts';
import { authenticator } from '../gateway/authentication.ts';
import { loadGatewayConfig } from '../gateway/config.ts';
import { ensureDevKeys, loadSigningKey } from '../gateway/keys.ts';
import { signSubgraphToken } from '../gateway/subgraph-token.ts';
import { GATEWAY_ISSUER, subgraphAudience, verifyGatewayToken } from '../subgraphs/kit/trust.ts';

const MISSING = Symbol('missing');
const VALUES: unknown[] = [
  MISSING, '', [''], ['', ''], ' ', '*', ['*'], ['*', '27'], ['27'], ['99'], ['2A'], ['971'], 27, null,
  ['27', '58'], ['27', '27'], ['27', ''], '27', [27], ['*', '*'], [], {}, ['2a'], [' 27'],
];
const show = (value: unknown) => (value === MISSING ? 'missing' : JSON.stringify(value));

// The oracle, written from the rule's statement and the INSEE list, not from the code under test.
const CODES = new Set(departements.map((d) => d.code));
function statesNational(value: unknown): boolean {
  return value === '*' || (Array.isArray(value) && value.length === 1 && value[0] === '*');
}
function wellFormedList(value: unknown): value is string[] {
  return Array.isArray(value) && value.length > 0 && new Set(value).size === value.length
    && value.every((code) => typeof code === 'string' && CODES.has(code));
}
function accepted(value: unknown, role: Role): boolean {
  return statesNational(value) ? NATIONAL_ROLES.has(role) : wellFormedList(value);
}

describe('the territory claim', () => {
  it('lets only case-managers, service accounts, analysts and DPOs be national; never a counsellor', () => {
    expect([...NATIONAL_ROLES].sort()).toEqual(['analyst', 'case-manager', 'dpo', 'service-account']);
    expect(ROLES.filter((role) => !NATIONAL_ROLES.has(role))).toEqual(['counsellor']);
  });

  for (const role of ROLES) {
    it(`for a ${role}: accepted iff "*" for a national role or a list of distinct known départements; anything else is refused`, () => {
      for (const value of VALUES) {
        const claim = value === MISSING ? undefined : value;
        if (!accepted(claim, role)) {
          expect(() => territoryClaim(claim, role), show(value)).toThrow(ClaimError);
          continue;
        }
        const caller = callerOf({ subject: 's', organisation: 'france-travail', role, scopes: [], territory: claim });
        expect(caller.national, show(value)).toBe(statesNational(claim));
        expect(caller.territory, show(value)).toEqual(caller.national ? [] : claim);
        expect(territoryFilter(caller), show(value)).toEqual(caller.national ? null : claim);
        expect(inTerritory(caller, '13'), show(value)).toBe(caller.national || (claim as string[]).includes('13'));
        expect(inTerritory(caller, '27'), show(value)).toBe(caller.national || (claim as string[]).includes('27'));
      }
    });
  }

  it('refuses an unknown organisation, role or a blank subject', () => {
    const claims = { subject: 's', organisation: 'france-travail', role: 'case-manager', scopes: [], territory: '*' };
    expect(() => callerOf(claims)).not.toThrow();
    for (const wrong of [{ organisation: 'acme' }, { organisation: '' }, { organisation: undefined }, { role: 'admin' }, { role: ['case-manager'] }, { subject: '' }, { subject: 7 }]) {
      expect(() => callerOf({ ...claims, ...wrong }), JSON.stringify(wrong)).toThrow(ClaimError);
    }
  });
});

describe('the same rule at the gateway and in the subgraphs', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'passerelle-claims-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  async function readers() {
    const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
    const file = path.join(dir, 'issuer.jwks.json');
    writeFileSync(file, JSON.stringify({ keys: [{ ...(await exportJWK(publicKey)), kid: 'k1', alg: 'ES256' }] }));
    const authenticate = authenticator(loadGatewayConfig({ ISSUER_JWKS_FILE: file, ISSUER: 'https://idp.example' }, []));
    const keys = await ensureDevKeys(dir);
    const gatewayKey = await loadSigningKey(keys.gateway.privateKey);
    const gatewayJwks = createLocalJWKSet(JSON.parse(readFileSync(keys.gateway.publicJwks, 'utf8')));
    const claimsWith = (role: Role, territory: unknown) => ({ org: 'cap-emploi', role, scope: 'person:read', ...(territory === MISSING ? {} : { territory }) });
    return {
      gateway: async (role: Role, territory: unknown) => authenticate(`Bearer ${await new SignJWT(claimsWith(role, territory))
        .setProtectedHeader({ alg: 'ES256', kid: 'k1' }).setIssuer('https://idp.example').setAudience('passerelle').setSubject('u1').setIssuedAt().setExpirationTime('5m').sign(privateKey)}`),
      // Signed with the gateway's own key: a subgraph does not take the gateway's word for a blank claim either.
      subgraph: async (role: Role, territory: unknown) => (await verifyGatewayToken(gatewayJwks, 'agefiph', `Bearer ${await new SignJWT(claimsWith(role, territory))
        .setProtectedHeader({ alg: 'ES256', kid: gatewayKey.kid }).setIssuer(GATEWAY_ISSUER).setAudience(subgraphAudience('agefiph')).setSubject('u1').setIssuedAt().setExpirationTime('1m').sign(gatewayKey.key)}`)).caller,
      relay: async (role: Role, territory: unknown) => {
        const caller = await authenticate(`Bearer ${await new SignJWT(claimsWith(role, territory))
          .setProtectedHeader({ alg: 'ES256', kid: 'k1' }).setIssuer('https://idp.example').setAudience('passerelle').setSubject('u1').setIssuedAt().setExpirationTime('5m').sign(privateKey)}`);
        return (await verifyGatewayToken(gatewayJwks, 'agefiph', `Bearer ${await signSubgraphToken(gatewayKey, 'agefiph', caller, null)}`)).caller;
      },
    };
  }

  it('refuses with 401 UNAUTHENTICATED what the rule refuses, and the subgraph reads the perimeter the gateway read', async () => {
    const { gateway, subgraph, relay } = await readers();
    for (const role of ROLES) {
      for (const value of VALUES) {
        const what = `${role} ${show(value)}`;
        if (!accepted(value === MISSING ? undefined : value, role)) {
          await expect(gateway(role, value), what).rejects.toMatchObject({ extensions: { code: 'UNAUTHENTICATED', http: { status: 401 } } });
          await expect(subgraph(role, value), what).rejects.toMatchObject({ extensions: { code: 'UNAUTHENTICATED', http: { status: 401 } } });
          continue;
        }
        const atGateway = await gateway(role, value);
        expect(await subgraph(role, value), what).toMatchObject({ national: atGateway.national, territory: atGateway.territory });
        // What the gateway signs for a subgraph reads back as the same perimeter.
        expect(await relay(role, value), what).toMatchObject({ national: atGateway.national, territory: atGateway.territory });
      }
    }
  });
});
