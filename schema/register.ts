// `npm run operations:register [-- <app>...]`: registers partner apps' operations.
// For each app folder under schema/operations/ (all when none is named):
//   1. when the folder holds the app's own documents (documents/), generates its Apollo persisted-query
//      manifest from them with @apollo/generate-persisted-query-manifest, which applies Apollo Client's
//      own document transforms (so ids and bodies are those the client sends). An app built in its own
//      repository runs the generator there and drops persisted-query-manifest.json into the folder;
//   2. validates every operation against the public schema of the committed supergraph (@defer declared,
//      as the gateway serves it);
//   3. computes each operation's cost as the gateway's cost limit counts it, refuses any above the
//      limit, records the costs (operation-costs.json) and shows them to the team.
// The gateway picks up the new registration without restart.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, specifiedRules, validate, type GraphQLSchema } from 'graphql';
import { LIMITS, operationCost } from '../gateway/limits.ts';
import { apiSchemaOf } from './composition.ts';
import { COSTS_FILE, MANIFEST_FILE, parseManifest, registeredApps, type CostRecord, type PersistedQueryManifest } from './registered-operations.ts';

export const OPERATIONS_DIR = fileURLToPath(new URL('./operations/', import.meta.url));
const SUPERGRAPH_FILE = fileURLToPath(new URL('./supergraph.graphql', import.meta.url));

/** Where an app kept in this repository writes the documents its client sends. */
export const DOCUMENTS_GLOB = 'documents/**/*.{graphql,gql,js,jsx,ts,tsx}';

export interface RegisteredCost {
  readonly name: string;
  readonly type: string;
  readonly id: string;
  readonly cost: number;
}

export interface Registration {
  readonly app: string;
  readonly generated: boolean;
  readonly operations: readonly RegisteredCost[];
  /** Why registration was refused (nothing is written then). */
  readonly problems: readonly string[];
}

/** What Apollo Client would send for each of the app's documents, as an Apollo manifest. */
export async function generateManifest(appDir: string): Promise<PersistedQueryManifest> {
  // CommonJS, and its own typings are internal: loaded lazily so the gateway never pays for it.
  const { generatePersistedQueryManifest } = (await import('@apollo/generate-persisted-query-manifest')).default as unknown as {
    generatePersistedQueryManifest(config: { documents: string[] }): Promise<PersistedQueryManifest>;
  };
  // The generator (1.4.0) builds its ApolloClient without an incremental handler, and Apollo Client 4
  // then refuses a document with @defer before the link sees it. The handler a partner app uses with
  // our gateway (Defer20220824Handler) sends the document unchanged (it only adds an Accept header), so
  // for the generation Apollo Client's default handler lets @defer through, as that one does.
  const { NotImplementedHandler } = createRequire(import.meta.url)('@apollo/client/incremental') as { NotImplementedHandler: { prototype: { prepareRequest(request: unknown): unknown } } };
  const refuses = NotImplementedHandler.prototype.prepareRequest;
  NotImplementedHandler.prototype.prepareRequest = (request) => request;
  try {
    return await generatePersistedQueryManifest({ documents: [path.join(appDir, DOCUMENTS_GLOB)] });
  } finally {
    NotImplementedHandler.prototype.prepareRequest = refuses;
  }
}

export function costRecordOf(manifest: PersistedQueryManifest, apiSchema: GraphQLSchema): CostRecord {
  const operations: Record<string, { name: string; cost: number }> = {};
  for (const op of [...manifest.operations].sort((a, b) => a.name.localeCompare(b.name))) operations[op.id] = { name: op.name, cost: operationCost(parse(op.body), apiSchema, { worstCase: true }) };
  return { costLimit: LIMITS.cost, operations };
}

export async function registerApp(dir: string, app: string, apiSchema: GraphQLSchema): Promise<Registration> {
  const appDir = path.join(dir, app);
  const generated = existsSync(path.join(appDir, 'documents'));
  let manifest: PersistedQueryManifest;
  try {
    manifest = generated ? await generateManifest(appDir) : parseManifest(JSON.parse(readFileSync(path.join(appDir, MANIFEST_FILE), 'utf8')));
  } catch (error) {
    return { app, generated, operations: [], problems: [(error as Error).message] };
  }
  const record = costRecordOf(manifest, apiSchema);
  const problems: string[] = [];
  const operations = manifest.operations.map((op) => {
    for (const error of validate(apiSchema, parse(op.body), specifiedRules)) problems.push(`${op.name}: ${error.message}`);
    const { cost } = record.operations[op.id];
    if (cost > LIMITS.cost) problems.push(`${op.name}: costs ${cost}, above the limit of ${LIMITS.cost} (ask for smaller pages or fewer fields)`);
    return { name: op.name, type: op.type, id: op.id, cost };
  });
  if (problems.length === 0) {
    if (generated) writeFileSync(path.join(appDir, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
    writeFileSync(path.join(appDir, COSTS_FILE), `${JSON.stringify(record, null, 2)}\n`);
  }
  return { app, generated, operations, problems };
}

export function formatRegistration(r: Registration): string {
  const lines = [`${r.app}${r.generated ? ` (manifest generated from ${DOCUMENTS_GLOB})` : ''}`];
  const width = Math.max(9, ...r.operations.map((o) => o.name.length));
  lines.push(`  ${'operation'.padEnd(width)}  type      id            cost  of the limit`);
  for (const o of r.operations) {
    lines.push(`  ${o.name.padEnd(width)}  ${o.type.padEnd(8)}  ${o.id.slice(0, 12)}  ${String(Math.round(o.cost)).padStart(6)}  ${((100 * o.cost) / LIMITS.cost).toFixed(1).padStart(5)}%`);
  }
  if (r.problems.length) lines.push('  refused, nothing written:', ...r.problems.map((p) => `    - ${p}`));
  else lines.push(`  registered: ${MANIFEST_FILE} and ${COSTS_FILE} (commit both)`);
  return lines.join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const named = process.argv.slice(2).filter((a) => !a.startsWith('-'));
  const apps = named.length ? named : registeredApps(OPERATIONS_DIR);
  const apiSchema = apiSchemaOf(readFileSync(SUPERGRAPH_FILE, 'utf8'));
  let refused = false;
  for (const app of apps) {
    if (!existsSync(path.join(OPERATIONS_DIR, app))) {
      process.stderr.write(`no folder schema/operations/${app}/ (apps: ${registeredApps(OPERATIONS_DIR).join(', ')})\n`);
      refused = true;
      continue;
    }
    const registration = await registerApp(OPERATIONS_DIR, app, apiSchema);
    refused ||= registration.problems.length > 0;
    process.stdout.write(`${formatRegistration(registration)}\n\n`);
  }
  process.exit(refused ? 1 : 0);
}
