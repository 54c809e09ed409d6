// The gateway's own pages, /explorer and /indicators: static files built from npm packages by
// gateway/pages/build.ts, served as a request handler of kit/http.ts. The pages carry no data (every
// figure comes from the GraphQL API with the caller's token) and load nothing from another host: the
// Content-Security-Policy allows this origin only, so a page could not reach elsewhere even if a
// dependency tried. In development a stale bundle is rebuilt when the gateway starts.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import type { Logger } from 'pino';
import { builtStamp, PAGES, PAGES_DIST, sourcesStamp, type PageName } from './build.ts';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
};

/**
 * Same origin only; styles inline because GraphiQL's widgets set them; images and fonts as data: URLs.
 * The one exception: when the pages sign analysts in (sign-in.ts), they may fetch the issuer's
 * metadata and token endpoint, on the issuer's origin.
 */
export function contentSecurityPolicy(connectOrigins: readonly string[] = []): string {
  return [
    "default-src 'none'", "script-src 'self'", "style-src 'self' 'unsafe-inline'", "img-src 'self' data: blob:",
    "font-src 'self' data:", ["connect-src 'self'", ...connectOrigins].join(' '), "base-uri 'none'", "form-action 'none'", "frame-ancestors 'none'",
  ].join('; ');
}

interface StaticFile {
  readonly type: string;
  readonly etag: string;
  readonly identity: Buffer;
  readonly gzip: Buffer | null;
  readonly br: Buffer | null;
}

function readIfPresent(file: string): Buffer | null {
  return existsSync(file) ? readFileSync(file) : null;
}

function load(file: string): StaticFile {
  const identity = readFileSync(file);
  return {
    type: TYPES[path.extname(file)] ?? 'application/octet-stream',
    etag: `"${createHash('sha256').update(identity).digest('base64url').slice(0, 22)}"`,
    identity,
    // Compressed once by the build (brotli and gzip at their best levels).
    gzip: readIfPresent(`${file}.gz`),
    br: readIfPresent(`${file}.br`),
  };
}

/** Every page's files, read and compressed once: `/explorer/app.js` → its bytes. */
function loadPages(): Map<string, StaticFile> {
  const files = new Map<string, StaticFile>();
  for (const page of PAGES) {
    const dir = path.join(PAGES_DIST, page);
    if (!existsSync(dir)) continue;
    for (const name of readdirSync(dir).filter((n) => !/\.(gz|br)$/.test(n))) {
      const file = load(path.join(dir, name));
      files.set(`/${page}/${name}`, file);
      if (name === 'index.html') {
        files.set(`/${page}`, file);
        files.set(`/${page}/`, file);
      }
    }
  }
  return files;
}

function send(req: IncomingMessage, res: ServerResponse, file: StaticFile, policy: string): void {
  const headers: Record<string, string> = {
    'content-type': file.type,
    'cache-control': 'no-cache',
    etag: file.etag,
    vary: 'Accept-Encoding',
    'content-security-policy': policy,
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'cross-origin-opener-policy': 'same-origin',
  };
  if (req.headers['if-none-match'] === file.etag) {
    res.writeHead(304, headers);
    res.end();
    return;
  }
  const accepted = String(req.headers['accept-encoding'] ?? '');
  const [encoding, body] = file.br && /\bbr\b/.test(accepted) ? ['br', file.br] : file.gzip && /\bgzip\b/.test(accepted) ? ['gzip', file.gzip] : [null, file.identity];
  if (encoding) headers['content-encoding'] = encoding;
  headers['content-length'] = String(body.length);
  res.writeHead(200, headers);
  res.end(req.method === 'HEAD' ? undefined : body);
}

export interface PagesOptions {
  readonly production: boolean;
  readonly logger: Pick<Logger, 'info' | 'warn'>;
  /** Other origins the pages may fetch: the issuer they sign analysts in at (sign-in.ts). */
  readonly connectOrigins?: readonly string[];
}

/**
 * The pages' request handler. Outside production a missing or stale bundle is built first (esbuild,
 * a few seconds); in production the bundle of the install is served as it is, and a missing one
 * answers 503 naming the command that builds it.
 */
export async function pages(options: PagesOptions) {
  if (!options.production && builtStamp() !== sourcesStamp()) {
    try {
      const { buildPages } = await import('./build.ts');
      const result = await buildPages({ quiet: true });
      if (result.built) options.logger.info({ ms: Math.round(result.ms) }, 'built /explorer and /indicators');
    } catch (error) {
      options.logger.warn({ err: String(error) }, '/explorer and /indicators could not be built (npm run build:pages)');
    }
  }
  const files = loadPages();
  const missing = PAGES.filter((p) => !files.has(`/${p}`));
  const policy = contentSecurityPolicy(options.connectOrigins);
  if (missing.length) options.logger.warn({ missing }, 'pages not built: run npm run build:pages');
  return (req: IncomingMessage, res: ServerResponse, url: URL): boolean => {
    const page = url.pathname.split('/')[1] as PageName;
    if (!PAGES.includes(page)) return false;
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' });
      res.end('method not allowed\n');
      return true;
    }
    const file = files.get(url.pathname);
    if (file) {
      send(req, res, file, policy);
    } else if (missing.includes(page)) {
      res.writeHead(503, { 'content-type': 'text/plain; charset=utf-8' });
      res.end(`/${page} is not built on this server: run npm run build:pages\n`);
    } else {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
      res.end('not found\n');
    }
    return true;
  };
}
