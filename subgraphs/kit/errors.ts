// Typed errors: a client branches on `extensions.code`, never on the message.
// Every rejection happens before anything is written (mutations run in one transaction).
import { GraphQLError, type GraphQLFormattedError } from 'graphql';

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

/**
 * What reaches a caller of an error: its message, path and code (and the input field) when it is a
 * typed error written for the caller — one of ours or one of `alsoPublic`; otherwise `internal
 * error` with its path and code only: never a stack, SQL, a subgraph name or host, or variables.
 */
export function maskError(formatted: GraphQLFormattedError, onMasked?: (code: unknown) => void, alsoPublic: ReadonlySet<string> = new Set()): GraphQLFormattedError {
  const code = formatted.extensions?.code;
  const { path, locations } = formatted;
  if (typeof code === 'string' && (PUBLIC_CODES.has(code) || alsoPublic.has(code))) {
    const extensions: Record<string, unknown> = { code };
    if (formatted.extensions?.field) extensions.field = formatted.extensions.field;
    return { message: formatted.message, ...(path ? { path } : {}), ...(locations ? { locations } : {}), extensions };
  }
  onMasked?.(code);
  return { message: 'internal error', ...(path ? { path } : {}), extensions: { code: 'INTERNAL_SERVER_ERROR' } };
}
