// Agefiph's indicators for analysts (secrecy rules: kit/statistics.ts): aid requests and decisions
// of the private-sector fund, with their amounts (kit/statistics-aids.ts).
import { sqlRows } from '../kit/statistics-api.ts';
import { aidIndicators } from '../kit/statistics-aids.ts';
import { catalogueItem } from './catalogue.ts';

interface Row {
  person_id: string | null; employer_siret: string | null; departement: string; aid_code: string; catalogue_version: string; status: string;
  requested_on: string; decided_on: string | null; amount_requested_cents: number; amount_granted_cents: number | null;
}

/** Agefiph's indicators, each published by the field of its name (kit/server.ts adds them to Query). */
export const indicators = aidIndicators({ requests: 'agefiphAidRequestStatistics', decisions: 'agefiphAidDecisionStatistics' }, async (em) => {
  const rows = await sqlRows<Row>(em, `select person_id, employer_siret, departement, aid_code, catalogue_version, status, amount_requested_cents, amount_granted_cents,
    cast(requested_on as text) as requested_on, cast(decided_on as text) as decided_on from aid_request`);
  return rows.map((r) => ({
    personId: r.person_id, employerSiret: r.employer_siret, departement: r.departement, requestedOn: r.requested_on, decidedOn: r.decided_on, status: r.status,
    // An employer aid may name the employee it is for: the beneficiary is still the employer.
    beneficiary: catalogueItem(r.aid_code, r.catalogue_version)?.beneficiaryType === 'PRIVATE_EMPLOYER' ? 'EMPLOYER' : 'PERSON',
    requestedCents: Number(r.amount_requested_cents), grantedCents: r.amount_granted_cents === null ? null : Number(r.amount_granted_cents),
  }));
});
