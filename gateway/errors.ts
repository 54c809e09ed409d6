// Error masking at the gateway: the subgraphs' rule (kit/errors.ts), plus the codes the gateway's
// own layers answer with. A subgraph that is down, slow or answers garbage is reported with a
// SUBGRAPH_* code and the partner concerned (subgraph-faults.ts), never its host or process;
// anything else unexpected is `internal error`.
import type { GraphQLFormattedError } from 'graphql';
import { maskError } from '../subgraphs/kit/errors.ts';
import { SUBGRAPH_FAULT_CODES } from './subgraph-faults.ts';

const GATEWAY_PUBLIC = new Set(['UNAUTHENTICATED', 'FORBIDDEN', 'PAYLOAD_TOO_LARGE', 'BAD_REQUEST', 'OPERATION_NOT_TRUSTED', 'QUERY_TOO_COMPLEX', 'BATCHING_NOT_ALLOWED', 'RATE_LIMITED', ...SUBGRAPH_FAULT_CODES]);

export function maskGatewayError(formatted: GraphQLFormattedError, onMasked?: (code: unknown) => void): GraphQLFormattedError {
  const masked = maskError(formatted, onMasked, GATEWAY_PUBLIC);
  const code = masked.extensions?.code;
  const partner = formatted.extensions?.partner;
  if (typeof code === 'string' && SUBGRAPH_FAULT_CODES.has(code) && typeof partner === 'string') {
    return { ...masked, extensions: { ...masked.extensions, partner } };
  }
  return masked;
}
