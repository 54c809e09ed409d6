// Error masking at the gateway: the subgraphs' rule (kit/errors.ts), plus the codes the gateway's
// own layers answer with. Subgraph failures (down, slow, crashed) and internal errors look the same.
import type { GraphQLFormattedError } from 'graphql';
import { maskError } from '../subgraphs/kit/errors.ts';

const GATEWAY_PUBLIC = new Set(['UNAUTHENTICATED', 'FORBIDDEN', 'PAYLOAD_TOO_LARGE', 'BAD_REQUEST', 'OPERATION_NOT_TRUSTED', 'QUERY_TOO_COMPLEX', 'BATCHING_NOT_ALLOWED']);

export function maskGatewayError(formatted: GraphQLFormattedError, onMasked?: (code: unknown) => void): GraphQLFormattedError {
  return maskError(formatted, onMasked, GATEWAY_PUBLIC);
}
