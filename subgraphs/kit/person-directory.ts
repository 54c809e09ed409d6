// Where each person lives, as every subgraph needs it to decide who may see that person: a copy of
// France Travail's residence département kept in each subgraph's own database (the person
// perimeter is compiled to SQL over it, so counts and pages stay right). How fresh it is and what
// happens when a person moves: docs/adr/person-perimeter.md.
import { defineEntity, p } from '@mikro-orm/core';
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

/** SQL selecting the ids of the people living in `departements` (a subquery of the perimeter). */
export function residentsSql(departements: readonly string[]): { sql: string; params: string[] } {
  return {
    sql: `(select pd.person_id from person_directory pd where pd.departement in (${departements.map(() => '?').join(', ')}))`,
    params: [...departements],
  };
}
