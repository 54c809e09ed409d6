// Signs the token the gateway attaches to every subgraph call: the caller's verified claims,
// the operation name, for one subgraph (audience), valid one minute. A token is signed once per
// (caller's claims, subgraph, operation name) and reused while enough of its minute is left for a
// call to finish (docs/adr/0001-subgraph-token-reuse.md): a subgraph sees the same claims and
// operation name, bound by the same signature, as if it had been signed for this call.
import { randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import { territoryClaimOf, type Caller } from '../subgraphs/kit/caller.ts';
import { GATEWAY_ISSUER, GATEWAY_TOKEN_TTL_SECONDS, subgraphAudience } from '../subgraphs/kit/trust.ts';
import { ExpiringCache } from '../subgraphs/kit/expiring-cache.ts';
import type { SigningKey } from './keys.ts';

function claimsOf(caller: Caller, operationName: string | null) {
  return {
    org: caller.organisation,
    role: caller.role,
    scope: [...caller.scopes].join(' '),
    territory: territoryClaimOf(caller),
    ...(operationName ? { op: operationName } : {}),
  };
}

export async function signSubgraphToken(key: SigningKey, subgraph: string, caller: Caller, operationName: string | null): Promise<string> {
  return new SignJWT(claimsOf(caller, operationName))
    .setProtectedHeader({ alg: 'ES256', kid: key.kid })
    .setIssuer(GATEWAY_ISSUER)
    .setAudience(subgraphAudience(subgraph))
    .setSubject(caller.subject)
    .setIssuedAt()
    .setJti(randomUUID())
    .setExpirationTime(`${GATEWAY_TOKEN_TTL_SECONDS}s`)
    .sign(key.key);
}

export interface SubgraphTokenOptions {
  /** A token is not handed out once less than this is left of its life (the longest a call may take, plus clock skew). */
  readonly minRemainingSeconds: number;
  /** Distinct (caller, subgraph, operation) tokens kept; the least recently used are dropped beyond. */
  readonly maxEntries?: number;
  readonly now?: () => number;
}

/** Subgraph tokens signed once and reused for most of their minute. */
export class SubgraphTokens {
  readonly #key: SigningKey;
  readonly #reuseMs: number;
  readonly #now: () => number;
  readonly #issued: ExpiringCache<Promise<string>>;

  constructor(key: SigningKey, options: SubgraphTokenOptions) {
    this.#key = key;
    // One second more: `iat` is rounded down to the second, so a token may end up to a second early.
    this.#reuseMs = Math.max(0, GATEWAY_TOKEN_TTL_SECONDS - options.minRemainingSeconds - 1) * 1000;
    this.#now = options.now ?? Date.now;
    this.#issued = new ExpiringCache(options.maxEntries ?? 10_000, this.#now);
  }

  tokenFor(subgraph: string, caller: Caller, operationName: string | null): Promise<string> {
    // Every claim the token carries is in the key: two callers share a token only if it says the same.
    const key = `${subgraph}\n${caller.subject}\n${JSON.stringify(claimsOf(caller, operationName))}`;
    const issued = this.#issued.get(key);
    if (issued) return issued;
    // Concurrent requests of the same caller share one signature; a failed signature is not kept.
    const token = signSubgraphToken(this.#key, subgraph, caller, operationName);
    token.catch(() => this.#issued.delete(key));
    this.#issued.set(key, token, this.#now() + this.#reuseMs);
    return token;
  }
}
