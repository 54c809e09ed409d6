// Subgraphs trust only the gateway: each request carries a short-lived JWT signed by the gateway's
// key with the caller's verified claims. Anything else (no token, another key, an expired token,
// a token for another subgraph, claims that do not read as a Caller: kit/caller.ts) is refused before
// any resolver runs, `_service` and `_entities` included.
import { readFile } from 'node:fs/promises';
import { createLocalJWKSet, createRemoteJWKSet, jwtVerify, type JWTVerifyGetKey } from 'jose';
import { GraphQLError } from 'graphql';
import { callerOf, type Caller } from './caller.ts';
import type { SubgraphConfig } from './config.ts';
import { ExpiringCache } from './expiring-cache.ts';

export const GATEWAY_ISSUER = 'passerelle-gateway';
/** A gateway token lives one minute: long enough for one query plan, too short to be worth stealing. */
export const GATEWAY_TOKEN_TTL_SECONDS = 60;

export function subgraphAudience(name: string): string {
  return `passerelle-subgraph:${name}`;
}

export interface GatewayClaims {
  readonly caller: Caller;
  readonly operationName: string | null;
}

function unauthenticated(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'UNAUTHENTICATED', http: { status: 401 } } });
}

export async function gatewayKeys(config: SubgraphConfig): Promise<JWTVerifyGetKey> {
  if ('url' in config.gatewayJwks) return createRemoteJWKSet(new URL(config.gatewayJwks.url));
  return createLocalJWKSet(JSON.parse(await readFile(config.gatewayJwks.file, 'utf8')));
}

const bearerToken = (authorization: string | undefined) => /^Bearer ([A-Za-z0-9_.-]+)$/.exec(authorization ?? '')?.[1];

export async function verifyGatewayToken(keys: JWTVerifyGetKey, subgraph: string, authorization: string | undefined): Promise<GatewayClaims> {
  return (await verifyToken(keys, subgraph, authorization)).claims;
}

/** The claims of a valid token, and the instant (epoch ms) until which every check it passed still holds. */
async function verifyToken(keys: JWTVerifyGetKey, subgraph: string, authorization: string | undefined): Promise<{ claims: GatewayClaims; validUntilMs: number }> {
  const token = bearerToken(authorization);
  if (!token) throw unauthenticated('subgraphs answer only requests signed by the gateway');
  try {
    const { payload } = await jwtVerify(token, keys, {
      issuer: GATEWAY_ISSUER,
      audience: subgraphAudience(subgraph),
      algorithms: ['ES256'],
      maxTokenAge: `${GATEWAY_TOKEN_TTL_SECONDS}s`,
      clockTolerance: 5,
      requiredClaims: ['sub', 'exp', 'iat'],
    });
    const scopes = typeof payload.scope === 'string' ? payload.scope.split(' ').filter(Boolean) : [];
    const claims = {
      caller: callerOf({ subject: payload.sub, organisation: payload.org, role: payload.role, territory: payload.territory, scopes }),
      operationName: typeof payload.op === 'string' ? payload.op : null,
    };
    // Without the clock tolerance: a cached verdict never outlives what a fresh check would accept.
    return { claims, validUntilMs: Math.min(payload.exp!, payload.iat! + GATEWAY_TOKEN_TTL_SECONDS) * 1000 };
  } catch {
    throw unauthenticated('the gateway signature of this request is missing, invalid or expired');
  }
}

/**
 * The gateway signs a token once per (caller, subgraph, operation) and reuses it for most of its
 * minute (gateway/subgraph-token.ts), so a subgraph sees the same token string many times: its
 * verdict is kept for that exact string, and only until the token's own expiry (exp, and iat plus
 * the token's lifetime, whichever comes first). A token never verified, a different string, or one
 * past that instant goes through the full check (signature, issuer, audience, algorithm, age,
 * claims); failures are never kept.
 */
export class GatewayTokenVerifier {
  readonly #keys: JWTVerifyGetKey;
  readonly #subgraph: string;
  readonly #verified: ExpiringCache<GatewayClaims>;

  constructor(keys: JWTVerifyGetKey, subgraph: string, options: { readonly now?: () => number; readonly maxEntries?: number } = {}) {
    this.#keys = keys;
    this.#subgraph = subgraph;
    this.#verified = new ExpiringCache(options.maxEntries ?? 10_000, options.now);
  }

  async verify(authorization: string | undefined): Promise<GatewayClaims> {
    const token = bearerToken(authorization);
    const cached = token ? this.#verified.get(token) : undefined;
    if (cached) return cached;
    const { claims, validUntilMs } = await verifyToken(this.#keys, this.#subgraph, authorization);
    this.#verified.set(token!, claims, validUntilMs);
    return claims;
  }
}
