// Walks a query plan: Sequence (in order, so mutations run one after the other), Parallel (at once),
// Flatten (moves the cursor into the list or object at its path), Condition (@skip/@include on a
// variable), Fetch (fetch.ts), Defer (@defer: its primary part, and its deferred parts either run
// whole after it or handed to deferred.ts to be answered as payloads of their own). A fetch that
// throws is an error of the answer, never of the request.
// Subscription nodes never reach here (index.ts hands those plans to Apollo's executor).
import { evaluateCondition, type PlanNode, type QueryPlan } from '@apollo/query-planner';
import type { VariableDefinitions } from '@apollo/federation-internals';
import { moveInto, type Cursor } from './cursor.ts';
import type { DeferredParts } from './deferred.ts';
import { executeFetch, type FetchContext } from './fetch.ts';

export interface PlanContext extends FetchContext {
  readonly variableDefinitions: VariableDefinitions;
  /** Set when deferred parts are answered as payloads of their own; unset, a Defer node runs whole. */
  readonly deferred?: DeferredParts;
  /** The label of the deferred part being executed; none in the primary part. */
  readonly deferLabel?: string;
}

export async function executeNode(context: PlanContext, node: PlanNode, cursor: Cursor | undefined): Promise<void> {
  if (!cursor) return;
  switch (node.kind) {
    case 'Sequence':
      for (const child of node.nodes) await executeNode(context, child, cursor);
      return;
    case 'Parallel':
      await Promise.all(node.nodes.map((child) => executeNode(context, child, cursor)));
      return;
    case 'Flatten':
      return executeNode(context, node.node, moveInto(cursor, node.path));
    case 'Fetch':
      try {
        await executeFetch(context, node, cursor);
      } catch (error) {
        context.errors.push(error as Error);
      }
      if (node.id !== undefined) context.deferred?.fetched(node.id);
      return;
    case 'Condition': {
      const branch = evaluateCondition(node, context.variableDefinitions, context.variables as Record<string, any> | undefined) ? node.ifClause : node.elseClause;
      if (branch) await executeNode(context, branch, cursor);
      return;
    }
    case 'Defer': {
      if (!context.deferred) {
        // One answer: the primary part, then each deferred part (what they depend on is in the primary).
        if (node.primary.node) await executeNode(context, node.primary.node, cursor);
        await Promise.all(node.deferred.map((part) => part.node && executeNode(context, part.node, cursor)));
        return;
      }
      let primaryDone!: () => void;
      context.deferred.schedule(node.deferred, new Promise<void>((resolve) => (primaryDone = resolve)), context, cursor);
      try {
        if (node.primary.node) await executeNode(context, node.primary.node, cursor);
      } finally {
        primaryDone();
      }
      return;
    }
  }
}

/** Plans this executor runs itself: no subscription, no @fromContext rewrites (ApolloGateway's own executor ignores those). */
export function isExecutable(plan: QueryPlan): boolean {
  return !plan.node || (plan.node.kind !== 'Subscription' && executable(plan.node));
}

function executable(node: PlanNode): boolean {
  switch (node.kind) {
    case 'Sequence':
    case 'Parallel':
      return node.nodes.every(executable);
    case 'Flatten':
      return executable(node.node);
    case 'Condition':
      return (!node.ifClause || executable(node.ifClause)) && (!node.elseClause || executable(node.elseClause));
    case 'Fetch':
      return !node.contextRewrites?.length;
    case 'Defer':
      return (!node.primary.node || executable(node.primary.node)) && node.deferred.every((part) => !part.node || executable(part.node));
    default:
      return false;
  }
}
