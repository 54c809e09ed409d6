// Agefiph resolvers: arguments in, rows out; who sees and writes what is policy.ts (enforced by
// the kit), the rules are in rules.ts. The PAS support type needs health:read and decision notes
// aid:notes (field scopes, enforced by the gateway).
import { randomUUID } from 'node:crypto';
import { auditWindowResolvers } from '../kit/audit-trail.ts';
import type { SubgraphContext } from '../kit/context.ts';
import { ErrorCode, reject } from '../kit/errors.ts';
import { connectionOf, type PageArgs } from '../kit/pagination.ts';
import type { Rows } from '../kit/rows.ts';
import { runWrite } from '../kit/writes.ts';
import { formatCents } from '../kit/scalars.ts';
import type { Resolvers } from '../kit/server.ts';
import { isValidSiret } from '../kit/siret.ts';
import { isDepartementCode } from '../kit/territory.ts';
import { CATALOGUE, catalogueItem, type CatalogueItem, type CeilingRule } from './catalogue.ts';
import { AidRequest } from './entities.ts';
import { ceilingCents, decide, historyOf, requestProblem, type Decision, type Problem } from './rules.ts';

/** Newest request first; the id breaks ties so that pages are stable. */
const NEWEST_FIRST = { requestedOn: 'desc', id: 'desc' } as const;

const pageOfPersonRequests = (ctx: SubgraphContext, args: PageArgs) => ctx.rows.pages(AidRequest, 'personId', NEWEST_FIRST, args);
const pageOfEmployerRequests = (ctx: SubgraphContext, args: PageArgs) => ctx.rows.pages(AidRequest, 'employerSiret', NEWEST_FIRST, args);
// The hub's inputs (history events, funding references) are every request: it merges them whole.
const requestsOfPerson = (ctx: SubgraphContext) => ctx.rows.groupedBy(AidRequest, 'personId', NEWEST_FIRST);
const requestsOfEmployer = (ctx: SubgraphContext) => ctx.rows.groupedBy(AidRequest, 'employerSiret', NEWEST_FIRST);

interface RequestInput {
  idempotencyKey: string;
  aidCode: string;
  personId?: string | null;
  employerSiret?: string | null;
  /** Money arrives as integer cents (kit/scalars.ts). */
  amountRequested: number;
  extraCost?: number | null;
  aethRate?: string | null;
  workTimePercent?: number | null;
  supportType?: string | null;
  departement: string;
}

interface DecideInput {
  idempotencyKey: string;
  requestId: string;
  decision: Decision;
  amountGranted?: number | null;
  note?: string | null;
}

interface RequestFilter { status?: string | null; aidCode?: string | null; departement?: string | null }

function refuse(problem: Problem | null): void {
  if (problem) reject(problem.code, problem.message, problem.field);
}

function aidOf(row: AidRequest): CatalogueItem {
  // Every row is validated against its catalogue version when written.
  return catalogueItem(row.aidCode, row.catalogueVersion)!;
}

/** A reference to a request for Person.fundings and Employer.fundings; it keeps the attributes the policy reads. */
const fundingReference = (r: AidRequest) => ({ id: r.id, typename: 'AgefiphAidRequest', requestedOn: r.requestedOn, personId: r.personId, departement: r.departement });

function ceilingSummary(rule: CeilingRule): string {
  switch (rule.kind) {
    case 'FIXED_AMOUNT':
      return `Jusqu'à ${formatCents(rule.amountCents)} € par demande.`;
    case 'SHARE_OF_EXTRA_COST':
      return `Jusqu'à ${rule.sharePercent} % du surcoût lié au handicap indiqué dans la demande.`;
    case 'SMIC_HOURS':
      return `${rule.hours} fois le Smic horaire (${formatCents(rule.smicHourlyCents)} €) par poste à temps plein et par an, ${rule.higherRateHours} fois au taux majoré ; proratisée au temps de travail.`;
    case 'PER_NEED':
      return "Selon le besoin, sur devis : pas de plafond fixé à l'avance.";
    case 'SERVICE':
      return 'Prestation prescrite par un conseiller : aucun montant versé au bénéficiaire.';
  }
}

/** Where a new request is handled: the person's département (the caller's perimeter is checked before), else the one given for the employer. */
async function departementOf(rows: Rows, input: Omit<RequestInput, 'idempotencyKey'>): Promise<string> {
  if (input.personId) {
    const residence = await rows.perimeter.residenceOf(input.personId);
    if (input.departement !== residence) reject(ErrorCode.INVALID_INPUT, "departement must be the person's département", 'departement');
    return input.departement;
  }
  if (!isDepartementCode(input.departement)) reject(ErrorCode.INVALID_INPUT, 'departement is not an INSEE département code', 'departement');
  if (!rows.perimeter.includesPlace(input.departement)) reject(ErrorCode.FORBIDDEN, 'this département is outside your territory', 'departement');
  return input.departement;
}

export const resolvers: Resolvers = {
  Query: {
    agefiphCatalogue: (_: unknown, args: PageArgs) => connectionOf(CATALOGUE, args),
    agefiphAid: (_: unknown, { code }: { code: string }) => catalogueItem(code) ?? null,
    agefiphAidRequest: (_: unknown, { id }: { id: string }, ctx: SubgraphContext) => ctx.rows.byKey(AidRequest, 'id').load(id),
    agefiphAidRequests(_: unknown, { filter, ...args }: { filter?: RequestFilter | null } & PageArgs, ctx: SubgraphContext) {
      const where = {
        ...(filter?.status ? { status: filter.status } : {}),
        ...(filter?.aidCode ? { aidCode: filter.aidCode } : {}),
        ...(filter?.departement ? { departement: filter.departement } : {}),
      };
      return ctx.rows.page(AidRequest, where, args, NEWEST_FIRST);
    },
  },

  Mutation: {
    requestAgefiphAid(_: unknown, { input }: { input: RequestInput }, ctx: SubgraphContext) {
      const { idempotencyKey, ...data } = input;
      return runWrite(ctx, {
        mutation: 'requestAgefiphAid',
        idempotencyKey,
        input: data,
        personId: data.personId,
        async perform(em, rows) {
          const aid = catalogueItem(data.aidCode) ?? reject(ErrorCode.UNKNOWN_AID, 'the catalogue in force has no aid with this code', 'aidCode');
          if (data.employerSiret != null && !isValidSiret(data.employerSiret)) {
            reject(ErrorCode.INVALID_SIRET, 'employerSiret is not a valid SIRET (14 digits with a valid check digit)', 'employerSiret');
          }
          refuse(requestProblem(aid, { ...data, amountRequestedCents: data.amountRequested, extraCostCents: data.extraCost }));
          const departement = await departementOf(rows, data);
          const id = `agf-${randomUUID()}`;
          em.create(AidRequest, {
            id, aidCode: aid.code, catalogueVersion: aid.version, personId: data.personId ?? null, employerSiret: data.employerSiret ?? null,
            departement, requesterOrganisation: ctx.caller.organisation, requesterSubject: ctx.caller.subject,
            amountRequestedCents: data.amountRequested, amountGrantedCents: null, extraCostCents: data.extraCost ?? null,
            aethRate: aid.ceiling.kind === 'SMIC_HOURS' ? (data.aethRate ?? 'STANDARD') : null,
            workTimePercent: aid.ceiling.kind === 'SMIC_HOURS' ? (data.workTimePercent ?? 100) : null,
            supportType: data.supportType ?? null, status: 'REQUESTED', requestedOn: ctx.today(departement), decidedOn: null, note: null,
          });
          return id;
        },
      });
    },

    decideAgefiphAid(_: unknown, { input }: { input: DecideInput }, ctx: SubgraphContext) {
      const { idempotencyKey, ...data } = input;
      return runWrite(ctx, {
        mutation: 'decideAgefiphAid',
        idempotencyKey,
        input: data,
        async perform(em, rows) {
          const row = await rows.one(AidRequest, { id: data.requestId });
          if (!row) reject(ErrorCode.UNKNOWN_REQUEST, 'no aid request with this id in your territory', 'requestId');
          const outcome = decide(aidOf(row), row, data.decision, data.amountGranted ?? null);
          if ('code' in outcome) return reject(outcome.code, outcome.message, outcome.field);
          // Guarded on the status read: of two concurrent decisions, the second changes nothing.
          const changed = await em.nativeUpdate(AidRequest, { id: row.id, status: 'REQUESTED' }, {
            status: outcome.status, amountGrantedCents: outcome.amountGrantedCents, decidedOn: ctx.today(row.departement), note: data.note ?? null,
          });
          if (changed !== 1) reject(ErrorCode.ALREADY_DECIDED, 'this request was decided meanwhile', 'requestId');
          return row.id;
        },
      });
    },
  },

  AgefiphAid: {
    catalogueVersion: (i: CatalogueItem) => i.version,
  },

  AgefiphCeilingRule: {
    amount: (r: CeilingRule) => (r.kind === 'FIXED_AMOUNT' ? r.amountCents : null),
    sharePercent: (r: CeilingRule) => (r.kind === 'SHARE_OF_EXTRA_COST' ? r.sharePercent : null),
    smicHours: (r: CeilingRule) => (r.kind === 'SMIC_HOURS' ? r.hours : null),
    smicHoursHigherRate: (r: CeilingRule) => (r.kind === 'SMIC_HOURS' ? r.higherRateHours : null),
    smicHourlyRate: (r: CeilingRule) => (r.kind === 'SMIC_HOURS' ? r.smicHourlyCents : null),
    summary: (r: CeilingRule) => ceilingSummary(r),
  },

  AgefiphAidRequest: {
    __resolveReference: (ref: { id: string }, ctx: SubgraphContext) => ctx.rows.byKey(AidRequest, 'id').load(ref.id),
    partner: () => 'AGEFIPH',
    label: (r: AidRequest) => aidOf(r).label,
    amountRequested: (r: AidRequest) => r.amountRequestedCents,
    amountGranted: (r: AidRequest) => r.amountGrantedCents ?? null,
    decidedOn: (r: AidRequest) => r.decidedOn ?? null,
    aid: (r: AidRequest) => aidOf(r),
    beneficiaryType: (r: AidRequest) => aidOf(r).beneficiaryType,
    person: (r: AidRequest) => (r.personId ? { id: r.personId } : null),
    employer: (r: AidRequest) => (r.employerSiret ? { siret: r.employerSiret } : null),
    requester: (r: AidRequest) => ({ organisation: r.requesterOrganisation, subject: r.requesterSubject }),
    extraCost: (r: AidRequest) => r.extraCostCents ?? null,
    ceiling: (r: AidRequest) => ceilingCents(aidOf(r).ceiling, r),
  },

  Person: {
    __resolveReference: (ref: { id: string }) => ({ id: ref.id }),
    agefiphAidRequests: (p: { id: string }, args: PageArgs, ctx: SubgraphContext) => pageOfPersonRequests(ctx, args).load(p.id),
    agefiphEvents: async (p: { id: string }, _: unknown, ctx: SubgraphContext) => (await requestsOfPerson(ctx).load(p.id)).flatMap(historyOf),
    agefiphFundingReferences: async (p: { id: string }, _: unknown, ctx: SubgraphContext) => (await requestsOfPerson(ctx).load(p.id)).map(fundingReference),
  },

  AuditEntryConnection: auditWindowResolvers('AGEFIPH', 'agefiphAuditWindow'),

  Employer: {
    __resolveReference: (ref: { siret: string }) => ({ siret: ref.siret }),
    agefiphAidRequests: (e: { siret: string }, args: PageArgs, ctx: SubgraphContext) => pageOfEmployerRequests(ctx, args).load(e.siret),
    agefiphFundingReferences: async (e: { siret: string }, _: unknown, ctx: SubgraphContext) => (await requestsOfEmployer(ctx).load(e.siret)).map(fundingReference),
  },
};
