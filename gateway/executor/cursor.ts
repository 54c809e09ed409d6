// Where a plan node works in the tree being built: a path (`@` for "each element of the list") and
// the objects it designates, as ApolloGateway's result cursors.
import type { ResponsePath } from '@apollo/query-planner';

export type ResultMap = Record<string, any>;

export interface Cursor {
  readonly path: ResponsePath;
  readonly data: ResultMap | ResultMap[];
  readonly root: ResultMap;
}

const hasOwn = Object.prototype.hasOwnProperty;

/** The cursor a Flatten node moves to; none when nothing is there (a null or missing parent). */
export function moveInto(cursor: Cursor, path: ResponsePath): Cursor | undefined {
  const data = flattenAt(cursor.data, path, 0);
  return data ? { path: cursor.path.concat(path), data, root: cursor.root } : undefined;
}

function flattenAt(value: any, path: ResponsePath, from: number): any {
  if (from === path.length) return value;
  if (value === undefined || value === null) return value;
  const current = path[from];
  if (current === '@') {
    // Array.prototype.flatMap's result, without its callback and intermediate arrays.
    const flat: any[] = [];
    for (const element of value as any[]) {
      const inner = flattenAt(element, path, from + 1);
      if (Array.isArray(inner)) for (const item of inner) flat.push(item);
      else flat.push(inner);
    }
    return flat;
  }
  if (typeof current !== 'string') throw new Error(`Unexpected ${typeof current} found in path`);
  if (Array.isArray(value)) throw new Error(`Unexpected array in result for path element ${current}`);
  return flattenAt(hasOwn.call(value, current) ? value[current] : undefined, path, from + 1);
}

/**
 * Every concrete path that `path` designates in `data` (`@` replaced by each index), in the order
 * of the entities a fetch sends: the answer to an entity's error at `_entities.<i>`.
 */
export function hydratedPaths(path: ResponsePath, data: ResultMap): ResponsePath[] {
  const result: ResponsePath[] = [];
  hydrate([], path, 0, data, result);
  return result;
}

function hydrate(parent: ResponsePath, path: ResponsePath, from: number, data: any, result: ResponsePath[]): void {
  if (data == null) return;
  const head = path[from];
  if (head == null) {
    result.push(parent.slice());
  } else if (head === '@') {
    if (!Array.isArray(data)) throw new Error('expected array when encountering `@`');
    data.forEach((value, i) => {
      parent.push(i);
      hydrate(parent, path, from + 1, value, result);
      parent.pop();
    });
  } else if (typeof head === 'string') {
    if (Array.isArray(data)) {
      data.forEach((value, i) => {
        parent.push(i);
        hydrate(parent, path, from, value, result);
        parent.pop();
      });
    } else if (hasOwn.call(data, head)) {
      parent.push(head);
      hydrate(parent, path, from + 1, data[head], result);
      parent.pop();
    }
  } else {
    throw new Error(`unknown path part "${head}"`);
  }
}
