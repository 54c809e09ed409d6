// Typed errors: a client branches on `extensions.code`, never on the message.
// Every rejection happens before anything is written (mutations run in one transaction).
import { GraphQLError } from 'graphql';

export const ErrorCode = {
  INVALID_INPUT: 'BAD_USER_INPUT',
  INVALID_SIRET: 'INVALID_SIRET',
  UNKNOWN_PERSON: 'UNKNOWN_PERSON',
  UNKNOWN_EMPLOYER: 'UNKNOWN_EMPLOYER',
  UNKNOWN_AID: 'UNKNOWN_AID',
  UNKNOWN_ACCOMPANIMENT: 'UNKNOWN_ACCOMPANIMENT',
  UNKNOWN_REQUEST: 'UNKNOWN_REQUEST',
  AMOUNT_ABOVE_CEILING: 'AMOUNT_ABOVE_CEILING',
  AID_NOT_FOR_BENEFICIARY: 'AID_NOT_FOR_BENEFICIARY',
  ALREADY_DECIDED: 'ALREADY_DECIDED',
  ACCOMPANIMENT_CLOSED: 'ACCOMPANIMENT_CLOSED',
  DECLARATION_EXISTS: 'DECLARATION_EXISTS',
  IDEMPOTENCY_KEY_REUSED: 'IDEMPOTENCY_KEY_REUSED',
  FORBIDDEN: 'FORBIDDEN',
  UNAUTHENTICATED: 'UNAUTHENTICATED',
} as const;

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** Throws a typed error for input the caller can fix; `field` names the offending input field. */
export function reject(code: ErrorCode, message: string, field?: string): never {
  throw new GraphQLError(message, { extensions: { code, ...(field ? { field } : {}) } });
}

const PUBLIC_CODES = new Set<string>([...Object.values(ErrorCode), 'GRAPHQL_VALIDATION_FAILED', 'GRAPHQL_PARSE_FAILED', 'PERSISTED_QUERY_NOT_FOUND', 'PERSISTED_QUERY_NOT_SUPPORTED', 'BAD_REQUEST', 'OPERATION_RESOLUTION_FAILURE']);

/** True for errors whose message is written for the caller; anything else is masked. */
export function isPublicError(code: unknown): boolean {
  return typeof code === 'string' && PUBLIC_CODES.has(code);
}
