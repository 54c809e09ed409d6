// Passerelle's executor of Apollo's query plans. ApolloGateway keeps everything up to the plan: the
// supergraph, its query planner (with progressive override's conditions, override.ts) and its plan
// cache (same keys, same store, counted by metrics.ts). This module takes the plan and executes it:
// plan.ts walks it, fetch.ts calls the subgraphs through the gateway's SubgraphClient (signed, timed,
// behind the circuit breaker, one client span per call: subgraph-calls.ts; entity fetches to one
// subgraph that start together merged into one call: entity-batches.ts), merge.ts builds one tree,
// shape.ts writes the client's answer with a shaping function compiled once per plan.
// @defer: the planner plans deferred fragments and the served schema declares @defer (both turned on
// here: ApolloGateway's executor refuses such plans). A client that reads incremental delivery
// (incremental-delivery.ts: Apollo Client's `multipart/mixed; deferSpec=20220824`) gets the primary
// part as the answer and each deferred part as a payload of its own (deferred.ts); any other client
// gets the whole answer at once, as if the operation had no @defer.
// Plans it does not run are handed, explicitly, to ApolloGateway's own executor, unchanged:
// subscriptions (ApolloGateway refuses them) and fetches with @fromContext rewrites
// (ApolloGateway ignores those; running them differently would change answers).
// The answers are those of ApolloGateway's executor (test/executor-differential.test.ts proves it on
// real subgraphs; the federation-gateway-audit is run against both, see README).
import { createHash } from 'node:crypto';
import { buildOperationContext, type ApolloGateway, type GatewayConfig, type GraphQLDataSource } from '@apollo/gateway';
import { GraphQLDataSourceRequestKind } from '@apollo/gateway/dist/datasources/types.js';
import { addExtensions } from '@apollo/gateway/dist/schema-helper/addExtensions.js';
import { operationFromDocument, type Operation, type Schema } from '@apollo/federation-internals';
import type { QueryPlan, QueryPlanner, ResponsePath } from '@apollo/query-planner';
import type { GatewayExecutionResult, GatewayExecutor, GatewayGraphQLRequestContext } from '@apollo/server-gateway-interface';
import { trace, SpanStatusCode } from '@opentelemetry/api';
import { getVariableValues, GraphQLError, Kind, type DocumentNode, type GraphQLSchema, type VariableDefinitionNode } from 'graphql';
import { SignedSubgraphCall } from '../subgraph-calls.ts';
import type { GatewayContext } from '../context.ts';
import { acceptsIncrementalDelivery, offerSubsequentPayloads } from '../incremental-delivery.ts';
import type { ResultMap } from './cursor.ts';
import { DeferredParts } from './deferred.ts';
import { EntityBatches, type SubgraphLink } from './entity-batches.ts';
import type { SendFetch } from './fetch.ts';
import { introspection } from './introspection.ts';
import { executeNode, isExecutable } from './plan.ts';
import { compileShaping, type DeferredSite, type ShapedAnswer, type Shaping } from './shape.ts';

/** The parts of ApolloGateway this executor reads (private in its types, stable in 2.x). */
interface ApolloInternals {
  config: GatewayConfig;
  executor: GatewayExecutor;
  schema?: GraphQLSchema;
  apiSchema?: Schema;
  supergraphSchema?: GraphQLSchema;
  serviceMap: Record<string, { dataSource: GraphQLDataSource }>;
  queryPlanner?: QueryPlanner;
  queryPlanStore: { get(key: string): Promise<QueryPlan | undefined>; set(key: string, plan: QueryPlan): Promise<void> };
  recursiveSelectionsLimitDisabled: boolean;
  nonLocalSelectionsLimitDisabled: boolean;
  logger: { warn(message: string): void };
}

/** What each plan needs besides itself, compiled on its first execution and kept as long as the plan. */
interface CompiledPlan {
  readonly operation: Operation;
  readonly shaping: Shaping;
  /** Whether the operation has @defer, and the labels the gateway gave to those without one. */
  readonly defers: boolean;
  readonly syntheticLabels: ReadonlySet<string>;
}

/**
 * The operation with every @defer labelled as the planner would label it, and the labels kept: the
 * plan's deferred parts then each name the fragment they answer (the planner leaves its own labels
 * out of plans). Operations without @defer are left as they are (their named fragments are reused in
 * subgraph fetches).
 */
function withDeferLabels(operation: Operation): { operation: Operation; synthetic: ReadonlySet<string> } {
  if (!operation.selectionSet.hasDefer()) return { operation, synthetic: new Set() };
  const normalized = operation.expandAllFragments().withNormalizedDefer();
  return { operation: normalized.operation, synthetic: normalized.assignedDeferLabels };
}

const tracer = trace.getTracer('passerelle-executor');
const PLAN_KEYS_KEPT = 4000;

/** Makes `gateway` execute its plans with this executor; call before it loads, before progressiveOverride. */
export function usePasserelleExecutor(gateway: ApolloGateway): void {
  const internals = gateway as unknown as ApolloInternals;
  const apollo = internals.executor;
  internals.config.queryPlannerConfig = { ...internals.config.queryPlannerConfig, incrementalDelivery: { enableDefer: true } };
  servesDefer(gateway, internals);
  const compiled = new WeakMap<QueryPlan, CompiledPlan>();
  const planKeys = new Map<string, string>();

  /** ApolloGateway's plan cache key: the document hash, with the operation name when there is one. */
  const planKey = (queryHash: string, operationName: string | undefined | null): string => {
    if (!operationName) return queryHash;
    const memo = `${queryHash}\n${operationName}`;
    let key = planKeys.get(memo);
    if (!key) {
      key = createHash('sha256').update(queryHash).update(operationName).digest('hex');
      if (planKeys.size >= PLAN_KEYS_KEPT) planKeys.delete(planKeys.keys().next().value!);
      planKeys.set(memo, key);
    }
    return key;
  };

  const planOf = async (requestContext: GatewayGraphQLRequestContext): Promise<QueryPlan> => {
    const { request, document } = requestContext;
    const key = planKey(requestContext.queryHash, request.operationName);
    let plan = await internals.queryPlanStore.get(key);
    if (!plan) {
      const { operation } = withDeferLabels(operationFromDocument(internals.apiSchema!, document, { operationName: request.operationName }));
      plan = internals.queryPlanner!.buildQueryPlan(operation, {
        recursiveSelectionsLimitDisabled: internals.recursiveSelectionsLimitDisabled,
        nonLocalSelectionsLimitDisabled: internals.nonLocalSelectionsLimitDisabled,
      });
      try {
        await internals.queryPlanStore.set(key, plan);
      } catch (error) {
        internals.logger.warn(`Could not store queryPlan${(error as Error)?.message ?? error}`);
      }
    }
    return plan;
  };

  const compile = (plan: QueryPlan, operationContext: ReturnType<typeof buildOperationContext>): CompiledPlan => {
    let entry = compiled.get(plan);
    if (!entry) {
      const parsed = operationFromDocument(internals.apiSchema!, { kind: Kind.DOCUMENT, definitions: [operationContext.operation, ...Object.values(operationContext.fragments)] }, { validate: false });
      const { operation, synthetic } = withDeferLabels(parsed);
      entry = {
        operation,
        shaping: compileShaping(operation, introspection(operationContext.schema, operationContext.operation.variableDefinitions)),
        defers: operation.selectionSet.hasDefer(),
        syntheticLabels: synthetic,
      };
      compiled.set(plan, entry);
    }
    return entry;
  };

  /** The request's way to each subgraph: its entity fetches merged per subgraph (entity-batches.ts). */
  const subgraphOf = (requestContext: GatewayGraphQLRequestContext): ((name: string) => SendFetch) => {
    const context = requestContext.context as Partial<GatewayContext>;
    const caller = 'caller' in context && context.caller ? (context as GatewayContext) : undefined;
    const link = (name: string): SubgraphLink => {
      const source = internals.serviceMap[name]?.dataSource;
      if (!source) throw new Error(`Couldn't find service with name "${name}"`);
      if (source instanceof SignedSubgraphCall) {
        return {
          send: (fetch, variables) => source.client.call({ query: fetch.operation, variables, operationName: fetch.operationName }, caller),
          sendMerged: (request, parts) => source.client.callMerged(request, parts, caller),
        };
      }
      const process = (request: { query: string; variables: Record<string, unknown>; operationName?: string }, document: DocumentNode | undefined, path: ResponsePath) => source.process({
        kind: GraphQLDataSourceRequestKind.INCOMING_OPERATION,
        request,
        incomingRequestContext: requestContext,
        context: requestContext.context,
        document,
        pathInIncomingRequest: path,
      } as Parameters<GraphQLDataSource['process']>[0]);
      return {
        send: (fetch, variables, path) => process({ query: fetch.operation, variables, operationName: fetch.operationName }, fetch.operationDocumentNode, path),
        sendMerged: async (request) => ({ answer: await process({ query: request.query, variables: request.variables, operationName: request.operationName }, request.document, []) }),
      };
    };
    const batches = new EntityBatches(link);
    return (name) => batches.sender(name);
  };

  const execute = async (requestContext: GatewayGraphQLRequestContext): Promise<GatewayExecutionResult> => {
    const { request, document } = requestContext;
    let operationContext: ReturnType<typeof buildOperationContext>;
    try {
      operationContext = buildOperationContext({ schema: internals.schema!, operationDocument: document, operationName: request.operationName ?? undefined });
    } catch (error) {
      // An operation name the document does not define: the caller's mistake, answered as such (as
      // ApolloGateway's executor answers it), not a failure of the gateway.
      if (error instanceof GraphQLError) return { errors: [new GraphQLError(error.message, { extensions: { code: 'BAD_REQUEST' } })] };
      throw error;
    }
    const definitions = operationContext.operation.variableDefinitions as VariableDefinitionNode[] | undefined;
    if (definitions) {
      const { errors } = getVariableValues(operationContext.schema, definitions, request.variables ?? {});
      if (errors) return { errors };
    }
    const plan = await planOf(requestContext);
    if (!isExecutable(plan)) return apollo(requestContext);

    let entry: CompiledPlan;
    try {
      entry = compile(plan, operationContext);
    } catch (error) {
      if (error instanceof GraphQLError) return { errors: [error] };
      throw error;
    }
    const errors: (GraphQLError | Error)[] = [];
    const tree: ResultMap = Object.create(null);
    const deferred = entry.defers && acceptsIncrementalDelivery(request.http?.headers.get('accept')) ? new DeferredParts(entry.shaping, request.variables, entry.syntheticLabels) : undefined;
    if (plan.node) {
      await executeNode(
        { supergraphSchema: internals.supergraphSchema!, variables: request.variables, errors, subgraph: subgraphOf(requestContext), variableDefinitions: entry.operation.variableDefinitions, deferred },
        plan.node as Parameters<typeof executeNode>[1],
        { path: [], data: tree, root: tree },
      );
    }
    let shaped: ShapedAnswer;
    const sites: DeferredSite[] | undefined = deferred && [];
    try {
      shaped = entry.shaping.answer(tree, request.variables, sites);
    } catch (error) {
      if (error instanceof GraphQLError) return { errors: [error] };
      if (error instanceof Error) return { errors: [new GraphQLError(error.message, { originalError: error })] };
      return { errors: [new GraphQLError('Unexpected error during query plan execution')] };
    }
    if (deferred && shaped.data && deferred.start(sites!, shaped.data)) offerSubsequentPayloads(requestContext.context, deferred.payloads());
    // As ApolloGateway: errors found while shaping go to `extensions.valueCompletion` when the
    // plan's execution had none, and are dropped otherwise (they would repeat a fetch's error).
    if (errors.length === 0 && shaped.errors.length > 0) return { extensions: { valueCompletion: shaped.errors }, data: shaped.data };
    return errors.length === 0 ? { data: shaped.data } : { errors: errors as GraphQLError[], data: shaped.data };
  };

  internals.executor = (requestContext) =>
    tracer.startActiveSpan('gateway.request', async (span) => {
      try {
        const result = await execute(requestContext);
        if (result.errors) span.setStatus({ code: SpanStatusCode.ERROR });
        return result;
      } catch (error) {
        span.setStatus({ code: SpanStatusCode.ERROR });
        throw error;
      } finally {
        span.end();
      }
    });
}

/**
 * The schema Apollo Server validates against and introspection shows declares @defer: every listener
 * of schema loads (Apollo Server, the authorization layer) gets ApolloGateway's API schema with it.
 */
function servesDefer(gateway: ApolloGateway, internals: ApolloInternals): void {
  const register = gateway.onSchemaLoadOrUpdate.bind(gateway);
  let served: { readonly loaded: GraphQLSchema; readonly schema: GraphQLSchema } | undefined;
  const withDefer = (loaded: GraphQLSchema): GraphQLSchema => {
    if (served && (loaded === served.loaded || loaded === served.schema)) return served.schema;
    served = { loaded, schema: addExtensions(internals.apiSchema!.toGraphQLJSSchema({ includeDefer: true })) };
    internals.schema = served.schema;
    return served.schema;
  };
  gateway.onSchemaLoadOrUpdate = (callback) => register((update) => callback({ ...update, apiSchema: withDefer(update.apiSchema) }));
}
