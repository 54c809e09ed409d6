// Who the crawler calls as: every role of every organisation of the scope matrix whose scopes reach
// a personal-data type, for territories chosen from the data where a perimeter is most likely to be
// crossed (the most rows about people who live elsewhere, then the most rows): a metropolitan
// département, two others together, an overseas one, a Corsican one, and national (`*`, for the
// roles that may be national).
import { SCOPE_MATRIX } from '../../../gateway/scope-matrix.ts';
import { mintDevToken } from '../../../gateway/dev-token.ts';
import { departement } from '../../../subgraphs/kit/territory.ts';
import type { Organisation, Role } from '../../../subgraphs/kit/caller.ts';
import { reachablePersonalTypes, type CrawlSchema } from './schema.ts';

/** The territory claim of a national caller. */
export const NATIONAL = '*';
/** Roles that may carry the national claim; a counsellor is never national. */
const NATIONAL_ROLES: ReadonlySet<Role> = new Set(['case-manager', 'service-account', 'analyst', 'dpo']);
const CORSICA_REGION = '94';

export interface Territory {
  readonly label: string;
  /** Département codes, or null for national. */
  readonly codes: readonly string[] | null;
}

export interface CrawlCaller {
  readonly organisation: Organisation;
  readonly role: Role;
  readonly territory: Territory;
  readonly subject: string;
  readonly scopes: ReadonlySet<string>;
  token: string;
}

export function territoriesOf(scores: ReadonlyMap<string, { rows: number; elsewhere: number }>): Territory[] {
  const ranked = [...scores].filter(([code]) => departement(code))
    .sort(([a, x], [b, y]) => y.elsewhere - x.elsewhere || y.rows - x.rows || a.localeCompare(b)).map(([code]) => code);
  const overseas = (code: string) => code.startsWith('97');
  const corsican = (code: string) => departement(code)?.regionCode === CORSICA_REGION;
  const metropolitan = ranked.filter((c) => !overseas(c) && !corsican(c));
  const pick = (label: string, codes: (string | undefined)[]) => (codes.every(Boolean) ? [{ label, codes: codes as string[] }] : []);
  return [
    ...pick(`metropolitan ${metropolitan[0]}`, [metropolitan[0]]),
    ...pick(`two départements ${metropolitan[1]}+${metropolitan[2]}`, [metropolitan[1], metropolitan[2]]),
    ...pick(`overseas ${ranked.find(overseas)}`, [ranked.find(overseas)]),
    ...pick(`Corsica ${ranked.find(corsican)}`, [ranked.find(corsican)]),
    { label: 'national', codes: null },
  ];
}

export function mayBeNational(role: Role): boolean {
  return NATIONAL_ROLES.has(role);
}

/** Every (organisation, role, territory) whose scopes reach personal data; `skipped` lists the roles left out and why. */
export function crawlCallers(schema: CrawlSchema, territories: readonly Territory[], runTag: string): { callers: CrawlCaller[]; skipped: string[] } {
  const callers: CrawlCaller[] = [];
  const skipped: string[] = [];
  for (const [organisation, roles] of Object.entries(SCOPE_MATRIX) as [Organisation, Partial<Record<Role, readonly string[]>>][]) {
    for (const [role, scopeList] of Object.entries(roles) as [Role, readonly string[]][]) {
      const scopes = new Set(scopeList);
      if (reachablePersonalTypes(schema, scopes).size === 0) {
        skipped.push(`${organisation} ${role}: its scopes (${scopeList.join(' ')}) reach no personal-data type`);
        continue;
      }
      for (const territory of territories) {
        if (!territory.codes && !mayBeNational(role)) continue;
        callers.push({ organisation, role, territory, scopes, subject: `crawler-${runTag}:${organisation}:${role}:${territory.codes?.join('+') ?? NATIONAL}`, token: '' });
      }
    }
  }
  return { callers, skipped };
}

/** A development token for the caller, its territory written as the claim rule says: codes, or exactly `*`. */
export async function tokenOf(dataDir: string, caller: CrawlCaller, legacyNational = false): Promise<string> {
  const territory = caller.territory.codes ? [...caller.territory.codes] : legacyNational ? [] : [NATIONAL];
  return mintDevToken(dataDir, { organisation: caller.organisation, role: caller.role, subject: caller.subject, territory });
}

export function inTerritory(caller: CrawlCaller, departementCode: string): boolean {
  return caller.territory.codes === null || caller.territory.codes.includes(departementCode);
}
