// The two indicators each fund publishes about its aids (Agefiph for the private sector, FIPHFP for
// the public one): requests filed in the period, and decisions taken in it, with the amounts. Both
// funds keep requests with the same life cycle (FundingStatus), so one definition serves both; each
// fund says how to read its rows.
import type { EntityManager } from '@mikro-orm/core';
import type { IndicatorDefinition, StatisticsRecord } from './statistics-cube.ts';

/** One aid request as the indicators need it. */
export interface AidRow {
  readonly personId: string | null;
  readonly employerSiret: string | null;
  readonly departement: string;
  readonly requestedOn: string;
  readonly decidedOn: string | null;
  readonly status: string;
  readonly beneficiary: 'PERSON' | 'EMPLOYER';
  readonly requestedCents: number;
  readonly grantedCents: number | null;
}

const DECISIONS = ['PENDING', 'GRANTED', 'REFUSED', 'CANCELLED'];
const BENEFICIARIES = ['PERSON', 'EMPLOYER'];

/** Where a request stands, in the indicator's words (a paid aid was granted). */
function decisionOf(status: string): string {
  return status === 'REQUESTED' ? 'PENDING' : status === 'PAID' ? 'GRANTED' : status;
}

/**
 * The person concerned contributes (the people's threshold applies), or the employer when the aid
 * names no person (3 employers are enough, with the dominance rule on amounts).
 */
function base(row: AidRow): Pick<StatisticsRecord, 'departement' | 'contributor' | 'person'> {
  return row.personId ? { departement: row.departement, contributor: row.personId, person: true } : { departement: row.departement, contributor: row.employerSiret ?? '', person: false };
}

export function aidIndicators(names: { requests: string; decisions: string }, rowsOf: (em: EntityManager) => Promise<AidRow[]>): IndicatorDefinition<EntityManager>[] {
  return [
    {
      name: names.requests,
      kind: 'FLOW',
      breakdowns: { DECISION: DECISIONS, BENEFICIARY_TYPE: BENEFICIARIES },
      contributors: 'PEOPLE_OR_EMPLOYERS',
      amounts: true,
      oneRecordPerContributor: false,
      async records(em) {
        return (await rowsOf(em)).map((r) => ({
          ...base(r), on: r.requestedOn, amountCents: r.requestedCents,
          categories: { DECISION: decisionOf(r.status), BENEFICIARY_TYPE: r.beneficiary },
        }));
      },
    },
    {
      name: names.decisions,
      kind: 'FLOW',
      breakdowns: { DECISION: ['GRANTED', 'REFUSED'], BENEFICIARY_TYPE: BENEFICIARIES },
      contributors: 'PEOPLE_OR_EMPLOYERS',
      amounts: true,
      oneRecordPerContributor: false,
      async records(em) {
        return (await rowsOf(em))
          .filter((r) => r.decidedOn !== null && ['GRANTED', 'PAID', 'REFUSED'].includes(r.status))
          .map((r) => ({
            ...base(r), on: r.decidedOn!, amountCents: r.grantedCents ?? 0,
            categories: { DECISION: decisionOf(r.status), BENEFICIARY_TYPE: r.beneficiary },
          }));
      },
    },
  ];
}
