// A subgraph's contract is its schema.graphql plus the shared definitions of kit/common.graphql
// (scalars, PageInfo, the shareable value types of the history and of fundings). Composition and
// the running subgraph read the same text through this module.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse, type DocumentNode } from 'graphql';
import { extraContributors, HUB_SUBGRAPH, hubSdl } from './hub.ts';

export const SUBGRAPHS = ['pole-emploi', 'cap-emploi', 'agefiph', 'fiphfp'] as const;
export type SubgraphName = (typeof SUBGRAPHS)[number];

export const DEFAULT_PORTS: Readonly<Record<SubgraphName, number>> = Object.freeze({
  'pole-emploi': 4001,
  'cap-emploi': 4002,
  agefiph: 4003,
  fiphfp: 4004,
});

const subgraphsDir = new URL('../', import.meta.url);

function ownSdl(name: string): string {
  const own = readFileSync(new URL(`${name}/schema.graphql`, subgraphsDir), 'utf8');
  const common = readFileSync(new URL('kit/common.graphql', subgraphsDir), 'utf8');
  return `${own}\n${common}`;
}

/** What the subgraph serves; the hub's plumbing is generated from the others' (kit/hub.ts). */
export function subgraphSdl(name: string): string {
  if (name !== HUB_SUBGRAPH) return ownSdl(name);
  const contributors = [...SUBGRAPHS.filter((other) => other !== name).map((other) => ({ name: other, sdl: ownSdl(other) })), ...extraContributors()];
  return hubSdl(ownSdl(name), contributors);
}

export function subgraphTypeDefs(name: string): DocumentNode {
  return parse(subgraphSdl(name));
}

export function subgraphDir(name: string): string {
  return fileURLToPath(new URL(`${name}/`, subgraphsDir));
}
