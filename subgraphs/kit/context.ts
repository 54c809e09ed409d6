// The request context every resolver receives: one unit of work (em fork), the verified caller,
// per-request loaders and the audit trail of the request.
import type { EntityManager } from '@mikro-orm/core';
import type { Caller } from './caller.ts';
import { AuditTrail } from './audit.ts';

export interface SubgraphContext {
  readonly em: EntityManager;
  readonly caller: Caller;
  readonly operationName: string | null;
  readonly audit: AuditTrail;
  /** A per-request memo: the loader named `name` is built once per request by `make`. */
  loader<T>(name: string, make: (em: EntityManager) => T): T;
}

export function createContext(em: EntityManager, caller: Caller, operationName: string | null): SubgraphContext {
  const loaders = new Map<string, unknown>();
  const fork = em.fork();
  return {
    em: fork,
    caller,
    operationName,
    audit: new AuditTrail(caller, operationName),
    loader<T>(name: string, make: (em: EntityManager) => T): T {
      if (!loaders.has(name)) loaders.set(name, make(fork));
      return loaders.get(name) as T;
    },
  };
}
