// `npm run compose`: composes the four subgraph schemas into schema/supergraph.graphql with
// @apollo/composition. Errors name the subgraph and the type; nothing is written on error.
// `--check` writes nothing and fails when the committed supergraph is stale.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { composeServices } from '@apollo/composition';
import { DEFAULT_PORTS, SUBGRAPHS, subgraphTypeDefs } from '../subgraphs/kit/schema-files.ts';

export const SUPERGRAPH_PATH = fileURLToPath(new URL('./supergraph.graphql', import.meta.url));

export interface Composition {
  readonly supergraphSdl?: string;
  readonly errors: readonly string[];
}

export function compose(): Composition {
  const result = composeServices(SUBGRAPHS.map((name) => ({
    name,
    // The URLs of a local `npm start`; deployments override them (SUBGRAPH_URL_<NAME>).
    url: `http://127.0.0.1:${DEFAULT_PORTS[name]}/`,
    typeDefs: subgraphTypeDefs(name),
  })));
  if (result.errors) {
    return { errors: result.errors.map((e) => `${e.extensions?.code ?? 'ERROR'}: ${e.message}`) };
  }
  return { supergraphSdl: `${result.supergraphSdl.trimEnd()}\n`, errors: [] };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { supergraphSdl, errors } = compose();
  if (!supergraphSdl) {
    process.stderr.write(`Composition failed:\n${errors.map((e) => `  - ${e}`).join('\n')}\n`);
    process.exit(1);
  }
  if (process.argv.includes('--check')) {
    const committed = readFileSync(SUPERGRAPH_PATH, 'utf8');
    if (committed !== supergraphSdl) {
      process.stderr.write('schema/supergraph.graphql is stale: run `npm run compose` and commit it.\n');
      process.exit(1);
    }
    process.stdout.write('schema/supergraph.graphql is current.\n');
  } else {
    writeFileSync(SUPERGRAPH_PATH, supergraphSdl);
    process.stdout.write(`Wrote ${SUPERGRAPH_PATH}\n`);
  }
}
