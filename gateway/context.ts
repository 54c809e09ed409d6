// What the gateway knows about a request once it is authenticated.
import type { Caller } from '../subgraphs/kit/caller.ts';

export interface GatewayContext {
  readonly caller: Caller;
  /** Set when the operation is resolved; signed into subgraph calls for their audit logs. */
  operationName: string | null;
}
