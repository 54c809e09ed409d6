// FIPHFP's share of the synthetic world, derived from kit/population.ts:
// - every employer of sector PUBLIC → one public_employer row (FTE headcount = its headcount);
// - every public employer (all have 20+ FTE) → 4 declarations, years 2021 to 2024;
// - every public employer above 650 FTE → 1 convention (3-year programme starting 2022..2025);
// - every public employer → 1 to 3 aid requests for the employer as a whole (no agent);
// - every person whose employerIndex points at a public employer → 1 agent row, and aid requests
//   for that agent: 2 for a JOB_RETENTION case (ergonomic study, then workstation adaptation),
//   1 for a CAREER_CHANGE case (technical aid, human aid or transport), none otherwise.
// Each function below is pure in (world, index) so that end-to-end tests can recompute expected rows.
import type { EntityManager } from '@mikro-orm/core';
import { insertChunked } from '../kit/database.ts';
import { employers, people, WORLD_DATE, type SyntheticEmployer, type SyntheticPerson, type WorldOptions } from '../kit/population.ts';
import { addDays, random, type Random } from '../kit/prng.ts';
import { departement } from '../kit/territory.ts';
import { catalogueAid } from './catalogue.ts';
import {
  Agent, AidRequest, Declaration, declarationId, EmployerConvention, PublicEmployer,
  type AgentRow, type AidRequestRow, type DeclarationRow, type EmployerConventionRow, type PublicEmployerRow,
} from './entities.ts';
import { aidCeilingCents, approvingCommittee, contribution, conventionEligible, CONVENTION_YEARS, OBLIGATION_THRESHOLD_FTE } from './rules.ts';

export const DECLARATION_YEARS = [2021, 2022, 2023, 2024] as const;

export function publicEmployerRow(e: SyntheticEmployer): PublicEmployerRow | null {
  if (e.sector !== 'PUBLIC' || !e.publicService) return null;
  return {
    siret: e.siret, name: e.name, publicService: e.publicService, fteHeadcount: e.headcount,
    departement: e.departement, regionCode: departement(e.departement)?.regionCode ?? '',
  };
}

/** Shares of the declared beneficiaries by category (public-sector profile: many reclassified agents and ATI holders). */
const CATEGORY_SHARES = [
  ['workAccidentPension', 8], ['invalidityPension', 12], ['warDisabled', 1], ['volunteerFirefighter', 1],
  ['mobilityInclusionCard', 2], ['aah', 3], ['reclassifiedAgent', 16], ['temporaryInvalidityAllowance', 9],
] as const;

/** The yearly declarations of a public employer, 2021 to 2024. */
export function declarationsOf(world: WorldOptions, e: PublicEmployerRow, index: number): DeclarationRow[] {
  if (e.fteHeadcount < OBLIGATION_THRESHOLD_FTE) return [];
  // The employer's own level of employment (basis points), around the public-sector 5.6% (2018).
  const base = random(`${world.seed}:fiphfp:rate:${index}`).int(150, 900);
  return DECLARATION_YEARS.map((year, n) => {
    const rnd = random(`${world.seed}:fiphfp:declaration:${index}:${year}`);
    // Headcount on 1 January drifts by up to ±5% around today's.
    const fteHeadcount = Math.max(OBLIGATION_THRESHOLD_FTE, Math.round((e.fteHeadcount * rnd.int(95, 105)) / 100));
    const rateBp = Math.max(0, base + n * 15 + rnd.int(-40, 40));
    const beneficiaries = Math.min(fteHeadcount, Math.round((fteHeadcount * rateBp) / 10_000));
    const split = Object.fromEntries(CATEGORY_SHARES.map(([column, share]) => [column, Math.floor((beneficiaries * share) / 100)]));
    const others = Object.values(split).reduce((a, b) => a + b, 0);
    const gross = contribution({ year, fteHeadcount, beneficiaries, deductibleExpensesCents: 0 }).grossCents;
    const deductibleExpensesCents = Math.floor((gross * rnd.int(0, 30)) / 100);
    const c = contribution({ year, fteHeadcount, beneficiaries, deductibleExpensesCents });
    return {
      id: declarationId(e.siret, year), siret: e.siret, departement: e.departement, year, fteHeadcount, beneficiaries,
      rqth: beneficiaries - others, workAccidentPension: split.workAccidentPension, invalidityPension: split.invalidityPension,
      warDisabled: split.warDisabled, volunteerFirefighter: split.volunteerFirefighter, mobilityInclusionCard: split.mobilityInclusionCard,
      aah: split.aah, reclassifiedAgent: split.reclassifiedAgent, temporaryInvalidityAllowance: split.temporaryInvalidityAllowance,
      rateBasisPoints: c.rateBasisPoints, missingBeneficiaries: c.missingBeneficiaries, hourlySmicCents: c.hourlySmicCents,
      unitAmountCents: c.unitAmountCents, deductibleExpensesCents, contributionCents: c.contributionCents,
      // Declared in the spring following the year of the obligation.
      submittedOn: rnd.date(`${year + 1}-01-15`, `${year + 1}-05-31`),
    };
  });
}

/** The convention of a public employer above 650 FTE, or null. */
export function conventionOf(world: WorldOptions, e: PublicEmployerRow, index: number): EmployerConventionRow | null {
  if (!conventionEligible(e.fteHeadcount)) return null;
  const rnd = random(`${world.seed}:fiphfp:convention:${index}`);
  const startYear = rnd.int(2022, 2025);
  // About €120 to €300 per FTE over the programme, rounded to the thousand euros.
  const amountCommittedCents = Math.round((e.fteHeadcount * rnd.int(120, 300)) / 1000) * 1000 * 100;
  const committee = approvingCommittee(amountCommittedCents, e.regionCode);
  return {
    id: `fpc_${index.toString(36)}`, siret: e.siret, departement: e.departement, fteHeadcount: e.fteHeadcount,
    signedOn: rnd.date(`${startYear - 1}-09-01`, `${startYear - 1}-12-15`),
    startsOn: `${startYear}-01-01`, endsOn: `${startYear + CONVENTION_YEARS - 1}-12-31`,
    amountCommittedCents, committeeLevel: committee.level, committeeRegion: committee.region,
  };
}

const NOTES: Readonly<Record<string, readonly string[]>> = {
  GRANTED: [
    'Avis favorable du comité : prise en charge partielle du surcoût, le reste à la charge de l\'employeur.',
    'Accord dans la limite du plafond du catalogue ; devis actualisé à transmettre avant paiement.',
  ],
  PAID: ['Accord du comité ; versement effectué sur justificatifs.', 'Aide versée après service fait.'],
  REFUSED: [
    'Refus : dépense relevant des obligations générales de l\'employeur, hors compensation du handicap.',
    'Refus : dossier incomplet malgré relance (devis et justificatif de statut manquants).',
  ],
  CANCELLED: ['Demande retirée par l\'employeur.'],
};

/** Amount asked for one aid, within its ceiling (the hours or salary basis drawn too). */
function requestedAmount(rnd: Random, aidCode: string): { amountRequestedCents: number; hours: number | null } {
  const aid = catalogueAid(aidCode)!;
  const hours = aid.ceiling.kind === 'PER_HOUR' ? rnd.int(2, 60) : null;
  const loadedAnnualSalaryCents = rnd.int(14_000, 24_000) * 100;
  const ceiling = aidCeilingCents(aid.ceiling, { hours, loadedAnnualSalaryCents });
  // Per-need aids: a few hundred to several thousand euros.
  const top = ceiling ?? rnd.int(1_000, 15_000) * 100;
  const amountRequestedCents = Math.max(100, Math.floor((top * rnd.int(40, 100)) / 100 / 100) * 100);
  return { amountRequestedCents, hours };
}

/** One aid request with a plausible life cycle as of the world's reference date. */
function aidRequest(rnd: Random, base: Pick<AidRequestRow, 'id' | 'siret' | 'departement' | 'personId' | 'aidCode'>, requestedOn: string): AidRequestRow {
  const { amountRequestedCents, hours } = requestedAmount(rnd, base.aidCode);
  // Requests of the last 60 days are pending; older ones were decided 15 to 75 days after the
  // request, and a grant decided more than six months before the reference date has been paid.
  const decidedOn = requestedOn > addDays(WORLD_DATE, -60) ? null : minDate(addDays(requestedOn, rnd.int(15, 75)), WORLD_DATE);
  const roll = rnd.next();
  const granted = decidedOn !== null && decidedOn < addDays(WORLD_DATE, -180) ? 'PAID' : 'GRANTED';
  const status = decidedOn === null ? 'REQUESTED' : roll < 0.8 ? granted : roll < 0.95 ? 'REFUSED' : 'CANCELLED';
  // FIPHFP pays part of the extra cost: 60% to 100% of the request, in whole euros.
  const amountGrantedCents = status === 'GRANTED' || status === 'PAID'
    ? Math.max(100, Math.floor((amountRequestedCents * rnd.int(60, 100)) / 100 / 100) * 100)
    : null;
  return {
    ...base, hours, amountRequestedCents, amountGrantedCents, status, requestedOn, decidedOn,
    decisionNote: decidedOn ? rnd.pick(NOTES[status]) : null,
  };
}

function minDate(a: string, b: string): string {
  return a < b ? a : b;
}

const EMPLOYER_LEVEL_AIDS = ['SIGN_LANGUAGE_INTERPRETING', 'APPRENTICESHIP', 'ERGONOMIC_STUDY'] as const;

/** The 1 to 3 aid requests a public employer made for itself (no agent named). */
export function employerAidRequests(world: WorldOptions, e: PublicEmployerRow, index: number): AidRequestRow[] {
  const rnd = random(`${world.seed}:fiphfp:employer-aids:${index}`);
  const n = rnd.int(1, 3);
  return Array.from({ length: n }, (_, k) => aidRequest(
    rnd,
    { id: `fpa_e${index.toString(36)}_${k}`, siret: e.siret, departement: e.departement, personId: null, aidCode: rnd.pick(EMPLOYER_LEVEL_AIDS) },
    rnd.date('2021-01-01', '2025-12-15'),
  ));
}

const CAREER_CHANGE_AIDS = ['TECHNICAL_AID', 'HUMAN_AID', 'TRANSPORT'] as const;

/** The aid requests for one agent of a public employer (see the header for the counts). */
export function agentAidRequests(world: WorldOptions, p: SyntheticPerson, e: PublicEmployerRow): AidRequestRow[] {
  if (!p.inEmploymentCase) return [];
  const rnd = random(`${world.seed}:fiphfp:agent-aids:${p.index}`);
  const base = { siret: e.siret, departement: e.departement, personId: p.id };
  const from = minDate(p.orientedOn > '2021-01-01' ? p.orientedOn : '2021-01-01', '2025-10-31');
  const first = rnd.date(from, '2025-10-31');
  const id = (k: number) => `fpa_p${p.index.toString(36)}_${k}`;
  if (p.inEmploymentCase === 'CAREER_CHANGE') {
    return [aidRequest(rnd, { ...base, id: id(0), aidCode: rnd.pick(CAREER_CHANGE_AIDS) }, first)];
  }
  // Job retention: the ergonomist's study comes first, the adaptation follows it.
  const study = aidRequest(rnd, { ...base, id: id(0), aidCode: 'ERGONOMIC_STUDY' }, first);
  const adaptation = aidRequest(rnd, { ...base, id: id(1), aidCode: 'WORKSTATION_ADAPTATION' }, minDate(addDays(study.decidedOn ?? first, rnd.int(10, 60)), WORLD_DATE));
  return [study, adaptation];
}

function* flatMap<T, U>(items: Iterable<T>, f: (item: T) => Iterable<U> | U | null): Generator<U> {
  for (const item of items) {
    const out = f(item);
    if (out == null) continue;
    if (Array.isArray(out)) yield* out;
    else yield out as U;
  }
}

export async function seed(em: EntityManager, world: WorldOptions): Promise<void> {
  // Public employers are about 12% of the employers (~15.7k at national scale): they fit in memory.
  const publics = new Map<number, PublicEmployerRow>();
  for (const e of employers(world)) {
    const row = publicEmployerRow(e);
    if (row) publics.set(e.index, row);
  }
  const entries = [...publics];
  await insertChunked(em, PublicEmployer, publics.values());
  await insertChunked(em, Declaration, flatMap(entries, ([i, e]) => declarationsOf(world, e, i)));
  await insertChunked(em, EmployerConvention, flatMap(entries, ([i, e]) => conventionOf(world, e, i)));
  await insertChunked(em, AidRequest, flatMap(entries, ([i, e]) => employerAidRequests(world, e, i)));
  const employerOf = (p: SyntheticPerson) => (p.employerIndex === null ? undefined : publics.get(p.employerIndex));
  await insertChunked(em, Agent, flatMap(people(world), (p): AgentRow | null => {
    const e = employerOf(p);
    return e ? { personId: p.id, siret: e.siret, departement: e.departement } : null;
  }));
  await insertChunked(em, AidRequest, flatMap(people(world), (p) => {
    const e = employerOf(p);
    return e ? agentAidRequests(world, p, e) : null;
  }));
}
