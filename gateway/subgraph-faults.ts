// What a failed subgraph call becomes for the caller: the fields that subgraph was asked for are
// missing, each with an error at its own path carrying a public code and the partner concerned —
// never a host, a port, a process or the transport's own message. The other subgraphs' data stays.
import { Kind, parse, type DocumentNode, type GraphQLFormattedError, type OperationDefinitionNode, type SelectionSetNode } from 'graphql';
import { PLUMBING } from '../subgraphs/kit/hub.ts';

export const SubgraphFaultCode = {
  /** Could not connect, the connection was cut before an answer, a 5xx, or its circuit is open. */
  UNAVAILABLE: 'SUBGRAPH_UNAVAILABLE',
  /** No complete answer within the gateway's subgraph timeout. */
  TIMEOUT: 'SUBGRAPH_TIMEOUT',
  /** It answered, but not with a GraphQL response the gateway can read. */
  BAD_RESPONSE: 'SUBGRAPH_BAD_RESPONSE',
} as const;
export type SubgraphFaultCode = (typeof SubgraphFaultCode)[keyof typeof SubgraphFaultCode];

export const SUBGRAPH_FAULT_CODES: ReadonlySet<string> = new Set(Object.values(SubgraphFaultCode));

/** The partner owning each subgraph, as the graph names it (the `Partner` enum) and for people. */
const PARTNERS: Readonly<Record<string, { readonly partner: string; readonly label: string }>> = {
  'pole-emploi': { partner: 'FRANCE_TRAVAIL', label: 'France Travail' },
  'cap-emploi': { partner: 'CAP_EMPLOI', label: 'Cap emploi' },
  agefiph: { partner: 'AGEFIPH', label: 'Agefiph' },
  fiphfp: { partner: 'FIPHFP', label: 'FIPHFP' },
};

export function partnerOf(subgraph: string): { readonly partner: string; readonly label: string } {
  return PARTNERS[subgraph] ?? { partner: subgraph.toUpperCase().replace(/[^A-Z0-9]+/g, '_'), label: subgraph };
}

/** A subgraph call that failed for a reason the caller cannot fix; what went wrong stays in the logs. */
export class SubgraphFault extends Error {
  readonly code: SubgraphFaultCode;
  readonly subgraph: string;

  constructor(code: SubgraphFaultCode, subgraph: string, cause?: unknown) {
    super(`${code} from ${subgraph}`, { cause });
    this.name = 'SubgraphFault';
    this.code = code;
    this.subgraph = subgraph;
  }
}

function publicMessage(code: SubgraphFaultCode, label: string): string {
  switch (code) {
    case SubgraphFaultCode.TIMEOUT: return `${label} did not answer in time: its data is missing from this answer`;
    case SubgraphFaultCode.BAD_RESPONSE: return `${label} sent an answer that could not be read: its data is missing from this answer`;
    default: return `${label} is unavailable: its data is missing from this answer`;
  }
}

/** What a fault's errors are computed from: the subgraph operation and its variables. */
export interface SubgraphRequest {
  readonly query?: string;
  readonly operationName?: string | null;
  readonly variables?: Readonly<Record<string, unknown>>;
  /** A call carrying several entity fetches: each one's `_entities` (its response key) and the representations it sent. */
  readonly entityLists?: readonly { readonly key: string; readonly count: number }[];
}

/**
 * What replaces a subgraph's answer: one error per field it was asked for — per entity for an
 * `_entities` fetch (path `_entities.<i>.<field>`, which the gateway maps onto the entity's place in
 * the answer), per root field otherwise. An input of the hub's merge (kit/hub.ts: `<prefix>Events`,
 * `<prefix>FundingReferences`) is answered null rather than left missing, so that the hub still
 * merges the other partners' contributions (a missing input would drop the merged field whole), and
 * its error is at the merged field (`history`, `fundings`), which is where the client sees it.
 */
export function faultAnswer(fault: SubgraphFault, request: SubgraphRequest): { data?: { _entities: Record<string, null>[] }; errors: GraphQLFormattedError[] } {
  const { partner, label } = partnerOf(fault.subgraph);
  const error = (path?: (string | number)[]): GraphQLFormattedError => ({
    message: publicMessage(fault.code, label),
    ...(path ? { path } : {}),
    extensions: { code: fault.code, partner },
  });
  const operation = operationOf(request);
  if (!operation) return { errors: [error()] };
  const roots = responseKeys(operation.selectionSet);
  const entities = operation.selectionSet.selections.find((s) => s.kind === Kind.FIELD && s.name.value === '_entities');
  if (!entities || entities.kind !== Kind.FIELD || !entities.selectionSet) return { errors: roots.length ? roots.map((key) => error([key])) : [error()] };
  const representations = Array.isArray(request.variables?.representations) ? request.variables.representations as { __typename?: string }[] : [];
  const errors: GraphQLFormattedError[] = [];
  let inputs = false;
  const answered = representations.map((representation, index) => {
    const entity: Record<string, null> = {};
    const paths = new Set<string>();
    for (const key of responseKeys(entities.selectionSet!, representation.__typename)) {
      const merged = mergedFieldOf(representation.__typename, key);
      if (merged) {
        entity[key] = null;
        inputs = true;
      }
      paths.add(merged ?? (isAuditWindow(representation.__typename, key) ? AUDIT_TRAIL_FIELD : key));
    }
    for (const key of paths) errors.push(error(['_entities', index, key]));
    return entity;
  });
  return { ...(inputs ? { data: { _entities: answered } } : {}), errors: errors.length ? errors : [error()] };
}

/**
 * A partner's window of the DPO trail (`<prefix>AuditWindow`, kit/audit-trail.ts): the trail is whole
 * or absent, so the input stays missing and the error goes where the client sees the trail fail.
 */
const isAuditWindow = (typename: string | undefined, key: string) => typename === 'AuditEntryConnection' && key.endsWith('AuditWindow');
const AUDIT_TRAIL_FIELD = 'nodes';

/** The hub's merged field (kit/hub.ts PLUMBING) that `key` of `typename` is an input of, if any. */
function mergedFieldOf(typename: string | undefined, key: string): string | null {
  const plumbing = PLUMBING.find((p) => p.type === typename && key.endsWith(p.suffix) && key.length > p.suffix.length);
  return plumbing?.field ?? null;
}

/** Response keys selected at this level (through inline fragments on `typename`), `__typename` aside. */
function responseKeys(selectionSet: SelectionSetNode, typename?: string): string[] {
  const keys: string[] = [];
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FIELD) {
      if (selection.name.value !== '__typename') keys.push(selection.alias?.value ?? selection.name.value);
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      const on = selection.typeCondition?.name.value;
      if (!on || !typename || on === typename) keys.push(...responseKeys(selection.selectionSet, typename));
    }
  }
  return [...new Set(keys)];
}

/** Subgraph operations repeat (one per query plan fetch): parse each text once. */
const parsed = new Map<string, OperationDefinitionNode | null>();
const PARSED_LIMIT = 2000;

function operationOf(request: SubgraphRequest): OperationDefinitionNode | null {
  const pick = (doc: DocumentNode) => (doc.definitions.find((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION && (!request.operationName || d.name?.value === request.operationName)) ?? null);
  if (!request.query) return null;
  let operation = parsed.get(request.query);
  if (operation === undefined) {
    try {
      operation = pick(parse(request.query));
    } catch {
      operation = null;
    }
    if (parsed.size >= PARSED_LIMIT) parsed.delete(parsed.keys().next().value!);
    parsed.set(request.query, operation);
  }
  return operation;
}

/** Sorts what went wrong before a complete answer arrived: too late, cut, or never connected. */
export function classifyFailure(subgraph: string, error: unknown): SubgraphFault {
  if (error instanceof SubgraphFault) return error;
  const name = (error as { name?: string } | null)?.name;
  if (name === 'TimeoutError' || name === 'AbortError') return new SubgraphFault(SubgraphFaultCode.TIMEOUT, subgraph, error);
  return new SubgraphFault(SubgraphFaultCode.UNAVAILABLE, subgraph, error);
}

/**
 * Reads a subgraph's complete answer. A 2xx must be a GraphQL response; a 400 that carries GraphQL
 * errors is the subgraph's own answer (a variable it refused), which passes through to be masked
 * like any other; 5xx, 429, and 401/403 (the subgraph refuses the gateway's signature: keys out of
 * step) make it unavailable to us; anything else is a bad response.
 */
export function answerOf(subgraph: string, status: number, text: string, request: SubgraphRequest): { data?: Record<string, any> | null; errors?: GraphQLFormattedError[] } {
  const fault = (code: SubgraphFaultCode, cause: string) => new SubgraphFault(code, subgraph, new Error(cause));
  if (status >= 500 || status === 401 || status === 403 || status === 429) throw fault(SubgraphFaultCode.UNAVAILABLE, `HTTP ${status}`);
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw fault(SubgraphFaultCode.BAD_RESPONSE, `HTTP ${status}, body is not JSON`);
  }
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw fault(SubgraphFaultCode.BAD_RESPONSE, `HTTP ${status}, body is not a GraphQL response`);
  const response = body as { data?: unknown; errors?: unknown };
  if (status === 400 && Array.isArray(response.errors) && response.errors.length > 0) return { errors: response.errors };
  if (status < 200 || status > 299) throw fault(SubgraphFaultCode.BAD_RESPONSE, `HTTP ${status}`);
  checkResponseShape(subgraph, response, request);
  return response as { data?: Record<string, any> | null; errors?: GraphQLFormattedError[] };
}

/** A 2xx body that is not a GraphQL response (or an `_entities` answer of the wrong shape). */
function checkResponseShape(subgraph: string, response: { data?: unknown; errors?: unknown }, request: SubgraphRequest): void {
  const bad = () => new SubgraphFault(SubgraphFaultCode.BAD_RESPONSE, subgraph, new Error('not a GraphQL response'));
  const hasData = response.data !== undefined && response.data !== null;
  if (hasData && (typeof response.data !== 'object' || Array.isArray(response.data))) throw bad();
  if (response.errors !== undefined && !Array.isArray(response.errors)) throw bad();
  if (!hasData && !Array.isArray(response.errors)) throw bad();
  if (!hasData) return;
  const wrongLength = (entities: unknown, count: number) => entities !== null && entities !== undefined && (!Array.isArray(entities) || entities.length !== count);
  const data = response.data as Record<string, unknown>;
  if (request.entityLists) {
    for (const { key, count } of request.entityLists) if (wrongLength(data[key], count)) throw bad();
    return;
  }
  const representations = request.variables?.representations;
  if (Array.isArray(representations) && wrongLength(data._entities, representations.length)) throw bad();
}
