// France Travail's share of the synthetic world: every person is a registered job seeker with an
// orientation; some entered a training or returned to employment (half of the trainees within six
// months of the training's end); every employer of the world is in the directory, with job offers;
// two agencies per département.
import type { EntityManager } from '@mikro-orm/core';
import { insertChunked } from '../kit/database.ts';
import { employers, people, agencyCode, AGENCIES_PER_DEPARTEMENT, employer as employerAt, type WorldOptions, type SyntheticPerson } from '../kit/population.ts';
import { addDays, random } from '../kit/prng.ts';
import { departements } from '../kit/territory.ts';
import { searchKey } from './rules.ts';
import { Agency, Establishment, JobOffer, JobSeeker, Orientation, ReturnToEmployment, Training } from './entities.ts';

/** Real ROME 4.0 codes of jobs often held by the people followed. */
export const JOBS: readonly (readonly [string, string])[] = [
  ['M1607', 'Secrétariat'], ['N1103', 'Magasinage et préparation de commandes'], ['K2204', 'Nettoyage de locaux'],
  ['D1106', 'Vente en alimentation'], ['M1805', 'Études et développement informatique'], ['J1501', 'Soins d\'hygiène, de confort du patient'],
  ['G1602', 'Personnel de cuisine'], ['N4101', 'Conduite de transport de marchandises sur longue distance'], ['K1302', 'Assistance auprès d\'adultes'],
  ['M1203', 'Comptabilité'], ['I1604', 'Mécanique automobile et entretien de véhicules'], ['A1203', 'Aménagement et entretien des espaces verts'],
];
export const ROME_VERSION = '4.0';

const PROVIDERS = ['AFPA', 'GRETA', 'CCI Formation', 'Centre de rééducation professionnelle (Fagerh)', 'Organisme de formation régional'];
const CONTRACTS = ['CDI', 'CDD_6_MONTHS_OR_MORE', 'CDD_UNDER_6_MONTHS', 'TEMPORARY', 'APPRENTICESHIP', 'BUSINESS_CREATION'] as const;
const FINANCERS = [['CPF', 'Compte personnel de formation'], ['FRANCE_TRAVAIL', 'Aide individuelle à la formation (AIF)'], ['REGION', 'Programme régional de formation'], ['AGEFIPH', "Inclu'Pro Formation"]] as const;

function* jobSeekers(world: WorldOptions) {
  for (const p of people(world)) {
    yield {
      id: p.id, jobSeekerId: p.jobSeekerId, firstName: p.firstName, lastName: p.lastName, firstNameKey: searchKey(p.firstName), lastNameKey: searchKey(p.lastName), sex: p.sex, birthDate: p.birthDate,
      departement: p.departement, registeredOn: p.registeredOn, category: p.category, agencyCode: p.agencyCode,
      counsellorId: p.counsellorId, boethCategory: p.boethCategory, rqthDecidedOn: p.rqthDecidedOn,
      rqthValidUntil: p.rqthValidUntil, disabilityNature: p.disabilityNature,
    };
  }
}

export function seededOrientation(world: WorldOptions, p: SyntheticPerson) {
  const rnd = random(`${world.seed}:pole-emploi:orientation:${p.index}`);
  const joint = rnd.chance(0.7);
  return {
    id: `ori-${p.index}`, personId: p.id, departement: p.departement, orientedTo: p.orientation, track: p.track, decidedOn: p.orientedOn,
    jointDiagnosticOn: joint ? addDays(p.orientedOn, -rnd.int(0, 14)) : null,
    disabilityImpact: joint ? (p.orientation === 'CAP_EMPLOI' ? 'HIGH' : rnd.pick(['LOW', 'MODERATE'])) : null,
    recordedBy: p.orientation === 'CAP_EMPLOI' ? 'cap-emploi' : 'france-travail',
    recordedAt: new Date(`${p.orientedOn}T00:00:00Z`),
  };
}

/** One training for about one person in five, with its financing. */
export function seededTraining(world: WorldOptions, p: SyntheticPerson) {
  const rnd = random(`${world.seed}:pole-emploi:training:${p.index}`);
  if (!rnd.chance(0.2)) return null;
  const [romeCode, title] = rnd.pick(JOBS);
  const requestedOn = addDays(p.registeredOn, rnd.int(30, 400));
  const startsOn = addDays(requestedOn, rnd.int(15, 60));
  const [financer, financingLabel] = rnd.pick(FINANCERS);
  const amountRequestedCents = rnd.int(8, 90) * 10_000;
  const granted = rnd.chance(0.85);
  return {
    id: `trn-${p.index}`, personId: p.id, departement: p.departement, title: `Formation qualifiante – ${title}`, provider: rnd.pick(PROVIDERS),
    romeCode, romeVersion: ROME_VERSION, startsOn, endsOn: addDays(startsOn, rnd.int(30, 300)), financingId: `tfi-${p.index}`,
    financer, financingLabel, status: granted ? (rnd.chance(0.7) ? 'PAID' : 'GRANTED') : 'REFUSED',
    amountRequestedCents, amountGrantedCents: granted ? amountRequestedCents : null, requestedOn, decidedOn: addDays(requestedOn, rnd.int(5, 30)),
  };
}

/** A return to employment for about one person in four (209,598 hires of DEBOE in 2024 for ~512k). */
export function seededReturn(world: WorldOptions, p: SyntheticPerson) {
  const rnd = random(`${world.seed}:pole-emploi:return:${p.index}`);
  if (!rnd.chance(0.25)) return null;
  return {
    id: `ret-${p.index}`, personId: p.id, departement: p.departement, startedOn: addDays(p.orientedOn, rnd.int(60, 700)),
    contractType: rnd.pick(CONTRACTS), romeCode: rnd.pick(JOBS)[0],
    employerSiret: p.employerIndex === null ? null : employerAt(world, p.employerIndex).siret,
  };
}

/**
 * A return to employment after a training, for half of the trainees whose financing was granted,
 * within six months of the training's end: the synthetic world had no dated return tied to a
 * training, which the analysts' indicator "access to employment six months after a training" needs
 * (the rate is a modelling choice, not a published figure). Ids ret-<index>-t.
 */
export function seededReturnAfterTraining(world: WorldOptions, p: SyntheticPerson) {
  const training = seededTraining(world, p);
  if (!training || training.status === 'REFUSED') return null;
  const rnd = random(`${world.seed}:pole-emploi:return-after-training:${p.index}`);
  if (!rnd.chance(0.5)) return null;
  return {
    id: `ret-${p.index}-t`, personId: p.id, departement: p.departement, startedOn: addDays(training.endsOn, rnd.int(0, 180)),
    contractType: rnd.pick(CONTRACTS), romeCode: training.romeCode, employerSiret: null,
  };
}

function* each<T>(world: WorldOptions, make: (world: WorldOptions, p: SyntheticPerson) => T | null): Generator<T> {
  for (const p of people(world)) {
    const row = make(world, p);
    if (row) yield row;
  }
}

function* establishments(world: WorldOptions) {
  for (const e of employers(world)) {
    yield { siret: e.siret, siren: e.siret.slice(0, 9), name: e.name, nameKey: searchKey(e.name), nafCode: e.nafCode, nafVersion: 'NAF rév. 2', sector: e.sector, departement: e.departement, headcount: e.headcount };
  }
}

function* jobOffers(world: WorldOptions) {
  for (const e of employers(world)) {
    const rnd = random(`${world.seed}:pole-emploi:offers:${e.index}`);
    const count = rnd.int(0, 3);
    for (let k = 0; k < count; k++) {
      const [romeCode, title] = rnd.pick(JOBS);
      yield {
        id: `off-${e.index}-${k}`, employerSiret: e.siret, title, romeCode, romeVersion: ROME_VERSION,
        contractType: rnd.pick(CONTRACTS.slice(0, 5)), departement: e.departement, postedOn: rnd.date('2025-01-01', '2025-12-15'),
      };
    }
  }
}

function* agencies() {
  for (const [index, d] of departements.entries()) {
    for (let n = 1; n <= AGENCIES_PER_DEPARTEMENT; n++) {
      // The first agency of each département hosts the single accompaniment place shared with Cap emploi.
      yield { code: agencyCode(index, n), name: `France Travail ${d.name} ${n}`, departement: d.code, singleAccompanimentPlace: n === 1 };
    }
  }
}

export async function seed(em: EntityManager, world: WorldOptions): Promise<void> {
  await insertChunked(em, Agency, agencies());
  await insertChunked(em, Establishment, establishments(world));
  await insertChunked(em, JobOffer, jobOffers(world));
  await insertChunked(em, JobSeeker, jobSeekers(world));
  await insertChunked(em, Orientation, each(world, seededOrientation));
  await insertChunked(em, Training, each(world, seededTraining));
  await insertChunked(em, ReturnToEmployment, each(world, seededReturn));
  await insertChunked(em, ReturnToEmployment, each(world, seededReturnAfterTraining));
}
