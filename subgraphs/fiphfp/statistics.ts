// FIPHFP's indicators for analysts (secrecy rules: kit/statistics.ts): aid requests and decisions
// of the public-sector fund, with their amounts (kit/statistics-aids.ts).
import { sqlRows } from '../kit/statistics-api.ts';
import { aidIndicators } from '../kit/statistics-aids.ts';

interface Row {
  person_id: string | null; siret: string; departement: string; status: string;
  requested_on: string; decided_on: string | null; amount_requested_cents: number; amount_granted_cents: number | null;
}

/** FIPHFP's indicators, each published by the field of its name (kit/server.ts adds them to Query). */
export const indicators = aidIndicators({ requests: 'fiphfpAidRequestStatistics', decisions: 'fiphfpAidDecisionStatistics' }, async (em) => {
  const rows = await sqlRows<Row>(em, `select person_id, siret, departement, status, amount_requested_cents, amount_granted_cents,
    cast(requested_on as text) as requested_on, cast(decided_on as text) as decided_on from aid_request`);
  return rows.map((r) => ({
    personId: r.person_id, employerSiret: r.siret, departement: r.departement, requestedOn: r.requested_on, decidedOn: r.decided_on, status: r.status,
    // An aid for an agent is the agent's; an aid to the employer as a whole names no agent.
    beneficiary: r.person_id ? 'PERSON' : 'EMPLOYER',
    requestedCents: Number(r.amount_requested_cents), grantedCents: r.amount_granted_cents === null ? null : Number(r.amount_granted_cents),
  }));
});
