// Business rules of Cap emploi accompaniments, as plain functions (no database, no GraphQL):
// which steps may follow which, how an accompaniment closes, when a watch may follow a retention.

export const ACCOMPANIMENT_KINDS = ['TOWARD_EMPLOYMENT', 'JOB_RETENTION', 'CAREER_CHANGE', 'WATCH'] as const;
export type AccompanimentKind = (typeof ACCOMPANIMENT_KINDS)[number];

export const STEP_KINDS = ['DIAGNOSTIC', 'INTERVIEW', 'WORKSTATION_STUDY', 'TRAINING_ENTRY', 'PLACEMENT', 'FOLLOW_UP', 'CLOSURE'] as const;
export type StepKind = (typeof STEP_KINDS)[number];

export const OUTCOMES = [
  'EMPLOYED_PERMANENT', 'EMPLOYED_TEMPORARY', 'BUSINESS_CREATION', 'TRAINING', 'REORIENTED_TO_FRANCE_TRAVAIL',
  'JOB_RETAINED', 'JOB_RETAINED_OTHER_POST', 'NOT_RETAINED', 'CAREER_CHANGED', 'SITUATION_STABLE', 'NEW_RETENTION_CASE', 'ABANDONED',
] as const;
export type Outcome = (typeof OUTCOMES)[number];

export type AccompanimentStatus = 'OPEN' | 'CLOSED';

export const SERVICE_KINDS = ['INFORMATION', 'RECRUITMENT_SUPPORT', 'RETENTION_SUPPORT'] as const;
export type ServiceKind = (typeof SERVICE_KINDS)[number];

/** A step note is a short line for colleagues, never a medical record. */
export const NOTE_MAX_LENGTH = 500;

/**
 * Career-change accompaniments ("évolution professionnelle") and the watch action ("action de
 * veille") come with the multi-party convention of 2023 (DOMAIN.md): none before this date.
 */
export const IN_EMPLOYMENT_OFFER_2023 = '2023-01-01';

/** Kinds of accompaniment of a person who holds a job: they concern an employer. */
export function concernsEmployer(kind: AccompanimentKind): boolean {
  return kind !== 'TOWARD_EMPLOYMENT';
}

/** Steps each kind of accompaniment may record. A watch follows a retention already diagnosed. */
const STEPS_OF: Readonly<Record<AccompanimentKind, readonly StepKind[]>> = {
  TOWARD_EMPLOYMENT: ['DIAGNOSTIC', 'INTERVIEW', 'TRAINING_ENTRY', 'PLACEMENT', 'WORKSTATION_STUDY', 'FOLLOW_UP', 'CLOSURE'],
  JOB_RETENTION: ['DIAGNOSTIC', 'INTERVIEW', 'WORKSTATION_STUDY', 'TRAINING_ENTRY', 'FOLLOW_UP', 'CLOSURE'],
  CAREER_CHANGE: ['DIAGNOSTIC', 'INTERVIEW', 'WORKSTATION_STUDY', 'TRAINING_ENTRY', 'PLACEMENT', 'FOLLOW_UP', 'CLOSURE'],
  WATCH: ['INTERVIEW', 'FOLLOW_UP', 'CLOSURE'],
};

/** Outcomes that close each kind of accompaniment. */
export const OUTCOMES_OF: Readonly<Record<AccompanimentKind, readonly Outcome[]>> = {
  TOWARD_EMPLOYMENT: ['EMPLOYED_PERMANENT', 'EMPLOYED_TEMPORARY', 'BUSINESS_CREATION', 'TRAINING', 'REORIENTED_TO_FRANCE_TRAVAIL', 'ABANDONED'],
  JOB_RETENTION: ['JOB_RETAINED', 'JOB_RETAINED_OTHER_POST', 'NOT_RETAINED', 'ABANDONED'],
  CAREER_CHANGE: ['CAREER_CHANGED', 'TRAINING', 'JOB_RETAINED', 'ABANDONED'],
  WATCH: ['SITUATION_STABLE', 'NEW_RETENTION_CASE', 'ABANDONED'],
};

/** An outcome that states a fact the accompaniment must have recorded as a step. */
const OUTCOME_NEEDS: Partial<Record<Outcome, StepKind>> = {
  EMPLOYED_PERMANENT: 'PLACEMENT',
  EMPLOYED_TEMPORARY: 'PLACEMENT',
  CAREER_CHANGED: 'PLACEMENT',
  TRAINING: 'TRAINING_ENTRY',
};

/** Why `next` may not follow `previous` (kinds in date order) in this kind of accompaniment, or null. */
export function stepRefusal(kind: AccompanimentKind, previous: readonly StepKind[], next: StepKind): string | null {
  if (!STEPS_OF[kind].includes(next)) return `a ${kind} accompaniment does not record ${next} steps`;
  if (next === 'DIAGNOSTIC') return previous.length ? 'the diagnostic opens the accompaniment: it is its first step' : null;
  if (kind !== 'WATCH' && !previous.includes('DIAGNOSTIC')) return 'record the diagnostic before any other step';
  // Toward employment, the workstation study and the follow-up concern the job found.
  if (kind === 'TOWARD_EMPLOYMENT' && (next === 'WORKSTATION_STUDY' || next === 'FOLLOW_UP') && !previous.includes('PLACEMENT')) {
    return `${next} follows a PLACEMENT in an accompaniment toward employment`;
  }
  return null;
}

/** Why an accompaniment with these steps may not close with `outcome`, or null. */
export function closureRefusal(kind: AccompanimentKind, previous: readonly StepKind[], outcome: Outcome | null | undefined): string | null {
  if (!outcome) return 'a CLOSURE step needs an outcome';
  if (!OUTCOMES_OF[kind].includes(outcome)) return `${outcome} does not close a ${kind} accompaniment (one of ${OUTCOMES_OF[kind].join(', ')})`;
  const needed = OUTCOME_NEEDS[outcome];
  if (needed && !previous.includes(needed)) return `${outcome} needs a ${needed} step recorded first`;
  return null;
}

export interface StepProposal {
  readonly kind: StepKind;
  readonly occurredOn: string;
  readonly note?: string | null;
  readonly outcome?: Outcome | null;
}

/** A typed refusal: `code` is an ErrorCode of kit/errors.ts, `field` the input field to fix. */
export interface Refusal {
  readonly code: 'ACCOMPANIMENT_CLOSED' | 'BAD_USER_INPUT' | 'UNKNOWN_ACCOMPANIMENT';
  readonly field: string;
  readonly message: string;
}

const bad = (field: string, message: string): Refusal => ({ code: 'BAD_USER_INPUT', field, message });

/**
 * Everything that decides whether a step may be recorded; `previous` in date order, `today` the
 * calendar date where the accompaniment is (kit/clock.ts todayIn). Returns the first refusal, or null.
 */
export function checkStep(
  accompaniment: { readonly kind: AccompanimentKind; readonly status: AccompanimentStatus; readonly openedOn: string },
  previous: readonly { readonly kind: StepKind; readonly occurredOn: string }[],
  step: StepProposal,
  today: string,
): Refusal | null {
  if (accompaniment.status === 'CLOSED') return { code: 'ACCOMPANIMENT_CLOSED', field: 'accompanimentId', message: 'this accompaniment is closed: open a new one' };
  if (step.note != null && step.note.length > NOTE_MAX_LENGTH) return bad('note', `a note is at most ${NOTE_MAX_LENGTH} characters`);
  if (step.occurredOn < accompaniment.openedOn) return bad('occurredOn', `the step cannot precede the opening of the accompaniment (${accompaniment.openedOn})`);
  if (step.occurredOn > today) return bad('occurredOn', 'the step cannot be in the future');
  const last = previous.at(-1);
  if (last && step.occurredOn < last.occurredOn) return bad('occurredOn', `steps are recorded in date order: the last one is of ${last.occurredOn}`);
  const kinds = previous.map((s) => s.kind);
  const transition = stepRefusal(accompaniment.kind, kinds, step.kind);
  if (transition) return bad('kind', transition);
  if (step.kind === 'CLOSURE') {
    const closure = closureRefusal(accompaniment.kind, kinds, step.outcome);
    return closure ? bad('outcome', closure) : null;
  }
  if (step.outcome) return bad('outcome', 'only a CLOSURE step carries an outcome');
  return null;
}

/**
 * A watch (action de veille) may follow a retention that kept the person in a job, closed since the
 * 2023 convention introduced the watch, and not already followed by one.
 */
export function isWatchEligible(
  retention: { readonly kind: string; readonly status: string; readonly outcome?: string | null; readonly closedOn?: string | null },
  alreadyWatched: boolean,
): boolean {
  return retention.kind === 'JOB_RETENTION'
    && retention.status === 'CLOSED'
    && (retention.outcome === 'JOB_RETAINED' || retention.outcome === 'JOB_RETAINED_OTHER_POST')
    && retention.closedOn != null && retention.closedOn >= IN_EMPLOYMENT_OFFER_2023
    && !alreadyWatched;
}

export interface OpeningProposal {
  readonly personId: string;
  readonly departement: string;
  readonly kind: AccompanimentKind;
  readonly openedOn: string;
  readonly organisationId?: string | null;
  readonly employerSiret?: string | null;
  readonly medicalRestrictions?: string | null;
  readonly followsAccompanimentId?: string | null;
}

export interface OpeningContext {
  /** The calendar date in the département (kit/clock.ts todayIn). */
  readonly today: string;
  /** The person already has an OPEN accompaniment of this kind. */
  readonly alreadyOpen: boolean;
  /** For a watch: the retention it would follow (null when unknown or not visible to the caller). */
  readonly retention?: {
    readonly personId: string; readonly departement: string; readonly kind: string; readonly status: string;
    readonly outcome?: string | null; readonly closedOn?: string | null;
  } | null;
  /** For a watch: a watch already follows that retention. */
  readonly retentionWatched?: boolean;
}

/**
 * Why an accompaniment may not be opened, or null. A watch takes its organisation, counsellor and
 * employer from the retention it follows; the SIRET checksum is the resolver's (kit/siret.ts).
 */
export function openingRefusal(proposal: OpeningProposal, context: OpeningContext): Refusal | null {
  const { kind, openedOn } = proposal;
  if (openedOn > context.today) return bad('openedOn', 'an accompaniment cannot open in the future');
  if ((kind === 'CAREER_CHANGE' || kind === 'WATCH') && openedOn < IN_EMPLOYMENT_OFFER_2023) {
    return bad('openedOn', `${kind} accompaniments exist since the 2023 convention (${IN_EMPLOYMENT_OFFER_2023})`);
  }
  if (proposal.medicalRestrictions != null) {
    if (kind !== 'JOB_RETENTION') return bad('medicalRestrictions', 'work restrictions belong to job-retention cases only');
    if (proposal.medicalRestrictions.length > NOTE_MAX_LENGTH) return bad('medicalRestrictions', `at most ${NOTE_MAX_LENGTH} characters`);
  }
  if (kind === 'WATCH') {
    const retention = context.retention;
    if (!proposal.followsAccompanimentId) return bad('followsAccompanimentId', 'a watch follows a job retention: name it');
    if (!retention) return { code: 'UNKNOWN_ACCOMPANIMENT', field: 'followsAccompanimentId', message: 'no accompaniment with this id' };
    if (retention.personId !== proposal.personId || retention.departement !== proposal.departement) {
      return bad('followsAccompanimentId', 'the retention followed is not this person\'s');
    }
    if (proposal.employerSiret || proposal.organisationId) return bad('employerSiret', 'a watch keeps the employer and organisation of its retention');
    if (!isWatchEligible(retention, context.retentionWatched ?? false)) {
      return bad('followsAccompanimentId', 'a watch follows a job retention closed since 2023 with the job kept, one watch per retention');
    }
    if (openedOn < retention.closedOn!) return bad('openedOn', 'a watch opens once the retention it follows has closed');
  } else {
    if (proposal.followsAccompanimentId) return bad('followsAccompanimentId', 'only a watch follows another accompaniment');
    if (concernsEmployer(kind) && !proposal.employerSiret) return bad('employerSiret', `a ${kind} accompaniment concerns an employer: give its SIRET`);
    if (!concernsEmployer(kind) && proposal.employerSiret) return bad('employerSiret', 'an accompaniment toward employment concerns no employer');
  }
  if (context.alreadyOpen) return bad('kind', `the person already has an open ${kind} accompaniment`);
  return null;
}

/** The national convention framing Cap emploi's accompaniment on a date (ids of conventions.ts). */
export function frameworkConventionOn(date: string): string | null {
  if (date >= '2023-01-01') return 'multi-party-2023';
  if (date >= '2020-11-20') return 'rapprochement-2020';
  return null;
}

