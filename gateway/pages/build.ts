// Builds the gateway's own pages — /explorer (GraphiQL and its explorer plugin) and /indicators (the
// analysts' charts) — from npm packages into static files under gateway/pages/dist, with esbuild.
// Run by `npm ci` / `npm install` (the `prepare` script), `npm run build:pages`, and by the gateway at
// start in development when the sources changed since the last build. Nothing is fetched at run time:
// scripts, styles and fonts (inlined by GraphiQL's CSS as data: URLs) are all in the bundle, and the
// build fails if a stylesheet would load anything from another host.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

const root = path.resolve(import.meta.dirname, '../..');
export const PAGES_DIST = path.join(root, 'gateway', 'pages', 'dist');
export const PAGES = ['explorer', 'indicators'] as const;
export type PageName = (typeof PAGES)[number];

/** The files a build is made from: a change to any of them makes the bundle stale. */
function sources(): string[] {
  const files = [path.join(root, 'README.md'), path.join(root, 'package-lock.json'), path.join(import.meta.dirname, 'build.ts')];
  for (const page of PAGES) {
    const dir = path.join(root, 'gateway', page);
    for (const f of readdirSync(dir, { recursive: true, encoding: 'utf8' }).sort()) {
      if (/\.(ts|tsx|css|html)$/.test(f)) files.push(path.join(dir, f));
    }
  }
  return files;
}

export function sourcesStamp(): string {
  const hash = createHash('sha256');
  for (const f of sources()) hash.update(path.relative(root, f)).update('\0').update(readFileSync(f)).update('\0');
  return hash.digest('hex').slice(0, 16);
}

export function builtStamp(): string | null {
  try {
    return readFileSync(path.join(PAGES_DIST, 'stamp'), 'utf8').trim();
  } catch {
    return null;
  }
}

export interface SavedOperation {
  readonly title: string;
  readonly query: string;
  readonly variables?: string;
}

/** The README's example queries (section "Example queries for Sandbox"): the explorer's saved tabs. */
export function readmeExamples(readme = readFileSync(path.join(root, 'README.md'), 'utf8')): SavedOperation[] {
  const start = readme.indexOf('## Example queries for Sandbox');
  if (start < 0) return [];
  const end = readme.indexOf('\n## ', start + 3);
  const section = readme.slice(start, end < 0 ? undefined : end);
  const examples: SavedOperation[] = [];
  const block = /([^\n]*(?:\n[^\n`]+)*)\n\n```graphql\n([\s\S]*?)```/g;
  for (const m of section.matchAll(block)) {
    const title = m[1].split('\n').join(' ').replace(/^#+\s*/, '').replace(/[:.]\s*$/, '').replace(/\s+/g, ' ').trim();
    const query = m[2];
    const variables = [...query.matchAll(/\$(\w+): ID!/g)].map((v) => `  "${v[1]}": ""`);
    examples.push({ title, query: `# ${title}\n${query}`, ...(variables.length ? { variables: `{\n${variables.join(',\n')}\n}` } : {}) });
  }
  return examples;
}

/** http(s) URLs a stylesheet would load (url(), @import): a page must load nothing from elsewhere. */
export function externalLoads(css: string): string[] {
  return [...css.matchAll(/(?:url\(\s*['"]?|@import\s+['"])(https?:\/\/[^'")\s]+)/g)].map((m) => m[1]);
}

export interface BuildResult {
  readonly built: boolean;
  readonly stamp: string;
  readonly ms: number;
}

/** Builds the pages when their sources changed (or always with force); atomic for concurrent starts. */
export async function buildPages(options: { force?: boolean; quiet?: boolean } = {}): Promise<BuildResult> {
  const started = performance.now();
  const stamp = sourcesStamp();
  if (!options.force && builtStamp() === stamp && PAGES.every((p) => existsSync(path.join(PAGES_DIST, p, 'index.html')))) {
    return { built: false, stamp, ms: performance.now() - started };
  }
  const { build } = await import('esbuild');
  const staging = `${PAGES_DIST}.${process.pid}.${Date.now()}`;
  rmSync(staging, { recursive: true, force: true });
  try {
    await build({
      // gateway/<page>/client/app.ts(x) → dist/<page>/app.js (and app.css when it imports styles).
      entryPoints: Object.fromEntries(PAGES.map((page) => {
        const client = path.join(root, 'gateway', page, 'client');
        return [`${page}/app`, path.join(client, existsSync(path.join(client, 'app.tsx')) ? 'app.tsx' : 'app.ts')];
      })),
      outdir: staging,
      bundle: true,
      minify: true,
      format: 'esm',
      target: ['chrome110', 'firefox110', 'safari16'],
      jsx: 'automatic',
      loader: { '.woff2': 'dataurl', '.woff': 'dataurl', '.ttf': 'dataurl', '.png': 'dataurl', '.svg': 'dataurl' },
      define: {
        'process.env.NODE_ENV': '"production"',
        __EXAMPLES__: JSON.stringify(readmeExamples()),
      },
      legalComments: 'external',
      logLevel: options.quiet ? 'silent' : 'warning',
    });
    for (const page of PAGES) {
      const dir = path.join(staging, page);
      mkdirSync(dir, { recursive: true });
      writeFileSync(path.join(dir, 'index.html'), readFileSync(path.join(root, 'gateway', page, 'client', 'index.html')));
      for (const name of readdirSync(dir).filter((n) => /\.(js|css|html)$/.test(n))) {
        const bytes = readFileSync(path.join(dir, name));
        writeFileSync(path.join(dir, `${name}.gz`), gzipSync(bytes, { level: 9 }));
        writeFileSync(path.join(dir, `${name}.br`), brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 9, [constants.BROTLI_PARAM_SIZE_HINT]: bytes.length } }));
      }
      const cssFile = path.join(dir, 'app.css');
      if (existsSync(cssFile)) {
        const external = externalLoads(readFileSync(cssFile, 'utf8'));
        if (external.length) throw new Error(`the ${page} stylesheet would load from another host: ${external.join(', ')}`);
      }
    }
    writeFileSync(path.join(staging, 'stamp'), `${stamp}\n`);
    rmSync(PAGES_DIST, { recursive: true, force: true });
    try {
      renameSync(staging, PAGES_DIST);
    } catch (error) {
      // Another process (a second gateway starting) put the same build there first.
      if (builtStamp() !== stamp) throw error;
      rmSync(staging, { recursive: true, force: true });
    }
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
    throw error;
  }
  return { built: true, stamp, ms: performance.now() - started };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const result = await buildPages({ force: process.argv.includes('--force') });
  const sizes = PAGES.map((p) => {
    const dir = path.join(PAGES_DIST, p);
    const bytes = readdirSync(dir).filter((f) => /\.(js|css|html)$/.test(f)).reduce((sum, f) => sum + readFileSync(path.join(dir, f)).length, 0);
    const brotli = readdirSync(dir).filter((f) => /\.(js|css|html)\.br$/.test(f)).reduce((sum, f) => sum + readFileSync(path.join(dir, f)).length, 0);
    return `/${p} ${(bytes / 1024).toFixed(0)} kB, ${(brotli / 1024).toFixed(0)} kB with brotli`;
  });
  process.stdout.write(`${result.built ? `pages built in ${Math.round(result.ms)} ms` : 'pages up to date'} (gateway/pages/dist: ${sizes.join(', ')})\n`);
}
