// Nested lists paged in SQL. For a batch of parents (the people of a caseload page, the accompaniments
// of a person...) and one page request, ONE statement returns each parent's rows of that page and the
// parent's count of visible rows:
//
//   select w.* from (
//     select e0.*, row_number() over (partition by <key> order by <order>) as __rn,
//                  count(*) over (partition by <key>) as __total
//     from <table> e0 where <key> in (...) and <the caller's perimeter>
//   ) w where (w.__rn > <offset> and w.__rn <= <offset + first>) or w.__rn = 1 order by w.__rn
//
// so the statements of a subgraph fetch do not grow with the number of parents, and a parent's rows
// outside the page never leave the database. Row 1 of each parent comes too when the page starts
// further (dropped before answering): it carries the count of a parent whose list ends before the page.
// The same SQL on SQLite (3.25+, window functions) and PostgreSQL. Rows.pages and Rows.heads
// (kit/rows.ts) are the way in: they add the perimeter and batch per request.
import { raw, type EntitySchema, type FilterQuery } from '@mikro-orm/core';
import type { SqlEntityManager } from '@mikro-orm/sql';

export type Direction = 'asc' | 'desc' | 'asc nulls last' | 'desc nulls last';
export type OrderBy<E> = Partial<Record<keyof E & string, Direction>>;

const DIRECTIONS: ReadonlySet<string> = new Set(['asc', 'desc', 'asc nulls last', 'desc nulls last']);

export interface Window {
  /** Rows ranked at or before this are left out (row 1 aside, see above). */
  readonly offset: number;
  /** Rows ranked after `offset + limit` are left out. */
  readonly limit: number;
  /**
   * Rank with ties (`rank()`): rows tied on `orderBy` with the last one of the window come too. For a
   * merge that orders by more than the columns SQL can order by the same way (JavaScript's
   * localeCompare on ids): the merge then sees every row that could be in its page.
   */
  readonly ties?: boolean;
}

/** A parent's rows of the window, in order, and its count of rows matching the condition. */
export interface Windowed<E> {
  readonly rows: E[];
  readonly total: number;
}

/**
 * Rows of `entity` matching `where` (which must select `foreignKey IN keys`, and holds the perimeter),
 * windowed per value of `foreignKey`, as plain objects under their property names (values converted
 * as for entities). Parents with no row are absent from the map.
 */
export async function windowedRows<E extends object>(
  em: SqlEntityManager, entity: EntitySchema<E, any>, where: FilterQuery<E>, foreignKey: keyof E & string, orderBy: OrderBy<E>, window: Window,
): Promise<Map<string, Windowed<E>>> {
  if (!Number.isInteger(window.offset) || window.offset < 0 || !Number.isInteger(window.limit) || window.limit < 1) throw new Error('a window is a whole offset and a positive limit');
  const meta = em.getMetadata(entity);
  const platform = em.getPlatform();
  const column = (property: string) => {
    const field = (meta.properties as Record<string, { fieldNames?: string[] } | undefined>)[property]?.fieldNames?.[0];
    if (!field) throw new Error(`${meta.className} has no column for ${property}`);
    return `e0.${platform.quoteIdentifier(field)}`;
  };
  const partition = column(foreignKey);
  const order = Object.entries(orderBy).map(([property, direction]) => {
    if (!DIRECTIONS.has(direction as string)) throw new Error(`not an order: ${String(direction)}`);
    return `${column(property)} ${direction}`;
  });
  if (!order.length) throw new Error('a windowed list needs an order');
  const rank = window.ties ? 'rank()' : 'row_number()';
  const inner = em.createQueryBuilder(entity, 'e0')
    .select(['*', raw(`${rank} over (partition by ${partition} order by ${order.join(', ')}) as __rn`), raw(`count(*) over (partition by ${partition}) as __total`)] as never)
    .where(where as never);
  const inWindow = window.offset === 0
    ? raw('w.__rn <= ?', [window.limit])
    : raw('(w.__rn > ? and w.__rn <= ?) or w.__rn = 1', [window.offset, window.offset + window.limit]);
  const rows = await em.createQueryBuilder(entity, 'w').from(inner as never, 'w').select('*').where(inWindow as never)
    .orderBy({ [raw('w.__rn')]: 'asc' } as never)
    .execute('all', true) as (E & { __rn: number | string; __total: number | string })[];
  const groups = new Map<string, Windowed<E>>();
  for (const row of rows) {
    const key = String(row[foreignKey]);
    let group = groups.get(key);
    // PostgreSQL's window functions are bigints (strings through pg).
    if (!group) groups.set(key, (group = { rows: [], total: Number(row.__total) }));
    const rn = Number(row.__rn);
    delete (row as Partial<typeof row>).__rn;
    delete (row as Partial<typeof row>).__total;
    if (rn > window.offset) group.rows.push(row);
  }
  return groups;
}
