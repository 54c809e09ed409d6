// Progressive override through our gateway: `@override(from: "a", label: "percent(N)")` moves a field
// to the overriding subgraph for N % of requests. The query planner takes per-request
// `overrideConditions` (label → on/off; every label is off by default), but ApolloGateway never
// passes any, so a labelled override stays on the subgraph it comes from. Here, per request, each
// `percent(N)` label of the supergraph is drawn on with probability N/100 (as Apollo Router does),
// the plan is built with those conditions, and the plan cache key carries them (one plan per
// combination of labels, never a plan of the other side reused). Other labels (feature flags the
// Router resolves in a coprocessor) stay off. Reloads of the supergraph re-read the labels.
import { AsyncLocalStorage } from 'node:async_hooks';
import { createHash } from 'node:crypto';
import type { ApolloGateway } from '@apollo/gateway';
import type { GatewayExecutor } from '@apollo/server-gateway-interface';

const PERCENT = /^percent\((\d{1,3}(?:\.\d+)?)\)$/;

/** The `percent(N)` labels of a supergraph and their N. */
export function percentLabels(supergraphSdl: string): Map<string, number> {
  const labels = new Map<string, number>();
  for (const match of supergraphSdl.matchAll(/overrideLabel:\s*"([^"]+)"/g)) {
    const percent = PERCENT.exec(match[1]);
    if (percent && Number(percent[1]) <= 100) labels.set(match[1], Number(percent[1]));
  }
  return labels;
}

/** One request's draw: each label on with probability N/100. */
export function drawLabels(labels: ReadonlyMap<string, number>, random: () => number = Math.random): Map<string, boolean> {
  return new Map([...labels].map(([label, percent]) => [label, random() * 100 < percent]));
}

interface Planner { buildQueryPlan(operation: unknown, options?: object): unknown }
interface GatewayInternals { executor: GatewayExecutor; queryPlanner?: Planner }

/** Makes `gateway` honour progressive override labels; call before it loads. */
export function progressiveOverride(gateway: ApolloGateway, random: () => number = Math.random): void {
  const internals = gateway as unknown as GatewayInternals;
  const conditions = new AsyncLocalStorage<Map<string, boolean>>();
  const patched = new WeakSet<Planner>();
  let labels = new Map<string, number>();
  gateway.onSchemaLoadOrUpdate(({ coreSupergraphSdl }) => {
    labels = percentLabels(coreSupergraphSdl);
    const planner = internals.queryPlanner;
    if (!planner || patched.has(planner)) return;
    patched.add(planner);
    const build = planner.buildQueryPlan.bind(planner);
    planner.buildQueryPlan = (operation, options) => build(operation, { ...options, overrideConditions: conditions.getStore() });
  });
  const execute = internals.executor;
  internals.executor = (requestContext) => {
    if (labels.size === 0) return execute(requestContext);
    const drawn = drawLabels(labels, random);
    const signature = [...drawn].map(([label, on]) => `${label}=${on ? 1 : 0}`).join('\n');
    const queryHash = createHash('sha256').update(requestContext.queryHash).update('\n').update(signature).digest('hex');
    return conditions.run(drawn, () => execute({ ...requestContext, queryHash } as typeof requestContext));
  };
}
