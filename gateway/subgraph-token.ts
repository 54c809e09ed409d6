// Signs the token the gateway attaches to every subgraph call: the caller's verified claims,
// the operation name, for one subgraph (audience), valid one minute.
import { randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import type { Caller } from '../subgraphs/kit/caller.ts';
import { GATEWAY_ISSUER, GATEWAY_TOKEN_TTL_SECONDS, subgraphAudience } from '../subgraphs/kit/trust.ts';
import type { SigningKey } from './keys.ts';

export async function signSubgraphToken(key: SigningKey, subgraph: string, caller: Caller, operationName: string | null): Promise<string> {
  return new SignJWT({
    org: caller.organisation,
    role: caller.role,
    scope: [...caller.scopes].join(' '),
    territory: [...caller.territory],
    ...(operationName ? { op: operationName } : {}),
  })
    .setProtectedHeader({ alg: 'ES256', kid: key.kid })
    .setIssuer(GATEWAY_ISSUER)
    .setAudience(subgraphAudience(subgraph))
    .setSubject(caller.subject)
    .setIssuedAt()
    .setJti(randomUUID())
    .setExpirationTime(`${GATEWAY_TOKEN_TTL_SECONDS}s`)
    .sign(key.key);
}
