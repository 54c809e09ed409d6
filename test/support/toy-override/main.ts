// A toy pair of subgraphs for test/e2e/progressive-override.test.ts: `from` serves three fields,
// `to` takes them over with `@override(from: "from", label: "percent(N)")` at 0, 50 and 100 %.
// Each answers its own name, and counts the calls it receives per field (GET /calls).
import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse } from 'graphql';
import { serveToy } from '../toy-server.ts';

export const MOVED = { zero: 0, half: 50, full: 100 } as const;

export function toyOverrideSdl(side: 'from' | 'to'): string {
  const fields = Object.entries(MOVED).map(([field, percent]) =>
    `  "Moved at ${percent} %."\n  ${field}: String!${side === 'to' ? ` @override(from: "from", label: "percent(${percent})")` : ''}`);
  return `extend schema @link(url: "https://specs.apollo.dev/federation/v2.9", import: ["@override"])\n\ntype Query {\n${fields.join('\n')}\n}\n`;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const side = process.env.TOY_SIDE === 'to' ? 'to' : 'from';
  const resolvers = { Query: Object.fromEntries(Object.keys(MOVED).map((field) => [field, () => side])) };
  await serveToy(side, buildSubgraphSchema({ typeDefs: parse(toyOverrideSdl(side)), resolvers }), (body) => Object.keys(MOVED).filter((field) => body.query?.includes(field)));
}
