// Authentication: every request carries a bearer JWT from a trusted issuer (keys from a JWKS),
// checked for signature, algorithm, issuer, audience and lifetime before anything else runs; then its
// claims, which fail closed (kit/caller.ts): a blank, malformed or unknown claim is a 401.
import { readFileSync } from 'node:fs';
import { createLocalJWKSet, createRemoteJWKSet, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import { GraphQLError } from 'graphql';
import { callerOf, ClaimError, type Caller } from '../subgraphs/kit/caller.ts';
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

export function authenticator(config: GatewayConfig, keys: JWTVerifyGetKey = issuerKeys(config)): Authenticate {
  return async (authorization) => {
    const token = /^Bearer (\S+)$/i.exec(authorization ?? '')?.[1];
    if (!token) throw unauthenticated('a bearer token is required (Authorization: Bearer <token>)');
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
      return callerOf({ subject: payload.sub, organisation: payload.org, role: payload.role, territory: payload.territory, scopes: scopesOf(payload, config.scopeClaim) });
    } catch (error) {
      if (error instanceof ClaimError) throw unauthenticated(error.message);
      throw error;
    }
  };
}
