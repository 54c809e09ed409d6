// Authentication: every request carries a bearer JWT from a trusted issuer (keys from a JWKS),
// checked for signature, algorithm, issuer, audience and lifetime before anything else runs; then its
// claims, which fail closed (kit/caller.ts): a blank, malformed or unknown claim is a 401.
// A token that passed is remembered by its exact text (verifiedTokens, a bounded LRU), so a client
// that sends the same token on every request pays one signature check per minute, not one per
// request: a remembered verdict never outlives the token's `exp`, nor one minute (a key the issuer
// withdraws stops being honoured no later than jose's own JWKS cache would notice, ten minutes).
// Refusals are never remembered.
import { readFileSync } from 'node:fs';
import { createLocalJWKSet, createRemoteJWKSet, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import { GraphQLError } from 'graphql';
import { callerOf, ClaimError, type Caller } from '../subgraphs/kit/caller.ts';
import { ExpiringCache } from '../subgraphs/kit/expiring-cache.ts';
import type { GatewayConfig } from './config.ts';

/** Accepted signature algorithms: asymmetric only (`none` and shared secrets are refused). */
const ALGORITHMS = ['ES256', 'ES384', 'RS256', 'PS256', 'EdDSA'];
/** Clock skew tolerated between the identity provider and the gateway. */
const CLOCK_TOLERANCE_SECONDS = 30;

export function unauthenticated(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'UNAUTHENTICATED', http: { status: 401, headers: new Map([['www-authenticate', 'Bearer']]) } } });
}

export function issuerKeys(config: GatewayConfig): JWTVerifyGetKey {
  if ('url' in config.issuerJwks) return createRemoteJWKSet(new URL(config.issuerJwks.url));
  return createLocalJWKSet(JSON.parse(readFileSync(config.issuerJwks.file, 'utf8')));
}

function scopesOf(payload: JWTPayload, claim: GatewayConfig['scopeClaim']): string[] {
  const value = payload[claim];
  if (typeof value === 'string') return value.split(' ').filter(Boolean);
  if (Array.isArray(value)) return value.filter((s): s is string => typeof s === 'string');
  return [];
}

export type Authenticate = (authorization: string | undefined) => Promise<Caller>;

/** Verified tokens remembered at most (distinct tokens in use within a minute). */
const VERIFIED_TOKENS = 10_000;
/** How long a verdict is remembered at most, whatever the token's `exp`. */
const VERIFIED_FOR_MS = 60_000;

/** The callers of tokens that passed, by exact token text, each until it must be checked again. */
export class VerifiedTokens {
  readonly #callers: ExpiringCache<Caller>;
  readonly #now: () => number;

  constructor(now: () => number = Date.now) {
    this.#now = now;
    this.#callers = new ExpiringCache(VERIFIED_TOKENS, now);
  }

  get(token: string): Caller | undefined {
    return this.#callers.get(token);
  }

  remember(token: string, caller: Caller, expSeconds: number): void {
    this.#callers.set(token, caller, Math.min(expSeconds * 1000, this.#now() + VERIFIED_FOR_MS));
  }
}

export function authenticator(config: GatewayConfig, keys: JWTVerifyGetKey = issuerKeys(config), verified = new VerifiedTokens()): Authenticate {
  return async (authorization) => {
    const token = /^Bearer (\S+)$/i.exec(authorization ?? '')?.[1];
    if (!token) throw unauthenticated('a bearer token is required (Authorization: Bearer <token>)');
    const known = verified.get(token);
    if (known) return known;
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, keys, {
        issuer: config.issuer,
        audience: config.audience,
        algorithms: ALGORITHMS,
        clockTolerance: CLOCK_TOLERANCE_SECONDS,
        requiredClaims: ['sub', 'exp'],
      }));
    } catch {
      throw unauthenticated('the token is invalid, expired or not from a trusted issuer');
    }
    try {
      const caller = callerOf({ subject: payload.sub, organisation: payload.org, role: payload.role, territory: payload.territory, scopes: scopesOf(payload, config.scopeClaim) });
      verified.remember(token, caller, payload.exp!);
      return caller;
    } catch (error) {
      if (error instanceof ClaimError) throw unauthenticated(error.message);
      throw error;
    }
  };
}
