// Cap emploi's share of the synthetic world (kit/population.ts), a pure function of (seed, index):
//
// Per person (casesOf):
//  - orientation CAP_EMPLOI → one TOWARD_EMPLOYMENT accompaniment opened on orientedOn;
//  - inEmploymentCase JOB_RETENTION → one JOB_RETENTION accompaniment ("maintien"), with the
//    employer of employerIndex and synthetic work restrictions;
//  - inEmploymentCase CAREER_CHANGE → one CAREER_CHANGE accompaniment ("évolution professionnelle"),
//    opened in 2023 or later (the 2023 convention brought it), with the employer of employerIndex;
//  - a closed retention that isWatchEligible → a WATCH ("action de veille") with probability 1/2,
//    opened 0–30 days after the retention closed (none when that falls after WORLD_DATE).
//  An accompaniment whose drawn duration ends after WORLD_DATE is OPEN; otherwise it is CLOSED
//  with an outcome and a CLOSURE step. Steps follow rules.ts (the rules test checks every seeded
//  accompaniment of a world against them). All of a person's accompaniments share one
//  organisation (organisationFor(person.departement, person.index)) and one counsellor.
// Per employer (servicesOf): 0 to 3 services (40/30/20/10%) by the organisation of its département.
// Organisations, coverage and sites: organisations.ts (98 organisations, whatever the scale).
import type { EntityManager } from '@mikro-orm/core';
import { insertChunked } from '../kit/database.ts';
import { employer, employerCount, people, weighted, WORLD_DATE, type SyntheticEmployer, type SyntheticPerson, type WorldOptions } from '../kit/population.ts';
import { addDays, random, type Random } from '../kit/prng.ts';
import {
  CapEmploiAccompaniment, CapEmploiCoverage, CapEmploiEmployerService, CapEmploiOrganisation, CapEmploiSite, CapEmploiStep,
  stepId, type AccompanimentRow, type EmployerServiceRow, type StepRow,
} from './entities.ts';
import {
  counsellorCount, counsellorId, coverageRows, organisationFor, organisationRow, ORGANISATIONS, sitesOf,
} from './organisations.ts';
import { IN_EMPLOYMENT_OFFER_2023, isWatchEligible, type AccompanimentKind, type Outcome, type ServiceKind, type StepKind } from './rules.ts';

export interface SeedCase {
  readonly accompaniment: AccompanimentRow;
  readonly steps: readonly StepRow[];
}


function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(to) - Date.parse(from)) / 86_400_000);
}

const later = (a: string, b: string) => (a > b ? a : b);

// Generic work restrictions as an occupational physician words them, never a diagnosis (synthetic).
const RESTRICTIONS = [
  'Port de charges limité',
  'Pas de station debout prolongée',
  'Temps partiel thérapeutique recommandé',
  'Travail sur écran à limiter, pauses régulières',
  'Éviter les gestes répétitifs',
  'Pas de travail de nuit',
  'Aménagement des horaires recommandé',
  'Déplacements professionnels à limiter',
];

const NOTES: Readonly<Record<StepKind, string>> = {
  DIAGNOSTIC: 'Diagnostic partagé de la situation et du projet professionnel',
  INTERVIEW: 'Entretien individuel de suivi',
  WORKSTATION_STUDY: 'Étude du poste de travail avec l\'employeur',
  TRAINING_ENTRY: 'Entrée en formation',
  PLACEMENT: 'Prise de poste',
  FOLLOW_UP: 'Point de suivi dans l\'emploi',
  CLOSURE: 'Clôture de l\'accompagnement',
};

/** Durations in days (min, max) and outcome shares per kind of accompaniment. */
const PROFILES: Readonly<Record<AccompanimentKind, { readonly days: readonly [number, number]; readonly outcomes: readonly (readonly [Outcome, number])[] }>> = {
  // Cap emploi 2020: 77,444 placements, 176,677 people in accompaniment at year end (DOMAIN.md). These
  // durations leave ~110k accompaniments open at the national scale: the order of magnitude.
  TOWARD_EMPLOYMENT: { days: [180, 2400], outcomes: [['EMPLOYED_PERMANENT', 0.2], ['EMPLOYED_TEMPORARY', 0.25], ['BUSINESS_CREATION', 0.03], ['TRAINING', 0.15], ['REORIENTED_TO_FRANCE_TRAVAIL', 0.12], ['ABANDONED', 0.25]] },
  JOB_RETENTION: { days: [90, 900], outcomes: [['JOB_RETAINED', 0.6], ['JOB_RETAINED_OTHER_POST', 0.15], ['NOT_RETAINED', 0.15], ['ABANDONED', 0.1]] },
  CAREER_CHANGE: { days: [90, 720], outcomes: [['CAREER_CHANGED', 0.45], ['TRAINING', 0.25], ['JOB_RETAINED', 0.1], ['ABANDONED', 0.2]] },
  WATCH: { days: [180, 720], outcomes: [['SITUATION_STABLE', 0.75], ['NEW_RETENTION_CASE', 0.15], ['ABANDONED', 0.1]] },
};

/** The middle steps (between diagnostic and closure) of an accompaniment closing with `outcome` (null: open). */
function middleSteps(rnd: Random, kind: AccompanimentKind, outcome: Outcome | null): StepKind[] {
  const steps: StepKind[] = [];
  const interviews = (min: number, max: number) => { for (let i = rnd.int(min, max); i > 0; i--) steps.push('INTERVIEW'); };
  const open = outcome === null;
  switch (kind) {
    case 'TOWARD_EMPLOYMENT': {
      interviews(1, 3);
      if (outcome === 'TRAINING' || (open && rnd.chance(0.2))) steps.push('TRAINING_ENTRY');
      if (outcome === 'EMPLOYED_PERMANENT' || outcome === 'EMPLOYED_TEMPORARY' || (open && rnd.chance(0.15))) {
        steps.push('PLACEMENT');
        if (rnd.chance(0.3)) steps.push('WORKSTATION_STUDY');
        if (rnd.chance(0.7)) steps.push('FOLLOW_UP');
      }
      break;
    }
    case 'JOB_RETENTION': {
      interviews(1, 2);
      if (rnd.chance(0.7)) steps.push('WORKSTATION_STUDY');
      if (rnd.chance(outcome === 'JOB_RETAINED_OTHER_POST' ? 0.5 : 0.1)) steps.push('TRAINING_ENTRY');
      if (rnd.chance(0.5)) steps.push('FOLLOW_UP');
      break;
    }
    case 'CAREER_CHANGE': {
      interviews(1, 2);
      if (outcome === 'TRAINING' || rnd.chance(0.4)) steps.push('TRAINING_ENTRY');
      if (outcome === 'CAREER_CHANGED' || (open && rnd.chance(0.15))) {
        steps.push('PLACEMENT');
        if (rnd.chance(0.4)) steps.push('FOLLOW_UP');
      }
      break;
    }
    case 'WATCH': {
      for (let i = rnd.int(1, 3); i > 0; i--) steps.push(rnd.chance(0.3) ? 'INTERVIEW' : 'FOLLOW_UP');
      break;
    }
  }
  return steps;
}

interface CaseSpec {
  readonly person: SyntheticPerson;
  readonly n: number;
  readonly kind: AccompanimentKind;
  readonly openedOn: string;
  readonly organisationId: string;
  readonly counsellorId: string;
  readonly employerSiret: string | null;
  readonly medicalRestrictions: string | null;
  readonly followsAccompanimentId: string | null;
}

function buildCase(rnd: Random, spec: CaseSpec): SeedCase {
  const profile = PROFILES[spec.kind];
  const closesOn = addDays(spec.openedOn, rnd.int(profile.days[0], profile.days[1]));
  const closed = closesOn <= WORLD_DATE;
  const outcome = closed ? weighted(rnd.next(), profile.outcomes) : null;
  const kinds: StepKind[] = [
    ...(spec.kind === 'WATCH' ? [] : ['DIAGNOSTIC' as const]),
    ...middleSteps(rnd, spec.kind, outcome),
    ...(closed ? ['CLOSURE' as const] : []),
  ];
  // Dates in order between opening and closure (or WORLD_DATE): the diagnostic within two weeks of
  // the opening, the closure on closedOn, the other steps in between.
  const span = daysBetween(spec.openedOn, closed ? closesOn : WORLD_DATE);
  const diagnostic = spec.kind === 'WATCH' ? [] : [Math.min(span, rnd.int(0, 14))];
  const from = diagnostic[0] ?? 0;
  const middle = kinds.slice(diagnostic.length, closed ? -1 : undefined).map(() => rnd.int(from, span)).sort((a, b) => a - b);
  const ordered = [...diagnostic, ...middle, ...(closed ? [span] : [])];
  const id = `cea_${spec.person.id.slice(4)}_${spec.n}`;
  return {
    accompaniment: {
      id, personId: spec.person.id, organisationId: spec.organisationId, counsellorId: spec.counsellorId,
      departement: spec.person.departement, kind: spec.kind, status: closed ? 'CLOSED' : 'OPEN', outcome,
      openedOn: spec.openedOn, closedOn: closed ? closesOn : null, employerSiret: spec.employerSiret,
      medicalRestrictions: spec.medicalRestrictions, followsAccompanimentId: spec.followsAccompanimentId, revision: kinds.length,
    },
    steps: kinds.map((kind, i) => ({
      id: stepId(id, i + 1), accompanimentId: id, sequence: i + 1, personId: spec.person.id, departement: spec.person.departement,
      kind, occurredOn: addDays(spec.openedOn, ordered[i]), note: NOTES[kind], recordedBy: null,
    })),
  };
}

/** Every Cap emploi accompaniment of a person, with its steps (see the rules at the top). */
export function casesOf(world: WorldOptions, person: SyntheticPerson): SeedCase[] {
  if (person.orientation !== 'CAP_EMPLOI' && person.inEmploymentCase === null) return [];
  const rnd = random(`${world.seed}:cap-emploi:person:${person.index}`);
  const org = organisationFor(person.departement, person.index);
  const common = {
    person, organisationId: org.id, counsellorId: counsellorId(org, rnd.int(1, counsellorCount(world, org))),
    employerSiret: null, medicalRestrictions: null, followsAccompanimentId: null,
  };
  const cases: SeedCase[] = [];
  if (person.orientation === 'CAP_EMPLOI') {
    cases.push(buildCase(rnd, { ...common, n: cases.length + 1, kind: 'TOWARD_EMPLOYMENT', openedOn: person.orientedOn }));
  }
  if (person.inEmploymentCase !== null && person.employerIndex !== null) {
    const employerSiret = employer(world, person.employerIndex).siret;
    const latest = addDays(WORLD_DATE, -30);
    if (person.inEmploymentCase === 'JOB_RETENTION') {
      const restrictions = [rnd.pick(RESTRICTIONS), ...(rnd.chance(0.4) ? [rnd.pick(RESTRICTIONS)] : [])];
      const retention = buildCase(rnd, {
        ...common, n: cases.length + 1, kind: 'JOB_RETENTION', employerSiret,
        openedOn: rnd.date(later(person.registeredOn, '2019-01-01'), latest),
        medicalRestrictions: `${[...new Set(restrictions)].join(' ; ')} (avis du médecin du travail, donnée synthétique)`,
      });
      cases.push(retention);
      const r = retention.accompaniment;
      if (isWatchEligible(r, false) && rnd.chance(0.5)) {
        const openedOn = addDays(r.closedOn!, rnd.int(0, 30));
        if (openedOn <= WORLD_DATE) {
          cases.push(buildCase(rnd, { ...common, n: cases.length + 1, kind: 'WATCH', employerSiret, openedOn, followsAccompanimentId: r.id }));
        }
      }
    } else {
      const from = later(person.registeredOn, IN_EMPLOYMENT_OFFER_2023);
      cases.push(buildCase(rnd, { ...common, n: cases.length + 1, kind: 'CAREER_CHANGE', employerSiret, openedOn: rnd.date(from, latest) }));
    }
  }
  return cases;
}

const SERVICE_SUMMARIES: Readonly<Record<ServiceKind, (e: SyntheticEmployer) => string>> = {
  INFORMATION: (e) => `Information on the employment obligation (OETH) and the aids of ${e.sector === 'PUBLIC' ? 'FIPHFP' : 'Agefiph'}`,
  RECRUITMENT_SUPPORT: () => 'Recruitment support: job offer analysis and presentation of candidates with a disability',
  RETENTION_SUPPORT: () => 'Job retention support: analysis of the situation and of the workstation, aids to mobilise',
};

/** The services Cap emploi delivered to an employer (0 to 3). */
export function servicesOf(world: WorldOptions, e: SyntheticEmployer): EmployerServiceRow[] {
  const rnd = random(`${world.seed}:cap-emploi:employer:${e.index}`);
  const count = weighted(rnd.next(), [[0, 0.4], [1, 0.3], [2, 0.2], [3, 0.1]]);
  const org = organisationFor(e.departement, e.index);
  return Array.from({ length: count }, (_, k) => {
    const kind = weighted<ServiceKind>(rnd.next(), [['INFORMATION', 0.45], ['RECRUITMENT_SUPPORT', 0.35], ['RETENTION_SUPPORT', 0.2]]);
    return {
      id: `ces_${e.index.toString(36)}_${k + 1}`, employerSiret: e.siret, organisationId: org.id, departement: e.departement,
      kind, deliveredOn: rnd.date('2021-01-01', WORLD_DATE), summary: SERVICE_SUMMARIES[kind](e),
    };
  });
}

function* fromCases<T>(world: WorldOptions, pick: (c: SeedCase) => Iterable<T>): Generator<T> {
  for (const person of people(world)) for (const c of casesOf(world, person)) yield* pick(c);
}

function* allServices(world: WorldOptions): Generator<EmployerServiceRow> {
  for (let j = 0; j < employerCount(world); j++) yield* servicesOf(world, employer(world, j));
}

export async function seed(em: EntityManager, world: WorldOptions): Promise<void> {
  await insertChunked(em, CapEmploiOrganisation, ORGANISATIONS.map((o) => organisationRow(world, o)));
  await insertChunked(em, CapEmploiCoverage, ORGANISATIONS.flatMap(coverageRows));
  await insertChunked(em, CapEmploiSite, ORGANISATIONS.flatMap(sitesOf));
  // Two passes over the people (accompaniments, then steps): nothing national-sized is held in memory.
  await insertChunked(em, CapEmploiAccompaniment, fromCases(world, (c) => [c.accompaniment]));
  await insertChunked(em, CapEmploiStep, fromCases(world, (c) => c.steps));
  await insertChunked(em, CapEmploiEmployerService, allServices(world));
}
