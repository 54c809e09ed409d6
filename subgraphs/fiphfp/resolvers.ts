// Resolvers of the FIPHFP subgraph: arguments in, rows out; who sees and writes what is policy.ts
// (enforced by the kit), the rules of the field are in rules.ts, the aids in catalogue.ts.
import { randomUUID } from 'node:crypto';
import type { GraphQLResolveInfo } from 'graphql';
import { auditWindowResolvers } from '../kit/audit-trail.ts';
import type { SubgraphContext } from '../kit/context.ts';
import { ErrorCode, reject } from '../kit/errors.ts';
import { connectionOf, type PageArgs } from '../kit/pagination.ts';
import type { Rows } from '../kit/rows.ts';
import { runWrite } from '../kit/writes.ts';
import type { Resolvers } from '../kit/server.ts';
import { isValidSiret } from '../kit/siret.ts';
import { departements } from '../kit/territory.ts';
import { CATALOGUE, CATALOGUE_VERSION, catalogueAid, type FiphfpAid } from './catalogue.ts';
import {
  Agent, AidRequest, Declaration, declarationId, EmployerConvention, PublicEmployer,
  type AidRequestRow, type DeclarationRow, type EmployerConventionRow,
} from './entities.ts';
import {
  aidCeilingCents, committedCents, contribution, CONVENTION_YEARS, declarationProblem, decisionProblem, formatRate,
  missingCeilingBasis, requiredBeneficiaries, type Decision,
} from './rules.ts';

type Ctx = SubgraphContext;
type Info = GraphQLResolveInfo;

const employers = (ctx: Ctx) => ctx.rows.byKey(PublicEmployer, 'siret');
const PERSON_AIDS_ORDER = { requestedOn: 'asc', id: 'asc' } as const;
const EMPLOYER_AIDS_ORDER = { requestedOn: 'desc', id: 'desc' } as const;
const pageOfPersonAids = (ctx: Ctx, args: PageArgs) => ctx.rows.pages(AidRequest, 'personId', PERSON_AIDS_ORDER, args);
const pageOfEmployerAids = (ctx: Ctx, args: PageArgs) => ctx.rows.pages(AidRequest, 'siret', EMPLOYER_AIDS_ORDER, args);
// The hub's inputs (history events, funding references) are every request: it merges them whole.
const aidsOfPerson = (ctx: Ctx) => ctx.rows.groupedBy(AidRequest, 'personId', PERSON_AIDS_ORDER);
const aidsOfEmployer = (ctx: Ctx) => ctx.rows.groupedBy(AidRequest, 'siret', EMPLOYER_AIDS_ORDER);

// Columns of the declaration table by beneficiary category, in the order of the schema's enum.
const CATEGORY_COLUMNS = {
  RQTH: 'rqth', WORK_ACCIDENT_PENSION: 'workAccidentPension', INVALIDITY_PENSION: 'invalidityPension',
  WAR_DISABLED: 'warDisabled', VOLUNTEER_FIREFIGHTER: 'volunteerFirefighter', MOBILITY_INCLUSION_CARD: 'mobilityInclusionCard',
  AAH: 'aah', RECLASSIFIED_AGENT: 'reclassifiedAgent', TEMPORARY_INVALIDITY_ALLOWANCE: 'temporaryInvalidityAllowance',
} as const satisfies Record<string, keyof DeclarationRow>;
type Category = keyof typeof CATEGORY_COLUMNS;
type CategoryColumn = (typeof CATEGORY_COLUMNS)[Category];

/** The declared breakdown as columns; validated: each category once, counts adding up to the total. */
function categoryColumns(total: number, counts: readonly { category: Category; count: number }[] | null | undefined): Record<CategoryColumn, number> {
  const columns = Object.fromEntries(Object.values(CATEGORY_COLUMNS).map((c) => [c, 0])) as Record<CategoryColumn, number>;
  if (!counts) return columns;
  const seen = new Set<Category>();
  for (const { category, count } of counts) {
    if (seen.has(category)) reject(ErrorCode.INVALID_INPUT, `${category} is given twice`, 'beneficiariesByCategory');
    if (!Number.isInteger(count) || count < 0) reject(ErrorCode.INVALID_INPUT, 'a count is zero or more', 'beneficiariesByCategory');
    seen.add(category);
    columns[CATEGORY_COLUMNS[category]] = count;
  }
  const sum = Object.values(columns).reduce((a, b) => a + b, 0);
  if (sum !== total) reject(ErrorCode.INVALID_INPUT, `the categories add up to ${sum}, not to beneficiaries (${total})`, 'beneficiariesByCategory');
  return columns;
}

interface DeclarationInput {
  idempotencyKey: string;
  siret: string;
  year: number;
  fteHeadcount: number;
  beneficiaries: number;
  beneficiariesByCategory?: { category: Category; count: number }[] | null;
  deductibleExpenses?: number | null;
}

interface AidInput {
  idempotencyKey: string;
  siret: string;
  aidCode: string;
  personId?: string | null;
  amountRequested: number;
  hours?: number | null;
  loadedAnnualSalary?: number | null;
}

interface DecisionInput {
  idempotencyKey: string;
  id: string;
  decision: Decision;
  amountGranted?: number | null;
  note?: string | null;
}

function checkSiret(siret: string): void {
  if (!isValidSiret(siret)) reject(ErrorCode.INVALID_SIRET, 'siret is not a valid SIRET (14 digits, Luhn or La Poste rule)', 'siret');
}

/** The public employer of this SIRET if the caller may see it; UNKNOWN_EMPLOYER otherwise. */
async function visibleEmployer(rows: Rows, siret: string) {
  const employer = await rows.one(PublicEmployer, { siret });
  if (!employer) reject(ErrorCode.UNKNOWN_EMPLOYER, 'no public employer with this SIRET is known to FIPHFP in your perimeter', 'siret');
  return employer;
}

function submitDeclaration(ctx: Ctx, input: DeclarationInput) {
  return runWrite(ctx, {
    mutation: 'submitFiphfpDeclaration',
    idempotencyKey: input.idempotencyKey,
    input,
    async perform(em, rows) {
      checkSiret(input.siret);
      const problem = declarationProblem(input, new Date().getUTCFullYear());
      if (problem) reject(ErrorCode.INVALID_INPUT, problem.message, problem.field);
      const columns = categoryColumns(input.beneficiaries, input.beneficiariesByCategory);
      const employer = await visibleEmployer(rows, input.siret);
      if (await em.count(Declaration, { siret: employer.siret, year: input.year })) {
        reject(ErrorCode.DECLARATION_EXISTS, `a declaration for ${input.year} was already recorded for this employer`, 'year');
      }
      const deductibleExpensesCents = input.deductibleExpenses ?? 0;
      const c = contribution({ ...input, deductibleExpensesCents });
      const id = declarationId(employer.siret, input.year);
      em.create(Declaration, {
        id, siret: employer.siret, departement: employer.departement, year: input.year, fteHeadcount: input.fteHeadcount,
        beneficiaries: input.beneficiaries, ...columns, rateBasisPoints: c.rateBasisPoints, missingBeneficiaries: c.missingBeneficiaries,
        hourlySmicCents: c.hourlySmicCents, unitAmountCents: c.unitAmountCents, deductibleExpensesCents,
        contributionCents: c.contributionCents, submittedOn: ctx.today(employer.departement),
      });
      return id;
    },
  });
}

function requestAid(ctx: Ctx, input: AidInput) {
  return runWrite(ctx, {
    mutation: 'requestFiphfpAid',
    idempotencyKey: input.idempotencyKey,
    input,
    personId: input.personId,
    async perform(em, rows) {
      checkSiret(input.siret);
      const aid = catalogueAid(input.aidCode);
      if (!aid) reject(ErrorCode.UNKNOWN_AID, 'no aid with this code in the FIPHFP catalogue', 'aidCode');
      if (aid.agent === 'REQUIRED' && !input.personId) reject(ErrorCode.AID_NOT_FOR_BENEFICIARY, `${aid.code} is paid for a named agent: give personId`, 'personId');
      const basis = { hours: input.hours, loadedAnnualSalaryCents: input.loadedAnnualSalary };
      const missing = missingCeilingBasis(aid.ceiling, basis);
      if (missing) reject(ErrorCode.INVALID_INPUT, `${aid.code} needs ${missing} to compute its ceiling`, missing);
      if (input.hours != null && aid.ceiling.kind !== 'PER_HOUR') reject(ErrorCode.INVALID_INPUT, 'hours apply only to aids paid by the hour', 'hours');
      if (input.amountRequested <= 0) reject(ErrorCode.INVALID_INPUT, 'amountRequested must be positive', 'amountRequested');
      const employer = await visibleEmployer(rows, input.siret);
      if (input.personId && !(await rows.one(Agent, { personId: input.personId, siret: employer.siret }))) {
        reject(ErrorCode.UNKNOWN_PERSON, 'this person is not a known agent of this employer', 'personId');
      }
      const requestedOn = ctx.today(employer.departement);
      let alreadyCommittedCents = 0;
      if (aid.ceiling.kind === 'PER_AGENT_PER_YEAR' && input.personId) {
        const year = requestedOn.slice(0, 4);
        const sameYear = await em.find(AidRequest, { personId: input.personId, aidCode: aid.code, requestedOn: { $gte: `${year}-01-01`, $lte: `${year}-12-31` } });
        alreadyCommittedCents = sameYear.reduce((sum, row) => sum + committedCents(row), 0);
      }
      const ceiling = aidCeilingCents(aid.ceiling, { ...basis, alreadyCommittedCents });
      if (ceiling !== null && input.amountRequested > ceiling) {
        reject(ErrorCode.AMOUNT_ABOVE_CEILING, `the most FIPHFP can grant for this request is ${(ceiling / 100).toFixed(2)} euros`, 'amountRequested');
      }
      const id = `fpa_${randomUUID()}`;
      em.create(AidRequest, {
        id, siret: employer.siret, departement: employer.departement, personId: input.personId ?? null, aidCode: aid.code,
        hours: input.hours ?? null, amountRequestedCents: input.amountRequested, amountGrantedCents: null, status: 'REQUESTED',
        requestedOn, decidedOn: null, decisionNote: null,
      });
      return id;
    },
  });
}

function decideAid(ctx: Ctx, input: DecisionInput) {
  return runWrite(ctx, {
    mutation: 'decideFiphfpAid',
    idempotencyKey: input.idempotencyKey,
    input,
    async perform(_em, rows) {
      const row = await rows.one(AidRequest, { id: input.id });
      if (!row) reject(ErrorCode.UNKNOWN_REQUEST, 'no FIPHFP aid request with this id in your perimeter', 'id');
      const problem = decisionProblem(row.status, input.decision, row.amountRequestedCents, input.amountGranted);
      if (problem?.code === 'ALREADY_DECIDED') reject(ErrorCode.ALREADY_DECIDED, problem.message, 'id');
      if (problem) reject(ErrorCode.INVALID_INPUT, problem.message, 'amountGranted');
      if (input.note != null && input.note.length > 2000) reject(ErrorCode.INVALID_INPUT, 'note is limited to 2,000 characters', 'note');
      row.status = input.decision;
      row.amountGrantedCents = input.decision === 'GRANTED' ? input.amountGranted! : null;
      row.decidedOn = ctx.today(row.departement);
      row.decisionNote = input.note ?? null;
      return row.id;
    },
  });
}

// ---------------------------------------------------------------------------------------------
// Shapes returned for the shared types

const STATUS_WORDS: Readonly<Record<string, string>> = { GRANTED: 'accordée', PAID: 'accordée', REFUSED: 'refusée', CANCELLED: 'annulée' };

const aidLabel = (row: AidRequestRow): string => catalogueAid(row.aidCode)?.label ?? row.aidCode;

/** FIPHFP's events about a person: each request, and its decision once taken. No health details. */
function eventsOf(row: AidRequestRow) {
  const base = { partner: 'FIPHFP', reference: row.id };
  const events = [{ ...base, occurredOn: row.requestedOn, kind: 'AID_REQUEST', summary: `Demande d'aide FIPHFP de l'employeur : ${aidLabel(row)}` }];
  if (row.decidedOn && STATUS_WORDS[row.status]) {
    events.push({ ...base, occurredOn: row.decidedOn, kind: 'AID_DECISION', summary: `Aide FIPHFP ${STATUS_WORDS[row.status]} : ${aidLabel(row)}` });
  }
  return events;
}

/** A reference to a request for Person.fundings and Employer.fundings; it keeps the attributes the policy reads. */
const fundingReference = (row: AidRequestRow) => ({ id: row.id, typename: 'FiphfpAidRequest', requestedOn: row.requestedOn, personId: row.personId, departement: row.departement });

const regionNames = new Map(departements.map((d) => [d.regionCode, d.regionName]));

/**
 * Reference data: the same for every caller. The hint is for Apollo's cache-control plugin, which the
 * subgraphs do not run (kit/server.ts); without `@cacheControl` on the object fields below it (maxAge
 * 0 by default) it only ever made cacheable an answer selecting none of them. Kept for the day the
 * schema declares them.
 */
function cacheable(info: Info, maxAge: number): void {
  const hinted = info as Info & { cacheControl?: { setCacheHint(hint: { maxAge: number; scope: 'PUBLIC' }): void } };
  hinted.cacheControl?.setCacheHint({ maxAge, scope: 'PUBLIC' });
}

// ---------------------------------------------------------------------------------------------

export const resolvers: Resolvers = {
  Query: {
    async publicEmployers(_: unknown, args: PageArgs & { filter?: { publicService?: string | null; departement?: string | null } | null }, ctx: Ctx) {
      const { publicService, departement } = args.filter ?? {};
      const own = { ...(publicService ? { publicService } : {}), ...(departement ? { departement } : {}) };
      const result = await ctx.rows.page(PublicEmployer, own, args, { siret: 'asc' });
      for (const row of result.nodes) employers(ctx).prime(row.siret, row);
      return result;
    },
    fiphfpCatalogue(_: unknown, args: PageArgs, _ctx: Ctx, info: Info) {
      cacheable(info, 3600);
      return connectionOf(CATALOGUE, args);
    },
    fiphfpAidRequests(_: unknown, args: PageArgs & { filter?: { status?: string | null; departement?: string | null; siret?: string | null } | null }, ctx: Ctx) {
      const { status, departement, siret } = args.filter ?? {};
      const own = { ...(status ? { status } : {}), ...(departement ? { departement } : {}), ...(siret ? { siret } : {}) };
      return ctx.rows.page(AidRequest, own, args, { requestedOn: 'desc', id: 'desc' });
    },
    fiphfpAidRequest: (_: unknown, { id }: { id: string }, ctx: Ctx) => ctx.rows.byKey(AidRequest, 'id').load(id),
  },

  Mutation: {
    submitFiphfpDeclaration: (_: unknown, { input }: { input: DeclarationInput }, ctx: Ctx) => submitDeclaration(ctx, input),
    requestFiphfpAid: (_: unknown, { input }: { input: AidInput }, ctx: Ctx) => requestAid(ctx, input),
    decideFiphfpAid: (_: unknown, { input }: { input: DecisionInput }, ctx: Ctx) => decideAid(ctx, input),
  },

  Employer: {
    __resolveReference: (ref: { siret: string }) => ({ siret: ref.siret }),
    publicService: async ({ siret }: { siret: string }, _: unknown, ctx: Ctx) => (await employers(ctx).load(siret))?.publicService ?? null,
    fteHeadcount: async ({ siret }: { siret: string }, _: unknown, ctx: Ctx) => (await employers(ctx).load(siret))?.fteHeadcount ?? null,
    fiphfpDeclarations: ({ siret }: { siret: string }, args: PageArgs, ctx: Ctx) => ctx.rows.pages(Declaration, 'siret', { year: 'desc' }, args).load(siret),
    fiphfpAidRequests: ({ siret }: { siret: string }, args: PageArgs, ctx: Ctx) => pageOfEmployerAids(ctx, args).load(siret),
    fiphfpConventions: ({ siret }: { siret: string }, args: PageArgs, ctx: Ctx) =>
      ctx.rows.pages(EmployerConvention, 'siret', { startsOn: 'desc', id: 'desc' }, args).load(siret),
    fiphfpFundingReferences: async ({ siret }: { siret: string }, _: unknown, ctx: Ctx) => (await aidsOfEmployer(ctx).load(siret)).map(fundingReference),
  },

  Person: {
    __resolveReference: (ref: { id: string }) => ({ id: ref.id }),
    fiphfpAidRequests: ({ id }: { id: string }, args: PageArgs, ctx: Ctx) => pageOfPersonAids(ctx, args).load(id),
    fiphfpEvents: async ({ id }: { id: string }, _: unknown, ctx: Ctx) =>
      (await aidsOfPerson(ctx).load(id)).flatMap(eventsOf).sort((a, b) => (a.occurredOn < b.occurredOn ? -1 : a.occurredOn > b.occurredOn ? 1 : 0)),
    fiphfpFundingReferences: async ({ id }: { id: string }, _: unknown, ctx: Ctx) => (await aidsOfPerson(ctx).load(id)).map(fundingReference),
  },

  AuditEntryConnection: auditWindowResolvers('FIPHFP', 'fiphfpAuditWindow'),

  FiphfpDeclaration: {
    employer: (row: DeclarationRow) => ({ siret: row.siret }),
    beneficiariesByCategory: (row: DeclarationRow) =>
      Object.entries(CATEGORY_COLUMNS).map(([category, column]) => ({ category, count: row[column] })).filter((c) => c.count > 0),
    requiredBeneficiaries: (row: DeclarationRow) => requiredBeneficiaries(row.fteHeadcount),
    directEmploymentRate: (row: DeclarationRow) => formatRate(row.rateBasisPoints),
    directEmploymentRateBasisPoints: (row: DeclarationRow) => row.rateBasisPoints,
    hourlySmic: (row: DeclarationRow) => row.hourlySmicCents,
    unitAmount: (row: DeclarationRow) => row.unitAmountCents,
    deductibleExpenses: (row: DeclarationRow) => row.deductibleExpensesCents,
    contributionDue: (row: DeclarationRow) => row.contributionCents,
  },

  FiphfpAid: {
    beneficiaryType: () => 'PUBLIC_EMPLOYER',
    catalogueVersion: () => CATALOGUE_VERSION,
    ceiling: ({ ceiling }: FiphfpAid) => ({
      kind: ceiling.kind,
      amount: 'cents' in ceiling ? ceiling.cents : null,
      hourlyRate: ceiling.kind === 'PER_HOUR' ? ceiling.centsPerHour : null,
      salarySharePercent: ceiling.kind === 'SALARY_SHARE_PLUS_TRAINING' ? ceiling.salarySharePercent : null,
      trainingPerYear: ceiling.kind === 'SALARY_SHARE_PLUS_TRAINING' ? ceiling.trainingCentsPerYear : null,
    }),
  },

  FiphfpAidRequest: {
    __resolveReference: (ref: { id: string }, ctx: Ctx) => ctx.rows.byKey(AidRequest, 'id').load(ref.id),
    partner: () => 'FIPHFP',
    label: aidLabel,
    aid: (row: AidRequestRow) => catalogueAid(row.aidCode),
    amountRequested: (row: AidRequestRow) => row.amountRequestedCents,
    amountGranted: (row: AidRequestRow) => row.amountGrantedCents,
    employer: (row: AidRequestRow) => ({ siret: row.siret }),
    agent: (row: AidRequestRow) => (row.personId ? { id: row.personId } : null),
  },

  FiphfpEmployerConvention: {
    __resolveReference: (ref: { id: string }, ctx: Ctx) => ctx.rows.byKey(EmployerConvention, 'id').load(ref.id),
    employer: (row: EmployerConventionRow) => ({ siret: row.siret }),
    programmeYears: () => CONVENTION_YEARS,
    amountCommitted: (row: EmployerConventionRow) => row.amountCommittedCents,
    committee: (row: EmployerConventionRow) => ({
      level: row.committeeLevel,
      regionCode: row.committeeRegion,
      name: row.committeeRegion ? `Comité local du FIPHFP – ${regionNames.get(row.committeeRegion) ?? row.committeeRegion}` : 'Comité national du FIPHFP',
    }),
  },
};
