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

/** Paginates a list already in memory (a person's merged history), with an opaque offset cursor. */
export function connectionOf<T>(items: readonly T[], args: PageArgs): Connection<T> {
  const { first, after } = page(args);
  let start = 0;
  if (after) {
    const decoded = Number(Buffer.from(after, 'base64url').toString('utf8').replace(/^o:/, ''));
    if (!Number.isInteger(decoded) || decoded < 0) reject(ErrorCode.INVALID_INPUT, 'after is not a cursor returned by this field', 'after');
    start = decoded;
  }
  const slice = items.slice(start, start + first);
  const end = start + slice.length;
  return {
    nodes: slice,
    totalCount: items.length,
    pageInfo: { hasNextPage: end < items.length, endCursor: slice.length ? Buffer.from(`o:${end}`).toString('base64url') : null },
  };
}
