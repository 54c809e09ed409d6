// Graceful shutdown: on SIGTERM the gateway stops listening (new connections are refused), answers
// 503 `SHUTTING_DOWN` with `connection: close` to any new request on a kept-alive connection, lets
// the requests in flight finish (their answers close their connections), then exits — after
// `timeoutMs` at the latest, cutting what is left. /ready answers 503 from the first moment, so a
// load balancer that still routes here learns it at its next probe.
import type http from 'node:http';

export interface Draining {
  /** True from the moment the shutdown starts. */
  readonly draining: boolean;
  /** Stops accepting, waits for the requests in flight; resolves false when the bound cut them. */
  drain(): Promise<boolean>;
}

export function gracefulShutdown(server: http.Server, timeoutMs: number): Draining {
  const inFlight = new Set<http.ServerResponse>();
  const track = (_req: http.IncomingMessage, res: http.ServerResponse) => {
    inFlight.add(res);
    res.once('close', () => inFlight.delete(res));
  };
  server.prependListener('request', track);
  let draining = false;
  return {
    get draining() {
      return draining;
    },
    drain() {
      draining = true;
      // Requests already being served keep their handler; any later one is refused.
      server.removeAllListeners('request');
      server.on('request', (_req: http.IncomingMessage, res: http.ServerResponse) => {
        res.writeHead(503, { 'content-type': 'application/json; charset=utf-8', connection: 'close', 'retry-after': '1' });
        res.end(JSON.stringify({ errors: [{ message: 'this gateway is shutting down; retry on another', extensions: { code: 'SHUTTING_DOWN' } }] }));
      });
      for (const res of inFlight) if (!res.headersSent) res.setHeader('connection', 'close');
      return new Promise<boolean>((resolve) => {
        const bound = setTimeout(() => {
          server.closeAllConnections();
          resolve(false);
        }, timeoutMs);
        bound.unref();
        server.close(() => {
          clearTimeout(bound);
          resolve(true);
        });
        server.closeIdleConnections();
      });
    },
  };
}
