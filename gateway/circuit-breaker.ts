// One circuit breaker per subgraph (cockatiel): after `failures` faults in a row the gateway stops
// calling that subgraph and answers its fields at once with SUBGRAPH_UNAVAILABLE; every
// `halfOpenMs` one request goes through as a probe, and the first that succeeds closes the circuit.
// Only faults of the wire count (down, slow, garbage): a subgraph's own GraphQL errors never do.
import { BrokenCircuitError, circuitBreaker, CircuitState, ConsecutiveBreaker, handleWhen, type CircuitBreakerPolicy } from 'cockatiel';
import { SubgraphFault, SubgraphFaultCode } from './subgraph-faults.ts';

export type BreakerState = 'closed' | 'open' | 'half-open';

export const BREAKER_STATES: readonly BreakerState[] = ['closed', 'open', 'half-open'];

export interface CircuitBreakerOptions {
  /** Consecutive faults that open the circuit. */
  readonly failures: number;
  /** How long an open circuit waits before letting one probe through. */
  readonly halfOpenMs: number;
  /** Called with the state of a new breaker (previous null), then on every change. */
  readonly onStateChange?: (subgraph: string, state: BreakerState, previous: BreakerState | null) => void;
}

/** The cause of the faults an open circuit answers with (no call was made). */
export const CIRCUIT_OPEN = 'circuit open';

export function isCircuitRefusal(error: SubgraphFault): boolean {
  return error.cause === CIRCUIT_OPEN;
}

function stateName(state: CircuitState): BreakerState {
  if (state === CircuitState.Closed) return 'closed';
  if (state === CircuitState.HalfOpen) return 'half-open';
  return 'open';
}

/** The breakers of every subgraph, kept across supergraph reloads (they are keyed by name). */
export class SubgraphBreakers {
  readonly #options: CircuitBreakerOptions;
  readonly #policies = new Map<string, CircuitBreakerPolicy>();

  constructor(options: CircuitBreakerOptions) {
    this.#options = options;
  }

  #policy(subgraph: string): CircuitBreakerPolicy {
    let policy = this.#policies.get(subgraph);
    if (!policy) {
      policy = circuitBreaker(handleWhen((error) => error instanceof SubgraphFault), {
        halfOpenAfter: this.#options.halfOpenMs,
        breaker: new ConsecutiveBreaker(this.#options.failures),
      });
      let current: BreakerState = 'closed';
      policy.onStateChange((state) => {
        const previous = current;
        current = stateName(state);
        this.#options.onStateChange?.(subgraph, current, previous);
      });
      this.#policies.set(subgraph, policy);
      this.#options.onStateChange?.(subgraph, current, null);
    }
    return policy;
  }

  /** Runs one call to `subgraph` unless its circuit is open (then a SUBGRAPH_UNAVAILABLE fault). */
  async call<T>(subgraph: string, attempt: () => Promise<T>): Promise<T> {
    try {
      return await this.#policy(subgraph).execute(attempt);
    } catch (error) {
      if (error instanceof BrokenCircuitError) throw new SubgraphFault(SubgraphFaultCode.UNAVAILABLE, subgraph, CIRCUIT_OPEN);
      throw error;
    }
  }

  state(subgraph: string): BreakerState {
    return stateName(this.#policy(subgraph).state);
  }
}
