// Resolvers of the cap-emploi subgraph: arguments in, rows out; who sees and writes what is
// policy.ts (enforced by the kit), the rules of accompaniment steps live in rules.ts.
import { randomUUID } from 'node:crypto';
import { auditWindowResolvers } from '../kit/audit-trail.ts';
import { hasScope, territoryFilter } from '../kit/caller.ts';
import type { SubgraphContext } from '../kit/context.ts';
import { ErrorCode, reject } from '../kit/errors.ts';
import { connectionOf, type PageArgs } from '../kit/pagination.ts';
import { runWrite } from '../kit/writes.ts';
import type { Resolvers } from '../kit/server.ts';
import { isValidSiret } from '../kit/siret.ts';
import { isDepartementCode } from '../kit/territory.ts';
import { CONVENTIONS, conventionById } from './conventions.ts';
import {
  CapEmploiAccompaniment, CapEmploiCoverage, CapEmploiEmployerService, CapEmploiOrganisation, CapEmploiSite, CapEmploiStep, stepId,
  type AccompanimentRow, type EmployerServiceRow, type SiteRow, type StepRow,
} from './entities.ts';
import { ORGANISATIONS, organisationsCovering } from './organisations.ts';
import {
  checkStep, frameworkConventionOn, openingRefusal,
  type AccompanimentKind, type AccompanimentStatus, type OpeningProposal, type Outcome, type StepKind, type StepProposal,
} from './rules.ts';

const organisationDefinitions = new Map(ORGANISATIONS.map((o) => [o.id, o]));

type Ctx = SubgraphContext;
const organisationById = (ctx: Ctx) => ctx.rows.byKey(CapEmploiOrganisation, 'id');
const sitesOfOrganisation = (ctx: Ctx, args: PageArgs) => ctx.rows.pages(CapEmploiSite, 'organisationId', { id: 'asc' }, args);
const accompanimentById = (ctx: Ctx) => ctx.rows.byKey(CapEmploiAccompaniment, 'id');
const ACCOMPANIMENTS_ORDER = { openedOn: 'asc', id: 'asc' } as const;
const accompanimentsOfPerson = (ctx: Ctx, args: PageArgs) => ctx.rows.pages(CapEmploiAccompaniment, 'personId', ACCOMPANIMENTS_ORDER, args);
const stepsOfAccompaniment = (ctx: Ctx, args: PageArgs) => ctx.rows.pages(CapEmploiStep, 'accompanimentId', { sequence: 'asc' }, args);
const servicesOfEmployer = (ctx: Ctx, args: PageArgs) => ctx.rows.pages(CapEmploiEmployerService, 'employerSiret', { deliveredOn: 'desc', id: 'asc' }, args);
// The history's input (capEmploiEvents) is every accompaniment and step of the person: the hub merges them whole.
const allAccompanimentsOfPerson = (ctx: Ctx) => ctx.rows.groupedBy(CapEmploiAccompaniment, 'personId', ACCOMPANIMENTS_ORDER);
const stepsOfPerson = (ctx: Ctx) => ctx.rows.groupedBy(CapEmploiStep, 'personId', { occurredOn: 'asc', sequence: 'asc' });

/**
 * Ids of the organisations serving the caller's départements (public reference data, narrowed to
 * the caller's territory as a counsellor expects), narrowed to `departement` when given; null means
 * every organisation (a national caller with no département asked).
 */
async function organisationIdsFor(ctx: Ctx, departement?: string | null): Promise<string[] | null> {
  const territory = territoryFilter(ctx.caller);
  const wanted = departement ? (territory && !territory.includes(departement) ? [] : [departement]) : territory;
  if (!wanted) return null;
  const coverage = await ctx.rows.find(CapEmploiCoverage, { departement: { $in: [...wanted] } });
  return [...new Set(coverage.map((c) => c.organisationId))];
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

const unknownAccompaniment = (field: string): never => reject(ErrorCode.UNKNOWN_ACCOMPANIMENT, 'no accompaniment with this id', field);

type RecordStepInput = StepProposal & { readonly idempotencyKey: string; readonly accompanimentId: string };

async function recordAccompanimentStep(_: unknown, { input }: { input: RecordStepInput }, ctx: SubgraphContext) {
  const { idempotencyKey, ...step } = input;
  return runWrite(ctx, {
    mutation: 'recordAccompanimentStep',
    idempotencyKey,
    input: step,
    async perform(em, rows) {
      const accompaniment = await rows.one(CapEmploiAccompaniment, { id: step.accompanimentId });
      if (!accompaniment) return unknownAccompaniment('accompanimentId');
      const previous = await em.find(CapEmploiStep, { accompanimentId: accompaniment.id }, { orderBy: { sequence: 'asc' } });
      const refusal = checkStep(
        { kind: accompaniment.kind as AccompanimentKind, status: accompaniment.status as AccompanimentStatus, openedOn: accompaniment.openedOn },
        previous.map((s) => ({ kind: s.kind as StepKind, occurredOn: s.occurredOn })),
        step,
        ctx.today(accompaniment.departement),
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
      return accompaniment.id;
    },
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
  const { idempotencyKey, ...opening } = input;
  if (!isDepartementCode(opening.departement)) reject(ErrorCode.INVALID_INPUT, 'not a département code (INSEE, e.g. "33", "2A", "974")', 'departement');
  if (!ctx.perimeter.includesPlace(opening.departement)) reject(ErrorCode.FORBIDDEN, 'this département is outside your territory', 'departement');
  if (opening.medicalRestrictions != null && !hasScope(ctx.caller, 'health:read')) {
    reject(ErrorCode.FORBIDDEN, 'work restrictions are health data: recording them needs health:read', 'medicalRestrictions');
  }
  if (!OPAQUE_ID.test(opening.personId)) reject(ErrorCode.INVALID_INPUT, 'not a person id', 'personId');
  if (opening.counsellorId != null && !OPAQUE_ID.test(opening.counsellorId)) reject(ErrorCode.INVALID_INPUT, 'not a counsellor id', 'counsellorId');
  if (opening.employerSiret && !isValidSiret(opening.employerSiret)) reject(ErrorCode.INVALID_SIRET, 'not a valid SIRET (14 digits, Luhn or La Poste rule)', 'employerSiret');
  return runWrite(ctx, {
    mutation: 'openAccompaniment',
    idempotencyKey,
    input: opening,
    personId: opening.personId,
    async perform(em, rows) {
      const retention = opening.followsAccompanimentId ? await rows.one(CapEmploiAccompaniment, { id: opening.followsAccompanimentId }) : null;
      const refusal = openingRefusal(opening, {
        today: ctx.today(opening.departement),
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
      return id;
    },
  });
}

// ---- resolver map -----------------------------------------------------------------------------

type Args<T = object> = PageArgs & T;

export const resolvers: Resolvers = {
  Query: {
    async capEmploiOrganisations(_: unknown, args: Args<{ departement?: string | null }>, ctx: SubgraphContext) {
      const ids = await organisationIdsFor(ctx, args.departement);
      return ctx.rows.page(CapEmploiOrganisation, ids ? { id: { $in: ids } } : {}, args, { id: 'asc' });
    },
    async capEmploiOrganisation(_: unknown, { id }: { id: string }, ctx: SubgraphContext) {
      const ids = await organisationIdsFor(ctx);
      return ids && !ids.includes(id) ? null : organisationById(ctx).load(id);
    },
    capEmploiAccompaniment: (_: unknown, { id }: { id: string }, ctx: SubgraphContext) => accompanimentById(ctx).load(id),
    capEmploiCaseload: (_: unknown, args: Args<{ counsellorId: string }>, ctx: SubgraphContext) =>
      ctx.rows.page(CapEmploiAccompaniment, { counsellorId: args.counsellorId, status: 'OPEN' }, args, { openedOn: 'asc', id: 'asc' }),
    conventions: (_: unknown, args: PageArgs) => connectionOf(CONVENTIONS, args),
    convention: (_: unknown, { id }: { id: string }) => conventionById(id),
  },

  Mutation: { recordAccompanimentStep, openAccompaniment },

  Person: {
    __resolveReference: (ref: { id: string }) => ({ id: ref.id }),
    capEmploiAccompaniments: (person: { id: string }, args: PageArgs, ctx: SubgraphContext) => accompanimentsOfPerson(ctx, args).load(person.id),
    async capEmploiEvents(person: { id: string }, _: unknown, ctx: SubgraphContext) {
      const [accompaniments, steps] = await Promise.all([allAccompanimentsOfPerson(ctx).load(person.id), stepsOfPerson(ctx).load(person.id)]);
      return historyEvents(accompaniments, steps);
    },
  },

  AuditEntryConnection: auditWindowResolvers('CAP_EMPLOI', 'capEmploiAuditWindow'),

  Employer: {
    __resolveReference: (ref: { siret: string }) => ({ siret: ref.siret }),
    capEmploiServices: (employer: { siret: string }, args: PageArgs, ctx: SubgraphContext) => servicesOfEmployer(ctx, args).load(employer.siret),
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
    sites: (org: { id: string }, args: PageArgs, ctx: SubgraphContext) => sitesOfOrganisation(ctx, args).load(org.id),
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
    steps: (a: AccompanimentRow, args: PageArgs, ctx: SubgraphContext) => stepsOfAccompaniment(ctx, args).load(a.id),
  },

  CapEmploiEmployerService: {
    organisation: (s: EmployerServiceRow, _: unknown, ctx: SubgraphContext) => organisationById(ctx).load(s.organisationId),
  },
};
