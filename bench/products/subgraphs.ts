// Workload (1): four small subgraphs of the shape of the public graphql-gateways-benchmark
// (accounts, inventory, products, reviews: users → reviews → products → reviews …), written here with
// @apollo/subgraph and their own synthetic data. They hold no access rules: they ignore the
// Authorization header, so Passerelle's gateway still signs every call (its cost is paid where it is
// measured) and the peers send none. One process serves the four on free ports, kept cheap (parsed
// and validated documents cached) so that the gateway under test, not the subgraphs, sets the pace.
// Prints `BENCH_SUBGRAPHS {"accounts":"http://…",…}` once listening; GET on any of them answers
// the count of GraphQL requests it received.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { execute, parse, validate, type DocumentNode, type GraphQLSchema } from 'graphql';

interface User { readonly id: string; readonly name: string; readonly username: string; readonly birthday: number }
interface Product { readonly upc: string; readonly name: string; readonly price: number; readonly weight: number; readonly inStock: boolean }
interface Review { readonly id: string; readonly body: string; readonly productUpc: string; readonly authorId: string }

const USERS: readonly User[] = [
  ['Camille Roche', 'camroche'], ['Mehdi Benali', 'mbenali'], ['Léa Fontaine', 'leaf'],
  ['Hugo Marchand', 'hmarchand'], ['Inès Carpentier', 'inesc'], ['Yann Le Gall', 'ylegall'],
].map(([name, username], i) => ({ id: String(i + 1), name, username, birthday: 631152000 + i * 86_400 * 97 }));

const PRODUCTS: readonly Product[] = [
  ['Bureau réglable', 899, 100, true], ['Fauteuil ergonomique', 1299, 1000, false], ['Loupe électronique', 15, 20, false],
  ['Clavier adapté', 499, 100, false], ['Plage braille', 1299, 1000, true], ['Lampe de bureau', 6999, 300, true],
  ['Repose-pieds', 3999, 2000, true], ['Table élévatrice', 100000, 6000, false], ['Siège assis-debout', 9999, 800, true],
].map(([name, price, weight, inStock], i) => ({ upc: String(i + 1), name: name as string, price: price as number, weight: weight as number, inStock: inStock as boolean }));

const WORDS = 'le poste de travail a été adapté après une étude ergonomique et le salarié reprend son activité à temps plein avec un matériel qui réduit la fatigue visuelle et les douleurs du dos pendant la journée'.split(' ');

/** A review body of `words` words, the same on every run. */
function body(seed: number, words: number): string {
  return Array.from({ length: words }, (_, i) => WORDS[(seed * 7 + i * 3) % WORDS.length]).join(' ');
}

// As in the public benchmark: eleven reviews, four on the first product, four on the second, then
// one and two; bodies of 4 to 30 words, so that the benchmark's query answers about 36 kB.
const REVIEWS: readonly Review[] = [
  ['1', 14], ['1', 9], ['1', 8], ['1', 4], ['2', 14], ['2', 9], ['2', 8], ['2', 4], ['3', 4], ['4', 4], ['4', 30],
].map(([upc, words], i) => ({ id: String(i + 1), body: body(i, words as number), productUpc: upc as string, authorId: '1' }));

const byId = <T extends { id: string }>(list: readonly T[]) => new Map(list.map((x) => [x.id, x]));
const users = byId(USERS);
const products = new Map(PRODUCTS.map((p) => [p.upc, p]));
const reviews = byId(REVIEWS);

const FEDERATION = 'extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key", "@shareable", "@external", "@requires", "@provides"])';

const SUBGRAPHS: Record<string, { sdl: string; resolvers: Record<string, Record<string, unknown>> }> = {
  accounts: {
    sdl: `${FEDERATION}
      type Query { me: User, user(id: ID!): User, users: [User] }
      type User @key(fields: "id") { id: ID!, name: String, username: String @shareable, birthday: Int }`,
    resolvers: {
      Query: { me: () => USERS[0], user: (_: unknown, { id }: { id: string }) => users.get(id) ?? null, users: () => USERS },
      User: { __resolveReference: ({ id }: { id: string }) => users.get(id) ?? null },
    },
  },
  inventory: {
    sdl: `${FEDERATION}
      type Product @key(fields: "upc") {
        upc: String!, weight: Int @external, price: Int @external, inStock: Boolean
        shippingEstimate: Int @requires(fields: "price weight")
      }`,
    resolvers: {
      Product: {
        __resolveReference: (ref: { upc: string; price?: number; weight?: number }) => ({ ...ref, inStock: products.get(ref.upc)?.inStock ?? null }),
        // Free above 1,000, otherwise half the weight (the public benchmark's rule).
        shippingEstimate: ({ price, weight }: { price?: number; weight?: number }) => (price === undefined ? null : price > 1000 ? 0 : weight === undefined ? null : Math.floor(weight / 2)),
      },
    },
  },
  products: {
    sdl: `${FEDERATION}
      type Query { topProducts(first: Int = 5): [Product] }
      type Product @key(fields: "upc") { upc: String!, name: String, price: Int, weight: Int }`,
    resolvers: {
      Query: { topProducts: (_: unknown, { first }: { first: number }) => PRODUCTS.slice(0, first) },
      Product: { __resolveReference: ({ upc }: { upc: string }) => products.get(upc) ?? null },
    },
  },
  reviews: {
    sdl: `${FEDERATION}
      type Review @key(fields: "id") { id: ID!, body: String, product: Product, author: User @provides(fields: "username") }
      type User @key(fields: "id") { id: ID!, username: String @external, reviews: [Review] }
      type Product @key(fields: "upc") { upc: String!, reviews: [Review] }`,
    resolvers: {
      Review: {
        __resolveReference: ({ id }: { id: string }) => reviews.get(id) ?? null,
        product: (r: Review) => ({ upc: r.productUpc }),
        author: (r: Review) => ({ id: r.authorId, username: users.get(r.authorId)?.username }),
      },
      // As in the public benchmark, every user's reviews are the first two.
      User: { __resolveReference: ({ id }: { id: string }) => ({ id }), reviews: () => REVIEWS.slice(0, 2) },
      Product: { __resolveReference: ({ upc }: { upc: string }) => ({ upc }), reviews: ({ upc }: { upc: string }) => REVIEWS.filter((r) => r.productUpc === upc) },
    },
  },
};

export const SUBGRAPH_NAMES = Object.keys(SUBGRAPHS);

export function subgraphSdl(name: string): string {
  return SUBGRAPHS[name].sdl;
}

function serve(schema: GraphQLSchema): Promise<{ url: string }> {
  const documents = new Map<string, DocumentNode>();
  let requests = 0;
  const server = http.createServer((req, res) => {
    if (req.method !== 'POST') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ requests }));
      return;
    }
    requests += 1;
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const { query, variables, operationName } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { query: string; variables?: Record<string, unknown>; operationName?: string };
      let document = documents.get(query);
      if (!document) {
        document = parse(query);
        const errors = validate(schema, document);
        if (errors.length) {
          res.writeHead(400, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ errors: errors.map((e) => ({ message: e.message })) }));
          return;
        }
        if (documents.size < 1000) documents.set(query, document);
      }
      const result = await execute({ schema, document, variableValues: variables, operationName });
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(result));
    });
  });
  server.keepAliveTimeout = 65_000;
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql` })));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const urls: Record<string, string> = {};
  for (const [name, { sdl, resolvers }] of Object.entries(SUBGRAPHS)) {
    urls[name] = (await serve(buildSubgraphSchema({ typeDefs: parse(sdl), resolvers: resolvers as never }))).url;
  }
  process.stdout.write(`BENCH_SUBGRAPHS ${JSON.stringify(urls)}\n`);
  process.on('SIGTERM', () => process.exit(0));
  process.on('SIGINT', () => process.exit(0));
}
