// Agefiph's business rules as plain functions: ceilings, the AETH amount, what a valid request and
// a valid decision are, the life cycle of a request, who may see requests, and what the shared
// history says about them. No database, no GraphQL: the resolvers call these, the tests too.
import type { Caller } from '../kit/caller.ts';
import { ErrorCode } from '../kit/errors.ts';
import { formatCents } from '../kit/scalars.ts';
import { catalogueItem, type CatalogueItem, type CeilingRule, type SupportType } from './catalogue.ts';

export type AethRate = 'STANDARD' | 'HIGHER';
export type AidStatus = 'REQUESTED' | 'GRANTED' | 'REFUSED' | 'PAID' | 'CANCELLED';
export type Decision = 'GRANTED' | 'REFUSED';

/** A reason to refuse an input, with the typed error code the client branches on. */
export interface Problem {
  readonly code: ErrorCode;
  readonly message: string;
  readonly field?: string;
}

/** What, besides the aid, decides the ceiling of a request. */
export interface CeilingInputs {
  readonly extraCostCents?: number | null;
  readonly aethRate?: string | null;
  readonly workTimePercent?: number | null;
}

/**
 * AETH for one post and one year: hours × hourly SMIC at the rate, prorated to working time,
 * rounded down to the cent (550 × €11.88 = €6,534.00 full time; 1,095 × €11.88 = €13,008.60).
 */
export function aethAmountCents(rule: Extract<CeilingRule, { kind: 'SMIC_HOURS' }>, rate: AethRate, workTimePercent: number): number {
  const hours = rate === 'HIGHER' ? rule.higherRateHours : rule.hours;
  return Math.floor((hours * rule.smicHourlyCents * workTimePercent) / 100);
}

/** The most the aid can pay for this request, in cents; null when no ceiling is fixed in advance. */
export function ceilingCents(rule: CeilingRule, request: CeilingInputs): number | null {
  switch (rule.kind) {
    case 'FIXED_AMOUNT':
      return rule.amountCents;
    case 'SHARE_OF_EXTRA_COST':
      return Math.floor(((request.extraCostCents ?? 0) * rule.sharePercent) / 100);
    case 'SMIC_HOURS':
      return aethAmountCents(rule, request.aethRate === 'HIGHER' ? 'HIGHER' : 'STANDARD', request.workTimePercent ?? 100);
    case 'PER_NEED':
      return null;
    case 'SERVICE':
      return 0;
  }
}

export interface AidRequestInput extends CeilingInputs {
  readonly personId?: string | null;
  readonly employerSiret?: string | null;
  readonly amountRequestedCents: number;
  readonly supportType?: string | null;
}

function invalid(message: string, field: string): Problem {
  return { code: ErrorCode.INVALID_INPUT, message, field };
}

/**
 * What is wrong with a request for `aid`, before anything is read or written; null when nothing.
 * A person aid needs the person (an employer may be named as context: the person's workplace);
 * an employer aid needs the employer (a person may be named: the employee concerned).
 */
export function requestProblem(aid: CatalogueItem, input: AidRequestInput): Problem | null {
  if (aid.beneficiaryType === 'PERSON' && !input.personId) {
    return { code: ErrorCode.AID_NOT_FOR_BENEFICIARY, message: `"${aid.label}" is for a person: personId is required`, field: 'personId' };
  }
  if (aid.beneficiaryType === 'PRIVATE_EMPLOYER' && !input.employerSiret) {
    return { code: ErrorCode.AID_NOT_FOR_BENEFICIARY, message: `"${aid.label}" is for a private employer: employerSiret is required`, field: 'employerSiret' };
  }
  const rule = aid.ceiling;
  if (rule.kind === 'SHARE_OF_EXTRA_COST') {
    if (input.extraCostCents == null || input.extraCostCents <= 0) return invalid(`"${aid.label}" is a share of the disability-related extra cost: extraCost is required`, 'extraCost');
  } else if (input.extraCostCents != null) {
    return invalid(`"${aid.label}" does not depend on an extra cost: leave extraCost out`, 'extraCost');
  }
  if (rule.kind !== 'SMIC_HOURS' && (input.aethRate != null || input.workTimePercent != null)) {
    return invalid('aethRate and workTimePercent apply to the AETH only', input.aethRate != null ? 'aethRate' : 'workTimePercent');
  }
  if (input.workTimePercent != null && !(Number.isInteger(input.workTimePercent) && input.workTimePercent >= 1 && input.workTimePercent <= 100)) {
    return invalid('workTimePercent must be an integer from 1 to 100', 'workTimePercent');
  }
  if (aid.supportTypes.length > 0) {
    if (!input.supportType || !aid.supportTypes.includes(input.supportType as SupportType)) return invalid(`"${aid.label}" needs a supportType`, 'supportType');
  } else if (input.supportType != null) {
    return invalid(`"${aid.label}" has no support type: leave supportType out`, 'supportType');
  }
  if (aid.kind === 'AID' && input.amountRequestedCents <= 0) return invalid('amountRequested must be more than 0.00', 'amountRequested');
  const ceiling = ceilingCents(rule, input);
  if (ceiling !== null && input.amountRequestedCents > ceiling) {
    return { code: ErrorCode.AMOUNT_ABOVE_CEILING, message: `amountRequested is above the ceiling of this aid for this request (${formatCents(ceiling)})`, field: 'amountRequested' };
  }
  return null;
}

/** The life cycle of a request: a decision is taken once; a grant is then paid or cancelled. */
const NEXT: Readonly<Record<AidStatus, readonly AidStatus[]>> = {
  REQUESTED: ['GRANTED', 'REFUSED', 'CANCELLED'],
  GRANTED: ['PAID', 'CANCELLED'],
  REFUSED: [],
  PAID: [],
  CANCELLED: [],
};

export function canMove(from: AidStatus, to: AidStatus): boolean {
  return NEXT[from]?.includes(to) ?? false;
}

export interface DecidableRequest extends CeilingInputs {
  readonly status: string;
  readonly amountRequestedCents: number;
}

export interface DecisionOutcome {
  readonly status: Decision;
  readonly amountGrantedCents: number | null;
}

/**
 * Applies a decision to a request: the new status and amount granted, or why it cannot be taken.
 * A grant without an amount grants what was requested; it may not exceed the request nor the
 * aid's ceiling for the request.
 */
export function decide(aid: CatalogueItem, request: DecidableRequest, decision: Decision, amountGrantedCents: number | null): DecisionOutcome | Problem {
  if (!canMove(request.status as AidStatus, decision)) {
    return { code: ErrorCode.ALREADY_DECIDED, message: `this request is already ${request.status.toLowerCase()}`, field: 'requestId' };
  }
  if (decision === 'REFUSED') {
    if (amountGrantedCents !== null) return invalid('a refusal grants nothing: leave amountGranted out', 'amountGranted');
    return { status: 'REFUSED', amountGrantedCents: null };
  }
  const amount = amountGrantedCents ?? request.amountRequestedCents;
  if (aid.kind === 'AID' && amount <= 0) return invalid('a grant of 0.00 is a refusal: decide REFUSED', 'amountGranted');
  const ceiling = ceilingCents(aid.ceiling, request);
  if (amount > request.amountRequestedCents || (ceiling !== null && amount > ceiling)) {
    return { code: ErrorCode.AMOUNT_ABOVE_CEILING, message: 'amountGranted is above the amount requested or the ceiling of the aid', field: 'amountGranted' };
  }
  return { status: 'GRANTED', amountGrantedCents: amount };
}

export interface HistoryItem {
  readonly occurredOn: string;
  readonly partner: 'AGEFIPH';
  readonly kind: 'AID_REQUEST' | 'AID_DECISION';
  readonly summary: string;
  readonly reference: string;
}

export interface RequestFacts {
  readonly id: string;
  readonly aidCode: string;
  readonly catalogueVersion: string;
  readonly status: string;
  readonly requestedOn: string;
  readonly decidedOn?: string | null;
}

/**
 * The events a request adds to the shared history: the request, then its decision. Summaries name
 * the aid from the catalogue and never the PAS support type (it reveals the nature of a disability).
 */
export function historyOf(request: RequestFacts): HistoryItem[] {
  const label = catalogueItem(request.aidCode, request.catalogueVersion)?.label ?? request.aidCode;
  const events: HistoryItem[] = [{ occurredOn: request.requestedOn, partner: 'AGEFIPH', kind: 'AID_REQUEST', summary: `Demande Agefiph : ${label}`, reference: request.id }];
  if (request.decidedOn && request.status !== 'CANCELLED') {
    const outcome = request.status === 'REFUSED' ? 'refusée' : 'accordée';
    events.push({ occurredOn: request.decidedOn, partner: 'AGEFIPH', kind: 'AID_DECISION', summary: `Décision Agefiph (${outcome}) : ${label}`, reference: request.id });
  }
  return events;
}
