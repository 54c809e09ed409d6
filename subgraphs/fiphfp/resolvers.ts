// Resolvers of the FIPHFP subgraph: arguments in, a loader or one query, the row out; the rules of
// the field are in rules.ts, the aids in catalogue.ts.
//
// Who sees which rows (enforced here and in loaders.ts, in SQL, so counts match what is listed):
// | organisation              | public employers | declarations | aid requests | conventions |
// |---------------------------|------------------|--------------|--------------|-------------|
// | fiphfp                    | yes              | yes          | yes          | yes         |
// | dgefp (the State)         | yes              | yes          | no           | yes         |
// | cap-emploi, cheops        | yes              | no           | yes          | no          |
// | france-travail            | yes              | no           | yes          | no          |
// | agefiph (private sector)  | no               | no           | no           | no          |
// Cap emploi serves public employers under the FIPHFP–Cheops convention (17 May 2017), hence its
// reading of employers and aids; France Travail reads aids because Person.fundings, Person.history
// and Employer.fundings are built from them; the State oversees the obligation (declarations,
// conventions). On top of that a caller with a territory sees only rows of its départements (the
// employer's département): another row is as if it did not exist (null, absent from lists,
// UNKNOWN_* in mutations). Writes: declarations by FIPHFP (declaration:write), aid requests by
// FIPHFP or Cap emploi (fiphfp:request), decisions by FIPHFP (fiphfp:decide).
// Every aid request about an agent is health-related data about that person: reading it is audited.
import { randomUUID } from 'node:crypto';
import type { GraphQLResolveInfo } from 'graphql';
import { personAuditEntries } from '../kit/audit.ts';
import { hasScope } from '../kit/caller.ts';
import type { SubgraphContext } from '../kit/context.ts';
import { ErrorCode, reject } from '../kit/errors.ts';
import { runIdempotent } from '../kit/idempotency.ts';
import { connection, connectionOf, page, type PageArgs } from '../kit/pagination.ts';
import type { Resolvers } from '../kit/server.ts';
import { isValidSiret } from '../kit/siret.ts';
import { departements } from '../kit/territory.ts';
import { CATALOGUE, CATALOGUE_VERSION, catalogueAid, type FiphfpAid } from './catalogue.ts';
import {
  Agent, AidRequest, Declaration, declarationId, PublicEmployer,
  type AidRequestRow, type DeclarationRow, type EmployerConventionRow, type PublicEmployerRow,
} from './entities.ts';
import { loaders, mayWrite, visibleWhere, type WriteAction } from './loaders.ts';
import {
  aidCeilingCents, committedCents, contribution, CONVENTION_YEARS, declarationProblem, decisionProblem, formatRate,
  missingCeilingBasis, requiredBeneficiaries, type Decision,
} from './rules.ts';

type Ctx = SubgraphContext;
type Info = GraphQLResolveInfo;

/** Most audit entries returned per person to the merged audit trail. */

const today = (): string => new Date().toISOString().slice(0, 10);

/** Defence in depth: the gateway checks the scope; the subgraph checks it and the organisation. */
function requireWrite(ctx: Ctx, scope: string, action: WriteAction): void {
  if (!hasScope(ctx.caller, scope)) reject(ErrorCode.FORBIDDEN, `this mutation needs the scope ${scope}`);
  if (!mayWrite(ctx.caller, action)) reject(ErrorCode.FORBIDDEN, `${ctx.caller.organisation} may not ${action.replace('-', ' ')} at FIPHFP`);
}

const agentsOf = (rows: readonly AidRequestRow[]): string[] => rows.flatMap((row) => (row.personId ? [row.personId] : []));

/** Records the read of every agent whose aid requests a page lists (the fields under `nodes`). */
function auditPage(ctx: Ctx, rows: readonly AidRequestRow[], info: Info): void {
  ctx.audit.readNodes(agentsOf(rows), info, 'FiphfpAidRequest');
}

/** Records the read of the agent of one aid request returned by itself. */
function auditOne(ctx: Ctx, row: AidRequestRow | null, info: Info): void {
  if (row?.personId) ctx.audit.readObject(row.personId, info, 'FiphfpAidRequest');
}

/** Records the read of plumbing fields (events, funding references) about agents. */
function auditPlumbing(ctx: Ctx, rows: readonly AidRequestRow[], info: Info): void {
  for (const id of new Set(agentsOf(rows))) ctx.audit.readField(id, info);
}

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
async function visibleEmployer(ctx: Ctx, em: Ctx['em'], siret: string) {
  const employer = await em.findOne(PublicEmployer, visibleWhere(ctx.caller, 'employer', { siret }));
  if (!employer) reject(ErrorCode.UNKNOWN_EMPLOYER, 'no public employer with this SIRET is known to FIPHFP in your perimeter', 'siret');
  return employer;
}

function submitDeclaration(ctx: Ctx, input: DeclarationInput) {
  requireWrite(ctx, 'declaration:write', 'declare');
  return runIdempotent(ctx, {
    name: 'submitFiphfpDeclaration',
    idempotencyKey: input.idempotencyKey,
    input,
    async perform(em) {
      checkSiret(input.siret);
      const problem = declarationProblem(input, new Date().getUTCFullYear());
      if (problem) reject(ErrorCode.INVALID_INPUT, problem.message, problem.field);
      const columns = categoryColumns(input.beneficiaries, input.beneficiariesByCategory);
      const employer = await visibleEmployer(ctx, em, input.siret);
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
        contributionCents: c.contributionCents, submittedOn: today(),
      });
      return id;
    },
    load: (em, id) => em.findOneOrFail(Declaration, { id }),
  });
}

const AID_FIELDS_WRITTEN = ['FiphfpAidRequest.aid', 'FiphfpAidRequest.amountRequested', 'FiphfpAidRequest.status', 'FiphfpAidRequest.requestedOn'];
const DECISION_FIELDS_WRITTEN = ['FiphfpAidRequest.status', 'FiphfpAidRequest.amountGranted', 'FiphfpAidRequest.decidedOn', 'FiphfpAidRequest.decisionNote'];

function requestAid(ctx: Ctx, input: AidInput, info: Info) {
  requireWrite(ctx, 'fiphfp:request', 'request-aid');
  return runIdempotent(ctx, {
    name: 'requestFiphfpAid',
    idempotencyKey: input.idempotencyKey,
    input,
    async perform(em) {
      checkSiret(input.siret);
      const aid = catalogueAid(input.aidCode);
      if (!aid) reject(ErrorCode.UNKNOWN_AID, 'no aid with this code in the FIPHFP catalogue', 'aidCode');
      if (aid.agent === 'REQUIRED' && !input.personId) reject(ErrorCode.AID_NOT_FOR_BENEFICIARY, `${aid.code} is paid for a named agent: give personId`, 'personId');
      const basis = { hours: input.hours, loadedAnnualSalaryCents: input.loadedAnnualSalary };
      const missing = missingCeilingBasis(aid.ceiling, basis);
      if (missing) reject(ErrorCode.INVALID_INPUT, `${aid.code} needs ${missing} to compute its ceiling`, missing);
      if (input.hours != null && aid.ceiling.kind !== 'PER_HOUR') reject(ErrorCode.INVALID_INPUT, 'hours apply only to aids paid by the hour', 'hours');
      if (input.amountRequested <= 0) reject(ErrorCode.INVALID_INPUT, 'amountRequested must be positive', 'amountRequested');
      const employer = await visibleEmployer(ctx, em, input.siret);
      if (input.personId && !(await em.findOne(Agent, { personId: input.personId, siret: employer.siret }))) {
        reject(ErrorCode.UNKNOWN_PERSON, 'this person is not a known agent of this employer', 'personId');
      }
      const requestedOn = today();
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
      if (input.personId) await ctx.audit.written(em, input.personId, AID_FIELDS_WRITTEN);
      return id;
    },
    load: (em, id) => loadAid(ctx, em, id, info),
  });
}

function decideAid(ctx: Ctx, input: DecisionInput, info: Info) {
  requireWrite(ctx, 'fiphfp:decide', 'decide-aid');
  return runIdempotent(ctx, {
    name: 'decideFiphfpAid',
    idempotencyKey: input.idempotencyKey,
    input,
    async perform(em) {
      const row = await em.findOne(AidRequest, visibleWhere(ctx.caller, 'aid', { id: input.id }));
      if (!row) reject(ErrorCode.UNKNOWN_REQUEST, 'no FIPHFP aid request with this id in your perimeter', 'id');
      const problem = decisionProblem(row.status, input.decision, row.amountRequestedCents, input.amountGranted);
      if (problem?.code === 'ALREADY_DECIDED') reject(ErrorCode.ALREADY_DECIDED, problem.message, 'id');
      if (problem) reject(ErrorCode.INVALID_INPUT, problem.message, 'amountGranted');
      if (input.note != null && input.note.length > 2000) reject(ErrorCode.INVALID_INPUT, 'note is limited to 2,000 characters', 'note');
      row.status = input.decision;
      row.amountGrantedCents = input.decision === 'GRANTED' ? input.amountGranted! : null;
      row.decidedOn = today();
      row.decisionNote = input.note ?? null;
      if (row.personId) await ctx.audit.written(em, row.personId, DECISION_FIELDS_WRITTEN);
      return row.id;
    },
    load: (em, id) => loadAid(ctx, em, id, info),
  });
}

async function loadAid(ctx: Ctx, em: Ctx['em'], id: string, info: Info): Promise<AidRequestRow> {
  const row = await em.findOneOrFail(AidRequest, { id });
  auditOne(ctx, row, info);
  return row;
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

const fundingReference = (row: AidRequestRow) => ({ id: row.id, typename: 'FiphfpAidRequest', requestedOn: row.requestedOn });

const regionNames = new Map(departements.map((d) => [d.regionCode, d.regionName]));

/** Reference data: the same for every caller, cacheable by the gateway and clients. */
function cacheable(info: Info, maxAge: number): void {
  const hinted = info as Info & { cacheControl?: { setCacheHint(hint: { maxAge: number; scope: 'PUBLIC' }): void } };
  hinted.cacheControl?.setCacheHint({ maxAge, scope: 'PUBLIC' });
}

async function aidConnection(ctx: Ctx, rows: Promise<AidRequestRow[]>, args: PageArgs, info: Info) {
  const result = connectionOf(await rows, args);
  auditPage(ctx, result.nodes, info);
  return result;
}

// ---------------------------------------------------------------------------------------------

export const resolvers: Resolvers = {
  Query: {
    async publicEmployers(_: unknown, args: PageArgs & { filter?: { publicService?: string | null; departement?: string | null } | null }, ctx: Ctx) {
      const { publicService, departement } = args.filter ?? {};
      const own = { ...(publicService ? { publicService } : {}), ...(departement ? { departement } : {}) };
      const result = connection(await ctx.em.findByCursor(PublicEmployer, {
        where: visibleWhere<PublicEmployerRow>(ctx.caller, 'employer', own), ...page(args), orderBy: { siret: 'asc' },
      }));
      for (const row of result.nodes) loaders.employers(ctx).prime(row.siret, row);
      return result;
    },
    fiphfpCatalogue(_: unknown, args: PageArgs, _ctx: Ctx, info: Info) {
      cacheable(info, 3600);
      return connectionOf(CATALOGUE, args);
    },
    async fiphfpAidRequests(_: unknown, args: PageArgs & { filter?: { status?: string | null; departement?: string | null; siret?: string | null } | null }, ctx: Ctx, info: Info) {
      const { status, departement, siret } = args.filter ?? {};
      const own = { ...(status ? { status } : {}), ...(departement ? { departement } : {}), ...(siret ? { siret } : {}) };
      const result = connection(await ctx.em.findByCursor(AidRequest, {
        where: visibleWhere<AidRequestRow>(ctx.caller, 'aid', own), ...page(args), orderBy: { requestedOn: 'desc', id: 'desc' },
      }));
      auditPage(ctx, result.nodes, info);
      return result;
    },
    async fiphfpAidRequest(_: unknown, { id }: { id: string }, ctx: Ctx, info: Info) {
      const row = await loaders.aids(ctx).load(id);
      auditOne(ctx, row, info);
      return row;
    },
  },

  Mutation: {
    submitFiphfpDeclaration: (_: unknown, { input }: { input: DeclarationInput }, ctx: Ctx) => submitDeclaration(ctx, input),
    requestFiphfpAid: (_: unknown, { input }: { input: AidInput }, ctx: Ctx, info: Info) => requestAid(ctx, input, info),
    decideFiphfpAid: (_: unknown, { input }: { input: DecisionInput }, ctx: Ctx, info: Info) => decideAid(ctx, input, info),
  },

  Employer: {
    __resolveReference: (ref: { siret: string }) => ({ siret: ref.siret }),
    publicService: async ({ siret }: { siret: string }, _: unknown, ctx: Ctx) => (await loaders.employers(ctx).load(siret))?.publicService ?? null,
    fteHeadcount: async ({ siret }: { siret: string }, _: unknown, ctx: Ctx) => (await loaders.employers(ctx).load(siret))?.fteHeadcount ?? null,
    fiphfpDeclarations: async ({ siret }: { siret: string }, args: PageArgs, ctx: Ctx) =>
      connectionOf(await loaders.declarationsOfEmployer(ctx).load(siret), args),
    fiphfpAidRequests: ({ siret }: { siret: string }, args: PageArgs, ctx: Ctx, info: Info) =>
      aidConnection(ctx, loaders.aidsOfEmployer(ctx).load(siret), args, info),
    fiphfpConventions: async ({ siret }: { siret: string }, args: PageArgs, ctx: Ctx) =>
      connectionOf(await loaders.conventionsOfEmployer(ctx).load(siret), args),
    async fiphfpFundingReferences({ siret }: { siret: string }, _: unknown, ctx: Ctx, info: Info) {
      const rows = await loaders.aidsOfEmployer(ctx).load(siret);
      auditPlumbing(ctx, rows, info);
      return rows.map(fundingReference);
    },
  },

  Person: {
    __resolveReference: (ref: { id: string }) => ({ id: ref.id }),
    fiphfpAidRequests: ({ id }: { id: string }, args: PageArgs, ctx: Ctx, info: Info) =>
      aidConnection(ctx, loaders.aidsOfPerson(ctx).load(id), args, info),
    async fiphfpEvents({ id }: { id: string }, _: unknown, ctx: Ctx, info: Info) {
      const rows = await loaders.aidsOfPerson(ctx).load(id);
      auditPlumbing(ctx, rows, info);
      return rows.flatMap(eventsOf).sort((a, b) => (a.occurredOn < b.occurredOn ? -1 : a.occurredOn > b.occurredOn ? 1 : 0));
    },
    async fiphfpFundingReferences({ id }: { id: string }, _: unknown, ctx: Ctx, info: Info) {
      const rows = await loaders.aidsOfPerson(ctx).load(id);
      auditPlumbing(ctx, rows, info);
      return rows.map(fundingReference);
    },
    fiphfpAuditEntries: ({ id }: { id: string }, _: unknown, ctx: Ctx) => personAuditEntries(ctx, id, 'FIPHFP'),
  },

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
    async __resolveReference(ref: { id: string }, ctx: Ctx, info: Info) {
      const row = await loaders.aids(ctx).load(ref.id);
      auditOne(ctx, row, info);
      return row;
    },
    partner: () => 'FIPHFP',
    label: aidLabel,
    aid: (row: AidRequestRow) => catalogueAid(row.aidCode),
    amountRequested: (row: AidRequestRow) => row.amountRequestedCents,
    amountGranted: (row: AidRequestRow) => row.amountGrantedCents,
    employer: (row: AidRequestRow) => ({ siret: row.siret }),
    agent: (row: AidRequestRow) => (row.personId ? { id: row.personId } : null),
  },

  FiphfpEmployerConvention: {
    __resolveReference: (ref: { id: string }, ctx: Ctx) => loaders.conventions(ctx).load(ref.id),
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
