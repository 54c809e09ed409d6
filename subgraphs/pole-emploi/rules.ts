// France Travail's business rules, as plain functions (tested without a server).
import { ErrorCode, reject } from '../kit/errors.ts';

export interface HistoryItem {
  readonly occurredOn: string;
  readonly partner: string;
  readonly kind: string;
  readonly summary: string;
  readonly reference: string | null;
}

/** The shared history, newest first; ties keep a stable order (partner, kind, reference). */
export function mergeHistory(...lists: readonly (readonly HistoryItem[] | undefined)[]): HistoryItem[] {
  return lists.flatMap((list) => list ?? []).sort((a, b) =>
    b.occurredOn.localeCompare(a.occurredOn) || a.partner.localeCompare(b.partner) || a.kind.localeCompare(b.kind) || String(a.reference).localeCompare(String(b.reference)));
}

export interface FundingRef {
  readonly id: string;
  readonly typename: string;
  readonly requestedOn: string;
}

/** Every partner's fundings, newest request first. */
export function mergeFundings(...lists: readonly (readonly FundingRef[] | undefined)[]): FundingRef[] {
  return lists.flatMap((list) => list ?? []).sort((a, b) => b.requestedOn.localeCompare(a.requestedOn) || a.id.localeCompare(b.id));
}

/** An RQTH is valid on `on` when decided before and not expired; no end date means permanent. */
export function rqthValid(decidedOn: string | null, validUntil: string | null, on: string): boolean {
  if (!decidedOn || decidedOn > on) return false;
  return validUntil === null || validUntil >= on;
}

/**
 * Orientations newest first, the first one in force: by decision day, then by the moment each was
 * recorded (a correction the same day wins; rows older than the column last), then by id.
 */
export const ORIENTATIONS_NEWEST_FIRST = { decidedOn: 'desc', recordedAt: 'desc nulls last', id: 'desc' } as const;

export interface OrientationInput {
  readonly decidedOn: string;
  readonly jointDiagnosticOn?: string | null;
  readonly disabilityImpact?: string | null;
}

/** Rejects an orientation that cannot have happened: in the future, or decided before its diagnostic. */
export function checkOrientation(input: OrientationInput, registeredOn: string, today: string): void {
  if (input.decidedOn > today) reject(ErrorCode.INVALID_INPUT, 'decidedOn cannot be in the future', 'decidedOn');
  if (input.decidedOn < registeredOn) reject(ErrorCode.INVALID_INPUT, 'decidedOn cannot be before the registration', 'decidedOn');
  if (input.jointDiagnosticOn && input.jointDiagnosticOn > input.decidedOn) {
    reject(ErrorCode.INVALID_INPUT, 'the joint diagnostic cannot follow the decision', 'jointDiagnosticOn');
  }
  if (input.disabilityImpact && !input.jointDiagnosticOn) {
    reject(ErrorCode.INVALID_INPUT, 'the impact of the disability is assessed in a joint diagnostic: give jointDiagnosticOn', 'disabilityImpact');
  }
}

/** Folds a name for search: "Lefèvre" and "lefevre" match the same people. */
export function searchKey(text: string): string {
  return text.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase().trim();
}
