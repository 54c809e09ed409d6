// The synthetic world every subgraph seeds from. Each subgraph derives its own rows from the same
// people and employers, so the same person id appears wherever that person would: registered at
// France Travail, accompanied by Cap emploi, aided by Agefiph or FIPHFP.
// Every value is a pure function of (seed, index): a subgraph can generate person 123,456 without
// generating the others, which is what lets the generator stream the national scale.
// Proportions follow DOMAIN.md (DEBOE end 2024: 52% women, 52% aged 50+; ~175k of ~512k people
// accompanied by Cap emploi; ~112k private and ~15.7k public employers under the obligation).
import { departements } from './territory.ts';
import { hash32, random, addDays } from './prng.ts';
import { withLuhnDigit } from './siret.ts';

export interface WorldOptions {
  /** Text seed: the same seed gives the same world in every subgraph. */
  readonly seed: string;
  /** Number of people; employers follow (one for four people, at least 60). */
  readonly scale: number;
}

export const DEFAULT_WORLD: WorldOptions = Object.freeze({ seed: 'passerelle', scale: 2000 });

/** The reference date of the synthetic world: the data describes France at the end of 2025. */
export const WORLD_DATE = '2025-12-31';

export type Sex = 'F' | 'M';
export type JobSeekerCategory = 'A' | 'B' | 'C' | 'D' | 'E' | 'F' | 'G';
export type BoethCategory = 'RQTH' | 'WORK_ACCIDENT_PENSION' | 'INVALIDITY_PENSION' | 'WAR_DISABLED' | 'VOLUNTEER_FIREFIGHTER' | 'MOBILITY_INCLUSION_CARD' | 'AAH';
export type DisabilityNature = 'MOTOR' | 'VISUAL' | 'HEARING' | 'MENTAL' | 'PSYCHIC' | 'COGNITIVE' | 'CHRONIC_ILLNESS' | 'MULTIPLE';
export type Orientation = 'FRANCE_TRAVAIL' | 'CAP_EMPLOI';
export type Track = 'EMPLOYMENT' | 'SOCIO_PROFESSIONAL' | 'SOCIAL';
export type InEmploymentCase = 'JOB_RETENTION' | 'CAREER_CHANGE';

export interface SyntheticPerson {
  readonly index: number;
  /** Opaque pseudonymous id shared by the four partners (never derived from the NIR). */
  readonly id: string;
  readonly firstName: string;
  readonly lastName: string;
  readonly sex: Sex;
  readonly birthDate: string;
  readonly departement: string;
  /** France Travail job seeker id: legacy 7 digits + letter/digit, or the new 11 digits. */
  readonly jobSeekerId: string;
  readonly registeredOn: string;
  readonly category: JobSeekerCategory;
  readonly agencyCode: string;
  readonly counsellorId: string;
  readonly boethCategory: BoethCategory;
  readonly disabilityNature: DisabilityNature;
  /** RQTH decision of the CDAPH (null when the person is a BOETH by another title). */
  readonly rqthDecidedOn: string | null;
  /** End of RQTH validity; null with an RQTH means without end date (possible since 2020). */
  readonly rqthValidUntil: string | null;
  readonly orientation: Orientation;
  readonly orientedOn: string;
  readonly track: Track;
  /** A case handled while the person holds a job (Cap emploi), with the employer concerned. */
  readonly inEmploymentCase: InEmploymentCase | null;
  readonly employerIndex: number | null;
}

export type EmployerSector = 'PRIVATE' | 'PUBLIC';
export type PublicService = 'STATE' | 'TERRITORIAL' | 'HOSPITAL';

export interface SyntheticEmployer {
  readonly index: number;
  readonly siret: string;
  readonly name: string;
  readonly sector: EmployerSector;
  readonly publicService: PublicService | null;
  /** NAF rév. 2 activity code (NN.NNL). */
  readonly nafCode: string;
  readonly headcount: number;
  readonly departement: string;
}

const FEMALE = ['Marie', 'Nathalie', 'Isabelle', 'Sylvie', 'Catherine', 'Sandrine', 'Valérie', 'Christine', 'Véronique', 'Stéphanie', 'Céline', 'Julie', 'Aurélie', 'Camille', 'Sophie', 'Laura', 'Inès', 'Fatima', 'Amina', 'Léa', 'Chloé', 'Emma', 'Manon', 'Karine', 'Patricia', 'Martine', 'Nadia', 'Yasmine', 'Océane', 'Hélène'];
const MALE = ['Jean', 'Philippe', 'Michel', 'Alain', 'Patrick', 'Nicolas', 'Christophe', 'Pierre', 'Laurent', 'Frédéric', 'Éric', 'David', 'Stéphane', 'Sébastien', 'Julien', 'Thomas', 'Mohamed', 'Karim', 'Kevin', 'Lucas', 'Hugo', 'Nathan', 'Mehdi', 'Olivier', 'Thierry', 'Bruno', 'Didier', 'Yann', 'Rachid', 'Antoine'];
const LAST = ['Martin', 'Bernard', 'Thomas', 'Petit', 'Robert', 'Richard', 'Durand', 'Dubois', 'Moreau', 'Laurent', 'Simon', 'Michel', 'Lefebvre', 'Leroy', 'Roux', 'David', 'Bertrand', 'Morel', 'Fournier', 'Girard', 'Bonnet', 'Dupont', 'Lambert', 'Fontaine', 'Rousseau', 'Vincent', 'Muller', 'Lefèvre', 'Faure', 'André', 'Mercier', 'Blanc', 'Guérin', 'Boyer', 'Garnier', 'Chevalier', 'François', 'Legrand', 'Gauthier', 'Garcia', 'Perrin', 'Robin', 'Clément', 'Morin', 'Nicolas', 'Henry', 'Roussel', 'Mathieu', 'Gautier', 'Masson', 'Benali', 'Nguyen', 'Diallo', 'Da Silva', 'Ferreira', 'Hoarau', 'Payet', 'Grondin', 'Jean-Baptiste', 'Le Gall'];

// Real NAF rév. 2 sub-classes common among employers under the obligation.
const PRIVATE_NAF = ['47.11F', '62.01Z', '49.41A', '43.21A', '56.10A', '86.90D', '88.10A', '10.71C', '25.62B', '45.20A', '52.10B', '70.22Z', '81.21Z', '87.10A', '46.90Z', '41.20A', '64.19Z', '78.20Z', '33.12Z', '85.59A'];
const PUBLIC_NAF: Record<PublicService, string> = { STATE: '84.11Z', TERRITORIAL: '84.11Z', HOSPITAL: '86.10Z' };
const TRADES = ['Transports', 'Boulangerie', 'Menuiserie', 'Informatique', 'Logistique', 'Nettoyage', 'Garage', 'Services', 'Bâtiment', 'Restauration', 'Conseil', 'Imprimerie'];
const LEGAL_FORMS = ['SAS', 'SARL', 'SA', 'SASU', 'EURL'];

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

/** Weighted choice: `weights` pairs each value with its share. */
export function weighted<T>(r: number, weights: readonly (readonly [T, number])[]): T {
  let acc = 0;
  for (const [value, w] of weights) {
    acc += w;
    if (r < acc) return value;
  }
  return weights[weights.length - 1][0];
}

export function personId(world: WorldOptions, index: number): string {
  const h = hash32(`${world.seed}:person-id:${index}`).toString(16).padStart(8, '0');
  return `psn_${h}${index.toString(36).padStart(5, '0')}`;
}

export function employerCount(world: WorldOptions): number {
  return Math.max(60, Math.round(world.scale / 4));
}

/** Counsellors per département, so that a caseload holds tens of people as in the field. */
export function counsellorsPerDepartement(world: WorldOptions): number {
  return Math.max(1, Math.round(world.scale / departements.length / 40));
}

/** France Travail agencies per département in the synthetic world. */
export const AGENCIES_PER_DEPARTEMENT = 2;

export function agencyCode(departementIndex: number, n: number): string {
  // SAFIR codes are 5 digits; synthetic ones are built from the département's rank.
  return pad(10000 + departementIndex * 10 + n, 5);
}

export function person(world: WorldOptions, index: number): SyntheticPerson {
  const rnd = random(`${world.seed}:person:${index}`);
  const sex: Sex = rnd.chance(0.52) ? 'F' : 'M';
  const firstName = rnd.pick(sex === 'F' ? FEMALE : MALE);
  const lastName = rnd.pick(LAST);
  const over50 = rnd.chance(0.52);
  const birthDate = over50 ? rnd.date('1961-01-01', '1975-12-31') : rnd.date('1976-01-01', '2007-12-31');
  const depIndex = rnd.int(0, departements.length - 1);
  const departement = departements[depIndex].code;
  const scrambled = (index * 7919 + 1234567) % 10_000_000;
  const jobSeekerId = rnd.chance(0.5)
    ? pad(scrambled, 7) + rnd.pick([...'ABCDEFGHJKLMNPRSTUVWXYZ0123456789'])
    : `1${pad(index * 104729 % 10_000_000_000, 10)}`;
  const registeredOn = rnd.date('2016-01-01', '2025-10-31');
  const category = weighted<JobSeekerCategory>(rnd.next(), [['A', 0.55], ['B', 0.1], ['C', 0.1], ['D', 0.08], ['E', 0.07], ['F', 0.05], ['G', 0.05]]);
  const agency = agencyCode(depIndex, rnd.int(1, AGENCIES_PER_DEPARTEMENT));
  const counsellorId = `ft-${departement}-${pad(rnd.int(1, counsellorsPerDepartement(world)), 3)}`;
  const boethCategory = weighted<BoethCategory>(rnd.next(), [
    ['RQTH', 0.8], ['INVALIDITY_PENSION', 0.08], ['AAH', 0.06], ['WORK_ACCIDENT_PENSION', 0.04],
    ['MOBILITY_INCLUSION_CARD', 0.01], ['WAR_DISABLED', 0.005], ['VOLUNTEER_FIREFIGHTER', 0.005],
  ]);
  const disabilityNature = weighted<DisabilityNature>(rnd.next(), [
    ['MOTOR', 0.3], ['CHRONIC_ILLNESS', 0.22], ['PSYCHIC', 0.14], ['HEARING', 0.07], ['VISUAL', 0.06],
    ['MENTAL', 0.08], ['COGNITIVE', 0.06], ['MULTIPLE', 0.07],
  ]);
  const rqthDecidedOn = boethCategory === 'RQTH' ? addDays(registeredOn, -rnd.int(30, 1500)) : null;
  // RQTH is granted for 1 to 10 years, or without end date for conditions that cannot improve.
  const rqthValidUntil = rqthDecidedOn && !rnd.chance(0.15) ? addDays(rqthDecidedOn, 365 * rnd.int(1, 10)) : null;
  const orientation: Orientation = rnd.chance(0.35) ? 'CAP_EMPLOI' : 'FRANCE_TRAVAIL';
  const orientedOn = addDays(registeredOn, rnd.int(7, 60));
  const track = weighted<Track>(rnd.next(), [['EMPLOYMENT', 0.7], ['SOCIO_PROFESSIONAL', 0.25], ['SOCIAL', 0.05]]);
  const employed = category === 'E' || category === 'C' || rnd.chance(0.06);
  const inEmploymentCase: InEmploymentCase | null = employed ? (rnd.chance(0.75) ? 'JOB_RETENTION' : 'CAREER_CHANGE') : null;
  const employerIndex = employed || rnd.chance(0.2) ? rnd.int(0, employerCount(world) - 1) : null;
  return {
    index, id: personId(world, index), firstName, lastName, sex, birthDate, departement, jobSeekerId,
    registeredOn, category, agencyCode: agency, counsellorId, boethCategory, disabilityNature,
    rqthDecidedOn, rqthValidUntil, orientation, orientedOn, track, inEmploymentCase, employerIndex,
  };
}

/** The establishment of La Poste used to exercise the SIRET rule of SIREN 356000000. */
export const LA_POSTE_SIRET = '35600000009075';

export function employer(world: WorldOptions, index: number): SyntheticEmployer {
  const rnd = random(`${world.seed}:employer:${index}`);
  const depIndex = rnd.int(0, departements.length - 1);
  const dep = departements[depIndex];
  // About 12% of the employers under the obligation are public (15.7k of ~128k).
  const sector: EmployerSector = index > 0 && rnd.chance(0.12) ? 'PUBLIC' : 'PRIVATE';
  const publicService = sector === 'PUBLIC' ? weighted<PublicService>(rnd.next(), [['TERRITORIAL', 0.55], ['HOSPITAL', 0.25], ['STATE', 0.2]]) : null;
  let siret: string;
  if (index === 0) {
    siret = LA_POSTE_SIRET;
  } else {
    const siren = withLuhnDigit(pad((index * 7919 + 10_000_019) % 100_000_000, 8));
    siret = withLuhnDigit(siren + pad(rnd.int(1, 9999), 4));
  }
  const name = index === 0
    ? 'La Poste – plateforme courrier (synthétique)'
    : publicService === 'STATE' ? `Direction départementale des territoires – ${dep.name}`
    : publicService === 'HOSPITAL' ? `Centre hospitalier ${dep.name} ${index}`
    : publicService === 'TERRITORIAL' ? `Commune ${index} (${dep.name})`
    : `${rnd.pick(TRADES)} ${rnd.pick(LAST)} ${rnd.pick(LEGAL_FORMS)}`;
  const nafCode = publicService ? PUBLIC_NAF[publicService] : index === 0 ? '53.10Z' : rnd.pick(PRIVATE_NAF);
  // Headcounts skew small: most employers under the obligation have 20 to 250 staff.
  const headcount = index === 0 ? 1200 : Math.round(20 * Math.exp(rnd.next() * rnd.next() * 6.5));
  return { index, siret, name, sector, publicService, nafCode, headcount, departement: dep.code };
}

export function* people(world: WorldOptions): Generator<SyntheticPerson> {
  for (let i = 0; i < world.scale; i++) yield person(world, i);
}

export function* employers(world: WorldOptions): Generator<SyntheticEmployer> {
  const n = employerCount(world);
  for (let i = 0; i < n; i++) yield employer(world, i);
}
