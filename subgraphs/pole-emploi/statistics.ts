// France Travail's indicators for analysts. Statistics are not rows: they go through the secrecy
// rules of kit/statistics.ts, never through the row policy. Any organisation's analyst reads them
// (scope statistics:read), restricted to its départements when its token names some.
import type { SubgraphContext } from '../kit/context.ts';
import { ErrorCode, reject } from '../kit/errors.ts';
import { PEOPLE_THRESHOLD } from '../kit/statistics.ts';
import { covers, indicatorResolver, sqlIndicator } from '../kit/statistics-api.ts';
import { AREAS, monthIndex, parsePeriod, periodLabel, seriesOf, type StatisticsRecord } from '../kit/statistics-cube.ts';

const SEXES = ['F', 'M'];
const JOB_SEEKER_CATEGORIES = ['A', 'B', 'C', 'D', 'E', 'F', 'G'];
const BOETH_CATEGORIES = ['RQTH', 'INVALIDITY_PENSION', 'AAH', 'WORK_ACCIDENT_PENSION', 'MOBILITY_INCLUSION_CARD', 'WAR_DISABLED', 'VOLUNTEER_FIREFIGHTER'];
const CONTRACT_TYPES = ['CDI', 'CDD_6_MONTHS_OR_MORE', 'CDD_UNDER_6_MONTHS', 'TEMPORARY', 'APPRENTICESHIP', 'BUSINESS_CREATION'];
const FINANCERS = ['CPF', 'FRANCE_TRAVAIL', 'REGION', 'AGEFIPH'];

/** A training whose financing was refused did not take place. */
const TRAINED = "t.status <> 'REFUSED'";

/** The same day `years` later (29 February becomes 1 March). */
function yearsAfter(isoDay: string, years: number): string {
  const d = new Date(`${isoDay}T00:00:00Z`);
  d.setUTCFullYear(d.getUTCFullYear() + years);
  return d.toISOString().slice(0, 10);
}

function monthsAfter(isoDay: string, months: number): string {
  const d = new Date(`${isoDay}T00:00:00Z`);
  d.setUTCMonth(d.getUTCMonth() + months);
  return d.toISOString().slice(0, 10);
}

interface PersonRow { id: string; departement: string; sex: string }

const person = (r: PersonRow, on: string, categories: Record<string, string>, until?: string | null): StatisticsRecord => ({
  on, until, departement: r.departement, contributor: r.id, person: true, categories,
});

export const registrations = sqlIndicator<PersonRow & { registered_on: string; category: string; boeth_category: string }>({
  name: 'registrationStatistics',
  breakdowns: { SEX: SEXES, JOB_SEEKER_CATEGORY: JOB_SEEKER_CATEGORIES, BOETH_CATEGORY: BOETH_CATEGORIES },
  oneRecordPerContributor: true,
  sql: 'select id, departement, sex, category, boeth_category, cast(registered_on as text) as registered_on from job_seeker',
  record: (r) => person(r, r.registered_on, { SEX: r.sex, JOB_SEEKER_CATEGORY: r.category, BOETH_CATEGORY: r.boeth_category }),
});

const returnsToEmployment = sqlIndicator<PersonRow & { started_on: string; contract_type: string }>({
  name: 'returnToEmploymentStatistics',
  breakdowns: { SEX: SEXES, CONTRACT_TYPE: CONTRACT_TYPES },
  sql: 'select j.id, r.departement, j.sex, r.contract_type, cast(r.started_on as text) as started_on from return_to_employment r join job_seeker j on j.id = r.person_id',
  record: (r) => person(r, r.started_on, { SEX: r.sex, CONTRACT_TYPE: r.contract_type }),
});

/**
 * Long-term job seekers: registered for a year or more on the last day of the period, with no
 * return to employment since their registration (the synthetic world records no other exit).
 */
const longTermJobSeekers = sqlIndicator<PersonRow & { registered_on: string; first_return: string | null }>({
  name: 'longTermJobSeekerStatistics',
  kind: 'STOCK',
  breakdowns: { SEX: SEXES },
  oneRecordPerContributor: true,
  sql: `select j.id, j.departement, j.sex, cast(j.registered_on as text) as registered_on,
      (select cast(min(r.started_on) as text) from return_to_employment r where r.person_id = j.id and r.started_on >= j.registered_on) as first_return
    from job_seeker j`,
  record(r) {
    const on = yearsAfter(r.registered_on, 1);
    return r.first_return !== null && r.first_return <= on ? null : person(r, on, { SEX: r.sex }, r.first_return);
  },
});

const trainingEntries = sqlIndicator<PersonRow & { starts_on: string; financer: string }>({
  name: 'trainingEntryStatistics',
  breakdowns: { SEX: SEXES, FINANCER: FINANCERS },
  sql: `select j.id, t.departement, j.sex, t.financer, cast(t.starts_on as text) as starts_on from training t join job_seeker j on j.id = t.person_id where ${TRAINED}`,
  record: (r) => person(r, r.starts_on, { SEX: r.sex, FINANCER: r.financer }),
});

/**
 * Access to employment six months after a training: the trainees whose training ended in the period,
 * split by whether a return to employment started within six months of the end. A period is published
 * once its six months have passed.
 */
const employmentAfterTraining = sqlIndicator<PersonRow & { ends_on: string; next_return: string | null }>({
  name: 'employmentAfterTrainingStatistics',
  breakdowns: { OUTCOME: ['EMPLOYED_WITHIN_SIX_MONTHS', 'NOT_EMPLOYED'], SEX: SEXES },
  lagMonths: 6,
  sql: `select j.id, t.departement, j.sex, cast(t.ends_on as text) as ends_on,
      (select cast(min(r.started_on) as text) from return_to_employment r where r.person_id = t.person_id and r.started_on >= t.ends_on) as next_return
    from training t join job_seeker j on j.id = t.person_id where ${TRAINED}`,
  record: (r) => person(r, r.ends_on, {
    OUTCOME: r.next_return !== null && r.next_return <= monthsAfter(r.ends_on, 6) ? 'EMPLOYED_WITHIN_SIX_MONTHS' : 'NOT_EMPLOYED', SEX: r.sex,
  }),
});

/** France Travail's indicators, each published by the field of its name (kit/server.ts adds them to Query). */
export const indicators = [registrations, returnsToEmployment, longTermJobSeekers, trainingEntries, employmentAfterTraining];

/** The dimensions of jobSeekerStatistics (its first API), as cells of registrationStatistics. */
const DIMENSIONS = { DEPARTEMENT: null, CATEGORY: 'JOB_SEEKER_CATEGORY', BOETH_CATEGORY: 'BOETH_CATEGORY', SEX: 'SEX' } as const;

interface JobSeekerStatisticsArgs {
  dimension: keyof typeof DIMENSIONS;
  registeredFrom?: string | null;
  registeredTo?: string | null;
  departement?: string | null;
}

/** The grid period two dates rounded to whole months make, or a typed error naming the grid. */
function gridPeriod(from: string | null | undefined, to: string | null | undefined): string {
  if (!from && !to) return 'ALL';
  if (!from || !to) reject(ErrorCode.INVALID_INPUT, 'give both registeredFrom and registeredTo (or neither, for the whole series): statistics are published by month, quarter and year', from ? 'registeredTo' : 'registeredFrom');
  const first = monthIndex(from);
  const last = monthIndex(to);
  for (const frequency of ['MONTH', 'QUARTER', 'YEAR'] as const) {
    const label = periodLabel(frequency, first);
    const period = parsePeriod(label, seriesOf(registrations))!;
    if (period.first === first && period.last === last) return label;
  }
  return reject(ErrorCode.INVALID_INPUT, `${from.slice(0, 7)} to ${to.slice(0, 7)} is not a period of the publication grid: ask for a whole month, quarter or year (registrationStatistics takes ranges of them)`, 'registeredTo');
}

const registrationTable = indicatorResolver(registrations, (ctx) => ctx.em.fork());

type Cell = Awaited<ReturnType<typeof registrationTable>>['cells'][number];
type Figure = Pick<Cell['value'], 'count' | 'countSuppressedBecause'>;

const legacyCell = (c: Figure, key: string) => ({ key, count: c.count, suppressedBecause: c.countSuppressedBecause });

/** The total of published cells: their sum when all are shown (it adds nothing), hidden otherwise. */
function sumOf(cells: readonly Cell[]): Figure {
  if (cells.length === 0) return { count: null, countSuppressedBecause: 'SMALL_CELL' };
  return cells.every((c) => c.value.count !== null)
    ? { count: cells.reduce((sum, c) => sum + c.value.count!, 0), countSuppressedBecause: null }
    : { count: null, countSuppressedBecause: 'COMPLEMENTARY' };
}

/** jobSeekerStatistics, the first statistics API, kept for the apps that registered it. */
export const statisticsQueries = {
  async jobSeekerStatistics(_: unknown, args: JobSeekerStatisticsArgs, ctx: SubgraphContext) {
    const from = gridPeriod(args.registeredFrom, args.registeredTo);
    const breakdown = DIMENSIONS[args.dimension];
    const national = covers(ctx.caller, AREAS.FRANCE[0]);
    const departement = args.departement ?? null;
    let total: Figure;
    let cells: Cell[];
    if (breakdown) {
      if (!departement && !national) reject(ErrorCode.FORBIDDEN, 'a table for France needs a national territory: name one of your départements', 'departement');
      const table = await registrationTable(_, { from, geography: departement ? 'DEPARTEMENT' : 'FRANCE', breakdown, departement }, ctx);
      total = table.cells[0]?.value ?? sumOf([]);
      cells = table.cells.slice(1);
    } else {
      cells = (await registrationTable(_, { from, geography: 'DEPARTEMENT', departement }, ctx)).cells;
      total = national && !departement ? (await registrationTable(_, { from }, ctx)).cells[0].value : cells.length === 1 ? cells[0].value : sumOf(cells);
    }
    return {
      dimension: args.dimension,
      threshold: PEOPLE_THRESHOLD,
      total: legacyCell(total, 'TOTAL'),
      cells: cells.map((c) => legacyCell(c.value, c.category ?? c.area)).sort((a, b) => (b.count ?? -1) - (a.count ?? -1) || a.key.localeCompare(b.key)),
    };
  },
};
