// Passerelle's executor of Apollo's query plans. ApolloGateway keeps everything up to the plan: the
// supergraph, its query planner (with progressive override's conditions, override.ts) and its plan
// cache (same keys, same store, counted by metrics.ts). This module takes the plan and executes it:
// plan.ts walks it, fetch.ts calls the subgraphs through the gateway's SubgraphClient (signed, timed,
// behind the circuit breaker, one client span per call: subgraph-calls.ts), merge.ts builds one tree,
// shape.ts writes the client's answer with a shaping function compiled once per plan.
// Plans it does not run are handed, explicitly, to ApolloGateway's own executor, unchanged:
// subscriptions and @defer (ApolloGateway refuses both) and fetches with @fromContext rewrites
// (ApolloGateway ignores those; running them differently would change answers).
// The answers are those of ApolloGateway's executor (test/executor-differential.test.ts proves it on
// real subgraphs; the federation-gateway-audit is run against both, see README).
import { createHash } from 'node:crypto';
import { buildOperationContext, type ApolloGateway, type GraphQLDataSource } from '@apollo/gateway';
import { GraphQLDataSourceRequestKind } from '@apollo/gateway/dist/datasources/types.js';
import { operationFromDocument, type Operation, type Schema } from '@apollo/federation-internals';
import type { QueryPlan, QueryPlanner } from '@apollo/query-planner';
import type { GatewayExecutionResult, GatewayExecutor, GatewayGraphQLRequestContext } from '@apollo/server-gateway-interface';
import { trace, SpanStatusCode } from '@opentelemetry/api';
import { getVariableValues, GraphQLError, Kind, type GraphQLSchema, type VariableDefinitionNode } from 'graphql';
import { SignedSubgraphCall } from '../subgraph-calls.ts';
import type { GatewayContext } from '../context.ts';
import type { ResultMap } from './cursor.ts';
import type { SendFetch } from './fetch.ts';
import { introspection } from './introspection.ts';
import { executeNode, isExecutable } from './plan.ts';
import { compileShaping, type ShapedAnswer } from './shape.ts';

/** The parts of ApolloGateway this executor reads (private in its types, stable in 2.x). */
interface ApolloInternals {
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
  readonly shape: (input: ResultMap, variables: Record<string, any> | undefined) => ShapedAnswer;
}

const tracer = trace.getTracer('passerelle-executor');
const PLAN_KEYS_KEPT = 4000;

/** Makes `gateway` execute its plans with this executor; call before it loads, before progressiveOverride. */
export function usePasserelleExecutor(gateway: ApolloGateway): void {
  const internals = gateway as unknown as ApolloInternals;
  const apollo = internals.executor;
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
      const operation = operationFromDocument(internals.apiSchema!, document, { operationName: request.operationName });
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
      const operation = operationFromDocument(internals.apiSchema!, { kind: Kind.DOCUMENT, definitions: [operationContext.operation, ...Object.values(operationContext.fragments)] }, { validate: false });
      entry = { operation, shape: compileShaping(operation, introspection(operationContext.schema, operationContext.operation.variableDefinitions)) };
      compiled.set(plan, entry);
    }
    return entry;
  };

  const subgraphOf = (requestContext: GatewayGraphQLRequestContext) => (name: string): SendFetch => {
    const source = internals.serviceMap[name]?.dataSource;
    if (!source) throw new Error(`Couldn't find service with name "${name}"`);
    const context = requestContext.context as Partial<GatewayContext>;
    if (source instanceof SignedSubgraphCall) {
      const caller = 'caller' in context && context.caller ? (context as GatewayContext) : undefined;
      return (fetch, variables) => source.client.call({ query: fetch.operation, variables, operationName: fetch.operationName }, caller);
    }
    return (fetch, variables, path) => source.process({
      kind: GraphQLDataSourceRequestKind.INCOMING_OPERATION,
      request: { query: fetch.operation, variables, operationName: fetch.operationName },
      incomingRequestContext: requestContext,
      context: requestContext.context,
      document: fetch.operationDocumentNode,
      pathInIncomingRequest: path,
    } as Parameters<GraphQLDataSource['process']>[0]);
  };

  const execute = async (requestContext: GatewayGraphQLRequestContext): Promise<GatewayExecutionResult> => {
    const { request, document } = requestContext;
    const operationContext = buildOperationContext({ schema: internals.schema!, operationDocument: document, operationName: request.operationName ?? undefined });
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
    if (plan.node) {
      await executeNode(
        { supergraphSchema: internals.supergraphSchema!, variables: request.variables, errors, subgraph: subgraphOf(requestContext), variableDefinitions: entry.operation.variableDefinitions },
        plan.node as Parameters<typeof executeNode>[1],
        { path: [], data: tree, root: tree },
      );
    }
    let shaped: ShapedAnswer;
    try {
      shaped = entry.shape(tree, request.variables);
    } catch (error) {
      if (error instanceof GraphQLError) return { errors: [error] };
      if (error instanceof Error) return { errors: [new GraphQLError(error.message, { originalError: error })] };
      return { errors: [new GraphQLError('Unexpected error during query plan execution')] };
    }
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
