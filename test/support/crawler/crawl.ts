// The perimeter crawler (issue 9, item 3): the proof that replaces lists of cases.
//
// Rounds of a breadth-first walk, for every caller (callers.ts) in turn:
//   round 0  every root field that needs no argument and leads to personal data, walked to the
//            depth bound (walker.ts) in documents the gateway's limits accept;
//   round n  every root field that takes a key (person(id), employer(siret), caseload(counsellorId)…)
//            with values harvested in rounds < n by any caller — some inside the caller's perimeter,
//            some outside — and every optional filter filled the same way; then `_entities` called on
//            each subgraph directly, signed as the gateway signs, with representations of each entity
//            type in and out of the perimeter; in round 1, each mutation the caller may call, for
//            a target inside, outside and nowhere, and each accepted write replayed (same idempotency
//            key) by the same role of another territory.
// Every object of every answer is checked against the oracle (oracle.ts, plain SQL): an object that
// belongs to a person must belong to a person the caller may see, each person returned must have a
// READ audit entry under the query's own operation name, and a refused write must not tell an
// existing person outside the perimeter from one that does not exist.
import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import {
  getNamedType, isCompositeType, isEnumType, isInputObjectType, isLeafType, isListType, isNonNullType, isObjectType,
  type GraphQLCompositeType, type GraphQLField, type GraphQLInputType, type GraphQLNamedType, type GraphQLObjectType, type GraphQLSchema,
} from 'graphql';
import { authenticator } from '../../../gateway/authentication.ts';
import { loadGatewayConfig } from '../../../gateway/config.ts';
import { loadSigningKey } from '../../../gateway/keys.ts';
import { signSubgraphToken } from '../../../gateway/subgraph-token.ts';
import { crawlCallers, inTerritory, territoriesOf, tokenOf, type CrawlCaller } from './callers.ts';
import { Oracle, type DatabaseLocation } from './oracle.ts';
import { PERSON_TYPE, concreteTypes, loadCrawlSchema, mayRead, type CrawlSchema, type SubgraphView } from './schema.ts';
import {
  asEntry, fieldOfKey, gatewayLimits, genericValue, pack, pathsOf, printOperation, printSelections, rootSelection, splitToFit, variableArgs, variablesOf,
  type FieldSelection, type WalkOptions,
} from './walker.ts';

export interface CrawlOptions {
  readonly gatewayUrl: string;
  readonly dataDir: string;
  readonly subgraphUrls: Readonly<Record<string, string>>;
  readonly databases: DatabaseLocation;
  readonly supergraphPath: string;
  /** Where the JSON report goes. */
  readonly reportFile: string;
  /** Depth of each document below its root field, as the gateway counts it. */
  readonly depth?: number;
  /** Depth of a mutation's result selection. */
  readonly mutationDepth?: number;
  readonly typeRepeats?: number;
  readonly pageSize?: number;
  readonly rounds?: number;
  /** Keys tried per root field, per side of the perimeter, per round and caller. */
  readonly sample?: number;
  readonly concurrency?: number;
  readonly log?: (line: string) => void;
  /** Crawls only the callers whose `organisation role @ territory` matches (a quicker look while fixing). */
  readonly only?: RegExp;
}

export type ViolationKind =
  | 'OUT_OF_PERIMETER' | 'UNKNOWN_PERSON' | 'UNKNOWN_OBJECT' | 'ENTITY_WITH_PERSONAL_DATA'
  | 'MISSING_READ_AUDIT' | 'WRITE_OUTSIDE_PERIMETER' | 'REFUSAL_REVEALS' | 'REPLAY_OUTSIDE_PERIMETER';

export interface Violation {
  readonly kind: ViolationKind;
  /** Response path without list indices, prefixed by the entry (`gateway` or `<subgraph>._entities`). */
  readonly path: string;
  readonly typename: string;
  readonly role: string;
  readonly territory: string;
  readonly id: string;
  readonly why: string;
  readonly operation: string;
}

export interface CrawlReport {
  readonly database: string;
  readonly startedAt: string;
  readonly durationMs: number;
  /** Time the calls took, added up by kind (several are in flight at once). */
  readonly callTimeMs: Record<string, number>;
  readonly bounds: { depth: number; mutationDepth: number; typeRepeats: number; pageSize: number; rounds: number; sample: number };
  readonly callers: number;
  readonly roles: string[];
  readonly rolesSkipped: string[];
  readonly territories: string[];
  readonly notes: string[];
  readonly pathsQueried: number;
  readonly pathsAnswered: number;
  readonly queries: number;
  readonly directEntityCalls: number;
  readonly mutations: number;
  /** Accepted writes replayed (same idempotency key) by a caller of another territory. */
  readonly replays: number;
  readonly objectsChecked: number;
  readonly idsChecked: number;
  readonly personIdsChecked: number;
  readonly auditChecks: number;
  readonly personalTypes: string[];
  readonly personalTypesReached: Record<string, number>;
  readonly personalTypesNotReached: string[];
  /** Other types whose objects the oracle found to belong to a person (checked too). */
  readonly otherTypesHoldingPersons: string[];
  readonly errorsByCode: Record<string, number>;
  /** The first message of each error code (what a refusal looked like). */
  readonly errorSamples: Record<string, string>;
  /** Each write tried: for a target inside the perimeter, outside it, or that exists nowhere. */
  readonly mutationOutcomes: { caller: string; mutation: string; side: 'in' | 'out' | 'none'; target: string; accepted: boolean; refusal: string }[];
  readonly violations: Violation[];
  readonly violationSummary: { kind: ViolationKind; typename: string; path: string; count: number; callers: string[]; example: string }[];
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type JsonObject = { [k: string]: Json };
interface GraphQLAnswer { data?: JsonObject | null; errors?: { message: string; path?: (string | number)[]; extensions?: { code?: string } }[] }

/** Values seen in answers, by schema coordinate (`Type.field`), each with the person its object belongs to. */
class Harvest {
  readonly #values = new Map<string, Map<string, string | null>>();

  add(coordinate: string, value: string, owner: string | null) {
    let values = this.#values.get(coordinate);
    if (!values) this.#values.set(coordinate, (values = new Map()));
    if (!values.has(value) || (values.get(value) === null && owner)) values.set(value, owner);
  }

  candidatesOf(coordinate: string): Map<string, string | null> {
    return this.#values.get(coordinate) ?? new Map();
  }

  /** Values for `fieldName`: of `typeNames` first, else of any type that has such a field. */
  candidates(fieldName: string, typeNames: readonly string[]): Map<string, string | null> {
    const exact = typeNames.map((t) => this.#values.get(`${t}.${fieldName}`)).filter((m): m is Map<string, string | null> => !!m?.size);
    const any = exact.length ? exact : [...this.#values].filter(([c, m]) => c.endsWith(`.${fieldName}`) && m.size).map(([, m]) => m);
    return new Map(any.flatMap((m) => [...m]));
  }
}

function stableHash(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return h >>> 0;
}

/** Up to `n` values from each side of the perimeter (and `n` that concern nobody), new ones first, in a stable order. */
function sampleSides(values: Map<string, string | null>, side: (owner: string | null) => 'in' | 'out' | 'none', n: number, seen: Set<string>, salt: string): string[] {
  const sides: Record<'in' | 'out' | 'none', string[]> = { in: [], out: [], none: [] };
  const order = [...values.keys()].sort((a, b) => Number(seen.has(a)) - Number(seen.has(b)) || stableHash(salt + a) - stableHash(salt + b));
  for (const value of order) {
    const s = side(values.get(value) ?? null);
    if (sides[s].length < n) sides[s].push(value);
  }
  return [...sides.in, ...sides.out, ...sides.none];
}

/** At most `concurrency` calls in flight, whichever caller makes them; `spent` adds up their time by kind. */
function limiter(concurrency: number) {
  let active = 0;
  const waiting: (() => void)[] = [];
  const spent: Record<string, number> = {};
  const limit = async <T>(kind: string, call: () => Promise<T>): Promise<T> => {
    if (active >= concurrency) await new Promise<void>((resolve) => waiting.push(resolve));
    active++;
    const started = performance.now();
    try {
      return await call();
    } finally {
      spent[kind] = Math.round((spent[kind] ?? 0) + performance.now() - started);
      active--;
      waiting.shift()?.();
    }
  };
  return Object.assign(limit, { spent });
}

/** Choices of the other input values tried for a write inside the perimeter before giving up on an accepted one. */
const MUTATION_ATTEMPTS = 4;

const stripIndices = (p: readonly (string | number)[]) => p.filter((s) => typeof s === 'string').join('.');

export async function crawl(options: CrawlOptions): Promise<CrawlReport> {
  const started = performance.now();
  const startedAt = new Date().toISOString();
  const bounds = {
    depth: options.depth ?? 6, mutationDepth: options.mutationDepth ?? 5, typeRepeats: options.typeRepeats ?? 2,
    pageSize: options.pageSize ?? 2, rounds: options.rounds ?? 2, sample: options.sample ?? 1,
  };
  const log = options.log ?? (() => {});
  const runTag = randomUUID().slice(0, 8);
  const operationPrefix = `Crawl${runTag}_`;
  const schema = loadCrawlSchema(options.supergraphPath);
  const oracle = await Oracle.open(options.databases, schema.subgraphs.map((s) => s.name));
  const notes: string[] = [];
  try {
    const territories = territoriesOf(oracle.departementScores);
    const all = crawlCallers(schema, territories, runTag);
    const skipped = all.skipped;
    const callers = all.callers.filter((c) => !options.only || options.only.test(`${c.organisation} ${c.role} @ ${c.territory.codes?.join('+') ?? '*'}`));
    const entityKeys = new Map(schema.subgraphs.flatMap((sg) => sg.entities.map((e) => [e.typeName, e.fields] as const)));
    const gatewayFits = gatewayLimits(schema.api);
    const limit = limiter(options.concurrency ?? 4);
    const harvest = new Harvest();
    const violations: Violation[] = [];
    const violationKeys = new Set<string>();
    const pathsQueried = new Set<string>();
    const pathsAnswered = new Set<string>();
    const reached = new Map<string, number>();
    const otherPersonTypes = new Set<string>();
    const checkedObjects = new Set<string>();
    const checkedPeople = new Set<string>();
    const errorsByCode: Record<string, number> = {};
    /**
     * (operation, person id, caller) for every person a gateway answer returned: each needs its READ
     * entry, under that operation name and the caller's own subject. A document's operation name is
     * a hash of its text (values travel as variables), so that the gateway plans each shape once.
     */
    const expectedReads: { operation: string; personId: string; caller: CrawlCaller; path: string }[] = [];
    const mutationOutcomes: CrawlReport['mutationOutcomes'][number][] = [];
    let queries = 0;
    let directCalls = 0;
    let mutations = 0;
    let opCounter = 0;
    const nextOperation = () => `${operationPrefix}${++opCounter}`;
    const operationFor = (kind: 'query' | 'mutation', document: FieldSelection[]) => {
      const text = printOperation(kind, '', document);
      return `${operationPrefix}${stableHash(text).toString(36)}${stableHash(`${text}#`).toString(36)}`;
    };

    // National callers: the claim is `*`. A gateway from before the claim rule refuses it; the
    // crawler then says so and falls back to the old form (no territory) so the crawl still runs.
    const probe = callers.find((c) => !c.territory.codes);
    let legacyNational = false;
    if (probe) {
      const answer = await postGateway(options.gatewayUrl, await tokenOf(options.dataDir, probe), `query ${nextOperation()} { __typename }`);
      if (answer.status === 401) {
        legacyNational = true;
        notes.push('the gateway refused the national claim "*" (401): national callers used the former form, an empty territory');
      }
    }
    for (const caller of callers) caller.token = await tokenOf(options.dataDir, caller, legacyNational);
    log(`perimeter crawler: ${callers.length} callers (${territories.map((t) => t.label).join(', ')}), ${schema.personalTypes.size} personal-data types`);

    const label = (c: CrawlCaller) => `${c.organisation} ${c.role} @ ${c.territory.codes?.join('+') ?? '*'}`;
    const record = (v: Violation) => {
      const key = `${v.kind}\n${v.path}\n${v.role}\n${v.territory}\n${v.id}`;
      if (violationKeys.has(key)) return;
      violationKeys.add(key);
      violations.push(v);
    };

    const unknownYet: (Violation & { caller: CrawlCaller; echo: boolean })[] = [];
    const settleUnknown = async () => {
      if (!unknownYet.length) return;
      await oracle.refresh();
      for (const { caller, echo, ...v } of unknownYet.splice(0)) {
        const own = oracle.ownerOf(v.id);
        if (own === undefined) record(v);
        else if (own && !echo) {
          const fault = outside(caller, own);
          if (fault) record({ ...v, kind: fault.kind, why: `${v.typename} ${v.id}: ${fault.why}` });
        }
      }
    };

    /** Why a person is outside the caller's perimeter, or null when inside. */
    const outside = (caller: CrawlCaller, personId: string): { kind: ViolationKind; why: string } | null => {
      const home = oracle.residenceOf(personId);
      if (home === undefined) return caller.territory.codes ? { kind: 'UNKNOWN_PERSON', why: `person ${personId} exists in no France Travail record: no residence, so outside every territory` } : null;
      return inTerritory(caller, home) ? null : { kind: 'OUT_OF_PERIMETER', why: `person ${personId} lives in ${home}, outside ${caller.territory.codes?.join('+')}` };
    };
    const sideOf = (caller: CrawlCaller) => (owner: string | null): 'in' | 'out' | 'none' => {
      if (!owner) return 'none';
      return outside(caller, owner) ? 'out' : 'in';
    };

    /**
     * Walks one answer. Every object: coverage, harvest, owner (a person id from its own id, or
     * inherited from the nearest ancestor), check. `echo` marks the entities a direct `_entities`
     * call was asked for: their key is our own input, only what else they carry is data.
     */
    const inspect = (caller: CrawlCaller, operation: string, entry: string, value: Json, responsePath: (string | number)[], rootNames: Map<string, string>, inherited: { owner: string | null; flagged: boolean }, echo: boolean, keys: ReadonlySet<string>) => {
      if (value === null || typeof value !== 'object') return;
      if (Array.isArray(value)) {
        value.forEach((v, i) => inspect(caller, operation, entry, v, [...responsePath, i], rootNames, inherited, echo, keys));
        return;
      }
      const pathText = `${entry}:${stripIndices(responsePath.map((p, i) => (i === 0 && typeof p === 'string' ? rootNames.get(p) ?? p : typeof p === 'string' ? fieldOfKey(p) : p)))}`;
      pathsAnswered.add(pathText);
      const typename = typeof value.__typename === 'string' ? value.__typename : null;
      let owner = inherited.owner;
      let flagged = inherited.flagged;
      if (typename) {
        const personal = schema.personalTypes.has(typename);
        if (personal) reached.set(typename, (reached.get(typename) ?? 0) + 1);
        const id = typeof value.id === 'string' ? value.id : null;
        let own: string | null | undefined;
        if (typename === PERSON_TYPE && id) own = id;
        else if (id) own = oracle.ownerOf(id);
        if (id && own === undefined && personal) {
          // Written after the oracle's last look (an audit entry of this very crawl): decided after a refresh.
          unknownYet.push({ kind: 'UNKNOWN_OBJECT', path: pathText, typename, role: label(caller), territory: caller.territory.label, id, operation, why: `${typename} ${id} is in no table of its partner: the oracle cannot say whose it is`, caller, echo });
        }
        if (id && own && !personal) otherPersonTypes.add(typename);
        if (own !== undefined && id) {
          owner = own;
          checkedObjects.add(`${typename}:${id}`);
          if (own) checkedPeople.add(own);
          const fault = own ? outside(caller, own) : null;
          if (fault && !echo) {
            record({ kind: fault.kind, path: pathText, typename, role: label(caller), territory: caller.territory.label, id, operation, why: `${typename} ${id}: ${fault.why}` });
            flagged = true;
          } else flagged = false;
          if (typename === PERSON_TYPE && !echo && entry === 'gateway') expectedReads.push({ operation, personId: id, caller, path: pathText });
        } else if (personal && owner && !flagged && !echo) {
          // An object without identity (a history event, an audit entry…) under someone else's object.
          const fault = outside(caller, owner);
          if (fault) {
            record({ kind: fault.kind, path: pathText, typename, role: label(caller), territory: caller.territory.label, id: owner, operation, why: `${typename} of ${fault.why}` });
            flagged = true;
          }
        }
        if (echo && owner && outside(caller, owner)) {
          const carried = Object.entries(value).filter(([k, v]) => k !== '__typename' && !keys.has(k) && v !== null && !(typeof v === 'object'));
          if (carried.length) record({ kind: 'ENTITY_WITH_PERSONAL_DATA', path: pathText, typename, role: label(caller), territory: caller.territory.label, id: String(value.id ?? owner), operation, why: `_entities returned ${carried.map(([k]) => k).join(', ')} of a person outside the perimeter (${outside(caller, owner)!.why})` });
          flagged = false;
        }
        for (const [k, v] of Object.entries(value)) {
          if (k === '__typename' || v === null || typeof v === 'object') continue;
          harvest.add(`${typename}.${fieldOfKey(k)}`, String(v), owner ?? null);
        }
      }
      for (const [k, v] of Object.entries(value)) {
        if (k === '__typename' || v === null || typeof v !== 'object') continue;
        inspect(caller, operation, entry, v, [...responsePath, k], rootNames, { owner, flagged }, false, keys);
      }
    };

    const errorSamples: Record<string, string> = {};
    const countErrors = (answer: GraphQLAnswer, where: string) => {
      for (const e of answer.errors ?? []) {
        const code = String(e.extensions?.code ?? 'NONE');
        errorsByCode[code] = (errorsByCode[code] ?? 0) + 1;
        errorSamples[code] ??= `${where}: ${e.message}`.slice(0, 300);
      }
    };

    const walkOptions = (caller: CrawlCaller, target: GraphQLSchema, depth: number, mayTake: WalkOptions['mayTake']): WalkOptions => ({
      schema: target, maxDepth: depth, maxTypeRepeats: bounds.typeRepeats, pageSize: bounds.pageSize, mayTake,
      expands: (t, within) => within || schema.reachesPersonalData.has(t.name) || t.name === '_Entity',
      personal: (name) => schema.personalTypes.has(name),
      // Key-only references for personal-data entities (a person, an aid request): the stub is the leak.
      entityKey: (name) => (schema.personalTypes.has(name) ? entityKeys.get(name) : undefined),
    });
    const readable = (caller: CrawlCaller): WalkOptions['mayTake'] => (parent, field) => mayRead(schema, parent, field, caller.scopes);

    /** Sends root selections through the gateway in as few documents as the limits allow, and inspects the answers. */
    const runGateway = async (caller: CrawlCaller, roots: FieldSelection[]) => {
      const pieces = roots.flatMap((r) => splitToFit(r, gatewayFits));
      for (const p of pieces) pathsOf([p], pathsQueried);
      const documents = pack(pieces, gatewayFits);
      await Promise.all(documents.map(async (document) => {
        const operation = operationFor('query', document);
        const answer = await limit('gateway queries', () => postGateway(options.gatewayUrl, caller.token, printOperation('query', operation, document), operation, variablesOf(document)));
        queries++;
        countErrors(answer.body, 'gateway');
        const rootNames = new Map(document.map((r) => [r.alias!, r.name]));
        if (answer.body.data) inspect(caller, operation, 'gateway', answer.body.data, [], rootNames, { owner: null, flagged: false }, false, new Set());
      }));
    };

    const query = schema.api.getQueryType()!;
    /** Root fields worth walking for this caller: readable, and leading to personal data. */
    const entryFields = (caller: CrawlCaller) => Object.values(query.getFields()).filter((f) => mayRead(schema, query, f, caller.scopes) && schema.reachesPersonalData.has(getNamedType(f.type).name));
    const elementTypes = (type: GraphQLNamedType): string[] => {
      if (!isObjectType(type)) return concreteTypes(schema.api, type).map((t) => t.name);
      const list = Object.values(type.getFields()).find((f) => isListType(isNonNullType(f.type) ? f.type.ofType : f.type) && isCompositeType(getNamedType(f.type)));
      return list && !type.getFields().id ? concreteTypes(schema.api, getNamedType(list.type)).map((t) => t.name) : [type.name];
    };
    const visited = new Map<CrawlCaller, Set<string>>();

    /** Round 0: root fields without required arguments. Round n: keyed root fields and filters from harvested values. */
    const readRound = async (caller: CrawlCaller, round: number) => {
      const seen = visited.get(caller) ?? new Set<string>();
      visited.set(caller, seen);
      const options = walkOptions(caller, schema.api, bounds.depth, readable(caller));
      const roots: FieldSelection[] = [];
      for (const field of entryFields(caller)) {
        const required = field.args.filter((a) => isNonNullType(a.type) && a.defaultValue === undefined);
        const elements = elementTypes(getNamedType(field.type));
        const pageArgs = Object.fromEntries(field.args.filter((a) => getNamedType(a.type).name === 'Int' && a.defaultValue !== undefined).map((a) => [a.name, bounds.pageSize]));
        const variants: Record<string, unknown>[] = [];
        if (round === 0 && required.length === 0) variants.push({});
        if (round > 0 && required.length > 0) {
          // One argument at a time from the harvest (every keyed root field here takes one key).
          const [arg] = required;
          for (const value of sampleSides(harvest.candidates(arg.name, elements), sideOf(caller), bounds.sample, seen, `${field.name}.${arg.name}`)) {
            if (required.length === 1) variants.push({ [arg.name]: value });
          }
        }
        if (round > 0) {
          // Optional filters: each filter field at a time, from values seen on objects out of and inside the perimeter.
          for (const arg of field.args.filter((a) => !isNonNullType(a.type) && getNamedType(a.type).name !== 'Int' && getNamedType(a.type).name !== 'String')) {
            const input = getNamedType(arg.type);
            if (!isInputObjectType(input)) continue;
            for (const filterField of Object.values(input.getFields())) {
              if (!isLeafType(getNamedType(filterField.type))) continue;
              const values = harvest.candidates(filterField.name, elements);
              // One value per filter field: from an object outside the perimeter when there is one.
              const picked = sampleSides(values, sideOf(caller), 1, seen, `${field.name}.${filterField.name}`);
              const outsider = picked.find((v) => sideOf(caller)(values.get(v) ?? null) === 'out');
              for (const value of (outsider ? [outsider] : picked.slice(0, 1))) {
                if (required.length === 0) variants.push({ [arg.name]: { [filterField.name]: coerce(value, filterField.type) } });
              }
            }
          }
        }
        for (const values of variants) {
          const key = `${field.name}${JSON.stringify(values)}`;
          if (seen.has(key)) continue;
          seen.add(key);
          for (const v of Object.values(values)) if (typeof v === 'string') seen.add(v);
          const root = rootSelection(options, query, field.name, variableArgs(field.args, values, pageArgs));
          if (root) roots.push(root);
        }
      }
      await runGateway(caller, roots);
    };

    const gatewayConfig = loadGatewayConfig({ DATA_DIR: options.dataDir }, []);
    const authenticate = authenticator(gatewayConfig);
    const gatewayKey = await loadSigningKey(gatewayConfig.signingKeyFile);

    /** `_entities` on each subgraph, signed as the gateway signs, with keys of each entity type in and out of the perimeter. */
    const entitiesRound = async (caller: CrawlCaller) => {
      const verified = await authenticate(`Bearer ${caller.token}`);
      const seen = visited.get(caller)!;
      const calls: { subgraph: SubgraphView; representations: JsonObject[]; keys: ReadonlySet<string>[]; root: FieldSelection }[] = [];
      for (const subgraph of schema.subgraphs) {
        const subgraphQuery = subgraph.schema.getQueryType()!;
        if (!subgraphQuery.getFields()._entities) continue;
        const representations: JsonObject[] = [];
        const keys: ReadonlySet<string>[] = [];
        for (const entity of subgraph.entities) {
          const [keyField, ...more] = entity.fields;
          if (more.length) continue;
          for (const value of sampleSides(harvest.candidatesOf(`${entity.typeName}.${keyField}`), sideOf(caller), bounds.sample, seen, `${subgraph.name}.${entity.typeName}`)) {
            representations.push({ __typename: entity.typeName, [keyField]: value });
            keys.push(new Set(entity.fields));
          }
        }
        const options = walkOptions(caller, subgraph.schema, bounds.depth, (parent, field) => !subgraph.foreignFields.has(`${parent.name}.${field.name}`));
        const root = rootSelection(options, subgraphQuery, '_entities', '(representations: $representations)');
        if (root && representations.length) calls.push({ subgraph, representations, keys, root });
      }
      await Promise.all(calls.map(async ({ subgraph, representations, keys, root }) => {
        const operation = nextOperation();
        const token = await signSubgraphToken(gatewayKey, subgraph.name, verified, operation);
        const text = `query ${operation}($representations: [_Any!]!) { ${printSelections([root])} }`;
        const body = await limit('direct _entities calls', async () => {
          const response = await send(options.subgraphUrls[subgraph.name], {
            method: 'POST',
            headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
            body: JSON.stringify({ query: text, variables: { representations }, operationName: operation }),
          });
          return (await response.json()) as GraphQLAnswer;
        });
        directCalls++;
        countErrors(body, subgraph.name);
        for (const p of pathsOf([root])) pathsQueried.add(`${subgraph.name}:${p}`);
        const entities = (body.data?._entities ?? []) as Json[];
        entities.forEach((entity, i) => {
          if (!entity || typeof entity !== 'object' || Array.isArray(entity)) return;
          const { __typename, ...key } = representations[i];
          const keyValue = String(Object.values(key)[0]);
          const owner = __typename === PERSON_TYPE ? keyValue : oracle.ownerOf(keyValue) ?? null;
          inspect(caller, operation, `${subgraph.name}._entities`, entity, ['_entities', i], new Map(), { owner, flagged: false }, true, keys[i]);
        });
      }));
    };

    /** Each mutation the caller may call, for a target inside the perimeter, outside, and one that does not exist. */
    /**
     * Each mutation the caller may call: first for a target inside the perimeter, with up to
     * MUTATION_ATTEMPTS choices of the other values until one is accepted; then, with the same choice,
     * for a target outside the perimeter and for one that exists nowhere. The outside write must be
     * refused, and its refusal must read like the refusal for nobody.
     */
    const mutationRound = async (caller: CrawlCaller) => {
      const mutation = schema.api.getMutationType();
      if (!mutation) return;
      for (const field of Object.values(mutation.getFields())) {
        if (!mayRead(schema, mutation, field, caller.scopes)) continue;
        const attempt = async (side: 'in' | 'out' | 'none', choice: string, optional: boolean) => {
          const fresh = randomUUID();
          const plan = mutationInput(schema, harvest, caller, field, side, sideOf(caller), choice, fresh, optional);
          if (!plan) return null;
          const selection = rootSelection(walkOptions(caller, schema.api, bounds.mutationDepth, readable(caller)), mutation, field.name, variableArgs(field.args, { [plan.argName]: plan.input }));
          if (!selection) return null;
          const piece = asEntry(splitToFit(selection, gatewayFits, 'mutation')[0], 0);
          pathsOf([piece], pathsQueried);
          const operation = nextOperation();
          const answer = await limit('mutations', () => postGateway(options.gatewayUrl, caller.token, printOperation('mutation', operation, [piece]), operation, variablesOf([piece])));
          mutations++;
          countErrors(answer.body, field.name);
          const result = answer.body.data?.[piece.alias!] ?? null;
          if (result) {
            await oracle.refresh();
            inspect(caller, operation, 'gateway', answer.body.data!, [], new Map([[piece.alias!, field.name]]), { owner: null, flagged: false }, false, new Set());
          }
          const errorText = (answer.body.errors ?? []).map((e) => `${e.extensions?.code ?? ''}: ${e.message}`).join(' | ');
          mutationOutcomes.push({ caller: label(caller), mutation: field.name, side, target: plan.target, accepted: result !== null, refusal: errorText.slice(0, 200) });
          if (side === 'out' && result !== null) {
            record({ kind: 'WRITE_OUTSIDE_PERIMETER', path: `gateway:${field.name}`, typename: getNamedType(field.type).name, role: label(caller), territory: caller.territory.label, id: plan.target, operation, why: `${field.name} accepted a write about ${plan.target}: ${plan.owner ? outside(caller, plan.owner)?.why : 'outside the perimeter'}` });
          }
          if (side === 'in' && result !== null && plan.owner) accepted.push({ caller, field: field.name, text: printOperation('mutation', operation, [piece]), operation, variables: variablesOf([piece]), alias: piece.alias!, owner: plan.owner });
          return { accepted: result !== null, text: errorText.split(plan.target).join('<target>').split(fresh).join('<fresh>'), target: plan.target };
        };
        let choice = `${caller.subject}:${field.name}:0`;
        let optional = false;
        for (let k = 0; k < MUTATION_ATTEMPTS; k++) {
          choice = `${caller.subject}:${field.name}:${k}`;
          optional = k % 2 === 1;
          const inside = await attempt('in', choice, optional);
          if (!inside || inside.accepted) break;
        }
        const out = await attempt('out', choice, optional);
        const none = await attempt('none', choice, optional);
        if (out && none && !out.accepted && out.text !== none.text) {
          const nobody = none.accepted ? 'accepted for one that exists nowhere' : `refused otherwise for one that exists nowhere ("${none.text}")`;
          record({ kind: 'REFUSAL_REVEALS', path: `gateway:${field.name}`, typename: getNamedType(field.type).name, role: label(caller), territory: caller.territory.label, id: out.target, operation: '', why: `refused for a target outside the perimeter ("${out.text}"), ${nobody}` });
        }
      }
    };

    /**
     * Idempotent replays: each accepted write, sent again with the same key by the same organisation
     * and role from a territory where its person does not live, must give nothing back.
     */
    const accepted: { caller: CrawlCaller; field: string; text: string; operation: string; variables: Record<string, unknown>; alias: string; owner: string }[] = [];
    const replayRound = async () => {
      await Promise.all(accepted.map(async (write) => {
        const other = callers.find((c) => c.organisation === write.caller.organisation && c.role === write.caller.role && c.territory.codes && outside(c, write.owner));
        if (!other) return;
        const answer = await limit('mutations', () => postGateway(options.gatewayUrl, other.token, write.text, write.operation, write.variables));
        replays++;
        countErrors(answer.body, `${write.field} replay`);
        const result = answer.body.data?.[write.alias] ?? null;
        if (!result) return;
        record({ kind: 'REPLAY_OUTSIDE_PERIMETER', path: `gateway:${write.field}`, typename: '', role: label(other), territory: other.territory.label, id: write.owner, operation: write.operation, why: `replaying ${write.caller.subject}'s idempotency key returned the stored ${write.field} result about ${write.owner}: ${outside(other, write.owner)!.why}` });
        inspect(other, write.operation, 'gateway', answer.body.data!, [], new Map([[write.alias, write.field]]), { owner: null, flagged: false }, false, new Set());
      }));
    };
    let replays = 0;

    const auditCheck = async () => {
      const audited = new Set((await oracle.auditedReads(operationPrefix)).map((r) => `${r.subject}\n${r.operation}\n${r.personId}`));
      for (const e of expectedReads.splice(0)) {
        if (audited.has(`${e.caller.subject}\n${e.operation}\n${e.personId}`)) continue;
        record({ kind: 'MISSING_READ_AUDIT', path: e.path, typename: PERSON_TYPE, role: label(e.caller), territory: e.caller.territory.label, id: e.personId, operation: e.operation, why: `person ${e.personId} was returned by ${e.operation} and no partner's audit_entry has a READ for it under that operation` });
      }
      auditChecks += audited.size;
    };
    let auditChecks = 0;

    for (let round = 0; round < bounds.rounds; round++) {
      const before = queries + directCalls + mutations;
      await Promise.all(callers.map((caller) => readRound(caller, round)));
      if (round > 0) await Promise.all(callers.map((caller) => entitiesRound(caller)));
      if (round === 1) {
        // Writes: the caller of each role in a single département, and the national one.
        const writers = callers.filter((c) => c.territory === territories[0] || !c.territory.codes);
        await Promise.all(writers.map((caller) => mutationRound(caller)));
        await oracle.refresh();
        await replayRound();
      }
      await settleUnknown();
      await auditCheck();
      log(`round ${round}: ${queries + directCalls + mutations - before} calls, ${violations.length} violations so far, ${Math.round(performance.now() - started)} ms`);
    }

    const personalTypes = [...schema.personalTypes].sort();
    const summary = new Map<string, { kind: ViolationKind; typename: string; path: string; count: number; callers: Set<string>; example: string }>();
    for (const v of violations) {
      const key = `${v.kind}\n${v.typename}\n${v.path}`;
      const s = summary.get(key) ?? { kind: v.kind, typename: v.typename, path: v.path, count: 0, callers: new Set<string>(), example: v.why };
      s.count++;
      s.callers.add(v.role);
      summary.set(key, s);
    }
    const report: CrawlReport = {
      database: options.databases.kind,
      startedAt,
      durationMs: Math.round(performance.now() - started),
      callTimeMs: limit.spent,
      bounds,
      callers: callers.length,
      roles: [...new Set(callers.map((c) => `${c.organisation} ${c.role}`))],
      rolesSkipped: skipped,
      territories: territories.map((t) => t.label),
      notes,
      pathsQueried: pathsQueried.size,
      pathsAnswered: pathsAnswered.size,
      queries,
      directEntityCalls: directCalls,
      mutations,
      replays,
      objectsChecked: checkedObjects.size,
      idsChecked: checkedObjects.size,
      personIdsChecked: checkedPeople.size,
      auditChecks,
      personalTypes,
      personalTypesReached: Object.fromEntries(personalTypes.map((t) => [t, reached.get(t) ?? 0])),
      personalTypesNotReached: personalTypes.filter((t) => !reached.get(t)),
      otherTypesHoldingPersons: [...otherPersonTypes].sort(),
      errorsByCode,
      errorSamples,
      mutationOutcomes,
      violations,
      violationSummary: [...summary.values()].sort((a, b) => a.kind.localeCompare(b.kind) || b.count - a.count).map((s) => ({ ...s, callers: [...s.callers] })),
    };
    mkdirSync(path.dirname(options.reportFile), { recursive: true });
    writeFileSync(options.reportFile, `${JSON.stringify(report, null, 2)}\n`);
    return report;
  } finally {
    await oracle.close();
  }
}

/**
 * fetch, tried again when the connection drops before an answer (a keep-alive connection the server
 * closed as it was reused: frequent on a loaded machine). Writes are safe to resend: they carry an
 * idempotency key.
 */
async function send(url: string, init: RequestInit): Promise<Response> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fetch(url, init);
    } catch (error) {
      if (attempt >= 3) throw error;
    }
  }
}

async function postGateway(url: string, token: string, query: string, operationName?: string, variables: Record<string, unknown> = {}): Promise<{ status: number; body: GraphQLAnswer }> {
  const response = await send(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables, ...(operationName ? { operationName } : {}) }),
  });
  const text = await response.text();
  try {
    return { status: response.status, body: JSON.parse(text) as GraphQLAnswer };
  } catch {
    return { status: response.status, body: { errors: [{ message: text.slice(0, 200), extensions: { code: `HTTP_${response.status}` } }] } };
  }
}

/** A harvested value as the input type wants it (harvested values are strings). */
function coerce(value: string, type: GraphQLInputType): unknown {
  const named = getNamedType(type).name;
  if (named === 'Int') return Number.parseInt(value, 10);
  if (named === 'Float') return Number(value);
  if (named === 'Boolean') return value === 'true';
  return value;
}

/**
 * The input of one mutation call: every input field filled from the harvest by name (`personId` from
 * Person.id, `employerSiret` from Employer.siret, `aidCode` from …aidCode: the field's own name, or its
 * last word as a field of a type named like the words before; types of the mutation's own subgraph
 * first), the rest by the generic filler (a fresh value for each String, so idempotency keys are new).
 * The target is the first ID field that names an object belonging to a person: chosen inside the
 * perimeter, outside, or replaced by an id that exists nowhere.
 */
export function mutationInput(schema: CrawlSchema, harvest: Harvest, caller: CrawlCaller, field: GraphQLField<unknown, unknown>, side: 'in' | 'out' | 'none', sideOf: (owner: string | null) => 'in' | 'out' | 'none', choice: string, fresh: string, optional = false): { argName: string; input: unknown; target: string; owner: string | null } | null {
  const [arg] = field.args.filter((a) => isInputObjectType(getNamedType(a.type)));
  if (!arg) return null;
  const input = getNamedType(arg.type);
  if (!isInputObjectType(input)) return null;
  const home = schema.subgraphs.find((s) => s.schema.getMutationType()?.getFields()[field.name]);
  const homeTypes = new Set(Object.keys(home?.schema.getTypeMap() ?? {}));
  const returned = getNamedType(field.type).name;
  let target: { value: string; owner: string | null } | null = null;
  const value: Record<string, unknown> = {};
  for (const f of Object.values(input.getFields())) {
    const named = getNamedType(f.type);
    const required = isNonNullType(f.type);
    if (!isLeafType(named) || isListType(isNonNullType(f.type) ? f.type.ofType : f.type)) {
      if (required) return null;
      continue;
    }
    const found = referenceCandidates(schema.api, harvest, f.name, returned, homeTypes);
    const { identity } = found;
    // Harvested values of an enum field are kept only when they are values of this enum.
    const values = isEnumType(named) ? new Map([...found.values].filter(([v]) => named.getValue(v))) : found.values;
    const owned = [...values].filter(([, owner]) => owner);
    if (!target && identity && named.name === 'ID' && owned.length) {
      const wanted = side === 'none' ? 'in' : side;
      const pick = owned.sort((a, b) => stableHash(choice + a[0]) - stableHash(choice + b[0])).find(([, owner]) => sideOf(owner) === wanted);
      if (!pick) return null;
      target = { value: side === 'none' ? `${pick[0].replace(/[^_-]*$/, '')}crawler${fresh.slice(0, 8)}` : pick[0], owner: side === 'none' ? null : pick[1] };
      value[f.name] = target.value;
      continue;
    }
    if (values.size && (required || (optional && !identity))) {
      // Prefer a value of the caller's own territory (a département), else any.
      const candidates = [...values.keys()].sort();
      const local = candidates.find((v) => caller.territory.codes?.includes(v));
      value[f.name] = coerce(local ?? candidates[stableHash(choice + f.name) % candidates.length], f.type);
    } else if (required) value[f.name] = genericValue(f.type, fresh);
  }
  return target ? { argName: arg.name, input: value, target: target.value, owner: target.owner } : null;
}

/**
 * Harvested values an input field named `name` can take, and whether they are identities (ids of
 * objects): `id` is the returned type's id; `fooBarId` the `id` of a type whose name ends in FooBar
 * (or Bar); any other name, the values of fields of that name. Types of `home` come first.
 */
function referenceCandidates(api: GraphQLSchema, harvest: Harvest, name: string, returned: string, home: ReadonlySet<string>): { values: Map<string, string | null>; identity: boolean } {
  const of = (types: string[], fieldName: string) => {
    const local = types.filter((t) => home.has(t));
    for (const group of [local, types]) {
      const values = new Map(group.flatMap((t) => [...harvest.candidatesOf(`${t}.${fieldName}`)]));
      if (values.size) return values;
    }
    return new Map<string, string | null>();
  };
  if (name === 'id') return { values: of([returned], 'id'), identity: true };
  const words = name.split(/(?=[A-Z])/);
  if (words.length >= 2) {
    const last = words[words.length - 1];
    const fieldName = last[0].toLowerCase() + last.slice(1);
    for (let i = 0; i < words.length - 1; i++) {
      const suffix = words.slice(i, -1).map((w) => w[0].toUpperCase() + w.slice(1)).join('');
      const types = Object.values(api.getTypeMap()).filter((t): t is GraphQLObjectType => isObjectType(t) && t.name.endsWith(suffix) && !!t.getFields()[fieldName]).map((t) => t.name);
      const values = of(types, fieldName);
      if (values.size) return { values, identity: fieldName === 'id' };
    }
  }
  const types = Object.values(api.getTypeMap()).filter((t): t is GraphQLObjectType => isObjectType(t) && !!t.getFields()[name]).map((t) => t.name);
  return { values: of(types, name), identity: false };
}

export type { Harvest };
