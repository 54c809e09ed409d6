// Who is calling, as the gateway vouches for it. Every subgraph decision about rows (territory,
// caseload, perimeter) and every audit entry starts from this object.

export const ORGANISATIONS = ['france-travail', 'cap-emploi', 'agefiph', 'fiphfp', 'dgefp', 'cheops'] as const;
export type Organisation = (typeof ORGANISATIONS)[number];

export const ROLES = ['counsellor', 'case-manager', 'analyst', 'dpo', 'service-account'] as const;
export type Role = (typeof ROLES)[number];

export interface Caller {
  readonly subject: string;
  readonly organisation: Organisation;
  readonly role: Role;
  readonly scopes: ReadonlySet<string>;
  /** Départements the caller works in; empty means national. */
  readonly territory: readonly string[];
}

export function hasScope(caller: Caller, scope: string): boolean {
  return caller.scopes.has(scope);
}

/** Départements a query must be restricted to, or null when the caller is national. */
export function territoryFilter(caller: Caller): readonly string[] | null {
  return caller.territory.length === 0 ? null : caller.territory;
}

export function inTerritory(caller: Caller, departement: string): boolean {
  return caller.territory.length === 0 || caller.territory.includes(departement);
}
