import { describe, expect, it } from 'vitest';
import { corsOriginsFrom } from '../gateway/cors.ts';

describe('the CORS allow-list read from CORS_ORIGINS', () => {
  it('allows Apollo\'s hosted Sandbox by default, and nothing when set empty', () => {
    expect(corsOriginsFrom({})).toEqual(['https://studio.apollographql.com']);
    expect(corsOriginsFrom({ CORS_ORIGINS: '' })).toEqual([]);
  });

  it('reads a list of origins', () => {
    expect(corsOriginsFrom({ CORS_ORIGINS: 'https://studio.apollographql.com, https://outils.cheops.fr,http://localhost:5173' }))
      .toEqual(['https://studio.apollographql.com', 'https://outils.cheops.fr', 'http://localhost:5173']);
  });

  it('refuses *, paths, trailing slashes and plain http beyond the loopback, naming the variable', () => {
    for (const value of ['*', 'https://outils.cheops.fr/', 'https://outils.cheops.fr/app', 'http://outils.cheops.fr', 'outils.cheops.fr']) {
      expect(() => corsOriginsFrom({ CORS_ORIGINS: value }), value).toThrow(/CORS_ORIGINS/);
    }
  });
});
