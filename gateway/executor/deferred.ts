// The deferred parts of one request answered as payloads of their own (incremental delivery, @defer).
// Each deferred part of the plan starts once the fetches it depends on are done (or its Defer node's
// primary part, should one of them not run) and executes on the same tree as the rest of the plan,
// with its own errors. Its payload follows the answer (or the payload) where its fragment was met:
// one item per place (DeferredSite) still in the client's data, shaped by the fragment's own
// selections (shape.ts), with the errors of the part under that place. A part met nowhere (its
// parent null, its list empty) sends nothing. `hasNext` is false on the payload after which no part
// is awaited. Each part that executes has its span (`gateway.deferred`, its label), parent of its
// subgraph calls' spans.
import type { DeferredNode, ResponsePath } from '@apollo/query-planner';
import { trace } from '@opentelemetry/api';
import type { GraphQLError } from 'graphql';
import type { Cursor } from './cursor.ts';
import { executeNode, type PlanContext } from './plan.ts';
import type { DeferredSite, Shaping } from './shape.ts';

const tracer = trace.getTracer('passerelle-executor');

export interface IncrementalItem {
  readonly data: Record<string, any> | null;
  readonly path: ResponsePath;
  readonly label?: string;
  readonly errors?: (GraphQLError | Error)[];
  /** As in the first answer: what shaping had to null, when the part's fetches reported nothing. */
  readonly extensions?: { readonly valueCompletion: GraphQLError[] };
}

export interface SubsequentPayload {
  readonly incremental: IncrementalItem[];
  readonly hasNext: boolean;
}

interface Part {
  readonly label: string;
  /** The part whose payload reveals where this one goes; none for the first answer. */
  readonly parent: string | undefined;
  /** Settles with the part's errors once it has executed. */
  readonly executed: Promise<(GraphQLError | Error)[]>;
}

/** Whether `path` (from `from` on) leads, in `data`, to an object: a place the client has. */
function reaches(data: any, path: ResponsePath, from: number): boolean {
  let value = data;
  for (let i = from; i < path.length; i++) {
    if (value === null || typeof value !== 'object') return false;
    value = value[path[i]];
  }
  return value !== null && typeof value === 'object';
}

function isUnder(path: readonly (string | number)[] | undefined, prefix: ResponsePath): boolean {
  if (!path || path.length < prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) if (path[i] !== prefix[i]) return false;
  return true;
}

export class DeferredParts {
  readonly #shaping: Shaping;
  readonly #variables: Record<string, any> | undefined;
  /** Labels the gateway gave to unlabelled @defer: not the client's, never sent. */
  readonly #synthetic: ReadonlySet<string>;
  readonly #parts: Part[] = [];
  readonly #fetches = new Map<string, { readonly done: Promise<void>; readonly resolve: () => void }>();
  readonly #pending = new Set<Part>();
  readonly #queue: SubsequentPayload[] = [];
  #wake: (() => void) | undefined;

  constructor(shaping: Shaping, variables: Record<string, any> | undefined, synthetic: ReadonlySet<string>) {
    this.#shaping = shaping;
    this.#variables = variables;
    this.#synthetic = synthetic;
  }

  #fetch(id: string) {
    let fetch = this.#fetches.get(id);
    if (!fetch) {
      let resolve!: () => void;
      const done = new Promise<void>((r) => (resolve = r));
      fetch = { done, resolve };
      this.#fetches.set(id, fetch);
    }
    return fetch;
  }

  /** A fetch of the plan is done (answered or failed). */
  fetched(id: string): void {
    this.#fetch(id).resolve();
  }

  /** Starts the deferred parts of a Defer node met in `context`, each when what it depends on is done. */
  schedule(parts: readonly DeferredNode[], primaryDone: Promise<void>, context: PlanContext, cursor: Cursor): void {
    for (const node of parts) {
      const errors: (GraphQLError | Error)[] = [];
      const label = node.label!;
      const child: PlanContext = { ...context, errors, deferLabel: label };
      const dependencies = Promise.all(node.depends.map(({ id }) => this.#fetch(id).done));
      const executed = Promise.race([dependencies, primaryDone])
        .then(() => node.node && tracer.startActiveSpan('gateway.deferred', { attributes: { 'graphql.defer.label': label } }, (span) => executeNode(child, node.node!, cursor).finally(() => span.end())))
        .then(() => errors, (error: unknown) => [...errors, error as Error]);
      this.#parts.push({ label, parent: context.deferLabel, executed });
    }
  }

  /**
   * Called with the sites the first answer recorded, once it is shaped: false when no deferred part
   * is to be sent (the answer is then complete as it is).
   */
  start(sites: readonly DeferredSite[], data: Record<string, any>): boolean {
    this.#open(undefined, sites.filter((site) => reaches(data, site.path, 0)));
    return this.#pending.size > 0;
  }

  /** The payloads after the first answer, each as soon as it is ready; the last has hasNext false. */
  async *payloads(): AsyncGenerator<SubsequentPayload> {
    for (;;) {
      while (this.#queue.length > 0) {
        const payload = this.#queue.shift()!;
        yield payload;
        if (!payload.hasNext) return;
      }
      await new Promise<void>((resolve) => (this.#wake = resolve));
    }
  }

  #open(parent: string | undefined, sites: readonly DeferredSite[]): void {
    // A fragment the plan has no part for (the planner makes one for each) is still sent, from the tree.
    for (const label of new Set(sites.map((site) => site.label))) {
      if (!this.#parts.some((part) => part.label === label)) this.#parts.push({ label, parent, executed: Promise.resolve([]) });
    }
    for (const part of this.#parts) {
      if (part.parent !== parent) continue;
      const own = sites.filter((site) => site.label === part.label);
      if (own.length === 0) continue;
      this.#pending.add(part);
      void this.#deliver(part, own);
    }
  }

  async #deliver(part: Part, sites: DeferredSite[]): Promise<void> {
    const errors = await part.executed;
    const nested: DeferredSite[] = [];
    const pieces = sites.map((site) => {
      const found: DeferredSite[] = [];
      try {
        const shaped = this.#shaping.piece(site, this.#variables, found);
        if (shaped.data) nested.push(...found.filter((inner) => reaches(shaped.data, inner.path, site.path.length)));
        return { site, shaped };
      } catch (error) {
        errors.push(error as Error);
        return { site, shaped: { data: null, errors: [] } };
      }
    });
    // Each error goes with the place it is under; one under none goes with the first.
    const errorsOf = pieces.map(() => [] as (GraphQLError | Error)[]);
    for (const error of errors) {
      const at = pieces.findIndex(({ site }) => isUnder((error as GraphQLError).path, site.path));
      errorsOf[Math.max(at, 0)].push(error);
    }
    const label = this.#synthetic.has(part.label) ? undefined : part.label;
    const incremental = pieces.map(({ site, shaped }, i): IncrementalItem => {
      const item = { data: shaped.data, path: site.path, ...(label === undefined ? {} : { label }) };
      if (errorsOf[i].length > 0) return { ...item, errors: errorsOf[i] };
      // As the first answer: shaping's errors are reported when the part's execution had none.
      if (errors.length === 0 && shaped.errors.length > 0) return { ...item, extensions: { valueCompletion: shaped.errors } };
      return item;
    });
    this.#pending.delete(part);
    this.#open(part.label, nested);
    this.#queue.push({ incremental, hasNext: this.#pending.size > 0 });
    this.#wake?.();
    this.#wake = undefined;
  }
}
