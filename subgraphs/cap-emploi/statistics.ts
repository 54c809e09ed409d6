// Cap emploi's indicators for analysts (secrecy rules: kit/statistics.ts): accompaniments opened
// toward and in employment, job-retention cases closed by outcome, services to employers. Cap emploi
// reports them yearly (DOMAIN.md: 26,684 job retentions in 2024); here they are computed over the
// synthetic world, never typed in.
import { sqlIndicator } from '../kit/statistics-api.ts';
import { ACCOMPANIMENT_KINDS, SERVICE_KINDS } from './rules.ts';

/** How a job-retention accompaniment can close (rules.ts OUTCOMES of that kind). */
const RETENTION_OUTCOMES = ['JOB_RETAINED', 'JOB_RETAINED_OTHER_POST', 'NOT_RETAINED', 'ABANDONED'];

interface CaseRow { person_id: string; departement: string; day: string; category: string }

const accompaniments = sqlIndicator<CaseRow>({
  name: 'capEmploiAccompanimentStatistics',
  breakdowns: { ACCOMPANIMENT_KIND: [...ACCOMPANIMENT_KINDS] },
  sql: 'select person_id, departement, kind as category, cast(opened_on as text) as day from accompaniment',
  record: (r) => ({ on: r.day, departement: r.departement, contributor: r.person_id, person: true, categories: { ACCOMPANIMENT_KIND: r.category } }),
});

const jobRetentions = sqlIndicator<CaseRow>({
  name: 'capEmploiJobRetentionStatistics',
  breakdowns: { OUTCOME: RETENTION_OUTCOMES },
  sql: "select person_id, departement, outcome as category, cast(closed_on as text) as day from accompaniment where kind = 'JOB_RETENTION' and status = 'CLOSED'",
  record: (r) => ({ on: r.day, departement: r.departement, contributor: r.person_id, person: true, categories: { OUTCOME: r.category } }),
});

/** Employers contribute: 3 of them are enough for a cell (DOMAIN.md). */
const employerServices = sqlIndicator<{ employer_siret: string; departement: string; day: string; kind: string }>({
  name: 'capEmploiEmployerServiceStatistics',
  contributors: 'EMPLOYERS',
  breakdowns: { SERVICE_KIND: [...SERVICE_KINDS] },
  sql: 'select employer_siret, departement, kind, cast(delivered_on as text) as day from employer_service',
  record: (r) => ({ on: r.day, departement: r.departement, contributor: r.employer_siret, person: false, categories: { SERVICE_KIND: r.kind } }),
});

/** Cap emploi's indicators, each published by the field of its name (kit/server.ts adds them to Query). */
export const indicators = [accompaniments, jobRetentions, employerServices];
