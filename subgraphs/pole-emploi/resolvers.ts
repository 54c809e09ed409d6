// France Travail resolvers: thin (arguments in, rows out); who sees and writes what is policy.ts
// (enforced by the kit).
import { randomUUID } from 'node:crypto';
import { auditTrailResolvers, openAuditTrail } from '../kit/audit-trail.ts';
import { hasScope } from '../kit/caller.ts';
import type { SubgraphContext } from '../kit/context.ts';
import { ErrorCode, reject } from '../kit/errors.ts';
import { contributions } from '../kit/hub.ts';
import { connectionOf, offsetConnection, offsetPage, type OffsetPage, type PageArgs } from '../kit/pagination.ts';
import { runWrite } from '../kit/writes.ts';
import { matchesText } from '../kit/search.ts';
import type { Resolvers } from '../kit/server.ts';
import { isValidSiret } from '../kit/siret.ts';
import { Agency, Establishment, JobOffer, JobSeeker, Orientation, type Training } from './entities.ts';
import { loaders } from './loaders.ts';
import { statisticsQueries } from './statistics.ts';
import { checkOrientation, mergeFundings, mergeHistory, rqthValid, searchKey, type FundingRef, type HistoryItem } from './rules.ts';


interface PersonFilter { lastName?: string; firstName?: string; birthDate?: string; departement?: string }
interface EmployerFilter { name?: string; sector?: string; departement?: string }

function checkSearchText(value: string | undefined, field: string): void {
  if (value !== undefined && (value.length < 1 || value.length > 100)) reject(ErrorCode.INVALID_INPUT, `${field} must be 1 to 100 characters`, field);
}

const pageOfPeople = (ctx: SubgraphContext, where: object, args: PageArgs) =>
  ctx.rows.page(JobSeeker, where, args, { lastName: 'asc', firstName: 'asc', id: 'asc' });

/** A training's financing as the shared Funding type; it keeps the person the policy reads. */
function financingView(t: Training) {
  return {
    __typename: 'TrainingFinancing', id: t.financingId, personId: t.personId, partner: 'FRANCE_TRAVAIL', label: t.financingLabel, financer: t.financer, status: t.status,
    amountRequested: t.amountRequestedCents, amountGranted: t.amountGrantedCents ?? null, requestedOn: t.requestedOn, decidedOn: t.decidedOn ?? null,
  };
}

/**
 * France Travail's lines of a person's history that a page ending at `limit` can need: the
 * registration and the `limit` newest orientations, trainings and returns (ties on the day kept), with
 * the count of all of them.
 */
async function personEvents(ctx: SubgraphContext, person: JobSeeker, limit: number): Promise<{ events: HistoryItem[]; total: number }> {
  const [orientations, trainings, returns] = await Promise.all([
    loaders.orientationEvents(ctx, limit).load(person.id), loaders.trainingEvents(ctx, limit).load(person.id), loaders.returnEvents(ctx, limit).load(person.id),
  ]);
  return {
    events: [
      { occurredOn: person.registeredOn, partner: 'FRANCE_TRAVAIL', kind: 'REGISTRATION', summary: `Inscription comme demandeur d'emploi (catégorie ${person.category})`, reference: person.jobSeekerId },
      ...orientations.rows.map((o) => ({ occurredOn: o.decidedOn, partner: 'FRANCE_TRAVAIL', kind: 'ORIENTATION', summary: o.orientedTo === 'CAP_EMPLOI' ? 'Orientation vers Cap emploi' : 'Orientation vers France Travail', reference: o.id })),
      ...trainings.rows.map((t) => ({ occurredOn: t.startsOn, partner: 'FRANCE_TRAVAIL', kind: 'TRAINING_ENTRY', summary: `Entrée en formation : ${t.title}`, reference: t.id })),
      ...returns.rows.map((r) => ({ occurredOn: r.startedOn, partner: 'FRANCE_TRAVAIL', kind: 'RETURN_TO_EMPLOYMENT', summary: `Reprise d'emploi (${r.contractType})`, reference: r.id })),
    ],
    total: 1 + orientations.total + trainings.total + returns.total,
  };
}

/** The page `at` of a merge whose first items are `merged` (all a page ending at offset + first can hold) out of `total`. */
const pageOfMerge = <T>(merged: readonly T[], total: number, at: OffsetPage) => offsetConnection(merged.slice(at.offset, at.offset + at.first), total, at);
const lengths = (lists: readonly (readonly unknown[])[]) => lists.reduce((n, list) => n + list.length, 0);

export const resolvers: Resolvers = {
  Query: {
    ...statisticsQueries,
    person: (_: unknown, { id }: { id: string }, ctx: SubgraphContext) => loaders.jobSeeker(ctx).load(id),
    people(_: unknown, { filter = {}, ...args }: { filter?: PersonFilter } & PageArgs, ctx: SubgraphContext) {
      checkSearchText(filter.lastName, 'lastName');
      checkSearchText(filter.firstName, 'firstName');
      const where = {
        ...(filter.lastName ? matchesText('last_name_key', searchKey(filter.lastName), 'prefix') : {}),
        ...(filter.firstName ? matchesText('first_name_key', searchKey(filter.firstName), 'prefix') : {}),
        ...(filter.birthDate ? { birthDate: filter.birthDate } : {}),
        ...(filter.departement ? { departement: filter.departement } : {}),
      };
      return pageOfPeople(ctx, where, args);
    },
    caseload: (_: unknown, { counsellorId, ...args }: { counsellorId: string } & PageArgs, ctx: SubgraphContext) => pageOfPeople(ctx, { counsellorId }, args),
    async employer(_: unknown, { siret }: { siret: string }, ctx: SubgraphContext) {
      if (!isValidSiret(siret)) reject(ErrorCode.INVALID_SIRET, 'siret is not a valid SIRET (14 digits with a valid check digit)', 'siret');
      return loaders.establishment(ctx).load(siret);
    },
    async employers(_: unknown, { filter = {}, ...args }: { filter?: EmployerFilter } & PageArgs, ctx: SubgraphContext) {
      checkSearchText(filter.name, 'name');
      const where = {
        ...(filter.name ? matchesText('name_key', searchKey(filter.name), 'contains') : {}),
        ...(filter.sector ? { sector: filter.sector } : {}),
        ...(filter.departement ? { departement: filter.departement } : {}),
      };
      return ctx.rows.page(Establishment, where, args, { name: 'asc', siret: 'asc' });
    },
    agencies: (_: unknown, { departement, ...args }: { departement?: string } & PageArgs, ctx: SubgraphContext) =>
      ctx.rows.page(Agency, departement ? { departement } : {}, args, { code: 'asc' }),
    async jobOffers(_: unknown, { filter = {}, ...args }: { filter?: { departement?: string; romeCode?: string } } & PageArgs, ctx: SubgraphContext) {
      const where = { ...(filter.departement ? { departement: filter.departement } : {}), ...(filter.romeCode ? { romeCode: filter.romeCode } : {}) };
      return ctx.rows.page(JobOffer, where, args, { postedOn: 'desc', id: 'desc' });
    },
  },

  Mutation: {
    recordOrientation(_: unknown, { input }: { input: { idempotencyKey: string; personId: string; orientedTo: string; track: string; decidedOn: string; jointDiagnosticOn?: string | null; disabilityImpact?: string | null } }, ctx: SubgraphContext) {
      const { idempotencyKey, ...data } = input;
      return runWrite(ctx, {
        mutation: 'recordOrientation',
        idempotencyKey,
        input: data,
        personId: data.personId,
        async perform(em, rows) {
          const person = await rows.one(JobSeeker, { id: data.personId });
          if (!person) reject(ErrorCode.UNKNOWN_PERSON, 'no person with this id in your perimeter', 'personId');
          checkOrientation(data, person.registeredOn, ctx.today(person.departement));
          const id = `ori-${randomUUID()}`;
          em.create(Orientation, {
            id, personId: person.id, departement: person.departement, orientedTo: data.orientedTo, track: data.track, decidedOn: data.decidedOn,
            jointDiagnosticOn: data.jointDiagnosticOn ?? null, disabilityImpact: data.disabilityImpact ?? null, recordedBy: ctx.caller.organisation, recordedAt: ctx.clock.now(),
          });
          return id;
        },
      });
    },
  },

  Person: {
    async __resolveReference(ref: { id: string }, ctx: SubgraphContext) {
      const row = await loaders.jobSeeker(ctx).load(ref.id);
      return row ? { ...ref, ...row } : null;
    },
    registration: (p: JobSeeker) => ({ registeredOn: p.registeredOn, category: p.category, agencyCode: p.agencyCode, counsellorId: p.counsellorId }),
    disabilityStatus: (p: JobSeeker, _: unknown, ctx: SubgraphContext) => ({
      boethCategory: p.boethCategory, rqthDecidedOn: p.rqthDecidedOn ?? null, rqthValidUntil: p.rqthValidUntil ?? null,
      rqthValid: rqthValid(p.rqthDecidedOn ?? null, p.rqthValidUntil ?? null, ctx.today(p.departement)), nature: p.disabilityNature,
    }),
    orientation: async (p: JobSeeker, _: unknown, ctx: SubgraphContext) => (await loaders.orientations(ctx, { first: 1 }).load(p.id)).nodes[0] ?? null,
    orientations: (p: JobSeeker, args: PageArgs, ctx: SubgraphContext) => loaders.orientations(ctx, args).load(p.id),
    trainings: (p: JobSeeker, args: PageArgs, ctx: SubgraphContext) => loaders.trainings(ctx, args).load(p.id),
    returnsToEmployment: (p: JobSeeker, args: PageArgs, ctx: SubgraphContext) => loaders.returns(ctx, args).load(p.id),
    // The other subgraphs' inputs arrive under `<prefix>Events` / `<prefix>FundingReferences`,
    // selected by the @requires that kit/hub.ts generates from the list of subgraphs.
    // France Travail's own lists contribute only what the page can hold (the merge's order is
    // rules.ts'); the other partners' inputs arrive whole.
    async history(p: JobSeeker, args: PageArgs, ctx: SubgraphContext) {
      const at = offsetPage(args);
      const others = contributions<HistoryItem>(p, 'Events');
      const own = await personEvents(ctx, p, at.offset + at.first);
      return pageOfMerge(mergeHistory(own.events, ...others), own.total + lengths(others), at);
    },
    async fundings(p: JobSeeker, args: PageArgs, ctx: SubgraphContext) {
      const at = offsetPage(args);
      const others = contributions<FundingRef>(p, 'FundingReferences');
      const head = await loaders.trainingFundings(ctx, at.offset + at.first).load(p.id);
      const trainings = new Map(head.rows.map((t) => [t.financingId, t]));
      const own = [...trainings.values()].map((t) => ({ id: t.financingId, typename: 'TrainingFinancing', requestedOn: t.requestedOn }));
      const merged = pageOfMerge(mergeFundings(own, ...others), head.total + lengths(others), at);
      return { ...merged, nodes: merged.nodes.map((ref) => (ref.typename === 'TrainingFinancing' ? financingView(trainings.get(ref.id)!) : { __typename: ref.typename, id: ref.id })) };
    },
    auditTrail(p: JobSeeker, args: PageArgs, ctx: SubgraphContext) {
      if (!hasScope(ctx.caller, 'audit:read')) reject(ErrorCode.FORBIDDEN, 'the audit trail needs the scope audit:read');
      return openAuditTrail(p.id, args);
    },
  },

  AuditEntryConnection: auditTrailResolvers({ CAP_EMPLOI: 'capEmploiAuditWindow', AGEFIPH: 'agefiphAuditWindow', FIPHFP: 'fiphfpAuditWindow' }),

  Registration: {
    agency: (r: { agencyCode: string }, _: unknown, ctx: SubgraphContext) => loaders.agency(ctx).load(r.agencyCode),
  },

  Orientation: {
    person: (o: Orientation, _: unknown, ctx: SubgraphContext) => loaders.jobSeeker(ctx).load(o.personId),
    jointDiagnosticOn: (o: Orientation) => o.jointDiagnosticOn ?? null,
    disabilityImpact: (o: Orientation) => o.disabilityImpact ?? null,
  },

  Training: {
    financing: (t: Training) => financingView(t),
  },

  TrainingFinancing: {
    async __resolveReference(ref: { id: string }, ctx: SubgraphContext) {
      const t = await loaders.trainingFinancing(ctx).load(ref.id);
      return t ? financingView(t) : null;
    },
  },

  Funding: {
    __resolveType: (funding: { __typename?: string }) => funding.__typename ?? 'TrainingFinancing',
  },

  ReturnToEmployment: {
    employer: (r: { employerSiret?: string | null }, _: unknown, ctx: SubgraphContext) => (r.employerSiret ? loaders.establishment(ctx).load(r.employerSiret) : null),
  },

  Employer: {
    async __resolveReference(ref: { siret: string }, ctx: SubgraphContext) {
      const row = await loaders.establishment(ctx).load(ref.siret);
      return row ? { ...ref, ...row } : null;
    },
    jobOffers: (e: Establishment, args: PageArgs, ctx: SubgraphContext) => loaders.jobOffers(ctx, args).load(e.siret),
    fundings(e: Establishment, args: PageArgs) {
      const merged = connectionOf(mergeFundings(...contributions<FundingRef>(e, 'FundingReferences')), args);
      return { ...merged, nodes: merged.nodes.map((ref) => ({ __typename: ref.typename, id: ref.id })) };
    },
  },

  JobOffer: {
    employer: (o: JobOffer, _: unknown, ctx: SubgraphContext) => loaders.establishment(ctx).load(o.employerSiret),
  },
};
