// Subgraphs trust only the gateway: each request carries a short-lived JWT signed by the gateway's
// key with the caller's verified claims. Anything else (no token, another key, an expired token,
// a token for another subgraph, claims that do not read as a Caller: kit/caller.ts) is refused before
// any resolver runs, `_service` and `_entities` included.
import { readFile } from 'node:fs/promises';
import { createLocalJWKSet, createRemoteJWKSet, jwtVerify, type JWTVerifyGetKey } from 'jose';
import { GraphQLError } from 'graphql';
import { callerOf, type Caller } from './caller.ts';
import type { SubgraphConfig } from './config.ts';

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

export async function verifyGatewayToken(keys: JWTVerifyGetKey, subgraph: string, authorization: string | undefined): Promise<GatewayClaims> {
  const token = /^Bearer ([A-Za-z0-9_.-]+)$/.exec(authorization ?? '')?.[1];
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
    return {
      caller: callerOf({ subject: payload.sub, organisation: payload.org, role: payload.role, territory: payload.territory, scopes }),
      operationName: typeof payload.op === 'string' ? payload.op : null,
    };
  } catch {
    throw unauthenticated('the gateway signature of this request is missing, invalid or expired');
  }
}
