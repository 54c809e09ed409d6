import { readFileSync } from 'node:fs';
import { Kind } from 'graphql';
import { describe, expect, it } from 'vitest';
import { compose, SUPERGRAPH_PATH } from '../schema/compose.ts';
import { subgraphTypeDefs, SUBGRAPHS } from '../subgraphs/kit/schema-files.ts';
import { accessPolicy } from '../gateway/authorization.ts';

describe('the composed supergraph', () => {
  it('composes from the four subgraph schemas without error', () => {
    const { errors } = compose();
    expect(errors).toEqual([]);
  });

  it('is committed up to date (run `npm run compose` after changing a schema.graphql)', () => {
    expect(readFileSync(SUPERGRAPH_PATH, 'utf8')).toBe(compose().supergraphSdl);
  });

  it('documents every type, field and argument for the analysts reading it in Sandbox', () => {
    const missing: string[] = [];
    for (const name of SUBGRAPHS) {
      for (const def of subgraphTypeDefs(name).definitions) {
        if (!('name' in def) || !def.name || def.kind === Kind.DIRECTIVE_DEFINITION) continue;
        const typeName = def.name.value;
        if (!['Query', 'Mutation'].includes(typeName) && !('description' in def && def.description)) missing.push(`${name}: ${typeName}`);
        const fields = ('fields' in def ? def.fields : undefined) ?? [];
        for (const field of fields as readonly { name: { value: string }; description?: unknown; arguments?: readonly { name: { value: string }; description?: unknown }[] }[]) {
          if (!field.description) missing.push(`${name}: ${typeName}.${field.name.value}`);
          for (const arg of field.arguments ?? []) if (!arg.description) missing.push(`${name}: ${typeName}.${field.name.value}(${arg.name.value})`);
        }
        const values = ('values' in def ? def.values : undefined) ?? [];
        for (const value of values as readonly { name: { value: string }; description?: unknown }[]) if (!value.description) missing.push(`${name}: ${typeName}.${value.name.value}`);
      }
    }
    expect(missing).toEqual([]);
  });

  it('carries the access declarations of the subgraphs: health data needs health:read', () => {
    const policy = accessPolicy(readFileSync(SUPERGRAPH_PATH, 'utf8'));
    expect(policy.fields.get('Person.disabilityStatus')?.scopes).toEqual([['health:read']]);
    expect(policy.fields.get('Person.auditTrail')?.scopes).toEqual([['audit:read']]);
  });
});
