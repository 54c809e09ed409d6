// Where each person lives, as every subgraph needs it to decide who may see that person: a copy of
// France Travail's residence département kept in each subgraph's own database (the person
// perimeter is compiled to SQL over it, so counts and pages stay right). How fresh it is and what
// happens when a person moves: docs/adr/person-perimeter.md.
import { defineEntity, p, raw } from '@mikro-orm/core';
import { people, type WorldOptions } from './population.ts';

export const PersonDirectory = defineEntity({
  name: 'PersonDirectory',
  tableName: 'person_directory',
  properties: {
    personId: p.string().primary(),
    departement: p.string().index(),
  },
});

/** The residence of every person of the synthetic world (each subgraph seeds its own copy). */
export function* directoryOf(world: WorldOptions): Generator<{ personId: string; departement: string }> {
  for (const person of people(world)) yield { personId: person.id, departement: person.departement };
}

/**
 * A where condition (spread it into a MikroORM filter): the person in `column` of `table` lives in one
 * of `departements`. Written as a correlated EXISTS on the directory's primary key, so each row costs
 * one index probe: an `in (select person_id ... where departement in ...)` made SQLite build the list
 * of every resident of the territory for every statement (a thousandfold more work at national
 * scale); PostgreSQL plans both as the same semi-join. `table` and `column` are the entity's own
 * names, never user input; the row's alias is the query's when it has one.
 */
export function residentCondition(table: string, column: string, departements: readonly string[]): Record<symbol, never[]> {
  for (const name of [table, column]) if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`not a table or column name: ${name}`);
  const condition = raw((alias: string) => `exists (select 1 from person_directory pd where pd.person_id = ${alias || table}.${column} and pd.departement in (${departements.map(() => '?').join(', ')}))`, [...departements]);
  return { [condition]: [] };
}
