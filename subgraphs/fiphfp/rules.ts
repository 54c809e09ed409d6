// FIPHFP's business rules as plain functions: the 6% employment obligation of public employers,
// their yearly contribution, the ceilings of the aids, the committee that approves a convention.
// Rates are exact integers of basis points (561 = 5.61%); money is integer cents. No floats.
import type { AidCeiling } from './catalogue.ts';

// ---------------------------------------------------------------------------------------------
// The obligation (OETH) in the three public services

/** Public employers of 20 FTE or more are subject to the obligation and declare to FIPHFP. */
export const OBLIGATION_THRESHOLD_FTE = 20;
/** 6% of the headcount (law of 10 July 1987, extended to public employers; law of 11 February 2005). */
export const OBLIGATION_RATE_PERCENT = 6;
/** First yearly declaration to FIPHFP (fund created by the law of 11 February 2005). */
export const FIRST_DECLARATION_YEAR = 2006;

/** Beneficiaries the employer must employ: 6% of its headcount, rounded down to the unit. */
export function requiredBeneficiaries(fteHeadcount: number): number {
  return Math.floor((fteHeadcount * OBLIGATION_RATE_PERCENT) / 100);
}

/** Direct employment rate in basis points (beneficiaries / headcount), rounded half up: 561 = 5.61%. */
export function directRateBasisPoints(beneficiaries: number, fteHeadcount: number): number {
  if (fteHeadcount <= 0) return 0;
  return Math.floor((2 * beneficiaries * 10_000 + fteHeadcount) / (2 * fteHeadcount));
}

/** A rate in basis points as the decimal percentage analysts read: 561 → "5.61". */
export function formatRate(basisPoints: number): string {
  return `${Math.floor(basisPoints / 100)}.${String(basisPoints % 100).padStart(2, '0')}`;
}

/** Beneficiaries missing to reach the obligation (0 when it is met). */
export function missingBeneficiaries(fteHeadcount: number, beneficiaries: number): number {
  return Math.max(0, requiredBeneficiaries(fteHeadcount) - beneficiaries);
}

// ---------------------------------------------------------------------------------------------
// The contribution

/**
 * Gross hourly SMIC in cents, in force on 1 January of each year (source: INSEE, series "SMIC
 * horaire brut", values set by the yearly décrets portant relèvement du salaire minimum de
 * croissance). Simplification: the SMIC changed during some years (May and August 2022, May 2023,
 * November 2024); we take the value of 1 January of the declaration year, the day the headcount is
 * counted.
 */
export const HOURLY_SMIC_CENTS: Readonly<Record<number, number>> = Object.freeze({
  2006: 803, 2007: 827, 2008: 844, 2009: 871, 2010: 886, 2011: 900, 2012: 922, 2013: 943,
  2014: 953, 2015: 961, 2016: 967, 2017: 976, 2018: 988, 2019: 1003, 2020: 1015, 2021: 1025,
  2022: 1057, 2023: 1127, 2024: 1165, 2025: 1188, 2026: 1202,
});

const SMIC_YEARS = Object.keys(HOURLY_SMIC_CENTS).map(Number).sort((a, b) => a - b);

/** The hourly SMIC of a year; a year after the table keeps the last known value until it is added. */
export function hourlySmicCents(year: number): number {
  if (year < SMIC_YEARS[0]) throw new RangeError(`no SMIC before ${SMIC_YEARS[0]}`);
  const known = SMIC_YEARS.filter((y) => y <= year).at(-1)!;
  return HOURLY_SMIC_CENTS[known];
}

/**
 * Multiple of the hourly SMIC owed per missing beneficiary: 400, 500 or 600 by headcount band.
 * Simplification: we apply the bands of private employers (art. D5212-20 of the Code du travail:
 * 20–249, 250–749, 750 and more), as the project's brief asks; the public-sector text (décret
 * 2006-501) sets its own bands, not checked here. The private 1,500× rate for employers with no
 * action for more than 3 years is not applied to public employers.
 */
export function smicMultiple(fteHeadcount: number): 400 | 500 | 600 {
  if (fteHeadcount >= 750) return 600;
  if (fteHeadcount >= 250) return 500;
  return 400;
}

export function unitAmountCents(fteHeadcount: number, year: number): number {
  return smicMultiple(fteHeadcount) * hourlySmicCents(year);
}

export interface ContributionInput {
  readonly year: number;
  readonly fteHeadcount: number;
  readonly beneficiaries: number;
  readonly deductibleExpensesCents: number;
}

export interface Contribution {
  readonly requiredBeneficiaries: number;
  readonly missingBeneficiaries: number;
  readonly rateBasisPoints: number;
  readonly hourlySmicCents: number;
  readonly unitAmountCents: number;
  /** Missing beneficiaries × unit amount, before deductible expenses. */
  readonly grossCents: number;
  readonly contributionCents: number;
}

/**
 * The yearly contribution of a public employer to FIPHFP: missing beneficiaries × unit amount
 * (400/500/600 × hourly SMIC), minus the deductible expenses (contracts with sheltered work
 * establishments, disability-related spending the employer paid itself...), never below zero.
 * Simplification: deductible expenses are subtracted in euros without the caps and conversions the
 * real campaign applies, and beneficiaries are whole people (no pro-rata of time worked).
 */
export function contribution(input: ContributionInput): Contribution {
  const missing = missingBeneficiaries(input.fteHeadcount, input.beneficiaries);
  const smic = hourlySmicCents(input.year);
  const unit = smicMultiple(input.fteHeadcount) * smic;
  const gross = missing * unit;
  return {
    requiredBeneficiaries: requiredBeneficiaries(input.fteHeadcount),
    missingBeneficiaries: missing,
    rateBasisPoints: directRateBasisPoints(input.beneficiaries, input.fteHeadcount),
    hourlySmicCents: smic,
    unitAmountCents: unit,
    grossCents: gross,
    contributionCents: Math.max(0, gross - input.deductibleExpensesCents),
  };
}

/** Why a declaration cannot be true, or null when it can (checked before anything is written). */
export function declarationProblem(input: { year: number; fteHeadcount: number; beneficiaries: number }, currentYear: number): { field: string; message: string } | null {
  if (!Number.isInteger(input.year) || input.year < FIRST_DECLARATION_YEAR || input.year > currentYear) {
    return { field: 'year', message: `year must be between ${FIRST_DECLARATION_YEAR} (first FIPHFP declaration) and ${currentYear}` };
  }
  if (!Number.isInteger(input.fteHeadcount) || input.fteHeadcount < OBLIGATION_THRESHOLD_FTE) {
    return { field: 'fteHeadcount', message: `employers of fewer than ${OBLIGATION_THRESHOLD_FTE} FTE are not subject to the obligation and do not declare` };
  }
  if (input.fteHeadcount > 5_000_000) return { field: 'fteHeadcount', message: 'fteHeadcount is larger than the whole public service' };
  if (!Number.isInteger(input.beneficiaries) || input.beneficiaries < 0) {
    return { field: 'beneficiaries', message: 'beneficiaries must be zero or more' };
  }
  if (input.beneficiaries > input.fteHeadcount) {
    return { field: 'beneficiaries', message: 'beneficiaries cannot exceed the headcount' };
  }
  return null;
}

// ---------------------------------------------------------------------------------------------
// Aids

export type AidStatus = 'REQUESTED' | 'GRANTED' | 'REFUSED' | 'PAID' | 'CANCELLED';

/** What a ceiling is computed from, beyond the catalogue item itself. */
export interface CeilingBasis {
  /** Hours of interpreting (PER_HOUR aids). */
  readonly hours?: number | null;
  /** The apprentice's yearly loaded salary (salary + employer contributions), in cents. */
  readonly loadedAnnualSalaryCents?: number | null;
  /** What the same agent already holds for the same aid in the same calendar year (PER_AGENT_PER_YEAR). */
  readonly alreadyCommittedCents?: number;
}

/** The basis a ceiling needs and the request lacks, or null. */
export function missingCeilingBasis(ceiling: AidCeiling, basis: CeilingBasis): 'hours' | 'loadedAnnualSalary' | null {
  if (ceiling.kind === 'PER_HOUR' && !(Number.isInteger(basis.hours) && basis.hours! > 0)) return 'hours';
  if (ceiling.kind === 'SALARY_SHARE_PLUS_TRAINING' && !(basis.loadedAnnualSalaryCents! > 0)) return 'loadedAnnualSalary';
  return null;
}

/**
 * The most FIPHFP may grant for one request, in cents, or null when the aid has no published
 * ceiling (assessed need by need). Ceilings (DOMAIN.md): workstation adaptation €10,000 per agent
 * per year, ergonomic study €5,000, sign-language interpreting €55 an hour, apprenticeship 80% of the
 * loaded salary + up to €10,000 a year of training.
 */
export function aidCeilingCents(ceiling: AidCeiling, basis: CeilingBasis): number | null {
  switch (ceiling.kind) {
    case 'PER_AGENT_PER_YEAR':
      return Math.max(0, ceiling.cents - (basis.alreadyCommittedCents ?? 0));
    case 'PER_REQUEST':
      return ceiling.cents;
    case 'PER_HOUR':
      return ceiling.centsPerHour * (basis.hours ?? 0);
    case 'SALARY_SHARE_PLUS_TRAINING':
      return Math.floor(((basis.loadedAnnualSalaryCents ?? 0) * ceiling.salarySharePercent) / 100) + ceiling.trainingCentsPerYear;
    case 'PER_NEED':
      return null;
  }
}

/** What a request holds against a ceiling: the granted amount once granted, the requested one while pending. */
export function committedCents(aid: { status: string; amountRequestedCents: number; amountGrantedCents?: number | null }): number {
  if (aid.status === 'REQUESTED') return aid.amountRequestedCents;
  if (aid.status === 'GRANTED' || aid.status === 'PAID') return aid.amountGrantedCents ?? 0;
  return 0;
}

export type Decision = 'GRANTED' | 'REFUSED';

/**
 * Why a decision cannot be taken, or null. Only a pending request is decided; a grant is of a
 * positive amount no larger than the request (FIPHFP never pays more than asked, often less);
 * a refusal grants nothing.
 */
export function decisionProblem(status: string, decision: Decision, amountRequestedCents: number, amountGrantedCents: number | null | undefined): { code: 'ALREADY_DECIDED' | 'BAD_AMOUNT'; message: string } | null {
  if (status !== 'REQUESTED') return { code: 'ALREADY_DECIDED', message: `this request was already decided (${status})` };
  if (decision === 'GRANTED') {
    if (amountGrantedCents == null || amountGrantedCents <= 0) return { code: 'BAD_AMOUNT', message: 'a grant needs a positive amountGranted' };
    if (amountGrantedCents > amountRequestedCents) return { code: 'BAD_AMOUNT', message: 'amountGranted cannot exceed the amount requested' };
  } else if (amountGrantedCents != null) {
    return { code: 'BAD_AMOUNT', message: 'a refusal grants no amount' };
  }
  return null;
}

// ---------------------------------------------------------------------------------------------
// Conventions with large public employers

/** FIPHFP signs multi-year conventions with public employers above 650 FTE. */
export const CONVENTION_THRESHOLD_FTE = 650;
/** A convention funds a 3-year programme. */
export const CONVENTION_YEARS = 3;

export function conventionEligible(fteHeadcount: number): boolean {
  return fteHeadcount > CONVENTION_THRESHOLD_FTE;
}

/**
 * Programmes of €1M or more go to the national committee, the others to the local committee of
 * the employer's region. The €1M threshold is Passerelle's assumption (FIPHFP's delegation rules are
 * not in our sources).
 */
export const NATIONAL_COMMITTEE_FROM_CENTS = 1_000_000 * 100;

/**
 * FIPHFP has 17 local committees (DOMAIN.md). We model one per region: the 13 metropolitan regions
 * and Guadeloupe, Martinique, Guyane, La Réunion, with Mayotte (INSEE region 06) attached to
 * La Réunion's (04) — an assumption to reach 17 from INSEE's 18 regions.
 */
export function localCommitteeRegion(regionCode: string): string {
  return regionCode === '06' ? '04' : regionCode;
}

export function approvingCommittee(amountCommittedCents: number, regionCode: string): { level: 'NATIONAL' | 'LOCAL'; region: string | null } {
  if (amountCommittedCents >= NATIONAL_COMMITTEE_FROM_CENTS) return { level: 'NATIONAL', region: null };
  return { level: 'LOCAL', region: localCommitteeRegion(regionCode) };
}
