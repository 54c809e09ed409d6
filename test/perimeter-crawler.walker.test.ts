// The perimeter crawler's walker, without a server: what it derives from a schema (personal-data
// types, the paths to walk) and the documents it cuts them into (valid, within the gateway's limits,
// covering every path). The crawl itself runs in test/e2e/perimeter-crawler.test.ts.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildSchema, getNamedType, isInterfaceType, isObjectType, parse, validate, type GraphQLCompositeType, type GraphQLSchema } from 'graphql';
import { operationCost, LIMITS } from '../gateway/limits.ts';
import { scopesFor } from '../gateway/scope-matrix.ts';
import { crawlSchemaOf, mayRead, personalTypesOf, reachablePersonalTypes } from './support/crawler/schema.ts';
import {
  gatewayLimits, pack, pathsOf, printOperation, rootSelection, splitToFit, variableArgs, variablesOf,
  type FieldSelection, type Selection, type WalkOptions,
} from './support/crawler/walker.ts';

const SMALL = `
  type Query { person(id: ID!): Person  people(first: Int = 20): PersonConnection!  catalogue: [Aid!]! }
  type Person { id: ID! name: String! fundings(first: Int = 20): FundingConnection! orientation: Orientation }
  type PersonConnection { nodes: [Person!]! totalCount: Int! }
  type Orientation { id: ID! person: Person! track: String! }
  interface Funding { id: ID! amount: Int! }
  type FundingConnection { nodes: [Funding!]! totalCount: Int! }
  type AidRequest implements Funding { id: ID! amount: Int! agent: Person employer: Employer }
  type Training implements Funding { id: ID! amount: Int! employer: Employer! }
  type Employer { siret: String! fundings(first: Int = 20): FundingConnection! }
  type Aid { code: String! label: String! }
`;

function options(schema: GraphQLSchema, overrides: Partial<WalkOptions> = {}): WalkOptions {
  const reaching = new Set(['Person', 'PersonConnection', 'Orientation', 'Funding', 'FundingConnection', 'AidRequest', 'Training', 'Employer']);
  return { schema, maxDepth: 6, maxTypeRepeats: 2, pageSize: 2, mayTake: () => true, expands: (t, within) => within || reaching.has(t.name), personal: (t) => ['Person', 'Orientation', 'AidRequest', 'Training'].includes(t), ...overrides };
}

/** `Type.field` coordinates a selection asks for. */
function coordinates(schema: GraphQLSchema, selections: readonly Selection[], on: GraphQLCompositeType, into = new Set<string>()): Set<string> {
  for (const s of selections) {
    if (s.kind === 'fragment') {
      coordinates(schema, s.children, schema.getType(s.on) as GraphQLCompositeType, into);
      continue;
    }
    if (s.name === '__typename' || !(isObjectType(on) || isInterfaceType(on))) continue;
    into.add(`${on.name}.${s.name}`);
    if (s.children) coordinates(schema, s.children, getNamedType(on.getFields()[s.name].type) as GraphQLCompositeType, into);
  }
  return into;
}

describe('the perimeter crawler walker', () => {
  it('derives personal data from the person type: the type itself, types that point to a person, and the types of its fields (pages unwrapped)', () => {
    const types = personalTypesOf(buildSchema(SMALL));
    expect([...types].sort()).toEqual(['AidRequest', 'Orientation', 'Person', 'Training']);
  });

  it('walks every implementation of an interface through an inline fragment, every list with a small page, and stops at the depth bound', () => {
    const schema = buildSchema(SMALL);
    const root = rootSelection(options(schema), schema.getQueryType()!, 'person', '(id: "p1")')!;
    const text = printOperation('query', 'Walk', [root]);
    expect(text).toContain('... on AidRequest');
    expect(text).toContain('... on Training');
    expect(text).toContain('fundings(first: 2)');
    expect(validate(schema, parse(text))).toEqual([]);
    const depth = (set: readonly Selection[]): number => Math.max(0, ...set.map((s) => 1 + (s.kind === 'fragment' ? depth(s.children) : s.children ? depth(s.children) : 0)));
    expect(depth([root])).toBeLessThanOrEqual(6);
    // A catalogue that leads to no personal data is not walked.
    expect(rootSelection(options(schema), schema.getQueryType()!, 'catalogue', '')).toBeNull();
  });

  it('covers a field added to any type with no change to the crawler', () => {
    const before = buildSchema(SMALL);
    const after = buildSchema(SMALL.replace('agent: Person', 'agent: Person  medicalNote: String  coSigner: Person'));
    const walk = (schema: GraphQLSchema) => coordinates(schema, [rootSelection(options(schema), schema.getQueryType()!, 'person', '(id: "p1")')!], schema.getQueryType()!);
    const added = [...walk(after)].filter((c) => !walk(before).has(c));
    expect(added.sort()).toEqual(expect.arrayContaining(['AidRequest.coSigner', 'AidRequest.medicalNote']));
  });

  it('gives fields that differ in type between two implementations their own response keys, so the document stays valid', () => {
    const schema = buildSchema(SMALL);
    const text = printOperation('query', 'Walk', [rootSelection(options(schema), schema.getQueryType()!, 'person', '(id: "p1")')!]);
    expect(text).toMatch(/employer__onAidRequest: employer/);
    expect(validate(schema, parse(text))).toEqual([]);
  });

  it('asks for a reference to an entity a second time with its key alone, as a client that only wants the id would', () => {
    const schema = buildSchema(SMALL);
    const root = rootSelection(options(schema, { entityKey: (t) => (t === 'Person' ? ['id'] : undefined) }), schema.getQueryType()!, 'person', '(id: "p1")')!;
    const text = printOperation('query', 'Walk', [root]);
    expect(text).toContain('agent__key: agent { __typename id }');
    expect(validate(schema, parse(text))).toEqual([]);
  });

  it('cuts a walk too big for the limits into pieces that each fit and together ask for every path', () => {
    const schema = buildSchema(SMALL);
    const root = rootSelection(options(schema, { maxDepth: 8, maxTypeRepeats: 3 }), schema.getQueryType()!, 'people', '')!;
    const limit = operationCost(parse(printOperation('query', 'All', [root]))) / 3;
    const fits = (text: string) => validate(schema, parse(text)).length === 0 && operationCost(parse(text)) <= limit;
    const pieces = splitToFit(root, fits);
    expect(pieces.length).toBeGreaterThan(1);
    for (const piece of pieces) expect(fits(printOperation('query', 'Piece', [piece]))).toBe(true);
    const union = new Set(pieces.flatMap((p) => [...pathsOf([p])]));
    expect(union).toEqual(pathsOf([root]));
    const documents = pack(pieces, fits);
    for (const document of documents) expect(fits(printOperation('query', 'Doc', document))).toBe(true);
    expect(documents.flat().length).toBe(pieces.length);
  });

  it('puts keys in variables, renamed per entry, so one document shape serves every key', () => {
    const schema = buildSchema(SMALL);
    const field = schema.getQueryType()!.getFields().person;
    const roots = ['p1', 'p2'].map((id) => rootSelection(options(schema), schema.getQueryType()!, 'person', variableArgs(field.args, { id }))!);
    const [document] = pack(roots, () => true);
    const text = printOperation('query', 'Two', document);
    expect(text).toMatch(/^query Two\(\$e0_id: ID!, \$e1_id: ID!\)/);
    expect(variablesOf(document)).toEqual({ e0_id: 'p1', e1_id: 'p2' });
    expect(validate(schema, parse(text))).toEqual([]);
  });

  describe('on the composed supergraph', () => {
    const crawlSchema = crawlSchemaOf(readFileSync('schema/supergraph.graphql', 'utf8'));
    const { api } = crawlSchema;
    const query = api.getQueryType()!;

    it('finds personal data the crawl must reach, every subgraph with its _entities, and roles without personal data', () => {
      expect(crawlSchema.personalTypes.has('Person')).toBe(true);
      expect(crawlSchema.personalTypes.size).toBeGreaterThan(3);
      expect(crawlSchema.subgraphs.length).toBe(4);
      for (const s of crawlSchema.subgraphs) expect(s.schema.getQueryType()!.getFields()._entities).toBeDefined();
      expect(reachablePersonalTypes(crawlSchema, new Set(scopesFor('france-travail', 'analyst'))).size).toBe(0);
    });

    it('asks, within the gateway\'s limits, for every field of every personal-data type a national case-manager can read', () => {
      const scopes = new Set(scopesFor('france-travail', 'case-manager'));
      const walk: WalkOptions = {
        schema: api, maxDepth: 6, maxTypeRepeats: 2, pageSize: 2, mayTake: (p, f) => mayRead(crawlSchema, p, f, scopes),
        expands: (t, within) => within || crawlSchema.reachesPersonalData.has(t.name), personal: (t) => crawlSchema.personalTypes.has(t),
      };
      const reachable = reachablePersonalTypes(crawlSchema, scopes);
      const fits = gatewayLimits(api);
      const asked = new Set<string>();
      for (const field of Object.values(query.getFields())) {
        if (!mayRead(crawlSchema, query, field, scopes) || !crawlSchema.reachesPersonalData.has(getNamedType(field.type).name)) continue;
        const values = Object.fromEntries(field.args.filter((a) => String(a.type).endsWith('!')).map((a) => [a.name, 'x']));
        const root = rootSelection(walk, query, field.name, variableArgs(field.args, values));
        if (!root) continue;
        for (const document of pack(splitToFit(root, fits), fits)) {
          const text = printOperation('query', 'Crawl', document);
          expect(fits(text), text.slice(0, 200)).toBe(true);
          expect(operationCost(parse(text), api)).toBeLessThanOrEqual(LIMITS.cost);
          coordinates(api, document as FieldSelection[], query, asked);
        }
      }
      const missing: string[] = [];
      for (const typeName of reachable) {
        const type = api.getType(typeName);
        if (!isObjectType(type)) continue;
        for (const field of Object.values(type.getFields())) {
          if (mayRead(crawlSchema, type, field, scopes) && !asked.has(`${typeName}.${field.name}`)) missing.push(`${typeName}.${field.name}`);
        }
      }
      expect(missing).toEqual([]);
    });
  });
});
