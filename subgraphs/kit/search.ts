// Text search with LIKE where what the user typed is matched literally: `%` and `_` typed in a name
// are characters of the name, not wildcards (before, `lastName: "%"` matched everyone). The pattern
// escapes them, and the escape character itself, with an explicit ESCAPE clause: neither SQLite nor
// PostgreSQL share a default escape character for LIKE (SQLite has none, PostgreSQL uses `\`), and
// MikroORM's `$like` writes no ESCAPE, so the condition is a raw fragment, the same on both.
import { raw } from '@mikro-orm/core';

/** The escape character of our LIKE patterns: not a wildcard, not special in SQL string literals. */
export const LIKE_ESCAPE = '!';

export type LikeMode = 'prefix' | 'contains';

/** `text` as a LIKE pattern matching it literally, at the start (`prefix`) or anywhere (`contains`). */
export function likePattern(text: string, mode: LikeMode): string {
  const literal = text.replace(/[!%_]/g, (c) => `${LIKE_ESCAPE}${c}`);
  return mode === 'prefix' ? `${literal}%` : `%${literal}%`;
}

/**
 * A where condition (spread it into a MikroORM filter): `column` matches `text` literally, as
 * `likePattern` says. `column` is the database column (snake_case), never user input.
 */
export function matchesText(column: string, text: string, mode: LikeMode): Record<symbol, never[]> {
  if (!/^[a-z_][a-z0-9_]*$/.test(column)) throw new Error(`not a column name: ${column}`);
  const condition = raw((alias: string) => `${alias ? `${alias}.` : ''}${column} like ? escape '${LIKE_ESCAPE}'`, [likePattern(text, mode)]);
  return { [condition]: [] };
}
