// Resolvers of the cap-emploi subgraph: thin (arguments in, a loader or a query, the object out);
// the rules of accompaniment steps live in rules.ts.
//
// Who sees what (the gateway enforces the scopes declared in schema.graphql; this subgraph the rows):
//  - Accompaniments, their steps and the events of Person.history built from them: only callers of
//    Cap emploi and France Travail (the two networks share the follow-up of a person since 2021),
//    and only rows of their départements when their token carries a territory. Agefiph, FIPHFP,
//    DGEFP and Cheops callers see none (CNIL délibération 2023-005: access follows each partner's
//    role): null for one accompaniment, empty lists, UNKNOWN_ACCOMPANIMENT in mutations.
//    Opening an accompaniment in a département outside the caller's territory is FORBIDDEN.
//  - Organisations and their sites: every authenticated caller, restricted to its territory.
//  - Services to employers: every caller with employer:read, restricted to its territory (the
//    employer's département).
//  - Conventions: national reference data, every authenticated caller.
//  - Audit entries of a person: only with audit:read (the gateway does not check the scopes of
//    fields another subgraph @requires).
// Every person whose accompaniment data is returned is recorded in the audit trail, with the fields read.
import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/core';
import { Kind, type FieldNode, type GraphQLResolveInfo, type SelectionSetNode } from 'graphql';
import { personAuditEntries, selectedFields } from '../kit/audit.ts';
import { hasScope, inTerritory } from '../kit/caller.ts';
import type { SubgraphContext } from '../kit/context.ts';
import { ErrorCode, reject } from '../kit/errors.ts';
import { runIdempotent } from '../kit/idempotency.ts';
import { connection, connectionOf, page, type PageArgs } from '../kit/pagination.ts';
import type { Resolvers } from '../kit/server.ts';
import { isValidSiret } from '../kit/siret.ts';
import { isDepartementCode } from '../kit/territory.ts';
import { CONVENTIONS, conventionById } from './conventions.ts';
import { CapEmploiAccompaniment, CapEmploiOrganisation, CapEmploiStep, stepId, type AccompanimentRow, type EmployerServiceRow, type SiteRow, type StepRow } from './entities.ts';
import {
  ACCOMPANIMENT_READERS, accompanimentById, accompanimentsOfPerson, accompanimentWhere, organisationById, servicesOfEmployer,
  sitesOfOrganisation, stepsOfAccompaniment, stepsOfPerson, visibleOrganisationIds,
} from './loaders.ts';
import { ORGANISATIONS, organisationsCovering } from './organisations.ts';
import {
  checkStep, frameworkConventionOn, openingRefusal, todayIn,
  type AccompanimentKind, type AccompanimentStatus, type OpeningProposal, type Outcome, type StepKind, type StepProposal,
} from './rules.ts';

/** At most this many audit entries go into Person.auditTrail per partner. */

const organisationDefinitions = new Map(ORGANISATIONS.map((o) => [o.id, o]));

// ---- audit of reads -------------------------------------------------------------------------

/** The `nodes` fields selected under a connection field, as a resolve info selectedFields can read. */
function nodesOf(info: GraphQLResolveInfo): GraphQLResolveInfo {
  const nodes: FieldNode[] = [];
  const visit = (set: SelectionSetNode | undefined) => {
    for (const sel of set?.selections ?? []) {
      if (sel.kind === Kind.FIELD) {
        if (sel.name.value === 'nodes') nodes.push(sel);
      } else if (sel.kind === Kind.INLINE_FRAGMENT) visit(sel.selectionSet);
      else visit(info.fragments[sel.name.value]?.selectionSet);
    }
  };
  for (const node of info.fieldNodes) visit(node.selectionSet);
  return { ...info, fieldNodes: nodes };
}

/** Records the accompaniment fields read for each person concerned; `info` is a connection's when `connectionField`. */
function auditAccompaniments(ctx: SubgraphContext, info: GraphQLResolveInfo, rows: readonly AccompanimentRow[], connectionField: boolean): void {
  const fields = selectedFields(connectionField ? nodesOf(info) : info).map((f) => `CapEmploiAccompaniment.${f}`);
  if (fields.length === 0) return;
  for (const personId of new Set(rows.map((r) => r.personId))) ctx.audit.read(personId, fields);
}

// ---- history events -------------------------------------------------------------------------

const KIND_LABEL: Readonly<Record<AccompanimentKind, string>> = {
  TOWARD_EMPLOYMENT: 'Cap emploi accompaniment toward employment',
  JOB_RETENTION: 'Cap emploi job retention (maintien dans l\'emploi)',
  CAREER_CHANGE: 'Cap emploi career change (évolution professionnelle)',
  WATCH: 'Cap emploi watch (action de veille)',
};

const STEP_LABEL: Readonly<Record<StepKind, string>> = {
  DIAGNOSTIC: 'Diagnostic', INTERVIEW: 'Interview', WORKSTATION_STUDY: 'Workstation study', TRAINING_ENTRY: 'Training entry',
  PLACEMENT: 'Placement in a job', FOLLOW_UP: 'Follow-up in employment', CLOSURE: 'Closure',
};

const OUTCOME_LABEL: Readonly<Record<Outcome, string>> = {
  EMPLOYED_PERMANENT: 'lasting job', EMPLOYED_TEMPORARY: 'job of less than 6 months', BUSINESS_CREATION: 'business created',
  TRAINING: 'training', REORIENTED_TO_FRANCE_TRAVAIL: 'reoriented to France Travail', JOB_RETAINED: 'job kept',
  JOB_RETAINED_OTHER_POST: 'kept on another post', NOT_RETAINED: 'job not kept', CAREER_CHANGED: 'new job',
  SITUATION_STABLE: 'situation stable', NEW_RETENTION_CASE: 'new retention case', ABANDONED: 'abandoned',
};

/** Opening, steps and closure of a person's accompaniments, as lines of the shared history (no notes, no health data). */
function historyEvents(accompaniments: readonly AccompanimentRow[], steps: readonly StepRow[]) {
  const byId = new Map(accompaniments.map((a) => [a.id, a]));
  const opened = accompaniments.map((a) => ({
    occurredOn: a.openedOn, partner: 'CAP_EMPLOI', kind: 'ACCOMPANIMENT_OPENED', reference: a.id,
    summary: `${KIND_LABEL[a.kind as AccompanimentKind]} opened by ${organisationDefinitions.get(a.organisationId)?.name ?? 'Cap emploi'}`,
  }));
  const stepped = steps.flatMap((s) => {
    const a = byId.get(s.accompanimentId);
    if (!a) return [];
    const closure = s.kind === 'CLOSURE';
    return [{
      occurredOn: s.occurredOn, partner: 'CAP_EMPLOI', kind: closure ? 'ACCOMPANIMENT_CLOSED' : 'ACCOMPANIMENT_STEP', reference: a.id,
      summary: closure
        ? `${KIND_LABEL[a.kind as AccompanimentKind]} closed: ${a.outcome ? OUTCOME_LABEL[a.outcome as Outcome] : 'no outcome'}`
        : `${STEP_LABEL[s.kind as StepKind]} – ${KIND_LABEL[a.kind as AccompanimentKind]}`,
    }];
  });
  return [...opened, ...stepped].sort((x, y) => (x.occurredOn < y.occurredOn ? -1 : x.occurredOn > y.occurredOn ? 1 : 0));
}

// ---- mutations --------------------------------------------------------------------------------

/** Defence in depth: the gateway already refuses these mutations without the scope. */
function requireWriter(ctx: SubgraphContext): void {
  if (!hasScope(ctx.caller, 'accompaniment:write')) reject(ErrorCode.FORBIDDEN, 'this mutation needs the scope accompaniment:write');
}

const unknownAccompaniment = (field: string): never => reject(ErrorCode.UNKNOWN_ACCOMPANIMENT, 'no accompaniment with this id', field);

/** Loads a mutation's result; a replay is answered only to a caller who may still see the accompaniment. */
const loadVisible = (ctx: SubgraphContext) => async (em: EntityManager, id: string) =>
  (await em.findOne(CapEmploiAccompaniment, { id, ...accompanimentWhere(ctx.caller) })) ?? unknownAccompaniment('accompanimentId');

type RecordStepInput = StepProposal & { readonly idempotencyKey: string; readonly accompanimentId: string };

async function recordAccompanimentStep(_: unknown, { input }: { input: RecordStepInput }, ctx: SubgraphContext) {
  requireWriter(ctx);
  const { idempotencyKey, ...step } = input;
  return runIdempotent(ctx, {
    name: 'recordAccompanimentStep',
    idempotencyKey,
    input: step,
    async perform(em) {
      const accompaniment = await em.findOne(CapEmploiAccompaniment, { id: step.accompanimentId, ...accompanimentWhere(ctx.caller) });
      if (!accompaniment) return unknownAccompaniment('accompanimentId');
      const previous = await em.find(CapEmploiStep, { accompanimentId: accompaniment.id }, { orderBy: { sequence: 'asc' } });
      const refusal = checkStep(
        { kind: accompaniment.kind as AccompanimentKind, status: accompaniment.status as AccompanimentStatus, openedOn: accompaniment.openedOn },
        previous.map((s) => ({ kind: s.kind as StepKind, occurredOn: s.occurredOn })),
        step,
        todayIn(accompaniment.departement, new Date()),
      );
      if (refusal) reject(refusal.code, refusal.message, refusal.field);
      const closing = step.kind === 'CLOSURE';
      // Guarded by the revision: a step recorded meanwhile by someone else makes this one fail, not interleave.
      const updated = await em.nativeUpdate(
        CapEmploiAccompaniment,
        { id: accompaniment.id, revision: accompaniment.revision },
        { revision: accompaniment.revision + 1, ...(closing ? { status: 'CLOSED', outcome: step.outcome, closedOn: step.occurredOn } : {}) },
      );
      if (updated !== 1) reject(ErrorCode.INVALID_INPUT, 'the accompaniment changed while this step was recorded: read it again', 'accompanimentId');
      const sequence = accompaniment.revision + 1;
      await em.insert(CapEmploiStep, {
        id: stepId(accompaniment.id, sequence), accompanimentId: accompaniment.id, sequence, personId: accompaniment.personId,
        departement: accompaniment.departement, kind: step.kind, occurredOn: step.occurredOn, note: step.note ?? null, recordedBy: ctx.caller.subject,
      });
      await ctx.audit.written(em, accompaniment.personId, [
        'CapEmploiAccompaniment.steps', ...(closing ? ['CapEmploiAccompaniment.status', 'CapEmploiAccompaniment.outcome', 'CapEmploiAccompaniment.closedOn'] : []),
      ]);
      return accompaniment.id;
    },
    load: loadVisible(ctx),
  });
}

type OpenInput = OpeningProposal & { readonly idempotencyKey: string; readonly counsellorId?: string | null };

const OPAQUE_ID = /^[A-Za-z0-9_-]{1,64}$/;

/** The organisation named, or the only one serving the département. */
function organisationServing(departement: string, organisationId: string | null | undefined): string {
  const serving = organisationsCovering(departement);
  if (organisationId) {
    if (!serving.some((o) => o.id === organisationId)) reject(ErrorCode.INVALID_INPUT, `this organisation does not serve département ${departement}`, 'organisationId');
    return organisationId;
  }
  if (serving.length !== 1) reject(ErrorCode.INVALID_INPUT, `several organisations serve département ${departement}: name one`, 'organisationId');
  return serving[0].id;
}

async function openAccompaniment(_: unknown, { input }: { input: OpenInput }, ctx: SubgraphContext) {
  requireWriter(ctx);
  const { idempotencyKey, ...opening } = input;
  if (!isDepartementCode(opening.departement)) reject(ErrorCode.INVALID_INPUT, 'not a département code (INSEE, e.g. "33", "2A", "974")', 'departement');
  if (!ACCOMPANIMENT_READERS.has(ctx.caller.organisation) || !inTerritory(ctx.caller, opening.departement)) {
    reject(ErrorCode.FORBIDDEN, 'this département is outside your territory', 'departement');
  }
  if (opening.medicalRestrictions != null && !hasScope(ctx.caller, 'health:read')) {
    reject(ErrorCode.FORBIDDEN, 'work restrictions are health data: recording them needs health:read', 'medicalRestrictions');
  }
  if (!OPAQUE_ID.test(opening.personId)) reject(ErrorCode.INVALID_INPUT, 'not a person id', 'personId');
  if (opening.counsellorId != null && !OPAQUE_ID.test(opening.counsellorId)) reject(ErrorCode.INVALID_INPUT, 'not a counsellor id', 'counsellorId');
  if (opening.employerSiret && !isValidSiret(opening.employerSiret)) reject(ErrorCode.INVALID_SIRET, 'not a valid SIRET (14 digits, Luhn or La Poste rule)', 'employerSiret');
  return runIdempotent(ctx, {
    name: 'openAccompaniment',
    idempotencyKey,
    input: opening,
    async perform(em) {
      const retention = opening.followsAccompanimentId
        ? await em.findOne(CapEmploiAccompaniment, { id: opening.followsAccompanimentId, ...accompanimentWhere(ctx.caller) })
        : null;
      const refusal = openingRefusal(opening, {
        today: todayIn(opening.departement, new Date()),
        alreadyOpen: (await em.count(CapEmploiAccompaniment, { personId: opening.personId, kind: opening.kind, status: 'OPEN' })) > 0,
        retention,
        retentionWatched: retention ? (await em.count(CapEmploiAccompaniment, { followsAccompanimentId: retention.id })) > 0 : false,
      });
      if (refusal) reject(refusal.code, refusal.message, refusal.field);
      const counsellorId = opening.counsellorId ?? retention?.counsellorId ?? reject(ErrorCode.INVALID_INPUT, 'name the referent counsellor', 'counsellorId');
      const id = `cea_${randomUUID().replaceAll('-', '').slice(0, 20)}`;
      await em.insert(CapEmploiAccompaniment, {
        id, personId: opening.personId, organisationId: retention?.organisationId ?? organisationServing(opening.departement, opening.organisationId),
        counsellorId, departement: opening.departement, kind: opening.kind, status: 'OPEN', outcome: null, openedOn: opening.openedOn, closedOn: null,
        employerSiret: retention?.employerSiret ?? opening.employerSiret ?? null, medicalRestrictions: opening.medicalRestrictions ?? null,
        followsAccompanimentId: retention?.id ?? null, revision: 0,
      });
      await ctx.audit.written(em, opening.personId, [
        'Person.capEmploiAccompaniments', ...(opening.medicalRestrictions != null ? ['CapEmploiAccompaniment.medicalRestrictions'] : []),
      ]);
      return id;
    },
    load: loadVisible(ctx),
  });
}

// ---- resolver map -----------------------------------------------------------------------------

type Args<T = object> = PageArgs & T;

export const resolvers: Resolvers = {
  Query: {
    async capEmploiOrganisations(_: unknown, args: Args<{ departement?: string | null }>, ctx: SubgraphContext) {
      const ids = await visibleOrganisationIds(ctx, args.departement);
      return connection(await ctx.em.findByCursor(CapEmploiOrganisation, { where: ids ? { id: { $in: ids } } : {}, ...page(args), orderBy: { id: 'asc' } }));
    },
    async capEmploiOrganisation(_: unknown, { id }: { id: string }, ctx: SubgraphContext) {
      const ids = await visibleOrganisationIds(ctx);
      return ids && !ids.includes(id) ? null : organisationById(ctx).load(id);
    },
    async capEmploiAccompaniment(_: unknown, { id }: { id: string }, ctx: SubgraphContext, info: GraphQLResolveInfo) {
      const accompaniment = await accompanimentById(ctx).load(id);
      if (accompaniment) auditAccompaniments(ctx, info, [accompaniment], false);
      return accompaniment;
    },
    async capEmploiCaseload(_: unknown, args: Args<{ counsellorId: string }>, ctx: SubgraphContext, info: GraphQLResolveInfo) {
      const where = { counsellorId: args.counsellorId, status: 'OPEN', ...accompanimentWhere(ctx.caller) };
      const caseload = connection(await ctx.em.findByCursor(CapEmploiAccompaniment, { where, ...page(args), orderBy: { openedOn: 'asc', id: 'asc' } }));
      auditAccompaniments(ctx, info, caseload.nodes, true);
      return caseload;
    },
    conventions: (_: unknown, args: PageArgs) => connectionOf(CONVENTIONS, args),
    convention: (_: unknown, { id }: { id: string }) => conventionById(id),
  },

  Mutation: { recordAccompanimentStep, openAccompaniment },

  Person: {
    __resolveReference: (ref: { id: string }) => ({ id: ref.id }),
    async capEmploiAccompaniments(person: { id: string }, args: PageArgs, ctx: SubgraphContext, info: GraphQLResolveInfo) {
      const list = connectionOf(await accompanimentsOfPerson(ctx).load(person.id), args);
      auditAccompaniments(ctx, info, list.nodes, true);
      return list;
    },
    async capEmploiEvents(person: { id: string }, _: unknown, ctx: SubgraphContext) {
      const [accompaniments, steps] = await Promise.all([accompanimentsOfPerson(ctx).load(person.id), stepsOfPerson(ctx).load(person.id)]);
      if (accompaniments.length) ctx.audit.read(person.id, ['Person.capEmploiEvents']);
      return historyEvents(accompaniments, steps);
    },
    capEmploiAuditEntries: (person: { id: string }, _: unknown, ctx: SubgraphContext) => personAuditEntries(ctx, person.id, 'CAP_EMPLOI'),
  },

  Employer: {
    __resolveReference: (ref: { siret: string }) => ({ siret: ref.siret }),
    capEmploiServices: async (employer: { siret: string }, args: PageArgs, ctx: SubgraphContext) =>
      connectionOf(await servicesOfEmployer(ctx).load(employer.siret), args),
  },

  Convention: {
    // A copy: @apollo/subgraph tags the object it receives with __typename, and the definitions are frozen.
    __resolveReference: (ref: { id: string }) => {
      const convention = conventionById(ref.id);
      return convention ? { ...convention } : null;
    },
  },

  CapEmploiOrganisation: {
    departements: (org: { id: string }) => organisationDefinitions.get(org.id)?.departements ?? [],
    sites: async (org: { id: string }, args: PageArgs, ctx: SubgraphContext) => connectionOf(await sitesOfOrganisation(ctx).load(org.id), args),
  },

  CapEmploiSite: {
    isLieuUnique: (site: SiteRow) => site.kind === 'FRANCE_TRAVAIL_AGENCY',
  },

  CapEmploiAccompaniment: {
    person: (a: AccompanimentRow) => ({ id: a.personId }),
    organisation: (a: AccompanimentRow, _: unknown, ctx: SubgraphContext) => organisationById(ctx).load(a.organisationId),
    employer: (a: AccompanimentRow) => (a.employerSiret ? { siret: a.employerSiret } : null),
    follows: (a: AccompanimentRow, _: unknown, ctx: SubgraphContext) => (a.followsAccompanimentId ? accompanimentById(ctx).load(a.followsAccompanimentId) : null),
    convention: (a: AccompanimentRow) => {
      const id = frameworkConventionOn(a.openedOn);
      return id ? conventionById(id) : null;
    },
    steps: async (a: AccompanimentRow, args: PageArgs, ctx: SubgraphContext) => connectionOf(await stepsOfAccompaniment(ctx).load(a.id), args),
  },

  CapEmploiEmployerService: {
    organisation: (s: EmployerServiceRow, _: unknown, ctx: SubgraphContext) => organisationById(ctx).load(s.organisationId),
  },
};
