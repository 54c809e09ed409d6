// The gateway reads scopes where each identity provider puts them, and `npm run token` mints what
// the README says.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SignJWT, decodeJwt, exportJWK, generateKeyPair } from 'jose';
import { authenticator, issuerKeys, VerifiedTokens } from '../gateway/authentication.ts';
import { loadGatewayConfig } from '../gateway/config.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'passerelle-auth-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function issuer() {
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  const file = path.join(dir, `jwks-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(file, JSON.stringify({ keys: [{ ...(await exportJWK(publicKey)), kid: 'k1', alg: 'ES256' }] }));
  const sign = (claims: object) => new SignJWT({ org: 'cap-emploi', role: 'counsellor', territory: ['27'], ...claims })
    .setProtectedHeader({ alg: 'ES256', kid: 'k1' }).setIssuer('https://idp.example').setAudience('passerelle').setSubject('u1').setIssuedAt().setExpirationTime('5m').sign(privateKey);
  return { file, sign };
}

describe('where the scopes come from', () => {
  for (const [claim, value] of [['scope', 'person:read aid:read'], ['scp', ['person:read', 'aid:read']], ['roles', ['person:read', 'aid:read']]] as const) {
    it(`reads them from \`${claim}\` when SCOPE_CLAIM=${claim}`, async () => {
      const { file, sign } = await issuer();
      const config = loadGatewayConfig({ ISSUER_JWKS_FILE: file, ISSUER: 'https://idp.example', SCOPE_CLAIM: claim }, []);
      const caller = await authenticator(config)(`Bearer ${await sign({ [claim]: value })}`);
      expect([...caller.scopes].sort()).toEqual(['aid:read', 'person:read']);
      expect(caller).toMatchObject({ subject: 'u1', organisation: 'cap-emploi', role: 'counsellor', territory: ['27'] });
    });
  }

  it('ignores scopes put in another claim than the configured one', async () => {
    const { file, sign } = await issuer();
    const config = loadGatewayConfig({ ISSUER_JWKS_FILE: file, ISSUER: 'https://idp.example', SCOPE_CLAIM: 'scp' }, []);
    const caller = await authenticator(config)(`Bearer ${await sign({ scope: 'person:read' })}`);
    expect(caller.scopes.size).toBe(0);
  });

  it('stops at start with the variable named when the configuration is wrong', () => {
    expect(() => loadGatewayConfig({ SCOPE_CLAIM: 'groups' }, [])).toThrow(/SCOPE_CLAIM/);
    expect(() => loadGatewayConfig({ PORT: 'eighty' }, [])).toThrow(/PORT/);
    expect(() => loadGatewayConfig({ NODE_ENV: 'production' }, [])).toThrow(/ISSUER_JWKS_URL/);
  });
});

describe('a token checked once, remembered until it must be checked again', () => {
  it('checks the signature of the same token once, and every time for a refused one', async () => {
    const { file, sign } = await issuer();
    const config = loadGatewayConfig({ ISSUER_JWKS_FILE: file, ISSUER: 'https://idp.example' }, []);
    const keys = issuerKeys(config);
    let lookups = 0;
    const authenticate = authenticator(config, (...args) => (lookups++, keys(...args)));
    const token = `Bearer ${await sign({})}`;
    const first = await authenticate(token);
    expect(await authenticate(token)).toBe(first);
    expect(lookups).toBe(1);
    const forged = `${token.slice(0, -4)}AAAA`;
    for (let i = 0; i < 2; i++) await expect(authenticate(forged)).rejects.toMatchObject({ extensions: { code: 'UNAUTHENTICATED' } });
    expect(lookups).toBe(3);
  });

  it("never outlives the token's exp, nor a minute", () => {
    let now = 1_000_000_000_000;
    const verified = new VerifiedTokens(() => now);
    const caller = { subject: 'u1' } as never;
    verified.remember('short', caller, now / 1000 + 20);
    verified.remember('long', caller, now / 1000 + 3600);
    verified.remember('expired', caller, now / 1000 - 1);
    expect(verified.get('expired')).toBeUndefined();
    now += 19_999;
    expect([verified.get('short'), verified.get('long')]).toEqual([caller, caller]);
    now += 1;
    expect(verified.get('short')).toBeUndefined();
    now += 40_000;
    expect(verified.get('long')).toBeUndefined();
  });
});

describe('npm run token', () => {
  it('mints a token for the organisation, role and territory asked, with the scopes of the matrix', () => {
    const out = execFileSync(process.execPath, ['gateway/dev-token.ts', '--org', 'cap-emploi', '--role', 'counsellor', '--territory', '27'], {
      env: { ...process.env, DATA_DIR: dir }, encoding: 'utf8',
    }).trim();
    const claims = decodeJwt(out);
    expect(claims).toMatchObject({ org: 'cap-emploi', role: 'counsellor', territory: ['27'], iss: 'passerelle-dev-issuer', aud: 'passerelle' });
    expect(String(claims.scope).split(' ')).toEqual(expect.arrayContaining(['person:read', 'accompaniment:write']));
    expect(String(claims.scope)).not.toContain('aid:notes');
  });

  const mint = (...args: string[]) => decodeJwt(execFileSync(process.execPath, ['gateway/dev-token.ts', ...args], { env: { ...process.env, DATA_DIR: dir }, encoding: 'utf8' }).trim());

  it('states a national territory as `*`: by default for a national-capable role, on demand with --territory \'*\'', () => {
    expect(mint('--org', 'agefiph', '--role', 'case-manager').territory).toEqual(['*']);
    expect(mint('--org', 'dgefp', '--role', 'analyst', '--territory', '*').territory).toEqual(['*']);
    expect(mint('--org', 'france-travail', '--role', 'counsellor', '--territory', '27,58').territory).toEqual(['27', '58']);
  });

  it('gives a counsellor the Eure by default and refuses to mint a national or blank counsellor token', () => {
    expect(mint('--org', 'cap-emploi', '--role', 'counsellor').territory).toEqual(['27']);
    for (const territory of ['*', '', '27,', '99']) {
      expect(() => execFileSync(process.execPath, ['gateway/dev-token.ts', '--org', 'cap-emploi', '--role', 'counsellor', '--territory', territory], { env: { ...process.env, DATA_DIR: dir }, stdio: 'pipe' }), territory).toThrow(/claim territory/);
    }
  });
});
