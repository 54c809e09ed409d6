// Per-request DataLoaders: one `$in` query per entity type per subgraph fetch, whatever the size of
// the list the gateway asks about. Created lazily in the request context and never shared between
// requests (they cache, and the cache must not cross users).
import DataLoader from 'dataloader';
import type { EntityManager, EntityName, FilterQuery } from '@mikro-orm/core';

/** Loads entities by a unique key, answering null for unknown keys, in key order. */
export function byKey<E extends object>(em: EntityManager, entity: EntityName<E>, key: keyof E & string, extra?: FilterQuery<E>) {
  return new DataLoader<string, E | null>(async (keys) => {
    const where = { [key]: { $in: [...keys] }, ...(extra as object) } as FilterQuery<E>;
    const rows = (await em.find(entity, where as never)) as E[];
    const found = new Map(rows.map((row) => [String(row[key]), row]));
    return keys.map((k) => found.get(k) ?? null);
  });
}

/** Loads the children of many parents at once, grouped by the parent key, each group ordered. */
export function groupedBy<E extends object>(
  em: EntityManager,
  entity: EntityName<E>,
  foreignKey: keyof E & string,
  orderBy: Partial<Record<keyof E & string, 'asc' | 'desc'>>,
  extra?: FilterQuery<E>,
) {
  return new DataLoader<string, E[]>(async (keys) => {
    const where = { [foreignKey]: { $in: [...keys] }, ...(extra as object) } as FilterQuery<E>;
    const rows = (await em.find(entity, where as never, { orderBy: orderBy as never })) as E[];
    const groups = new Map<string, E[]>(keys.map((k) => [k, []]));
    for (const row of rows) groups.get(String(row[foreignKey]))?.push(row);
    return keys.map((k) => groups.get(k) ?? []);
  });
}
