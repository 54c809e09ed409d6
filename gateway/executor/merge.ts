// Merging one subgraph's answer into the tree the plan builds, exactly as ApolloGateway's deepMerge
// does (objects merged key by key, lists of the same length merged element by element, anything
// else replaced), without its per-key helper calls.
const hasOwn = Object.prototype.hasOwnProperty;

function isObject(value: unknown): value is Record<string, any> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** A key absent from `target` but found on its prototype (`constructor`…) becomes its own first. */
function defineOwn(target: Record<string, any>, key: string): void {
  if (!hasOwn.call(target, key) && key in target) Object.defineProperty(target, key, { configurable: true, enumerable: true, value: undefined, writable: true });
}

export function deepMerge(target: any, source: any): any {
  if (source === undefined || source === null) return target;
  for (const key of Object.keys(source)) {
    const value = source[key];
    if (value === undefined) continue;
    defineOwn(target, key);
    const existing = target[key];
    if (existing && isObject(value)) {
      deepMerge(existing, value);
    } else if (Array.isArray(value) && Array.isArray(existing) && value.length === existing.length) {
      for (let i = 0; i < value.length; i++) {
        if (isObject(existing[i]) && isObject(value[i])) deepMerge(existing[i], value[i]);
        else existing[i] = value[i];
      }
    } else {
      target[key] = value;
    }
  }
  return target;
}
