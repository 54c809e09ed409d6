// Agefiph's share of the synthetic world, a pure function of (world.seed, index) so that end-to-end
// tests can recompute it from population.ts:
// - every person of the population is in the kit's person directory (id, département of residence);
// - person i draws from random(`${seed}:agefiph:person:${i}`). With an in-employment case
//   (JOB_RETENTION or CAREER_CHANGE) at a PRIVATE employer (about 18% of people), it gets an
//   "adaptation des situations de travail" request filed with that employer, then with probability
//   0.30 one request for a person aid or service (a public employer is FIPHFP's business). Anyone
//   else gets, with probability 0.15, one (70%) or two (30%) requests for person aids or services.
//   About 30% of people have requests, one or two each;
// - private employer j draws from random(`${seed}:agefiph:employer:${j}`): with probability 0.20
//   it gets one (70%) or two (30%) requests for employer aids, no person named;
// - every request is filed in 2025 under catalogue 2025-01; statuses: 15% REQUESTED, 25% GRANTED,
//   45% PAID (services: GRANTED), 15% REFUSED; decided 8 to 45 days later (not after WORLD_DATE).
//   Requested between 2025-01-06 (or the person's registration, if later) and 2025-11-28; filed by
//   the person's referent (france-travail counsellor, or cap-emploi `ce-<dép>-001`), by Cap emploi
//   for employer aids and adaptation requests.
// Ids: `agf-p<person index>-<n>` and `agf-e<employer index>-<n>` (n from 1).
import type { EntityManager } from '@mikro-orm/core';
import { insertChunked } from '../kit/database.ts';
import { employer, people, employers, WORLD_DATE, type SyntheticEmployer, type SyntheticPerson, type WorldOptions } from '../kit/population.ts';
import { addDays, random, type Random } from '../kit/prng.ts';
import { CATALOGUE_VERSION, catalogueItem, type CatalogueItem, type SupportType } from './catalogue.ts';
import { AidRequest } from './entities.ts';
import { ceilingCents, type AethRate } from './rules.ts';

type Row = AidRequest;

const FIRST_DAY = '2025-01-06';
const LAST_REQUEST_DAY = '2025-11-28';

/** Person aids and services, with their share among seeded person requests. */
const PERSON_OFFER: readonly (readonly [string, number])[] = [
  ['AIDES_TECHNIQUES', 0.25], ['INCLU_PRO_FORMATION', 0.18], ['PAS', 0.15], ['AIDES_HUMAINES', 0.12],
  ['EPAAST', 0.1], ['EVALUATION_CAPACITES', 0.08], ['EMPLOI_ACCOMPAGNE', 0.07], ['CREATION_ENTREPRISE', 0.05],
];
const EMPLOYER_OFFER: readonly (readonly [string, number])[] = [
  ['EMBAUCHE_ALTERNANCE', 0.35], ['ACCUEIL_INTEGRATION_EVOLUTION', 0.3], ['AETH', 0.2], ['ADAPTATION_SITUATIONS_TRAVAIL', 0.15],
];

/** PAS support matching a disability nature; chronic illness and multiple disabilities get technical aids instead. */
const PAS_SUPPORT: Partial<Record<SyntheticPerson['disabilityNature'], SupportType>> = {
  VISUAL: 'VISUAL', HEARING: 'HEARING', MOTOR: 'MOTOR', MENTAL: 'MENTAL', PSYCHIC: 'PSYCHIC', COGNITIVE: 'COGNITIVE',
};

const GRANT_NOTES = ['Dossier complet, montant conforme au barème.', 'Accord après avis du conseiller.', 'Accord sur devis du fournisseur joint au dossier.'];
const REFUSAL_NOTES = ['Refus : pièces justificatives manquantes après relance.', 'Refus : dépense relevant du droit commun.', 'Refus : besoin déjà couvert par une aide accordée.'];

function weighted(rnd: Random, shares: readonly (readonly [string, number])[]): string {
  let r = rnd.next();
  for (const [value, share] of shares) {
    if ((r -= share) < 0) return value;
  }
  return shares[shares.length - 1][0];
}

interface Filing {
  readonly id: string;
  readonly aid: CatalogueItem;
  readonly personId: string | null;
  readonly employerSiret: string | null;
  readonly departement: string;
  readonly requester: readonly [organisation: string, subject: string];
  readonly earliest: string;
  readonly supportType?: SupportType;
}

/** Amounts, status and dates of one seeded request, drawn from `rnd`. */
function seededRequest(rnd: Random, f: Filing): Row {
  const rule = f.aid.ceiling;
  let extraCostCents: number | null = null;
  let aethRate: AethRate | null = null;
  let workTimePercent: number | null = null;
  let amountRequestedCents: number;
  if (rule.kind === 'SHARE_OF_EXTRA_COST') {
    extraCostCents = rnd.int(800, 25_000) * 100;
    amountRequestedCents = ceilingCents(rule, { extraCostCents })!;
  } else if (rule.kind === 'SMIC_HOURS') {
    aethRate = rnd.chance(0.25) ? 'HIGHER' : 'STANDARD';
    workTimePercent = rnd.pick([100, 100, 100, 80, 50]);
    amountRequestedCents = ceilingCents(rule, { aethRate, workTimePercent })!;
  } else if (rule.kind === 'FIXED_AMOUNT') {
    amountRequestedCents = rnd.chance(0.6) ? rule.amountCents : rnd.int(rule.amountCents / 200, rule.amountCents / 100) * 100;
  } else if (rule.kind === 'PER_NEED') {
    amountRequestedCents = rnd.int(300, 12_000) * 100;
  } else {
    amountRequestedCents = 0;
  }
  const requestedOn = rnd.date(f.earliest > FIRST_DAY ? f.earliest : FIRST_DAY, LAST_REQUEST_DAY);
  const draw = rnd.next();
  let status = draw < 0.15 ? 'REQUESTED' : draw < 0.4 ? 'GRANTED' : draw < 0.85 ? 'PAID' : 'REFUSED';
  if (status === 'PAID' && f.aid.kind === 'SERVICE') status = 'GRANTED';
  const granted = status === 'GRANTED' || status === 'PAID';
  const decidedOn = status === 'REQUESTED' ? null : [addDays(requestedOn, rnd.int(8, 45)), WORLD_DATE].sort()[0];
  return {
    id: f.id, aidCode: f.aid.code, catalogueVersion: CATALOGUE_VERSION, personId: f.personId, employerSiret: f.employerSiret,
    departement: f.departement, requesterOrganisation: f.requester[0], requesterSubject: f.requester[1],
    amountRequestedCents,
    amountGrantedCents: granted ? (rnd.chance(0.8) ? amountRequestedCents : Math.floor((amountRequestedCents * rnd.int(50, 95)) / 100)) : null,
    extraCostCents, aethRate, workTimePercent, supportType: f.supportType ?? null,
    status, requestedOn, decidedOn,
    note: status === 'REQUESTED' ? null : rnd.pick(granted ? GRANT_NOTES : REFUSAL_NOTES),
  };
}

/** Cap emploi files for the employers it serves; the person's referent network files for the person. */
function capEmploi(departement: string): readonly [string, string] {
  return ['cap-emploi', `ce-${departement}-001`];
}

/** The seeded requests of person `p` (empty for most people). */
export function seededRequestsOfPerson(world: WorldOptions, p: SyntheticPerson): Row[] {
  const rnd = random(`${world.seed}:agefiph:person:${p.index}`);
  const rows: Row[] = [];
  const file = (f: Omit<Filing, 'id' | 'personId' | 'departement' | 'earliest'>) =>
    rows.push(seededRequest(rnd, { ...f, id: `agf-p${p.index}-${rows.length + 1}`, personId: p.id, departement: p.departement, earliest: p.registeredOn }));
  const referent = p.orientation === 'CAP_EMPLOI' ? capEmploi(p.departement) : (['france-travail', p.counsellorId] as const);
  const filePersonAid = () => {
    let code = weighted(rnd, PERSON_OFFER);
    const supportType = code === 'PAS' ? PAS_SUPPORT[p.disabilityNature] : undefined;
    if (code === 'PAS' && !supportType) code = 'AIDES_TECHNIQUES';
    file({ aid: catalogueItem(code)!, employerSiret: null, requester: referent, supportType });
  };
  const workplace = p.inEmploymentCase && p.employerIndex !== null ? employer(world, p.employerIndex) : null;
  if (workplace?.sector === 'PRIVATE') {
    file({ aid: catalogueItem('ADAPTATION_SITUATIONS_TRAVAIL')!, employerSiret: workplace.siret, requester: capEmploi(p.departement) });
    if (rnd.chance(0.3)) filePersonAid();
  } else if (rnd.chance(0.15)) {
    filePersonAid();
    if (rnd.chance(0.3)) filePersonAid();
  }
  return rows;
}

/** The seeded requests of employer `e` for itself, filed through Cap emploi (empty for most employers). */
export function seededRequestsOfEmployer(world: WorldOptions, e: SyntheticEmployer): Row[] {
  if (e.sector !== 'PRIVATE') return [];
  const rnd = random(`${world.seed}:agefiph:employer:${e.index}`);
  if (!rnd.chance(0.2)) return [];
  const count = rnd.chance(0.7) ? 1 : 2;
  const rows: Row[] = [];
  for (let n = 1; n <= count; n++) {
    rows.push(seededRequest(rnd, {
      id: `agf-e${e.index}-${n}`, aid: catalogueItem(weighted(rnd, EMPLOYER_OFFER))!, personId: null, employerSiret: e.siret,
      departement: e.departement, requester: capEmploi(e.departement), earliest: FIRST_DAY,
    }));
  }
  return rows;
}

function* requestRows(world: WorldOptions): Generator<Row> {
  for (const p of people(world)) yield* seededRequestsOfPerson(world, p);
  for (const e of employers(world)) yield* seededRequestsOfEmployer(world, e);
}

export async function seed(em: EntityManager, world: WorldOptions): Promise<void> {
  await insertChunked(em, AidRequest, requestRows(world));
}
