// The gateway's own pages in a real browser (Debian's Chromium driven by playwright-core), on the
// analysts' world of 50,000 people, with every request to another host than 127.0.0.1 blocked:
// /explorer runs a query with a token and shows the answer and the schema's descriptions; /indicators
// shows the API's numbers, never a hidden cell as a number, and exports the table it shows as CSV;
// axe-core finds no serious accessibility violation. Screenshots, page weights and load times go to
// test-artifacts/.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { ARTIFACTS, axe, openBrowser, pageCost, screenshot, type Session } from '../browser/chromium.ts';
import { analystToken, gql } from './client.ts';
import { apiCells, expectSameFigures, number, shownTable } from './page-tables.ts';

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
  mkdirSync(ARTIFACTS, { recursive: true });
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
  await page.goto(url);
  await ready();
  costs[name] = await pageCost(page);
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
    // Ready for the analyst: the editors are up and the schema's introspection has come back.
    const schemaLoaded = () => page.evaluate(() => (globalThis as unknown as { performance: { getEntriesByType(type: string): { name: string }[] } }).performance.getEntriesByType('resource').some((e) => e.name.endsWith('/graphql')));
    const editorReady = async () => {
      await page.locator('.graphiql-query-editor .CodeMirror').first().waitFor();
      await eventually(schemaLoaded).toBe(true);
    };
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

function parseCsv(text: string): Record<string, string>[] {
  const [header, ...lines] = text.replace(/^\uFEFF/, '').trim().split('\r\n').map((l) => l.split(';'));
  return lines.map((l) => Object.fromEntries(header.map((h, i) => [h, l[i]])));
}

async function downloadCsv(page: Page, section: string): Promise<string> {
  const [download] = await Promise.all([page.waitForEvent('download'), page.locator(`#${section} button.csv`).click()]);
  return readFileSync((await download.path())!, 'utf8');
}

describe('/indicators', () => {
  it('shows the API\'s figures with the token of the fragment, hidden cells as hidden, and exports what it shows', async () => {
    const token = await analystToken();
    const page = await session.newPage();
    const tablesReady = () => page.locator('#by-area tbody tr').first().waitFor({ timeout: 30_000 });
    await measure(page, pageUrl('indicators', token), 'indicators', tablesReady);
    expect(page.url()).not.toContain('token');
    await expect(page.locator('#token-state').innerText()).resolves.toContain('dgefp, analyst');

    // Returns to employment: 2025 by month for France, then by région.
    const months = await shownTable(page, 'over-time');
    expectSameFigures(months, await apiCells(token, 'returnToEmploymentStatistics', 'from: "2025-01", to: "2025-12"'));
    const regions = await shownTable(page, 'by-area');
    expectSameFigures(regions, await apiCells(token, 'returnToEmploymentStatistics', 'from: "2025", geography: REGION'));
    await screenshot(page, 'indicators');

    // Départements of Cap emploi's job retentions: more cells hidden; chart and table agree on them.
    await page.selectOption('#indicator', 'capEmploiJobRetentionStatistics');
    await page.selectOption('#geography', 'DEPARTEMENT');
    await eventually(() => page.locator('#by-area caption').innerText()).toContain('Maintiens dans l\'emploi (dossiers clos), Par département');
    const departements = await shownTable(page, 'by-area');
    const hidden = expectSameFigures(departements, await apiCells(token, 'capEmploiJobRetentionStatistics', 'from: "2025", geography: DEPARTEMENT'));
    const hiddenValues = departements.filter((r) => r.value.startsWith('secret')).length;
    expect(hidden).toBeGreaterThan(0);
    expect(await page.locator('#by-area svg text').filter({ hasText: /^secret$/ }).count()).toBe(hiddenValues);

    // The CSV holds the rows of the table, hidden figures empty with their reason.
    const csv = parseCsv(await downloadCsv(page, 'by-area'));
    expect(csv.map((r) => r.code_territoire)).toEqual(departements.map((r) => r.area));
    csv.forEach((line, i) => {
      const shown = number(departements[i].value);
      if (typeof shown === 'number') expect([line.valeur, line.statut_valeur]).toEqual([String(shown), 'publié']);
      else expect([line.valeur, line.statut_valeur]).toEqual(['', expect.stringMatching(/^secret: (SMALL_CELL|DOMINANCE|COMPLEMENTARY)$/)]);
    });

    // Quarterly view for France, and an aid indicator with its amounts.
    await page.selectOption('#frequency', 'QUARTER');
    await page.selectOption('#indicator', 'fiphfpAidDecisionStatistics');
    await eventually(() => page.locator('#over-time caption').innerText()).toContain('FIPHFP — Décisions d\'aide, France, par trimestre, 2025');
    expectSameFigures(await shownTable(page, 'over-time'), await apiCells(token, 'fiphfpAidDecisionStatistics', 'from: "2025-Q1", to: "2025-Q4"'));

    const violations = await axe(page);
    expect(violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')).toEqual([]);
    expect(session.blocked).toEqual([]);
    expect(session.errors).toEqual([]);
    await page.close();
  }, SLOW);

  it('takes a pasted token from the keyboard alone, and says so when the gateway refuses it', async () => {
    const page = await session.newPage();
    await page.goto(pageUrl('indicators'));
    await expect(page.locator('#token-state').innerText()).resolves.toContain('Aucun jeton');
    // Skip link, then the token field: reachable with Tab, sent with Enter.
    await page.keyboard.press('Tab');
    const focused = () => page.evaluate(() => {
      const { activeElement } = (globalThis as any).document;
      return activeElement?.id || activeElement?.textContent;
    });
    expect(await focused()).toBe('Aller au contenu');
    await page.keyboard.press('Tab');
    expect(await focused()).toBe('token');
    await page.keyboard.type('not-a-token');
    await page.keyboard.press('Enter');
    await eventually(() => page.locator('#status').innerText()).toContain('Jeton refusé');
    await page.fill('#token', await analystToken({ territory: ['27'] }));
    await page.keyboard.press('Enter');
    await eventually(() => page.locator('#token-state').innerText()).toContain('départements 27');
    await page.selectOption('#geography', 'DEPARTEMENT');
    await eventually(async () => (await shownTable(page, 'by-area')).map((r) => r.area)).toEqual(['27']);
    expect(session.blocked).toEqual([]);
    await page.close();
  }, SLOW);
});
