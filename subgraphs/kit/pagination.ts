// Cursor connections over MikroORM's keyset pagination (findByCursor): a page is one SQL query
// plus one count, whatever the offset, and the count respects the same row filters.
import type { Cursor } from '@mikro-orm/core';
import { ErrorCode, reject } from './errors.ts';

export const DEFAULT_PAGE_SIZE = 20;
/** A counsellor's whole caseload (up to ~100 people) fits in one page. */
export const MAX_PAGE_SIZE = 100;

export interface PageArgs {
  readonly first?: number | null;
  readonly after?: string | null;
}

export interface Page {
  readonly first: number;
  readonly after?: string;
}

export function page(args: PageArgs): Page {
  const first = args.first ?? DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(first) || first < 1 || first > MAX_PAGE_SIZE) {
    reject(ErrorCode.INVALID_INPUT, `first must be between 1 and ${MAX_PAGE_SIZE}`, 'first');
  }
  if (args.after != null && !/^[A-Za-z0-9_-]{1,512}$/.test(args.after)) {
    reject(ErrorCode.INVALID_INPUT, 'after is not a cursor returned by this field', 'after');
  }
  return args.after ? { first, after: args.after } : { first };
}

export interface Connection<T> {
  readonly nodes: readonly T[];
  readonly totalCount: number;
  readonly pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

export function connection<T extends object>(cursor: Cursor<T, any, any, any, true>): Connection<T> {
  return {
    nodes: cursor.items as T[],
    totalCount: cursor.totalCount,
    pageInfo: { hasNextPage: cursor.hasNextPage, endCursor: cursor.endCursor },
  };
}

/** Where an offset page starts and how many items it holds: what an offset cursor (`after`) says. */
export interface OffsetPage {
  readonly offset: number;
  readonly first: number;
}

/** The page `args` ask of a list paged by offset; a bad `first` or `after` is INVALID_INPUT as for every list. */
export function offsetPage(args: PageArgs): OffsetPage {
  const { first, after } = page(args);
  if (!after) return { offset: 0, first };
  const decoded = Number(Buffer.from(after, 'base64url').toString('utf8').replace(/^o:/, ''));
  if (!Number.isInteger(decoded) || decoded < 0) reject(ErrorCode.INVALID_INPUT, 'after is not a cursor returned by this field', 'after');
  return { offset: decoded, first };
}

/**
 * The connection of one offset page: `nodes` are the items at `offset` and after (at most `first`),
 * `totalCount` the length of the whole list. Its end cursor is the offset after the page (sealed by
 * kit/cursor.ts like every cursor).
 */
export function offsetConnection<T>(nodes: readonly T[], totalCount: number, { offset }: OffsetPage): Connection<T> {
  const end = offset + nodes.length;
  return {
    nodes,
    totalCount,
    pageInfo: { hasNextPage: end < totalCount, endCursor: nodes.length ? Buffer.from(`o:${end}`).toString('base64url') : null },
  };
}

/**
 * Paginates a list already in memory (a static catalogue, a merge across partners) with an opaque
 * offset cursor. Lists read from a table are paged in SQL instead (Rows.pages: kit/windowed.ts).
 */
export function connectionOf<T>(items: readonly T[], args: PageArgs): Connection<T> {
  const at = offsetPage(args);
  return offsetConnection(items.slice(at.offset, at.offset + at.first), items.length, at);
}
