// Subgraph tokens are signed once per caller, subgraph and operation and reused for most of their
// minute (docs/adr/subgraph-token-reuse.md): what a subgraph reads from a token never changes.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createLocalJWKSet, decodeJwt, type JWTVerifyGetKey } from 'jose';
import { ensureDevKeys, loadSigningKey } from '../gateway/keys.ts';
import { SubgraphTokens } from '../gateway/subgraph-token.ts';
import { GatewayTokenVerifier, verifyGatewayToken } from '../subgraphs/kit/trust.ts';
import { NATIONAL_ADMIN, toCaller } from './support/subgraph.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'passerelle-tokens-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function setup(minRemainingSeconds = 15) {
  const keys = await ensureDevKeys(dir);
  const clock = { now: Date.now() };
  const tokens = new SubgraphTokens(await loadSigningKey(keys.gateway.privateKey), { minRemainingSeconds, now: () => clock.now });
  const verify = (subgraph: string, token: string) => verifyGatewayToken(createLocalJWKSet(JSON.parse(readFileSync(keys.gateway.publicJwks, 'utf8'))), subgraph, `Bearer ${token}`);
  return { tokens, clock, verify };
}

describe('subgraph tokens', () => {
  it('are signed once for the same caller, subgraph and operation, and still verify with the same claims', async () => {
    const { tokens, verify } = await setup();
    const caller = toCaller({ ...NATIONAL_ADMIN, territory: ['27'] });
    const first = await tokens.tokenFor('agefiph', caller, 'Caseload');
    expect(await tokens.tokenFor('agefiph', toCaller({ ...NATIONAL_ADMIN, territory: ['27'] }), 'Caseload')).toBe(first);
    const claims = await verify('agefiph', first);
    expect(claims.operationName).toBe('Caseload');
    expect(claims.caller).toMatchObject({ subject: NATIONAL_ADMIN.subject, organisation: NATIONAL_ADMIN.organisation, territory: ['27'] });
  });

  it('never share a token between operations, subgraphs, or callers whose claims differ in anything', async () => {
    const { tokens } = await setup();
    const base = toCaller(NATIONAL_ADMIN);
    const reference = await tokens.tokenFor('agefiph', base, 'Caseload');
    const variants = [
      tokens.tokenFor('agefiph', base, 'PersonFile'),
      tokens.tokenFor('agefiph', base, null),
      tokens.tokenFor('fiphfp', base, 'Caseload'),
      tokens.tokenFor('agefiph', toCaller({ ...NATIONAL_ADMIN, subject: 'someone-else' }), 'Caseload'),
      tokens.tokenFor('agefiph', toCaller({ ...NATIONAL_ADMIN, role: 'counsellor', territory: ['27'] }), 'Caseload'),
      tokens.tokenFor('agefiph', toCaller({ ...NATIONAL_ADMIN, organisation: 'cap-emploi' }), 'Caseload'),
      tokens.tokenFor('agefiph', toCaller({ ...NATIONAL_ADMIN, scopes: ['person:read'] }), 'Caseload'),
      tokens.tokenFor('agefiph', toCaller({ ...NATIONAL_ADMIN, territory: ['59'] }), 'Caseload'),
    ];
    const all = [reference, ...(await Promise.all(variants))];
    expect(new Set(all).size).toBe(all.length);
  });

  it('are signed anew before less than the slowest call and clock skew are left of their minute', async () => {
    const { tokens, clock } = await setup(15);
    const caller = toCaller(NATIONAL_ADMIN);
    const first = await tokens.tokenFor('cap-emploi', caller, 'Caseload');
    const { exp } = decodeJwt(first);
    clock.now += 43_000;
    expect(await tokens.tokenFor('cap-emploi', caller, 'Caseload')).toBe(first);
    clock.now += 2_000;
    const next = await tokens.tokenFor('cap-emploi', caller, 'Caseload');
    expect(next).not.toBe(first);
    // The last time the first token was handed out, 15 s or more of its life were left.
    expect(exp! * 1000 - (clock.now - 2_000)).toBeGreaterThanOrEqual(15_000);
  });
});

describe("a subgraph's verdicts on gateway tokens", () => {
  async function setupVerifier() {
    const keys = await ensureDevKeys(dir);
    const clock = { now: Date.now() };
    const jwks = createLocalJWKSet(JSON.parse(readFileSync(keys.gateway.publicJwks, 'utf8')));
    let checks = 0;
    const counting: JWTVerifyGetKey = async (...a) => {
      checks += 1;
      return jwks(...a);
    };
    const tokens = new SubgraphTokens(await loadSigningKey(keys.gateway.privateKey), { minRemainingSeconds: 15 });
    return { tokens, clock, verifier: new GatewayTokenVerifier(counting, 'agefiph', { now: () => clock.now }), checks: () => checks };
  }

  it('are kept for the exact token string, with the same claims, and checked in full for any other string', async () => {
    const { tokens, verifier, checks } = await setupVerifier();
    const token = await tokens.tokenFor('agefiph', toCaller(NATIONAL_ADMIN), 'Caseload');
    const first = await verifier.verify(`Bearer ${token}`);
    expect(await verifier.verify(`Bearer ${token}`)).toBe(first);
    expect(checks()).toBe(1);
    const other = await tokens.tokenFor('agefiph', toCaller(NATIONAL_ADMIN), 'PersonFile');
    expect((await verifier.verify(`Bearer ${other}`)).operationName).toBe('PersonFile');
    expect(checks()).toBe(2);
    // A changed signature, another subgraph's token, no token: refused, and never kept.
    const tampered = `${token.slice(0, -3)}${token.endsWith('AAA') ? 'BBB' : 'AAA'}`;
    const elsewhere = await tokens.tokenFor('fiphfp', toCaller(NATIONAL_ADMIN), 'Caseload');
    for (const header of [`Bearer ${tampered}`, `Bearer ${elsewhere}`, undefined, `Bearer ${token} `]) {
      await expect(verifier.verify(header)).rejects.toMatchObject({ extensions: { code: 'UNAUTHENTICATED' } });
      await expect(verifier.verify(header)).rejects.toMatchObject({ extensions: { code: 'UNAUTHENTICATED' } });
    }
  });

  it('are not kept past the token\'s expiry: an expired token is refused as if never seen', async () => {
    const { tokens, clock, verifier, checks } = await setupVerifier();
    const token = await tokens.tokenFor('agefiph', toCaller(NATIONAL_ADMIN), 'Caseload');
    const { exp } = decodeJwt(token);
    await verifier.verify(`Bearer ${token}`);
    clock.now = exp! * 1000 - 1;
    await verifier.verify(`Bearer ${token}`);
    expect(checks()).toBe(1);
    clock.now = exp! * 1000;
    // Past its expiry the cached verdict is dropped and the token checked again (jose, on the real clock, still accepts it here).
    await verifier.verify(`Bearer ${token}`);
    expect(checks()).toBe(2);
  });
});
