// `npm run compose`: composes the four subgraph schemas into schema/supergraph.graphql with
// @apollo/composition. Errors name the subgraph and the type; nothing is written on error.
// `--check` writes nothing and fails when the committed supergraph is stale.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { SUBGRAPHS } from '../subgraphs/kit/schema-files.ts';
import { composeSources, workingTreeSource } from './composition.ts';

export const SUPERGRAPH_PATH = fileURLToPath(new URL('./supergraph.graphql', import.meta.url));

export interface Composition {
  readonly supergraphSdl?: string;
  readonly errors: readonly string[];
}

const ROOT = fileURLToPath(new URL('../', import.meta.url));

export function compose(): Composition {
  const { supergraphSdl, errors } = composeSources(SUBGRAPHS.map((name) => workingTreeSource(ROOT, name)));
  return { supergraphSdl, errors };
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
