// Debian's Chromium driven by playwright-core, for the tests of the gateway's own pages. Every request
// to a host other than 127.0.0.1 is blocked and recorded: a page that needs the internet fails its test.
// Screenshots go to test-artifacts/ (ignored by git).
import { createRequire } from 'node:module';
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const ARTIFACTS = path.resolve(import.meta.dirname, '../../test-artifacts');

export interface Session {
  readonly browser: Browser;
  readonly context: BrowserContext;
  /** Requests refused because they went to another host (should stay empty). */
  readonly blocked: string[];
  /** Console errors and uncaught page errors (Content-Security-Policy violations included). */
  readonly errors: string[];
  newPage(): Promise<Page>;
  close(): Promise<void>;
}

export async function openBrowser(): Promise<Session> {
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'fr-FR', acceptDownloads: true });
  const blocked: string[] = [];
  const errors: string[] = [];
  await context.route('**/*', (route) => {
    const url = new URL(route.request().url());
    if (url.protocol === 'data:' || url.protocol === 'blob:' || url.hostname === '127.0.0.1') return route.continue();
    blocked.push(url.href);
    return route.abort('blockedbyclient');
  });
  return {
    browser,
    context,
    blocked,
    errors,
    async newPage() {
      const page = await context.newPage();
      page.on('console', (message) => {
        if (message.type() === 'error') errors.push(message.text());
      });
      page.on('pageerror', (error) => errors.push(String(error)));
      return page;
    },
    close: () => browser.close(),
  };
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const file = path.join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

export interface AxeViolation {
  readonly id: string;
  readonly impact: string | null;
  readonly help: string;
  readonly nodes: number;
}

/** Runs axe-core (from npm, injected into the page) for WCAG 2.1 A and AA; returns the violations. */
export async function axe(page: Page, options: { exclude?: string[] } = {}): Promise<AxeViolation[]> {
  const source = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
  // Evaluated through the DevTools protocol: the pages' Content-Security-Policy forbids inline scripts.
  await page.evaluate(source);
  return page.evaluate(async (exclude) => {
    const result = await (globalThis as any).axe.run({ exclude: exclude.map((s: string) => [s]) }, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
    return result.violations.map((v: any) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.length }));
  }, options.exclude ?? []);
}

export interface PageCost {
  readonly transferredKB: number;
  readonly decodedKB: number;
  readonly requests: number;
  /** Each request: path, bytes on the wire (headers included) and decoded body bytes. */
  readonly resources: readonly { readonly path: string; readonly transferred: number; readonly decoded: number }[];
  readonly domContentLoadedMs: number;
  readonly loadMs: number;
  /** When the page marked its first figures shown (`performance.mark('figures-shown')`), if it did. */
  readonly figuresShownMs: number | null;
  /** Time since the navigation started, when the test saw the page ready. */
  readonly readyMs: number;
}

/** Page weight and load time as Chromium measured them (Navigation, Resource and User Timing). */
export async function pageCost(page: Page): Promise<PageCost> {
  return page.evaluate(() => {
    // Evaluated in the page (DOM types are not in the tests' program).
    type Entry = { name: string; startTime: number; transferSize: number; decodedBodySize: number; domContentLoadedEventEnd: number; loadEventEnd: number };
    const { performance } = globalThis as unknown as { performance: { now(): number; getEntriesByType(type: string): Entry[]; getEntriesByName(name: string): Entry[] } };
    const nav = performance.getEntriesByType('navigation')[0];
    const all = [nav, ...performance.getEntriesByType('resource')];
    const kb = (n: number) => Math.round(n / 1024);
    const shown = performance.getEntriesByName('figures-shown')[0];
    return {
      transferredKB: kb(all.reduce((s, e) => s + e.transferSize, 0)),
      decodedKB: kb(all.reduce((s, e) => s + e.decodedBodySize, 0)),
      requests: all.length,
      resources: all.map((e) => ({ path: new URL(e.name).pathname, transferred: e.transferSize, decoded: e.decodedBodySize })),
      domContentLoadedMs: Math.round(nav.domContentLoadedEventEnd),
      loadMs: Math.round(nav.loadEventEnd),
      figuresShownMs: shown ? Math.round(shown.startTime) : null,
      readyMs: Math.round(performance.now()),
    };
  });
}
