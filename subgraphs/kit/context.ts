// The request context every resolver receives: one unit of work (em fork), the verified caller, its
// perimeter under the partner's policy, the rows it may read, and the audit trail of the request.
import type { EntityManager } from '@mikro-orm/core';
import type { Caller } from './caller.ts';
import { AuditTrail } from './audit.ts';
import { Perimeter } from './perimeter.ts';
import type { PartnerPolicy } from './policy.ts';
import { Rows } from './rows.ts';
import { systemClock, todayIn, type Clock } from './clock.ts';

export interface SubgraphContext {
  readonly em: EntityManager;
  readonly caller: Caller;
  readonly operationName: string | null;
  readonly policy: PartnerPolicy;
  readonly perimeter: Perimeter;
  /** Reads of governed tables: always within the caller's perimeter. */
  readonly rows: Rows;
  readonly audit: AuditTrail;
  /** The subgraph's clock (kit/clock.ts); `today` is the calendar date in a département's time zone. */
  readonly clock: Clock;
  today(departement: string): string;
  /** A per-request memo: the loader named `name` is built once per request by `make`. */
  loader<T>(name: string, make: (em: EntityManager) => T): T;
}

export interface ContextOptions {
  readonly em: EntityManager;
  readonly caller: Caller;
  readonly operationName: string | null;
  readonly policy: PartnerPolicy;
  readonly clock?: Clock;
}

export function createContext(options: ContextOptions): SubgraphContext {
  const loaders = new Map<string, unknown>();
  const fork = options.em.fork();
  const perimeter = new Perimeter(options.policy, options.caller, fork);
  return {
    em: fork,
    caller: options.caller,
    operationName: options.operationName,
    policy: options.policy,
    perimeter,
    rows: new Rows(fork, perimeter),
    audit: new AuditTrail(options.caller, options.operationName),
    clock: options.clock ?? systemClock,
    today: (departement) => todayIn(departement, options.clock ?? systemClock),
    loader<T>(name: string, make: (em: EntityManager) => T): T {
      if (!loaders.has(name)) loaders.set(name, make(fork));
      return loaders.get(name) as T;
    },
  };
}
