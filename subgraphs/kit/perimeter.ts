// The caller's perimeter in one request: which rows of each table it may read (as SQL, so counts and
// pages are those of visible rows) and whether one object or one person is inside. Built from the
// partner's policy and the verified caller; fails closed: an unknown person, a table with no rule
// or an object missing the attribute its rule reads is outside.
import DataLoader from 'dataloader';
import type { EntityManager, EntitySchema, FilterQuery } from '@mikro-orm/core';
import type { SqlEntityManager } from '@mikro-orm/sql';
import { territoryFilter, type Caller } from './caller.ts';
import { PersonDirectory, residentCondition } from './person-directory.ts';
import type { PartnerPolicy, RowRule } from './policy.ts';

export class Perimeter {
  readonly #policy: PartnerPolicy;
  readonly #caller: Caller;
  /** Null for a national caller. */
  readonly #territory: readonly string[] | null;
  readonly #residence: DataLoader<string, string | null>;
  readonly #em: EntityManager;

  constructor(policy: PartnerPolicy, caller: Caller, em: EntityManager) {
    this.#policy = policy;
    this.#em = em;
    this.#caller = caller;
    this.#territory = territoryFilter(caller);
    this.#residence = new DataLoader(async (ids) => {
      // Plain rows: read once per request, never written through this unit of work.
      const rows = await (em as unknown as SqlEntityManager).createQueryBuilder(PersonDirectory).select('*').where({ personId: { $in: [...ids] } }).execute('all', true);
      const found = new Map(rows.map((r) => [r.personId, r.departement]));
      return ids.map((id) => found.get(id) ?? null);
    });
  }

  get caller(): Caller {
    return this.#caller;
  }

  /** The same perimeter reading the directory through another unit of work (a mutation's transaction). */
  within(em: EntityManager): Perimeter {
    return new Perimeter(this.#policy, this.#caller, em);
  }

  #rule(entity: EntitySchema<any, any>): RowRule | 'open' {
    if (this.#policy.open.includes(entity)) return 'open';
    const rule = this.#policy.rows.get(entity);
    if (!rule) throw new Error(`${entity.meta.tableName} has no rule in ${this.#policy.partner}'s policy`);
    return rule;
  }

  #reads(rule: RowRule): boolean {
    return rule.readers.includes(this.#caller.organisation) && (!rule.roles || rule.roles.includes(this.#caller.role));
  }

  /** The SQL condition selecting the rows of `entity` the caller may read. */
  where<E extends object>(entity: EntitySchema<E, any>): FilterQuery<E> {
    const rule = this.#rule(entity);
    if (rule === 'open') return {} as FilterQuery<E>;
    const anyColumn = (rule.person ?? rule.place)!;
    if (!this.#reads(rule)) return { [anyColumn]: { $in: [] } } as FilterQuery<E>;
    const territory = this.#territory;
    if (!territory) return {} as FilterQuery<E>;
    const byPlace = rule.place ? { [rule.place]: { $in: [...territory] } } : null;
    if (!rule.person) return byPlace as FilterQuery<E>;
    const meta = this.#em.getMetadata(entity);
    const byPerson = residentCondition(meta.tableName, (meta.properties as Record<string, { fieldNames: string[] }>)[rule.person].fieldNames[0], territory);
    if (!byPlace || (entity.meta.properties as Record<string, { nullable?: boolean }>)[rule.person]?.nullable !== true) return byPerson as FilterQuery<E>;
    return { $or: [byPerson, { [rule.person]: null, ...byPlace }] } as FilterQuery<E>;
  }

  /** Whether the caller may see this person: one the directory knows, anywhere for a national caller, among its residents for a territorial one. */
  async includesPerson(personId: string | null | undefined): Promise<boolean> {
    if (typeof personId !== 'string' || personId === '') return false;
    const departement = await this.#residence.load(personId);
    return departement !== null && (!this.#territory || this.#territory.includes(departement));
  }

  /** Whether a département is the caller's (any for a national caller): where a row about no one may be written. */
  includesPlace(departement: string): boolean {
    return !this.#territory || this.#territory.includes(departement);
  }

  /** The département a person lives in, as the directory knows it (null when unknown). */
  residenceOf(personId: string): Promise<string | null> {
    return this.#residence.load(personId);
  }

  /** Whether an object of GraphQL type `type` (a row of a governed table) is inside the perimeter. */
  allows(type: string, object: Record<string, unknown>): Promise<boolean> {
    const entity = this.#policy.types[type];
    return entity ? this.allowsRow(entity, object) : Promise.resolve(false);
  }

  /** Whether a row of `entity` (or an object carrying the attributes its rule reads) is inside the perimeter. */
  async allowsRow(entity: EntitySchema<any, any>, object: Record<string, unknown>): Promise<boolean> {
    const rule = this.#rule(entity);
    if (rule === 'open') return true;
    if (!this.#reads(rule)) return false;
    if (rule.person) {
      const personId = object[rule.person];
      if (personId === undefined) return false;
      if (personId !== null) return this.includesPerson(personId as string);
    }
    if (!this.#territory) return true;
    const place = rule.place ? object[rule.place] : undefined;
    return typeof place === 'string' && this.#territory.includes(place);
  }

  /** The person a governed object of GraphQL type `type` is about (null for rows about no one). */
  personOf(type: string, object: Record<string, unknown>): string | null {
    const entity = this.#policy.types[type];
    return entity ? this.personOfRow(entity, object) : null;
  }

  personOfRow(entity: EntitySchema<any, any>, object: Record<string, unknown>): string | null {
    const property = this.#policy.rows.get(entity)?.person;
    const value = property ? object[property] : null;
    return typeof value === 'string' ? value : null;
  }
}
