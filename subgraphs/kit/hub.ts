// The hub's plumbing, generated from the list of subgraphs (docs/adr/hub-plumbing.md).
// Person.history, Person.fundings and Employer.fundings are served by one subgraph, the hub
// (France Travail), from what every other subgraph contributes by a kit convention:
//   - `<prefix>Events: [HistoryEvent!] @inaccessible` on Person: its events of the history;
//   - `<prefix>FundingReferences: [FundingReference!] @inaccessible` on Person or Employer: its fundings;
//   - every type implementing Funding with a @key: the hub names it when it lists a funding;
//   - the values of its `Partner` enum: the hub serialises them in the events it merges.
// The hub's schema.graphql names none of them: this module adds the @external fields, the
// @requires selections, the Funding stubs and the Partner values to the hub's SDL, from the
// contributors' SDL, when a subgraph is composed (schema/composition.ts) and when the hub serves
// (schema-files.ts). The hub's resolvers read the inputs with `contributions`.
import { readFileSync } from 'node:fs';
import {
  Kind, parse, print,
  type ConstDirectiveNode, type DefinitionNode, type DocumentNode, type EnumTypeDefinitionNode, type FieldDefinitionNode,
  type InterfaceTypeDefinitionNode, type ObjectTypeDefinitionNode, type ObjectTypeExtensionNode,
} from 'graphql';

/** The subgraph that merges the others' history and fundings. */
export const HUB_SUBGRAPH = 'pole-emploi';

/** A merged field of the hub, the suffix of the fields that feed it, and what the merge reads of each. */
interface Plumbing {
  readonly type: 'Person' | 'Employer';
  readonly field: string;
  readonly suffix: 'Events' | 'FundingReferences';
  readonly selection: string;
  readonly what: string;
}

export const PLUMBING: readonly Plumbing[] = [
  { type: 'Person', field: 'history', suffix: 'Events', selection: '{ occurredOn partner kind summary reference }', what: 'events of the history' },
  { type: 'Person', field: 'fundings', suffix: 'FundingReferences', selection: '{ id typename requestedOn }', what: 'fundings of the person' },
  { type: 'Employer', field: 'fundings', suffix: 'FundingReferences', selection: '{ id typename requestedOn }', what: 'fundings of the employer' },
];

export interface ContributorSdl {
  readonly name: string;
  readonly sdl: string;
}

type TypeNode = ObjectTypeDefinitionNode | ObjectTypeExtensionNode;

const isObject = (d: DefinitionNode): d is TypeNode => d.kind === Kind.OBJECT_TYPE_DEFINITION || d.kind === Kind.OBJECT_TYPE_EXTENSION;
const hasDirective = (node: { directives?: readonly ConstDirectiveNode[] }, name: string) => (node.directives ?? []).some((d) => d.name.value === name);
const directive = (source: string): ConstDirectiveNode => (parse(`type T ${source} { a: Int }`).definitions[0] as ObjectTypeDefinitionNode).directives![0];
const description = (value: string) => ({ kind: Kind.STRING, value, block: false }) as const;

/** The contributor fields of `type` with `suffix`, in the contributors' order. */
function contributedFields(contributors: readonly { name: string; doc: DocumentNode }[], type: string, suffix: string) {
  return contributors.flatMap(({ name, doc }) => doc.definitions.filter(isObject).filter((d) => d.name.value === type)
    .flatMap((d) => d.fields ?? [])
    .filter((f) => f.name.value.endsWith(suffix) && f.name.value.length > suffix.length && hasDirective(f, 'inaccessible'))
    .map((f) => ({ contributor: name, field: f })));
}

/**
 * The hub's SDL with its plumbing: `hub` is its schema.graphql followed by kit/common.graphql,
 * `contributors` the same text of every other subgraph. Throws when the hub does not declare a
 * field of PLUMBING. What the hub declares itself is kept (schemas committed before kit/hub.ts).
 */
export function hubSdl(hub: string, contributors: readonly ContributorSdl[]): string {
  const doc = parse(hub);
  const others = contributors.filter((c) => c.name !== HUB_SUBGRAPH).map((c) => ({ name: c.name, doc: parse(c.sdl) }));
  const definitions = [...doc.definitions];
  const indexOf = (kind: Kind, name: string) => definitions.findIndex((d) => d.kind === kind && 'name' in d && d.name?.value === name);

  // 1. @external inputs and @requires selections.
  const added = new Map<string, FieldDefinitionNode[]>();
  const requires = new Map<string, string[]>();
  for (const p of PLUMBING) {
    const at = indexOf(Kind.OBJECT_TYPE_DEFINITION, p.type);
    const type = definitions[at] as ObjectTypeDefinitionNode | undefined;
    if (!type?.fields?.some((f) => f.name.value === p.field)) throw new Error(`the hub (${HUB_SUBGRAPH}) has no field ${p.type}.${p.field}`);
    const inputs = contributedFields(others, p.type, p.suffix);
    const fields = added.get(p.type) ?? [];
    for (const { contributor, field } of inputs) {
      // A hub that still names the field itself (a schema of before kit/hub.ts, e.g. as committed) keeps its own.
      if (!type.fields.some((f) => f.name.value === field.name.value) && !fields.some((f) => f.name.value === field.name.value)) {
        fields.push({ kind: Kind.FIELD_DEFINITION, name: field.name, type: field.type, description: description(`${contributor}'s ${p.what} (input of \`${p.field}\`, generated by kit/hub.ts).`), directives: [directive('@external')] });
      }
    }
    added.set(p.type, fields);
    if (inputs.length) requires.set(`${p.type}.${p.field}`, inputs.map(({ field }) => `${field.name.value} ${p.selection}`));
  }
  for (const [typeName, fields] of added) {
    const at = indexOf(Kind.OBJECT_TYPE_DEFINITION, typeName);
    const type = definitions[at] as ObjectTypeDefinitionNode;
    definitions[at] = {
      ...type,
      fields: [
        ...type.fields!.map((f) => {
          const selection = requires.get(`${typeName}.${f.name.value}`);
          if (!selection || hasDirective(f, 'requires')) return f;
          return { ...f, directives: [...(f.directives ?? []), directive(`@requires(fields: ${JSON.stringify(selection.join(' '))})`)] };
        }),
        ...fields,
      ],
    };
  }

  // 2. A stub of every contributor type implementing Funding, so the hub can name it in `fundings`.
  const funding = definitions[indexOf(Kind.INTERFACE_TYPE_DEFINITION, 'Funding')] as InterfaceTypeDefinitionNode | undefined;
  for (const { name, doc: other } of others) {
    for (const d of other.definitions) {
      if (d.kind !== Kind.OBJECT_TYPE_DEFINITION || !funding || !hasDirective(d, 'key')) continue;
      if (!(d.interfaces ?? []).some((i) => i.name.value === 'Funding')) continue;
      if (indexOf(Kind.OBJECT_TYPE_DEFINITION, d.name.value) >= 0) continue;
      definitions.push({
        kind: Kind.OBJECT_TYPE_DEFINITION,
        name: d.name,
        description: description(`${d.description?.value ?? d.name.value} (served by the ${name} subgraph; stub generated by kit/hub.ts).`),
        interfaces: d.interfaces,
        directives: [directive('@key(fields: "id", resolvable: false)')],
        fields: (funding.fields ?? []).map((f) => ({ ...f, directives: f.name.value === 'id' ? [] : [directive('@external')] })),
      });
    }
  }

  // 3. Every Partner value a contributor declares.
  const partnerAt = indexOf(Kind.ENUM_TYPE_DEFINITION, 'Partner');
  if (partnerAt >= 0) {
    const partner = definitions[partnerAt] as EnumTypeDefinitionNode;
    const values = [...(partner.values ?? [])];
    for (const { doc: other } of others) {
      for (const d of other.definitions) {
        if (d.kind !== Kind.ENUM_TYPE_DEFINITION || d.name.value !== 'Partner') continue;
        for (const v of d.values ?? []) if (!values.some((own) => own.name.value === v.name.value)) values.push(v);
      }
    }
    definitions[partnerAt] = { ...partner, values };
  }
  return print({ ...doc, definitions });
}

/**
 * Schema files of subgraphs outside subgraphs/ that the hub serves as contributors too
 * (HUB_CONTRIBUTORS="name=path/to/schema.graphql,..."): how a test adds a toy subgraph.
 */
export function extraContributors(env: Readonly<Record<string, string | undefined>> = process.env): ContributorSdl[] {
  return (env.HUB_CONTRIBUTORS ?? '').split(',').filter(Boolean).map((entry) => {
    const [name, file] = entry.split('=');
    if (!name || !file) throw new Error('HUB_CONTRIBUTORS must read name=path/to/schema.graphql,...');
    return { name, sdl: readFileSync(file, 'utf8') };
  });
}

/** The inputs of a merge on the hub: every array the gateway passed under `<prefix><suffix>`. */
export function contributions<T>(parent: object, suffix: Plumbing['suffix']): T[][] {
  return Object.entries(parent).filter(([key, value]) => key.endsWith(suffix) && key.length > suffix.length && Array.isArray(value)).map(([, value]) => value as T[]);
}
