// A plain node:http front for an Apollo Server, shared by the subgraphs and the gateway:
// health and readiness probes, a bounded request body, and GraphQL on / and /graphql.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { HeaderMap, type ApolloServer, type BaseContext, type ContextFunction } from '@apollo/server';

export interface HttpOptions<TContext extends BaseContext> {
  readonly host: string;
  readonly port: number;
  readonly bodyLimitBytes: number;
  readonly apollo: ApolloServer<TContext>;
  readonly context: ContextFunction<[{ req: http.IncomingMessage }], TContext>;
  /** Readiness: false answers 503 on /ready (e.g. database or supergraph not loaded yet). */
  readonly ready: () => boolean;
  /** Extra GET routes (e.g. the gateway's public keys). */
  readonly routes?: Readonly<Record<string, () => { status: number; body: unknown }>>;
  /** Handlers tried first, in order (the gateway's CORS, its own pages): one that answered returns true. */
  readonly handlers?: readonly RequestHandler[];
}

export type RequestHandler = (req: http.IncomingMessage, res: http.ServerResponse, url: URL) => boolean | Promise<boolean>;

export interface HttpServer {
  readonly server: http.Server;
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

function json(res: http.ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify(body));
}

class BodyTooLarge extends Error {}

/** What is read and thrown away after a 413 before the connection is cut. */
const DISCARD_LIMIT_BYTES = 32 * 1024 * 1024;

function readBody(req: http.IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > limit) {
      reject(new BodyTooLarge());
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.removeAllListeners('data');
        reject(new BodyTooLarge());
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function errorBody(message: string, code: string) {
  return { errors: [{ message, extensions: { code } }] };
}

export async function serveHttp<TContext extends BaseContext>(options: HttpOptions<TContext>): Promise<HttpServer> {
  const { apollo } = options;
  const server = http.createServer(async (req, res) => {
    try {
      const url = new URL(req.url ?? '/', 'http://localhost');
      if (url.pathname === '/health') return json(res, 200, { status: 'ok' });
      if (url.pathname === '/ready') return options.ready() ? json(res, 200, { status: 'ready' }) : json(res, 503, { status: 'starting' });
      for (const handle of options.handlers ?? []) if (await handle(req, res, url)) return;
      const route = req.method === 'GET' ? options.routes?.[url.pathname] : undefined;
      if (route) {
        const { status, body } = route();
        return json(res, status, body);
      }
      if (url.pathname !== '/' && url.pathname !== '/graphql') return json(res, 404, errorBody('not found', 'NOT_FOUND'));
      let body: unknown = undefined;
      if (req.method === 'POST') {
        const text = await readBody(req, options.bodyLimitBytes);
        const type = req.headers['content-type'] ?? '';
        if (type.startsWith('application/json') || type.startsWith('application/graphql-response+json')) {
          try {
            body = JSON.parse(text);
          } catch {
            return json(res, 400, errorBody('the request body is not valid JSON', 'BAD_REQUEST'));
          }
          // GraphiQL sends `operationName: ""` for an anonymous operation: no name, not a name no
          // operation has (Apollo Server would find none and fail the request with a 500).
          if (body && typeof body === 'object' && (body as { operationName?: unknown }).operationName === '') delete (body as { operationName?: unknown }).operationName;
        } else {
          // Only JSON is accepted: form-encoded or plain-text posts are what CSRF uses.
          return json(res, 415, errorBody('GraphQL requests are sent as application/json', 'BAD_REQUEST'));
        }
      }
      const headers = new HeaderMap();
      for (const [key, value] of Object.entries(req.headers)) {
        if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
      }
      const response = await apollo.executeHTTPGraphQLRequest({
        httpGraphQLRequest: { method: req.method ?? 'GET', headers, search: url.search, body },
        context: () => options.context({ req }),
      });
      for (const [key, value] of response.headers) res.setHeader(key, value);
      res.statusCode = response.status ?? 200;
      if (response.body.kind === 'complete') {
        res.end(response.body.string);
      } else {
        for await (const chunk of response.body.asyncIterator) res.write(chunk);
        res.end();
      }
    } catch (error) {
      if (error instanceof BodyTooLarge) {
        json(res, 413, errorBody(`the request body exceeds ${options.bodyLimitBytes} bytes`, 'PAYLOAD_TOO_LARGE'));
        // Discard (never buffer) the rest so that the client, still sending, can read the answer;
        // a client that keeps sending well past the limit is cut off.
        let discarded = 0;
        req.on('data', (chunk: Buffer) => {
          discarded += chunk.length;
          if (discarded > DISCARD_LIMIT_BYTES) req.destroy();
        });
        req.resume();
        return;
      }
      if (!res.headersSent) json(res, 500, errorBody('internal error', 'INTERNAL_SERVER_ERROR'));
      else res.end();
    }
  });
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const host = options.host === '0.0.0.0' || options.host === '::' ? '127.0.0.1' : options.host;
  return {
    server,
    port,
    url: `http://${host}:${port}/`,
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeIdleConnections();
    }),
  };
}
