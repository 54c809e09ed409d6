// The benchmark's operations are registered the way partner apps' are (schema/register.ts: validated
// against the served graph, cost computed and recorded, refused above the limit), but for the run only,
// in a registry of its own that the gateway is pointed at (TRUSTED_OPERATIONS_DIR): they are not
// operations of a partner app, so they stay out of schema/operations/, where production would accept
// them and the schema check would hold partner teams to them. Each operation is its own app, so that a
// refusal leaves the others registered. The manifest carries the exact text the benchmark sends.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Kind, parse, type GraphQLSchema, type OperationDefinitionNode } from 'graphql';
import { documentHash } from '../gateway/trusted-documents.ts';
import { registerApp } from '../schema/register.ts';
import { MANIFEST_FILE, MANIFEST_FORMAT, type PersistedQueryManifest } from '../schema/registered-operations.ts';

export interface RunRegistration {
  readonly operationName: string;
  readonly cost: number | null;
  /** Why registration refused the operation; empty when it is registered. */
  readonly problems: readonly string[];
}

export async function registerForRun(registry: string, app: string, text: string, apiSchema: GraphQLSchema): Promise<RunRegistration> {
  const operation = parse(text).definitions.find((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  if (!operation?.name) throw new Error(`${app}: the document needs one named operation`);
  const manifest: PersistedQueryManifest = {
    format: MANIFEST_FORMAT,
    version: 1,
    operations: [{ id: documentHash(text), name: operation.name.value, type: operation.operation, body: text }],
  };
  mkdirSync(path.join(registry, app), { recursive: true });
  writeFileSync(path.join(registry, app, MANIFEST_FILE), JSON.stringify(manifest));
  const registration = await registerApp(registry, app, apiSchema);
  return { operationName: operation.name.value, cost: registration.operations[0]?.cost ?? null, problems: registration.problems };
}
