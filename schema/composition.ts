// Composition of subgraph schemas taken from the working tree or from a commit. `npm run compose`
// composes the working tree; `npm run schema:check` and `npm run dev -- --only <subgraph>` compose one
// team's working tree with the others' committed schemas, as they would be deployed.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { composeServices } from '@apollo/composition';
import { ROUTER_SUPPORTED_SUPERGRAPH_FEATURES, Supergraph } from '@apollo/federation-internals';
import { GraphQLError, parse, type GraphQLSchema } from 'graphql';
import { HUB_SUBGRAPH, hubSdl } from '../subgraphs/kit/hub.ts';
import { DEFAULT_PORTS, SUBGRAPHS } from '../subgraphs/kit/schema-files.ts';

export interface SubgraphSource {
  readonly name: string;
  /** The subgraph's schema.graphql followed by kit/common.graphql, as the running subgraph serves it. */
  readonly sdl: string;
  readonly origin: 'working tree' | 'HEAD';
}

export interface ComposedGraph {
  readonly supergraphSdl?: string;
  /** The public API schema: what clients see (no federation plumbing). */
  readonly apiSchema?: GraphQLSchema;
  readonly errors: readonly string[];
}

const schemaFile = (name: string) => `subgraphs/${name}/schema.graphql`;
const COMMON_FILE = 'subgraphs/kit/common.graphql';

/** A file as committed at `rev`, or null when it does not exist there. */
export function committedFile(root: string, file: string, rev = 'HEAD'): string | null {
  try {
    return execFileSync('git', ['show', `${rev}:${file}`], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 * 1024 * 1024 });
  } catch (error) {
    const stderr = String((error as { stderr?: unknown }).stderr ?? '');
    if (/does not exist|exists on disk, but not in/.test(stderr)) return null;
    throw new Error(`cannot read ${file} at ${rev} with git (${stderr.trim() || (error as Error).message})`);
  }
}

export function workingTreeSource(root: string, name: string): SubgraphSource {
  const own = readFileSync(path.join(root, schemaFile(name)), 'utf8');
  const common = readFileSync(path.join(root, COMMON_FILE), 'utf8');
  return { name, sdl: `${own}\n${common}`, origin: 'working tree' };
}

export type CommittedReader = (file: string) => string | null;

export function committedSource(root: string, name: string, read: CommittedReader = (file) => committedFile(root, file)): SubgraphSource | null {
  const own = read(schemaFile(name));
  const common = read(COMMON_FILE);
  return own === null || common === null ? null : { name, sdl: `${own}\n${common}`, origin: 'HEAD' };
}

/**
 * The subgraphs as they would run once `fromWorkingTree` ship: those from the working tree, every
 * other one as committed (one that is not committed yet is left out).
 */
export function proposedSources(root: string, fromWorkingTree: readonly string[], read?: CommittedReader, subgraphs: readonly string[] = SUBGRAPHS): SubgraphSource[] {
  return subgraphs.flatMap((name) => {
    if (fromWorkingTree.includes(name)) return existsSync(path.join(root, schemaFile(name))) ? [workingTreeSource(root, name)] : [];
    const committed = committedSource(root, name, read);
    return committed ? [committed] : [];
  });
}

/** `sources` with the hub's plumbing generated from the others (kit/hub.ts). */
export function withHubPlumbing(sources: readonly SubgraphSource[]): SubgraphSource[] {
  return sources.map((s) => (s.name === HUB_SUBGRAPH ? { ...s, sdl: hubSdl(s.sdl, sources) } : s));
}

export function composeSources(sources: readonly SubgraphSource[], urls: Readonly<Record<string, string>> = {}): ComposedGraph {
  let typeDefs;
  try {
    typeDefs = withHubPlumbing(sources).map((s) => ({ name: s.name, doc: parse(s.sdl) }));
  } catch (error) {
    return { errors: [`${error instanceof GraphQLError ? 'GRAPHQL_PARSE_FAILED' : 'HUB_PLUMBING'}: ${(error as Error).message}`] };
  }
  const result = composeServices(typeDefs.map(({ name, doc }) => ({
    name,
    // The URLs of a local `npm start`; deployments override them (SUBGRAPH_URL_<NAME>).
    url: urls[name] ?? `http://127.0.0.1:${DEFAULT_PORTS[name as keyof typeof DEFAULT_PORTS] ?? 4000}/`,
    typeDefs: doc,
  })));
  if (result.errors) return { errors: result.errors.map((e) => `${e.extensions?.code ?? 'ERROR'}: ${e.message}`) };
  return { supergraphSdl: `${result.supergraphSdl.trimEnd()}\n`, apiSchema: result.schema.toAPISchema().toGraphQLJSSchema({ includeDefer: true }), errors: [] };
}

/**
 * The public API schema of a composed supergraph (one that Apollo Router could also serve), with
 * @defer declared, as the gateway serves it: registered operations may defer fragments.
 */
export function apiSchemaOf(supergraphSdl: string): GraphQLSchema {
  return Supergraph.build(supergraphSdl, { supportedFeatures: ROUTER_SUPPORTED_SUPERGRAPH_FEATURES }).apiSchema().toGraphQLJSSchema({ includeDefer: true });
}
