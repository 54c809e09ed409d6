// Agefiph resolvers: thin (arguments in, a loader or a query, the object out); the rules are in
// rules.ts.
//
// Who sees what.
// - The catalogue is reference data: any authenticated caller reads it.
// - Aid requests (scope aid:read, enforced by the gateway) are read only inside an organisation
//   perimeter (rules.ts, readsAidRequests): Agefiph staff, and the counsellors and case managers
//   of France Travail and Cap emploi, who file requests for the people and employers they
//   accompany. FIPHFP sees none (public sector: its own fund), nor do DGEFP and Cheops, nor any
//   analyst (they use statistics) or data-protection officer (they read the audit trail). Outside
//   the perimeter every list is empty and every lookup null.
// - Inside it, a caller with a territory sees only requests handled in its départements (SQL
//   filter on `departement`: the person's département, or the employer's when no person is named).
//   A row outside is as if it did not exist: null, absent from lists, UNKNOWN_* in mutations.
// - The PAS support type needs health:read; decision notes need aid:notes (gateway).
// - Filing needs aid:request and the perimeter; deciding needs aid:decide (issued to Agefiph staff)
//   on a request the caller can see. Both are checked here too (defence in depth).
// - The audit log of a person (plumbing for Person.auditTrail) is returned only with audit:read.
import { randomUUID } from 'node:crypto';
import type { GraphQLResolveInfo } from 'graphql';
import { personAuditEntries } from '../kit/audit.ts';
import { hasScope, inTerritory } from '../kit/caller.ts';
import type { SubgraphContext } from '../kit/context.ts';
import { ErrorCode, reject } from '../kit/errors.ts';
import { runIdempotent } from '../kit/idempotency.ts';
import { connection, connectionOf, page, type PageArgs } from '../kit/pagination.ts';
import { formatCents } from '../kit/scalars.ts';
import type { Resolvers } from '../kit/server.ts';
import { isValidSiret } from '../kit/siret.ts';
import { isDepartementCode } from '../kit/territory.ts';
import { CATALOGUE, catalogueItem, type CatalogueItem, type CeilingRule } from './catalogue.ts';
import { AidRequest, KnownPerson } from './entities.ts';
import { loaders, NEWEST_FIRST, visibleRequests } from './loaders.ts';
import { ceilingCents, decide, historyOf, readsAidRequests, requestProblem, type Decision, type Problem } from './rules.ts';

/** Most audit entries returned per person to the merged audit trail. */

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

function today(): string {
  return new Date().toISOString().slice(0, 10);
}

function aidOf(row: AidRequest): CatalogueItem {
  // Every row is validated against its catalogue version when written.
  return catalogueItem(row.aidCode, row.catalogueVersion)!;
}

function personIdsOf(rows: readonly AidRequest[]): string[] {
  return rows.flatMap((r) => (r.personId ? [r.personId] : []));
}

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

const REQUEST_FIELDS_WRITTEN = ['aidCode', 'amountRequested', 'employer', 'extraCost', 'aethRate', 'workTimePercent', 'supportType', 'status', 'requestedOn']
  .map((f) => `AgefiphAidRequest.${f}`);
const DECISION_FIELDS_WRITTEN = ['status', 'amountGranted', 'decidedOn', 'note'].map((f) => `AgefiphAidRequest.${f}`);

/** A request by id if the caller may see it (null otherwise), its read recorded for the person concerned. */
async function visibleRequest(ctx: SubgraphContext, id: string, info: GraphQLResolveInfo): Promise<AidRequest | null> {
  const row = await loaders.request(ctx).load(id);
  if (row?.personId) ctx.audit.readObject(row.personId, info, 'AgefiphAidRequest');
  return row;
}

/** Where a new request is handled: the person's département, else the one given for the employer. */
async function departementOf(ctx: SubgraphContext, em: SubgraphContext['em'], input: Omit<RequestInput, 'idempotencyKey'>): Promise<string> {
  if (input.personId) {
    const person = await em.findOne(KnownPerson, { id: input.personId });
    if (!person || !inTerritory(ctx.caller, person.departement)) reject(ErrorCode.UNKNOWN_PERSON, 'no person with this id in your territory', 'personId');
    if (input.departement !== person.departement) reject(ErrorCode.INVALID_INPUT, "departement must be the person's département", 'departement');
    return person.departement;
  }
  if (!isDepartementCode(input.departement)) reject(ErrorCode.INVALID_INPUT, 'departement is not an INSEE département code', 'departement');
  if (!inTerritory(ctx.caller, input.departement)) reject(ErrorCode.FORBIDDEN, 'this département is outside your territory', 'departement');
  return input.departement;
}

export const resolvers: Resolvers = {
  Query: {
    agefiphCatalogue: (_: unknown, args: PageArgs) => connectionOf(CATALOGUE, args),
    agefiphAid: (_: unknown, { code }: { code: string }) => catalogueItem(code) ?? null,
    agefiphAidRequest: (_: unknown, { id }: { id: string }, ctx: SubgraphContext, info: GraphQLResolveInfo) => visibleRequest(ctx, id, info),
    async agefiphAidRequests(_: unknown, { filter, ...args }: { filter?: RequestFilter | null } & PageArgs, ctx: SubgraphContext, info: GraphQLResolveInfo) {
      const visible = visibleRequests(ctx);
      // A département asked for outside the caller's territory gives an empty page: both filters apply.
      if (!visible || (filter?.departement && !inTerritory(ctx.caller, filter.departement))) return connectionOf([], args);
      const where = {
        ...visible,
        ...(filter?.status ? { status: filter.status } : {}),
        ...(filter?.aidCode ? { aidCode: filter.aidCode } : {}),
        ...(filter?.departement ? { departement: filter.departement } : {}),
      };
      const result = connection(await ctx.em.findByCursor(AidRequest, { where, ...page(args), orderBy: NEWEST_FIRST }));
      ctx.audit.readNodes(personIdsOf(result.nodes), info, 'AgefiphAidRequest');
      return result;
    },
  },

  Mutation: {
    async requestAgefiphAid(_: unknown, { input }: { input: RequestInput }, ctx: SubgraphContext) {
      if (!hasScope(ctx.caller, 'aid:request')) reject(ErrorCode.FORBIDDEN, 'filing an Agefiph aid request needs the scope aid:request');
      if (!readsAidRequests(ctx.caller)) reject(ErrorCode.FORBIDDEN, 'your organisation does not file Agefiph aid requests');
      const { idempotencyKey, ...data } = input;
      return runIdempotent(ctx, {
        name: 'requestAgefiphAid',
        idempotencyKey,
        input: data,
        async perform(em) {
          const aid = catalogueItem(data.aidCode) ?? reject(ErrorCode.UNKNOWN_AID, 'the catalogue in force has no aid with this code', 'aidCode');
          if (data.employerSiret != null && !isValidSiret(data.employerSiret)) {
            reject(ErrorCode.INVALID_SIRET, 'employerSiret is not a valid SIRET (14 digits with a valid check digit)', 'employerSiret');
          }
          refuse(requestProblem(aid, { ...data, amountRequestedCents: data.amountRequested, extraCostCents: data.extraCost }));
          const departement = await departementOf(ctx, em, data);
          const id = `agf-${randomUUID()}`;
          em.create(AidRequest, {
            id, aidCode: aid.code, catalogueVersion: aid.version, personId: data.personId ?? null, employerSiret: data.employerSiret ?? null,
            departement, requesterOrganisation: ctx.caller.organisation, requesterSubject: ctx.caller.subject,
            amountRequestedCents: data.amountRequested, amountGrantedCents: null, extraCostCents: data.extraCost ?? null,
            aethRate: aid.ceiling.kind === 'SMIC_HOURS' ? (data.aethRate ?? 'STANDARD') : null,
            workTimePercent: aid.ceiling.kind === 'SMIC_HOURS' ? (data.workTimePercent ?? 100) : null,
            supportType: data.supportType ?? null, status: 'REQUESTED', requestedOn: today(), decidedOn: null, note: null,
          });
          if (data.personId) await ctx.audit.written(em, data.personId, REQUEST_FIELDS_WRITTEN);
          return id;
        },
        load: (em, id) => em.findOneOrFail(AidRequest, { id }),
      });
    },

    async decideAgefiphAid(_: unknown, { input }: { input: DecideInput }, ctx: SubgraphContext) {
      if (!hasScope(ctx.caller, 'aid:decide')) reject(ErrorCode.FORBIDDEN, 'deciding an Agefiph aid request needs the scope aid:decide');
      const { idempotencyKey, ...data } = input;
      return runIdempotent(ctx, {
        name: 'decideAgefiphAid',
        idempotencyKey,
        input: data,
        async perform(em) {
          const visible = visibleRequests(ctx);
          const row = visible && (await em.findOne(AidRequest, { ...visible, id: data.requestId }));
          if (!row) reject(ErrorCode.UNKNOWN_REQUEST, 'no aid request with this id in your territory', 'requestId');
          const outcome = decide(aidOf(row), row, data.decision, data.amountGranted ?? null);
          if ('code' in outcome) return reject(outcome.code, outcome.message, outcome.field);
          // Guarded on the status read: of two concurrent decisions, the second changes nothing.
          const changed = await em.nativeUpdate(AidRequest, { id: row.id, status: 'REQUESTED' }, {
            status: outcome.status, amountGrantedCents: outcome.amountGrantedCents, decidedOn: today(), note: data.note ?? null,
          });
          if (changed !== 1) reject(ErrorCode.ALREADY_DECIDED, 'this request was decided meanwhile', 'requestId');
          if (row.personId) await ctx.audit.written(em, row.personId, DECISION_FIELDS_WRITTEN);
          return row.id;
        },
        load: (em, id) => em.findOneOrFail(AidRequest, { id }),
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
    __resolveReference: (ref: { id: string }, ctx: SubgraphContext, info: GraphQLResolveInfo) => visibleRequest(ctx, ref.id, info),
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
    async agefiphAidRequests(p: { id: string }, args: PageArgs, ctx: SubgraphContext, info: GraphQLResolveInfo) {
      const result = connectionOf(await loaders.requestsOfPerson(ctx).load(p.id), args);
      if (result.nodes.length) ctx.audit.readNodes([p.id], info, 'AgefiphAidRequest');
      return result;
    },
    async agefiphEvents(p: { id: string }, _: unknown, ctx: SubgraphContext, info: GraphQLResolveInfo) {
      const rows = await loaders.requestsOfPerson(ctx).load(p.id);
      if (rows.length) ctx.audit.readField(p.id, info);
      return rows.flatMap(historyOf);
    },
    async agefiphFundingReferences(p: { id: string }, _: unknown, ctx: SubgraphContext, info: GraphQLResolveInfo) {
      const rows = await loaders.requestsOfPerson(ctx).load(p.id);
      if (rows.length) ctx.audit.readField(p.id, info);
      return rows.map((r) => ({ id: r.id, typename: 'AgefiphAidRequest', requestedOn: r.requestedOn }));
    },
    agefiphAuditEntries: (p: { id: string }, _: unknown, ctx: SubgraphContext) => personAuditEntries(ctx, p.id, 'AGEFIPH'),
  },

  Employer: {
    __resolveReference: (ref: { siret: string }) => ({ siret: ref.siret }),
    async agefiphAidRequests(e: { siret: string }, args: PageArgs, ctx: SubgraphContext, info: GraphQLResolveInfo) {
      const result = connectionOf(await loaders.requestsOfEmployer(ctx).load(e.siret), args);
      ctx.audit.readNodes(personIdsOf(result.nodes), info, 'AgefiphAidRequest');
      return result;
    },
    async agefiphFundingReferences(e: { siret: string }, _: unknown, ctx: SubgraphContext) {
      const rows = await loaders.requestsOfEmployer(ctx).load(e.siret);
      for (const personId of personIdsOf(rows)) ctx.audit.read(personId, ['Employer.agefiphFundingReferences']);
      return rows.map((r) => ({ id: r.id, typename: 'AgefiphAidRequest', requestedOn: r.requestedOn }));
    },
  },
};
