// What reaches a client of an error: its message when it is a typed error written for the caller,
// its path and code always; never a stack, SQL, a subgraph name or host, or variable values.
import type { GraphQLFormattedError } from 'graphql';
import { isPublicError } from '../subgraphs/kit/errors.ts';

const GATEWAY_PUBLIC = new Set(['UNAUTHENTICATED', 'FORBIDDEN', 'PAYLOAD_TOO_LARGE', 'BAD_REQUEST', 'OPERATION_NOT_TRUSTED', 'QUERY_TOO_COMPLEX', 'BATCHING_NOT_ALLOWED']);

export function maskGatewayError(formatted: GraphQLFormattedError, onMasked?: (code: unknown) => void): GraphQLFormattedError {
  const code = formatted.extensions?.code;
  const { path, locations } = formatted;
  if (isPublicError(code) || GATEWAY_PUBLIC.has(String(code))) {
    const extensions: Record<string, unknown> = { code };
    if (formatted.extensions?.field) extensions.field = formatted.extensions.field;
    return { message: formatted.message, ...(path ? { path } : {}), ...(locations ? { locations } : {}), extensions };
  }
  onMasked?.(code);
  // Subgraph failures (down, slow, crashed) and internal errors look the same to the caller.
  return { message: 'internal error', ...(path ? { path } : {}), extensions: { code: 'INTERNAL_SERVER_ERROR' } };
}
