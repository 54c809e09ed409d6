// Cross-origin calls to the GraphQL endpoint, for browsers on an allowed origin only: Apollo's hosted
// Sandbox (https://studio.apollographql.com) and the partners' own tools, listed in CORS_ORIGINS.
// The origin is echoed, never `*`; no credentials mode (callers send a bearer token, the gateway sets
// no cookie). A request from any other origin is refused (403) before GraphQL, preflight included, so
// that a page elsewhere cannot even spend a partner's rate budget. The gateway's own pages
// (/explorer, /indicators) are same-origin and pass untouched.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ConfigError } from '../subgraphs/kit/config.ts';

export interface CorsOptions {
  /** Exact origins (scheme://host[:port]) allowed to call the API from a browser. */
  readonly allowedOrigins: readonly string[];
}

/** Apollo's hosted Sandbox: allowed unless CORS_ORIGINS says otherwise. */
export const APOLLO_STUDIO_ORIGIN = 'https://studio.apollographql.com';

/** Headers a browser may send: the token, JSON, Apollo's CSRF and client-awareness headers, tracing. */
const ALLOWED_HEADERS = [
  'authorization', 'content-type', 'accept', 'apollo-require-preflight', 'x-apollo-operation-name',
  'apollographql-client-name', 'apollographql-client-version', 'x-request-id', 'traceparent', 'tracestate',
].join(', ');

const API_PATHS = new Set(['/', '/graphql']);

/**
 * Reads CORS_ORIGINS (comma-separated origins; empty: none). Each must be an origin and nothing more;
 * plain http only for the loopback (a development tool), `*` never.
 */
export function corsOriginsFrom(env: Readonly<Record<string, string | undefined>>): readonly string[] {
  const raw = env.CORS_ORIGINS ?? APOLLO_STUDIO_ORIGIN;
  const origins = raw.split(',').map((o) => o.trim()).filter(Boolean);
  for (const origin of origins) {
    let parsed: URL;
    try {
      parsed = new URL(origin);
    } catch {
      throw new ConfigError(`CORS_ORIGINS must list origins such as ${APOLLO_STUDIO_ORIGIN} (got "${origin.slice(0, 64)}")`);
    }
    if (parsed.origin !== origin) throw new ConfigError(`CORS_ORIGINS lists "${origin.slice(0, 64)}": an origin is scheme://host[:port], with no path or slash`);
    const loopback = ['localhost', '127.0.0.1', '[::1]'].includes(parsed.hostname);
    if (parsed.protocol !== 'https:' && !(parsed.protocol === 'http:' && loopback)) {
      throw new ConfigError(`CORS_ORIGINS lists "${origin}": origins other than the loopback must use https`);
    }
  }
  return Object.freeze(origins);
}

function refuse(res: ServerResponse): true {
  res.writeHead(403, { 'content-type': 'application/json; charset=utf-8', vary: 'Origin' });
  res.end(JSON.stringify({ errors: [{ message: 'this origin may not call the API from a browser', extensions: { code: 'ORIGIN_NOT_ALLOWED' } }] }));
  return true;
}

/** A request handler for kit/http.ts: answers preflights and refusals, marks allowed responses. */
export function cors(options: CorsOptions) {
  const allowed = new Set(options.allowedOrigins);
  return (req: IncomingMessage, res: ServerResponse, url: URL): boolean => {
    if (!API_PATHS.has(url.pathname)) return false;
    res.setHeader('vary', 'Origin');
    const origin = req.headers.origin;
    // No Origin: not a browser's cross-origin call (a server, curl). Same host: the gateway's pages.
    if (origin === undefined || sameOrigin(origin, req.headers.host)) return false;
    if (!allowed.has(origin)) return refuse(res);
    res.setHeader('access-control-allow-origin', origin);
    if (req.method === 'OPTIONS') {
      res.writeHead(204, {
        'access-control-allow-methods': 'GET, POST, OPTIONS',
        'access-control-allow-headers': ALLOWED_HEADERS,
        'access-control-max-age': '600',
      });
      res.end();
      return true;
    }
    return false;
  };
}

function sameOrigin(origin: string, host: string | undefined): boolean {
  try {
    return host !== undefined && new URL(origin).host === host;
  } catch {
    return false;
  }
}
