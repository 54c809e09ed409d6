// A partner's access policy, declared once in `subgraphs/<partner>/policy.ts` and enforced by the
// kit on every path (rows.ts compiles it to SQL, guard.ts checks every object a field returns and
// audits what is read, writes.ts runs every mutation through it). Read it like the gateway's
// scope matrix: one table per partner, nothing about access written in a resolver.
import type { EntitySchema } from '@mikro-orm/core';
import type { Organisation, Role } from './caller.ts';

/** Who reads the rows of one table, and which attribute of a row decides whether it is in a perimeter. */
export interface RowRule {
  /** Organisations that may read rows of this table at all; everyone else sees none. */
  readonly readers: readonly Organisation[];
  /** Roles of those organisations that may read them (default: every role). */
  readonly roles?: readonly Role[];
  /** Property holding the id of the person the row is about: the row follows that person's perimeter. */
  readonly person?: string;
  /** Property holding a département: rows with no person (or tables without persons) follow it. */
  readonly place?: string;
}

/** Who may run a mutation; the person it writes about is checked against the caller's perimeter. */
export interface WriteRule {
  readonly scope: string;
  readonly writers: readonly Organisation[];
  /** The table of the row the mutation writes (its rule decides whether the caller may see the result). */
  readonly row: EntitySchema<any, any>;
  /** GraphQL fields the write sets (given the input), recorded in the audit log of the person concerned. */
  readonly fields: readonly string[] | ((input: any) => readonly string[]);
}

export interface PartnerPolicy {
  /** The partner's name in history events and audit entries (FRANCE_TRAVAIL, CAP_EMPLOI...). */
  readonly partner: string;
  /** Tables of rows about people or restricted to some organisations, keyed by entity name. */
  readonly rows: ReadonlyMap<EntitySchema<any, any>, RowRule>;
  /** Reference tables every authenticated caller reads (catalogues, organisations, directories). */
  readonly open: readonly EntitySchema<any, any>[];
  /**
   * GraphQL types whose objects are rows of a table of `rows` (or carry its properties): the guard
   * checks each object such a field returns against the table's rule and audits its fields.
   */
  readonly types: Readonly<Record<string, EntitySchema<any, any>>>;
  /** Mutation field name to its rule. */
  readonly writes: Readonly<Record<string, WriteRule>>;
}

/** Every organisation that may read a table (shorthand for reference-like tables restricted by place). */
export const EVERY_ORGANISATION: readonly Organisation[] = ['france-travail', 'cap-emploi', 'agefiph', 'fiphfp', 'dgefp', 'cheops'];

/**
 * Fails at start-up when a table of the subgraph is neither governed nor declared open, or a rule
 * names a property its table does not have: a new table cannot be read before someone decides who
 * may read it.
 */
export function checkPolicy(policy: PartnerPolicy, entities: readonly EntitySchema<any, any>[], kitEntities: readonly EntitySchema<any, any>[]): void {
  for (const entity of entities) {
    if (kitEntities.includes(entity)) continue;
    if (!policy.rows.has(entity) && !policy.open.includes(entity)) {
      throw new Error(`${policy.partner}: table ${entity.meta.tableName} is in no rule of policy.ts (declare who reads it, or that it is open)`);
    }
  }
  for (const [entity, rule] of policy.rows) {
    if (!rule.person && !rule.place) throw new Error(`${policy.partner}: the rule of ${entity.meta.tableName} names neither a person nor a place`);
    for (const property of [rule.person, rule.place]) {
      if (property && !(property in entity.meta.properties)) throw new Error(`${policy.partner}: ${entity.meta.tableName} has no property ${property}`);
    }
  }
  for (const [type, entity] of Object.entries(policy.types)) {
    if (!policy.rows.has(entity)) throw new Error(`${policy.partner}: type ${type} points at a table with no rule`);
  }
  for (const [mutation, rule] of Object.entries(policy.writes)) {
    if (!policy.rows.has(rule.row)) throw new Error(`${policy.partner}: mutation ${mutation} writes a table with no rule`);
  }
}
