// The supergraph the gateway serves: read from a file (any composed supergraph, not only ours),
// and reloaded when the file changes. ApolloGateway swaps schemas without dropping requests in
// flight; an invalid new file is refused and the previous supergraph keeps serving.
import { readFileSync, unwatchFile, watchFile } from 'node:fs';
import type { SupergraphSdlHook } from '@apollo/gateway';

export interface SupergraphFileOptions {
  readonly path: string;
  readonly pollIntervalMs?: number;
  /** Turns the file's text into what ApolloGateway loads (the authorization layer reads it first). */
  readonly prepare: (sdl: string) => string;
  readonly onReload?: (ok: boolean, error?: unknown) => void;
}

export function supergraphFromFile(options: SupergraphFileOptions): SupergraphSdlHook {
  return async ({ update }) => {
    let current = readFileSync(options.path, 'utf8');
    const initial = options.prepare(current);
    // Polling (not fs.watch): editors and `npm run compose` replace the file, which fs.watch may miss.
    watchFile(options.path, { interval: options.pollIntervalMs ?? 500 }, () => {
      let next: string;
      try {
        next = readFileSync(options.path, 'utf8');
      } catch (error) {
        options.onReload?.(false, error);
        return;
      }
      if (next === current) return;
      try {
        update(options.prepare(next));
        current = next;
        options.onReload?.(true);
      } catch (error) {
        options.onReload?.(false, error);
      }
    });
    return { supergraphSdl: initial, cleanup: async () => unwatchFile(options.path) };
  };
}
