// France Travail resolvers: thin (arguments in, a loader or a query, the object out).
// Row access: a caller with a territory sees only people, orientations, trainings and returns of
// its départements (SQL filter on `departement`); the employer directory and agencies are not
// personal data and are visible to any authenticated caller.
import { randomUUID } from 'node:crypto';
import type { GraphQLResolveInfo } from 'graphql';
import { personAuditEntries, type auditEntryView } from '../kit/audit.ts';
import { hasScope } from '../kit/caller.ts';
import type { SubgraphContext } from '../kit/context.ts';
import { ErrorCode, reject } from '../kit/errors.ts';
import { runIdempotent } from '../kit/idempotency.ts';
import { connection, connectionOf, page, type PageArgs } from '../kit/pagination.ts';
import { WORLD_DATE } from '../kit/population.ts';
import type { Resolvers } from '../kit/server.ts';
import { isValidSiret } from '../kit/siret.ts';
import { Agency, Establishment, JobOffer, JobSeeker, Orientation, type Training } from './entities.ts';
import { inCallerTerritory, loaders } from './loaders.ts';
import { statisticsQueries } from './statistics.ts';
import { checkOrientation, mergeFundings, mergeHistory, rqthValid, searchKey, today, type FundingRef, type HistoryItem } from './rules.ts';

type PersonParent = JobSeeker & {
  capEmploiEvents?: HistoryItem[];
  agefiphEvents?: HistoryItem[];
  fiphfpEvents?: HistoryItem[];
  agefiphFundingReferences?: FundingRef[];
  fiphfpFundingReferences?: FundingRef[];
  capEmploiAuditEntries?: ReturnType<typeof auditEntryView>[];
  agefiphAuditEntries?: ReturnType<typeof auditEntryView>[];
  fiphfpAuditEntries?: ReturnType<typeof auditEntryView>[];
};
type EmployerParent = Establishment & { agefiphFundingReferences?: FundingRef[]; fiphfpFundingReferences?: FundingRef[] };

interface PersonFilter { lastName?: string; firstName?: string; birthDate?: string; departement?: string }
interface EmployerFilter { name?: string; sector?: string; departement?: string }

/** A LIKE pattern; wildcards typed by the user are dropped (escaping differs between SQLite and PostgreSQL). */
function like(text: string, mode: 'prefix' | 'contains'): string {
  const literal = text.replace(/[\\%_]/g, '');
  return mode === 'prefix' ? `${literal}%` : `%${literal}%`;
}

function checkSearchText(value: string | undefined, field: string): void {
  if (value !== undefined && (value.length < 1 || value.length > 100)) reject(ErrorCode.INVALID_INPUT, `${field} must be 1 to 100 characters`, field);
}

async function pageOfPeople(ctx: SubgraphContext, info: GraphQLResolveInfo, where: object, args: PageArgs) {
  const result = connection(await ctx.em.findByCursor(JobSeeker, {
    where: { ...where, ...inCallerTerritory(ctx) } as never,
    ...page(args),
    orderBy: { lastName: 'asc', firstName: 'asc', id: 'asc' },
  }));
  ctx.audit.readNodes(result.nodes.map((p) => p.id), info, 'Person');
  return result;
}

function financingView(t: Training) {
  return {
    __typename: 'TrainingFinancing', id: t.financingId, partner: 'FRANCE_TRAVAIL', label: t.financingLabel, financer: t.financer, status: t.status,
    amountRequested: t.amountRequestedCents, amountGranted: t.amountGrantedCents ?? null, requestedOn: t.requestedOn, decidedOn: t.decidedOn ?? null,
  };
}

async function personEvents(ctx: SubgraphContext, person: JobSeeker): Promise<HistoryItem[]> {
  const [orientations, trainings, returns] = await Promise.all([
    loaders.orientations(ctx).load(person.id), loaders.trainings(ctx).load(person.id), loaders.returns(ctx).load(person.id),
  ]);
  return [
    { occurredOn: person.registeredOn, partner: 'FRANCE_TRAVAIL', kind: 'REGISTRATION', summary: `Inscription comme demandeur d'emploi (catégorie ${person.category})`, reference: person.jobSeekerId },
    ...orientations.map((o) => ({ occurredOn: o.decidedOn, partner: 'FRANCE_TRAVAIL', kind: 'ORIENTATION', summary: o.orientedTo === 'CAP_EMPLOI' ? 'Orientation vers Cap emploi' : 'Orientation vers France Travail', reference: o.id })),
    ...trainings.map((t) => ({ occurredOn: t.startsOn, partner: 'FRANCE_TRAVAIL', kind: 'TRAINING_ENTRY', summary: `Entrée en formation : ${t.title}`, reference: t.id })),
    ...returns.map((r) => ({ occurredOn: r.startedOn, partner: 'FRANCE_TRAVAIL', kind: 'RETURN_TO_EMPLOYMENT', summary: `Reprise d'emploi (${r.contractType})`, reference: r.id })),
  ];
}

export const resolvers: Resolvers = {
  Query: {
    ...statisticsQueries,
    async person(_: unknown, { id }: { id: string }, ctx: SubgraphContext, info: GraphQLResolveInfo) {
      const row = await loaders.jobSeeker(ctx).load(id);
      if (row) ctx.audit.readObject(id, info, 'Person');
      return row;
    },
    async people(_: unknown, { filter = {}, ...args }: { filter?: PersonFilter } & PageArgs, ctx: SubgraphContext, info: GraphQLResolveInfo) {
      checkSearchText(filter.lastName, 'lastName');
      checkSearchText(filter.firstName, 'firstName');
      const where = {
        ...(filter.lastName ? { lastNameKey: { $like: like(searchKey(filter.lastName), 'prefix') } } : {}),
        ...(filter.firstName ? { firstNameKey: { $like: like(searchKey(filter.firstName), 'prefix') } } : {}),
        ...(filter.birthDate ? { birthDate: filter.birthDate } : {}),
        ...(filter.departement ? { departement: filter.departement } : {}),
      };
      // A département asked for outside the caller's territory gives an empty page: both filters apply.
      if (filter.departement && ctx.caller.territory.length && !ctx.caller.territory.includes(filter.departement)) {
        return { nodes: [], totalCount: 0, pageInfo: { hasNextPage: false, endCursor: null } };
      }
      return pageOfPeople(ctx, info, where, args);
    },
    async caseload(_: unknown, { counsellorId, ...args }: { counsellorId: string } & PageArgs, ctx: SubgraphContext, info: GraphQLResolveInfo) {
      return pageOfPeople(ctx, info, { counsellorId }, args);
    },
    async employer(_: unknown, { siret }: { siret: string }, ctx: SubgraphContext) {
      if (!isValidSiret(siret)) reject(ErrorCode.INVALID_SIRET, 'siret is not a valid SIRET (14 digits with a valid check digit)', 'siret');
      return loaders.establishment(ctx).load(siret);
    },
    async employers(_: unknown, { filter = {}, ...args }: { filter?: EmployerFilter } & PageArgs, ctx: SubgraphContext) {
      checkSearchText(filter.name, 'name');
      const where = {
        ...(filter.name ? { nameKey: { $like: like(searchKey(filter.name), 'contains') } } : {}),
        ...(filter.sector ? { sector: filter.sector } : {}),
        ...(filter.departement ? { departement: filter.departement } : {}),
      };
      return connection(await ctx.em.findByCursor(Establishment, { where: where as never, ...page(args), orderBy: { name: 'asc', siret: 'asc' } }));
    },
    async agencies(_: unknown, { departement, ...args }: { departement?: string } & PageArgs, ctx: SubgraphContext) {
      return connection(await ctx.em.findByCursor(Agency, { where: departement ? { departement } : {}, ...page(args), orderBy: { code: 'asc' } }));
    },
    async jobOffers(_: unknown, { filter = {}, ...args }: { filter?: { departement?: string; romeCode?: string } } & PageArgs, ctx: SubgraphContext) {
      const where = { ...(filter.departement ? { departement: filter.departement } : {}), ...(filter.romeCode ? { romeCode: filter.romeCode } : {}) };
      return connection(await ctx.em.findByCursor(JobOffer, { where, ...page(args), orderBy: { postedOn: 'desc', id: 'desc' } }));
    },
  },

  Mutation: {
    async recordOrientation(_: unknown, { input }: { input: { idempotencyKey: string; personId: string; orientedTo: string; track: string; decidedOn: string; jointDiagnosticOn?: string | null; disabilityImpact?: string | null } }, ctx: SubgraphContext) {
      if (!hasScope(ctx.caller, 'orientation:write')) reject(ErrorCode.FORBIDDEN, 'recording an orientation needs the scope orientation:write');
      const { idempotencyKey, ...data } = input;
      return runIdempotent(ctx, {
        name: 'recordOrientation',
        idempotencyKey,
        input: data,
        async perform(em) {
          const person = await em.findOne(JobSeeker, { id: data.personId, ...inCallerTerritory(ctx) } as never);
          if (!person) reject(ErrorCode.UNKNOWN_PERSON, 'no person with this id in your territory', 'personId');
          checkOrientation(data, person.registeredOn, today());
          const id = `ori-${randomUUID()}`;
          em.create(Orientation, {
            id, personId: person.id, departement: person.departement, orientedTo: data.orientedTo, track: data.track, decidedOn: data.decidedOn,
            jointDiagnosticOn: data.jointDiagnosticOn ?? null, disabilityImpact: data.disabilityImpact ?? null, recordedBy: ctx.caller.organisation,
          });
          await ctx.audit.written(em, person.id, ['Orientation.orientedTo', 'Orientation.track', 'Orientation.decidedOn', 'Orientation.jointDiagnosticOn', 'Orientation.disabilityImpact']);
          return id;
        },
        load: async (em, id) => em.findOneOrFail(Orientation, { id }),
      });
    },
  },

  Person: {
    async __resolveReference(ref: { id: string }, ctx: SubgraphContext, info: GraphQLResolveInfo) {
      const row = await loaders.jobSeeker(ctx).load(ref.id);
      if (!row) return null;
      ctx.audit.readObject(ref.id, info, 'Person');
      return { ...ref, ...row };
    },
    registration: (p: JobSeeker) => ({ registeredOn: p.registeredOn, category: p.category, agencyCode: p.agencyCode, counsellorId: p.counsellorId }),
    disabilityStatus: (p: JobSeeker) => ({
      boethCategory: p.boethCategory, rqthDecidedOn: p.rqthDecidedOn ?? null, rqthValidUntil: p.rqthValidUntil ?? null,
      rqthValid: rqthValid(p.rqthDecidedOn ?? null, p.rqthValidUntil ?? null, WORLD_DATE), nature: p.disabilityNature,
    }),
    orientation: async (p: JobSeeker, _: unknown, ctx: SubgraphContext) => (await loaders.orientations(ctx).load(p.id))[0] ?? null,
    orientations: async (p: JobSeeker, args: PageArgs, ctx: SubgraphContext) => connectionOf(await loaders.orientations(ctx).load(p.id), args),
    trainings: async (p: JobSeeker, args: PageArgs, ctx: SubgraphContext) => connectionOf(await loaders.trainings(ctx).load(p.id), args),
    returnsToEmployment: async (p: JobSeeker, args: PageArgs, ctx: SubgraphContext) => connectionOf(await loaders.returns(ctx).load(p.id), args),
    async history(p: PersonParent, args: PageArgs, ctx: SubgraphContext) {
      return connectionOf(mergeHistory(await personEvents(ctx, p), p.capEmploiEvents, p.agefiphEvents, p.fiphfpEvents), args);
    },
    async fundings(p: PersonParent, args: PageArgs, ctx: SubgraphContext) {
      const trainings = new Map((await loaders.trainings(ctx).load(p.id)).map((t) => [t.financingId, t]));
      const own = [...trainings.values()].map((t) => ({ id: t.financingId, typename: 'TrainingFinancing', requestedOn: t.requestedOn }));
      const merged = connectionOf(mergeFundings(own, p.agefiphFundingReferences, p.fiphfpFundingReferences), args);
      return { ...merged, nodes: merged.nodes.map((ref) => (ref.typename === 'TrainingFinancing' ? financingView(trainings.get(ref.id)!) : { __typename: ref.typename, id: ref.id })) };
    },
    async auditTrail(p: PersonParent, args: PageArgs, ctx: SubgraphContext) {
      if (!hasScope(ctx.caller, 'audit:read')) reject(ErrorCode.FORBIDDEN, 'the audit trail needs the scope audit:read');
      const own = await personAuditEntries(ctx, p.id, 'FRANCE_TRAVAIL', Infinity);
      const all = [...own, ...(p.capEmploiAuditEntries ?? []), ...(p.agefiphAuditEntries ?? []), ...(p.fiphfpAuditEntries ?? [])]
        .sort((a, b) => String(b.at).localeCompare(String(a.at)));
      return connectionOf(all, args);
    },
  },

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
    jobOffers: async (e: Establishment, args: PageArgs, ctx: SubgraphContext) => connectionOf(await loaders.jobOffers(ctx).load(e.siret), args),
    fundings(e: EmployerParent, args: PageArgs) {
      const merged = connectionOf(mergeFundings(e.agefiphFundingReferences, e.fiphfpFundingReferences), args);
      return { ...merged, nodes: merged.nodes.map((ref) => ({ __typename: ref.typename, id: ref.id })) };
    },
  },

  JobOffer: {
    employer: (o: JobOffer, _: unknown, ctx: SubgraphContext) => loaders.establishment(ctx).load(o.employerSiret),
  },
};
