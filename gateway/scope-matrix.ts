// Which role of which organisation holds which scopes. Identity providers put these scopes in the
// tokens they issue; the development issuer (`npm run token`) uses this table. The README prints it.
// Health data (GDPR art. 9; CNIL délibération 2023-005): only the roles that accompany the person or
// decide an aid read the disability status; decision notes stay with the deciding fund.
import type { Organisation, Role } from '../subgraphs/kit/caller.ts';

export const SCOPES = [
  'person:read', 'health:read', 'orientation:write', 'accompaniment:read', 'accompaniment:write',
  'aid:read', 'aid:request', 'aid:decide', 'aid:notes', 'employer:read',
  'fiphfp:read', 'fiphfp:request', 'fiphfp:decide', 'declaration:write', 'statistics:read', 'audit:read', 'sandbox',
] as const;
export type Scope = (typeof SCOPES)[number];

const COUNSELLOR: Scope[] = ['person:read', 'health:read', 'orientation:write', 'accompaniment:read', 'aid:read', 'aid:request', 'employer:read', 'fiphfp:read'];

export const SCOPE_MATRIX: Readonly<Partial<Record<Organisation, Partial<Record<Role, readonly Scope[]>>>>> = {
  'france-travail': {
    counsellor: COUNSELLOR,
    'case-manager': [...COUNSELLOR],
    analyst: ['statistics:read', 'sandbox'],
    dpo: ['audit:read', 'sandbox'],
    'service-account': ['person:read', 'employer:read'],
  },
  'cap-emploi': {
    counsellor: [...COUNSELLOR, 'accompaniment:write'],
    'case-manager': [...COUNSELLOR, 'accompaniment:write'],
    analyst: ['statistics:read', 'sandbox'],
    dpo: ['audit:read', 'sandbox'],
  },
  agefiph: {
    'case-manager': ['person:read', 'health:read', 'aid:read', 'aid:request', 'aid:decide', 'aid:notes', 'employer:read'],
    analyst: ['statistics:read', 'sandbox'],
    dpo: ['audit:read', 'sandbox'],
  },
  fiphfp: {
    'case-manager': ['person:read', 'employer:read', 'fiphfp:read', 'fiphfp:request', 'fiphfp:decide', 'aid:notes'],
    'service-account': ['employer:read', 'declaration:write'],
    analyst: ['statistics:read', 'sandbox'],
    dpo: ['audit:read', 'sandbox'],
  },
  dgefp: { analyst: ['statistics:read', 'sandbox'] },
  cheops: { analyst: ['statistics:read', 'sandbox'] },
};

/** Who may be national (territory `*`): case-managers, service accounts, analysts, DPOs; never a counsellor. */
export { NATIONAL_ROLES } from '../subgraphs/kit/caller.ts';

export function scopesFor(organisation: Organisation, role: Role): readonly Scope[] {
  return SCOPE_MATRIX[organisation]?.[role] ?? [];
}
