import { describe, expect, it } from 'vitest';
import { contentSecurityPolicy } from '../gateway/pages/serve.ts';
import { signInConfigFrom, signInOrigins } from '../gateway/sign-in.ts';

describe('the pages\' sign-in read from OIDC_* and ISSUER', () => {
  it('is off without OIDC_CLIENT_ID: the pages keep to their own origin', () => {
    expect(signInConfigFrom({}, 'passerelle-dev-issuer')).toBeNull();
    expect(contentSecurityPolicy(signInOrigins(null))).toContain("connect-src 'self';");
  });

  it('signs in at the trusted issuer, with the analysts\' scopes by default, and may fetch that origin only', () => {
    const config = signInConfigFrom({ OIDC_CLIENT_ID: 'indicateurs', OIDC_RESOURCE: 'https://passerelle.example/graphql' }, 'https://auth.example/realms/agents');
    expect(config).toEqual({ issuer: 'https://auth.example/realms/agents', clientId: 'indicateurs', scopes: 'openid statistics:read sandbox', resource: 'https://passerelle.example/graphql', providerName: 'ProConnect' });
    expect(contentSecurityPolicy(signInOrigins(config))).toContain("connect-src 'self' https://auth.example;");
  });

  it('refuses an issuer that is not an https URL (plain http on the loopback only), and scopes without openid', () => {
    expect(() => signInConfigFrom({ OIDC_CLIENT_ID: 'x' }, 'passerelle-dev-issuer')).toThrow(/ISSUER/);
    expect(() => signInConfigFrom({ OIDC_CLIENT_ID: 'x' }, 'http://auth.example')).toThrow(/ISSUER must use https/);
    expect(signInConfigFrom({ OIDC_CLIENT_ID: 'x' }, 'http://127.0.0.1:8080')?.issuer).toBe('http://127.0.0.1:8080');
    expect(() => signInConfigFrom({ OIDC_CLIENT_ID: 'x', OIDC_SCOPES: 'statistics:read' }, 'https://auth.example')).toThrow(/OIDC_SCOPES/);
    expect(() => signInConfigFrom({ OIDC_CLIENT_ID: 'x', OIDC_RESOURCE: 'not a uri' }, 'https://auth.example')).toThrow(/OIDC_RESOURCE/);
  });
});
