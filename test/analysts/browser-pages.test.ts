// The gateway's own pages in a real browser (Debian's Chromium driven by playwright-core), on the
// analysts' world of 50,000 people, with every request to another host than 127.0.0.1 blocked:
// /explorer runs a query with a token and shows the answer and the schema's descriptions; axe-core
// finds no serious accessibility violation in our page. Screenshots, page weights and load times go
// to test-artifacts/.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { ARTIFACTS, axe, openBrowser, pageCost, screenshot, type Session } from '../browser/chromium.ts';
import { analystToken, gql } from './client.ts';

let session: Session;

/** The machine may be busy (CI shares it): a page gets 30 s to show what it should. */
const eventually = <T>(read: () => Promise<T>) => expect.poll(read, { timeout: 30_000, interval: 200 });
const SLOW = 180_000;
const costs: Record<string, unknown> = {};

beforeAll(async () => {
  session = await openBrowser();
});

afterAll(async () => {
  await session?.close();
  writeFileSync(path.join(ARTIFACTS, 'page-costs.json'), `${JSON.stringify(costs, null, 2)}\n`);
});

function pageUrl(page: string, token?: string): string {
  return `${new URL(page, inject('analystsGatewayUrl')).href}${token ? `#token=${token}` : ''}`;
}

/**
 * Loads a page and keeps Chromium's figures (weight on the wire, load time). Always a cold load: routing
 * every request through the blocking rule turns Chromium's HTTP cache off.
 */
async function measure(page: Page, url: string, name: string, ready: () => Promise<unknown>) {
  const started = Date.now();
  await page.goto(url);
  await ready();
  costs[name] = { ...(await pageCost(page)), readyMs: Date.now() - started };
}

describe('/explorer', () => {
  it('is served by the gateway with a policy that keeps it on this origin', async () => {
    const res = await fetch(pageUrl('explorer'));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/html');
    expect(res.headers.get('content-security-policy')).toContain("connect-src 'self'");
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    const script = await fetch(pageUrl('explorer/app.js'), { headers: { 'accept-encoding': 'br' } });
    expect(script.headers.get('content-encoding')).toBe('br');
    expect((await fetch(pageUrl('explorer'), { method: 'POST' })).status).toBe(405);
    expect((await fetch(pageUrl('explorer/nothing.js'))).status).toBe(404);
  });

  it('loads without the internet, runs a saved example with the token of the fragment, and documents the schema', async () => {
    const token = await analystToken();
    const page = await session.newPage();
    const editorReady = () => page.locator('.graphiql-query-editor .CodeMirror').first().waitFor();
    await measure(page, pageUrl('explorer', token), 'explorer', editorReady);
    // The token left the address bar as soon as it was read.
    expect(page.url()).not.toContain(token);
    // The headers editor holds it (GraphiQL's editors are CodeMirror 5 instances).
    const editors = () => page.locator('.graphiql-editor-tool .CodeMirror').evaluateAll((all: any[]) => all.map((e) => e.CodeMirror.getValue()).join('\n'));
    await eventually(editors).toContain(`"Authorization": "Bearer ${token}"`);

    // The README's examples are saved tabs; the analysts' one reads the indicators.
    const tabs = page.locator('.graphiql-tab');
    expect(await tabs.count()).toBeGreaterThanOrEqual(3);
    await tabs.filter({ hasText: /untitled|Indicators/ }).last().click();
    await eventually(() => page.locator('.graphiql-query-editor .CodeMirror').first().evaluate((e: any) => e.CodeMirror.getValue())).toContain('returnToEmploymentStatistics');
    await page.locator('.graphiql-execute-button').click();
    const response = page.locator('.result-window .CodeMirror').first();
    await eventually(async () => response.evaluate((e: any) => e.CodeMirror.getValue())).toContain('"publishedUntil"');
    const shown = JSON.parse(await response.evaluate((e: any) => e.CodeMirror.getValue()));
    expect(shown.errors).toBeUndefined();
    const api = await gql(token, readFileSync(path.resolve(import.meta.dirname, '../../README.md'), 'utf8').match(/```graphql\n(\{\n  returnToEmploymentStatistics[\s\S]*?)```/)![1]);
    expect(shown.data).toEqual(api.data);

    // The docs pane shows the schema's own descriptions.
    await page.getByRole('button', { name: /documentation explorer/i }).click();
    await page.locator('.graphiql-doc-explorer').getByText('Query', { exact: true }).first().click();
    await eventually(() => page.locator('.graphiql-doc-explorer').innerText()).toContain('Registrations of job seekers with a disability (France Travail)');
    await screenshot(page, 'explorer');

    // Our page around GraphiQL passes axe; GraphiQL's own widgets are counted, as GraphiQL ships them.
    const ours = await axe(page, { exclude: ['.graphiql-container'] });
    expect(ours.filter((v) => v.impact === 'serious' || v.impact === 'critical')).toEqual([]);
    costs.explorerAxeOfGraphiQL = (await axe(page)).map((v) => `${v.id} (${v.impact}, ${v.nodes})`);
    expect(session.blocked).toEqual([]);
    expect(session.errors).toEqual([]);
    await page.close();
  }, SLOW);
});
