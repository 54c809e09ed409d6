// Every read of a governed table goes through here: the caller's perimeter (perimeter.ts) is added
// to the resolver's own condition in SQL, so a resolver cannot forget it and counts, pages and
// batched loads only ever see visible rows. Loaders are per request (they cache, and the cache
// must not cross callers).
import DataLoader from 'dataloader';
import type { EntityManager, EntitySchema, FilterQuery, FindOptions } from '@mikro-orm/core';
import type { SqlEntityManager } from '@mikro-orm/sql';
import { connection, offsetConnection, offsetPage, page, type Connection, type PageArgs } from './pagination.ts';
import type { Perimeter } from './perimeter.ts';
import { windowedRows, type OrderBy, type Window, type Windowed } from './windowed.ts';

export type { OrderBy } from './windowed.ts';

export class Rows {
  readonly #em: EntityManager;
  readonly #perimeter: Perimeter;
  readonly #loaders = new Map<string, DataLoader<string, unknown>>();

  constructor(em: EntityManager, perimeter: Perimeter) {
    this.#em = em;
    this.#perimeter = perimeter;
  }

  get perimeter(): Perimeter {
    return this.#perimeter;
  }

  /** The caller's condition on `entity` and the resolver's own. */
  where<E extends object>(entity: EntitySchema<E, any>, own: object = {}): FilterQuery<E> {
    return { $and: [this.#perimeter.where(entity), own] } as FilterQuery<E>;
  }

  find<E extends object>(entity: EntitySchema<E, any>, own: object, options?: FindOptions<E, any>): Promise<E[]> {
    return this.#em.find(entity, this.where(entity, own) as never, options as never) as Promise<E[]>;
  }

  /**
   * Visible rows as plain objects under their property names, values converted as for entities,
   * without entity hydration or the unit of work: what the batched loaders hand to resolvers, which
   * only read them (hydrating and tracking a page's rows was a fifth of a subgraph's CPU). The same
   * condition as `find`.
   */
  #plain<E extends object>(entity: EntitySchema<E, any>, own: object, orderBy?: OrderBy<E>): Promise<E[]> {
    const qb = (this.#em as unknown as SqlEntityManager).createQueryBuilder(entity).select('*').where(this.where(entity, own) as never);
    if (orderBy) qb.orderBy(orderBy as never);
    return qb.execute('all', true) as Promise<E[]>;
  }

  one<E extends object>(entity: EntitySchema<E, any>, own: object): Promise<E | null> {
    return this.#em.findOne(entity, this.where(entity, own) as never) as Promise<E | null>;
  }

  count<E extends object>(entity: EntitySchema<E, any>, own: object): Promise<number> {
    return this.#em.count(entity, this.where(entity, own) as never);
  }

  /** One page of visible rows in SQL (keyset cursor), with the count of all visible rows. */
  async page<E extends object>(entity: EntitySchema<E, any>, own: object, args: PageArgs, orderBy: OrderBy<E>): Promise<Connection<E>> {
    return connection(await this.#em.findByCursor(entity, { where: this.where(entity, own) as never, ...page(args), orderBy: orderBy as never }));
  }

  #loader<V>(name: string, make: () => DataLoader<string, V>): DataLoader<string, V> {
    let loader = this.#loaders.get(name);
    if (!loader) this.#loaders.set(name, (loader = make() as DataLoader<string, unknown>));
    return loader as DataLoader<string, V>;
  }

  /** Visible rows by a unique key, batched: null for unknown keys and for rows outside the perimeter. */
  byKey<E extends object>(entity: EntitySchema<E, any>, key: keyof E & string): DataLoader<string, E | null> {
    return this.#loader(`${entity.meta.className}.${key}`, () => new DataLoader<string, E | null>(async (keys) => {
      const rows = await this.#plain(entity, { [key]: { $in: [...keys] } });
      const found = new Map(rows.map((row) => [String(row[key]), row]));
      return keys.map((k) => found.get(k) ?? null);
    }));
  }

  /**
   * Visible children of many parents at once, grouped by the parent key, each group ordered, whole.
   * For lists a client pages, `pages` reads only the page.
   */
  groupedBy<E extends object>(entity: EntitySchema<E, any>, foreignKey: keyof E & string, orderBy: OrderBy<E>): DataLoader<string, E[]> {
    return this.#loader(`${entity.meta.className}[${foreignKey}]${JSON.stringify(orderBy)}`, () => new DataLoader<string, E[]>(async (keys) => {
      const rows = await this.#plain(entity, { [foreignKey]: { $in: [...keys] } }, orderBy);
      const groups = new Map<string, E[]>(keys.map((k) => [k, []]));
      for (const row of rows) groups.get(String(row[foreignKey]))?.push(row);
      return keys.map((k) => groups.get(k) ?? []);
    }));
  }

  #windowed<E extends object>(entity: EntitySchema<E, any>, foreignKey: keyof E & string, keys: readonly string[], orderBy: OrderBy<E>, window: Window) {
    return windowedRows(this.#em as unknown as SqlEntityManager, entity, this.where(entity, { [foreignKey]: { $in: [...keys] } }), foreignKey, orderBy, window);
  }

  /**
   * The page `args` ask of each parent's visible children (a nested connection), batched: one SQL
   * statement per batch of parents and page request, returning only the rows of the page and each
   * parent's count (kit/windowed.ts). The loader is the page request's: parents asked with other
   * arguments are another batch. Cursors are offsets, as connectionOf's; a bad `first` or `after`
   * is INVALID_INPUT before any SQL.
   */
  pages<E extends object>(entity: EntitySchema<E, any>, foreignKey: keyof E & string, orderBy: OrderBy<E>, args: PageArgs): DataLoader<string, Connection<E>> {
    const at = offsetPage(args);
    return this.#loader(`${entity.meta.className}[${foreignKey}]${JSON.stringify(orderBy)} page ${at.offset}+${at.first}`, () => new DataLoader<string, Connection<E>>(async (keys) => {
      const groups = await this.#windowed(entity, foreignKey, keys, orderBy, { offset: at.offset, limit: at.first });
      return keys.map((k) => offsetConnection(groups.get(k)?.rows ?? [], groups.get(k)?.total ?? 0, at));
    }));
  }

  /**
   * The first `limit` visible children of each parent by `orderBy`, with every row tied with the last
   * of them, and each parent's count, batched (one statement per batch): what a merge of several lists
   * needs of each to answer its page (the merge orders the rows itself).
   */
  heads<E extends object>(entity: EntitySchema<E, any>, foreignKey: keyof E & string, orderBy: OrderBy<E>, limit: number): DataLoader<string, Windowed<E>> {
    return this.#loader(`${entity.meta.className}[${foreignKey}]${JSON.stringify(orderBy)} head ${limit}`, () => new DataLoader<string, Windowed<E>>(async (keys) => {
      const groups = await this.#windowed(entity, foreignKey, keys, orderBy, { offset: 0, limit, ties: true });
      return keys.map((k) => groups.get(k) ?? { rows: [], total: 0 });
    }));
  }
}
