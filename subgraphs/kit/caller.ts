// Who is calling, as the gateway vouches for it. Every subgraph decision about rows (territory,
// caseload, perimeter) and every audit entry starts from this object.
//
// Claims fail closed: the gateway (reading the partner's token) and every subgraph (reading the
// gateway's token) build a Caller only through `callerOf`, and anything blank, malformed or unknown
// is a ClaimError (401), never a wider perimeter. A national perimeter is written, never inferred.
import { isDepartementCode } from './territory.ts';

export const ORGANISATIONS = ['france-travail', 'cap-emploi', 'agefiph', 'fiphfp', 'dgefp', 'cheops'] as const;
export type Organisation = (typeof ORGANISATIONS)[number];

export const ROLES = ['counsellor', 'case-manager', 'analyst', 'dpo', 'service-account'] as const;
export type Role = (typeof ROLES)[number];

/**
 * The roles whose token may state a national perimeter (territory `*`): those who work for a whole
 * organisation (a fund's case-managers, data-protection officers, national analysts, applications).
 * A counsellor always works for named départements: a counsellor's token must list them. Read with the
 * scope matrix (gateway/scope-matrix.ts re-exports it there); declared here because every subgraph
 * applies it too, and subgraphs run without the gateway's code.
 */
export const NATIONAL_ROLES: ReadonlySet<Role> = new Set<Role>(['case-manager', 'service-account', 'analyst', 'dpo']);

/** The territory claim of a national caller: exactly `"*"` or `["*"]`. */
export const NATIONAL = '*';

export interface Caller {
  readonly subject: string;
  readonly organisation: Organisation;
  readonly role: Role;
  readonly scopes: ReadonlySet<string>;
  /** True only when the token said so (territory `*`) for a role allowed to be national. */
  readonly national: boolean;
  /** Départements the caller works in: distinct known codes, empty only when national. */
  readonly territory: readonly string[];
}

/** A claim that is missing, blank, malformed or unknown: the token is refused (401). */
export class ClaimError extends Error {}

export function organisationClaim(value: unknown): Organisation {
  if (!ORGANISATIONS.includes(value as Organisation)) throw new ClaimError('the token names no known organisation (claim org)');
  return value as Organisation;
}

export function roleClaim(value: unknown): Role {
  if (!ROLES.includes(value as Role)) throw new ClaimError('the token names no known role (claim role)');
  return value as Role;
}

/**
 * The territory claim: `"*"` (or `["*"]`) for a national caller of a role the scope matrix allows to
 * be national, otherwise a non-empty list of distinct known département codes. Anything else
 * (missing, blank, a number, `*` mixed with codes, an unknown or repeated code) is a ClaimError.
 */
export function territoryClaim(value: unknown, role: Role): Pick<Caller, 'national' | 'territory'> {
  if (value === NATIONAL || (Array.isArray(value) && value.length === 1 && value[0] === NATIONAL)) {
    if (!NATIONAL_ROLES.has(role)) throw new ClaimError(`a ${role} has no national perimeter: the token must list its départements (claim territory)`);
    return { national: true, territory: Object.freeze([]) };
  }
  if (!Array.isArray(value) || value.length === 0) throw new ClaimError('the token states no territory: a list of départements, or "*" for a national role (claim territory)');
  if (!value.every((code) => typeof code === 'string' && isDepartementCode(code))) throw new ClaimError('the token territory lists something that is not a known département (claim territory)');
  if (new Set(value).size !== value.length) throw new ClaimError('the token territory lists a département twice (claim territory)');
  return { national: false, territory: Object.freeze([...value] as string[]) };
}

/** The claims as a token carries them, not yet trusted. */
export interface RawClaims {
  readonly subject: unknown;
  readonly organisation: unknown;
  readonly role: unknown;
  readonly territory: unknown;
  readonly scopes: Iterable<string>;
}

export function callerOf(claims: RawClaims): Caller {
  if (typeof claims.subject !== 'string' || claims.subject.trim() === '') throw new ClaimError('the token names no subject (claim sub)');
  const organisation = organisationClaim(claims.organisation);
  const role = roleClaim(claims.role);
  return Object.freeze({ subject: claims.subject, organisation, role, scopes: new Set(claims.scopes), ...territoryClaim(claims.territory, role) });
}

/** The territory claim that `territoryClaim` reads back as this caller's perimeter. */
export function territoryClaimOf(caller: Caller): string | string[] {
  return caller.national ? NATIONAL : [...caller.territory];
}

export function hasScope(caller: Caller, scope: string): boolean {
  return caller.scopes.has(scope);
}

/** Départements a query must be restricted to, or null when the caller is national. */
export function territoryFilter(caller: Caller): readonly string[] | null {
  return caller.national ? null : caller.territory;
}

export function inTerritory(caller: Caller, departement: string): boolean {
  return caller.national || caller.territory.includes(departement);
}
