// What the gateway knows about a request once it is authenticated.
import type { Caller } from '../subgraphs/kit/caller.ts';

/** A partner app's registered operation: its cost was computed and limited at registration. */
export interface RegisteredOperationMark {
  readonly app: string;
  readonly name: string;
  readonly cost: number;
}

export interface GatewayContext {
  readonly caller: Caller;
  /** Set when the operation is resolved; signed into subgraph calls for their audit logs. */
  operationName: string | null;
  /** Set by trusted-documents.ts before validation when the document is a registered operation, else null. */
  registeredOperation: RegisteredOperationMark | null;
  /** Carried by every log line about the request and sent to subgraphs (request-log.ts). */
  readonly requestId: string;
}
