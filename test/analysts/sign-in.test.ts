// An analyst signs in on /indicators as an agent would through ProConnect: OpenID Connect with PKCE
// against a local provider (panva's oidc-provider, test/support/oidc-provider.ts) that a second gateway
// over the analysts' subgraphs trusts as its issuer (ISSUER, ISSUER_JWKS_URL). In Debian's Chromium,
// every request to another host than 127.0.0.1 blocked: the page goes to the provider, the analyst
// logs in and consents there, the page comes back with the figures of the API read with the access
// token the provider issued, keeps that token out of the address bar and the browser's storage, and
// logs out of the page and the provider. An answer whose state was tampered with, or that comes back
// to a tab without the PKCE verifier, gives an error and no token; the provider itself refuses the
// code without the verifier.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ensureDevKeys } from '../../gateway/keys.ts';
import { spawnService, type ServiceProcess } from '../../gateway/processes.ts';
import { axe, openBrowser, screenshot, type Session } from '../browser/chromium.ts';
import { startLocalProvider, type LocalProvider } from '../support/oidc-provider.ts';
import { analystToken } from './client.ts';
import { apiCells, expectSameFigures, shownTable } from './page-tables.ts';

const CLIENT_ID = 'passerelle-indicators';
const RESOURCE = 'urn:passerelle:graphql';
const PROVIDER_NAME = 'le fournisseur de test';
const SLOW = 180_000;
const eventually = <T>(read: () => Promise<T>) => expect.poll(read, { timeout: 30_000, interval: 200 });

let provider: LocalProvider;
let gateway: ServiceProcess;
let indicators: string;

beforeAll(async () => {
  provider = await startLocalProvider();
  const dataDir = inject('analystsDataDir');
  const keys = await ensureDevKeys(dataDir);
  const subgraphUrls = Object.fromEntries(Object.entries(inject('analystsSubgraphUrls')).map(([name, url]) => [`SUBGRAPH_URL_${name.toUpperCase().replace(/-/g, '_')}`, url]));
  gateway = await spawnService({
    name: 'gateway (sign-in)',
    entry: 'gateway/main.ts',
    env: {
      ...subgraphUrls,
      DATA_DIR: dataDir, PORT: '0', LOG_LEVEL: 'warn', RATE_LIMITS: 'off',
      GATEWAY_SIGNING_KEY_FILE: keys.gateway.privateKey,
      // The provider is the gateway's trusted issuer: its keys are fetched from its JWKS URL.
      ISSUER: provider.issuer, ISSUER_JWKS_URL: provider.jwksUrl, AUDIENCE: 'passerelle',
      OIDC_CLIENT_ID: CLIENT_ID, OIDC_RESOURCE: RESOURCE, OIDC_PROVIDER_NAME: PROVIDER_NAME,
    },
  });
  indicators = `${gateway.url}indicators`;
  await provider.configure({
    clientId: CLIENT_ID,
    redirectUri: indicators,
    resource: RESOURCE,
    audience: 'passerelle',
    scopes: 'statistics:read sandbox',
    accounts: { 'analyste.dgefp': { org: 'dgefp', role: 'analyst', territory: '*' } },
  });
});

afterAll(async () => {
  await gateway?.stop();
  await provider?.stop();
});

/** Each test in a browser of its own: no provider session carried from one to the next. */
async function withBrowser(test: (session: Session, page: Page) => Promise<void>): Promise<void> {
  const session = await openBrowser();
  try {
    const page = await session.newPage();
    // Three sites' pages in a row on a machine the other suites share: a minute for each step.
    page.setDefaultTimeout(60_000);
    await test(session, page);
  } finally {
    await session.close();
  }
}

const atProvider = (url: URL) => url.origin === provider.issuer;
const atGateway = (url: URL) => url.origin === new URL(indicators).origin;

/** At the provider's development pages: any login and password, then consent. */
async function logInAtProvider(page: Page, login = 'analyste.dgefp'): Promise<void> {
  await page.waitForURL(atProvider);
  await page.locator('input[name=login]').fill(login);
  await page.locator('input[name=password]').fill('any password');
  await page.getByRole('button', { name: 'Sign-in' }).click();
  await page.getByRole('button', { name: 'Continue' }).click();
}

/**
 * Goes to the provider and back, and returns the address the provider sent the page to, without
 * letting the page read it (its script is emptied for that one load).
 */
async function answerOfProvider(page: Page): Promise<URL> {
  await page.goto(indicators);
  await page.getByRole('button', { name: `Se connecter avec ${PROVIDER_NAME}` }).click();
  const script = `${indicators}/app.js`;
  await page.route(script, (route) => route.fulfill({ status: 200, contentType: 'text/javascript', body: '' }));
  await logInAtProvider(page);
  await page.waitForURL((url) => atGateway(url) && url.hash.includes('code='));
  const answer = new URL(page.url());
  await page.unroute(script);
  await page.goto('about:blank');
  return answer;
}

/** Requests the page made to the provider's authorization and token endpoints and to the gateway's API. */
function watchRequests(page: Page) {
  const seen = { authorization: [] as URL[], token: 0, graphql: [] as string[] };
  page.on('request', (request) => {
    const url = new URL(request.url());
    if (atProvider(url) && url.pathname === '/auth') seen.authorization.push(url);
    if (atProvider(url) && url.pathname === '/token') seen.token += 1;
    if (atGateway(url) && url.pathname === '/graphql') seen.graphql.push(request.headers().authorization ?? '');
  });
  return seen;
}

const storage = (page: Page) => page.evaluate(() => {
  const { localStorage, sessionStorage } = globalThis as unknown as { localStorage: Storage; sessionStorage: Storage };
  return { local: localStorage.length, session: sessionStorage.length };
});

function claimsOf(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8'));
}

/**
 * The provider's own development pages ask for Google's fonts (blocked, and said so on the console);
 * the pages we build ask nothing of another host.
 */
const blockedByUs = (session: Session) => session.blocked.filter((url) => !url.startsWith('https://fonts.googleapis.com/'));

describe('signing in on /indicators with OpenID Connect', () => {
  it('tells the page where to sign in, and lets it reach the issuer only', async () => {
    const config = await (await fetch(`${gateway.url}sign-in.json`)).json();
    expect(config).toEqual({ enabled: true, issuer: provider.issuer, clientId: CLIENT_ID, scopes: 'openid statistics:read sandbox', resource: RESOURCE, providerName: PROVIDER_NAME });
    const page = await fetch(indicators);
    expect(page.headers.get('content-security-policy')).toContain(`connect-src 'self' ${provider.issuer};`);
    // The analysts' gateway, with no sign-in configured, says so and keeps its pages on its origin.
    expect(await (await fetch(new URL('sign-in.json', inject('analystsGatewayUrl')))).json()).toEqual({ enabled: false });
  });

  it('signs an analyst in at the provider with the keyboard, shows the API\'s figures read with the token it issued, and logs out', () => withBrowser(async (session, page) => {
    const seen = watchRequests(page);
    await page.goto(indicators);
    const signIn = page.getByRole('button', { name: `Se connecter avec ${PROVIDER_NAME}` });
    await signIn.waitFor();
    // Skip link, then the sign-in button: reachable with Tab, pressed with Enter.
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    await expect(signIn.evaluate((button) => button === (globalThis as any).document.activeElement)).resolves.toBe(true);
    await page.keyboard.press('Enter');
    await page.waitForURL(atProvider);
    // Authorization code flow with PKCE S256, a state and a nonce, the answer in the fragment.
    const asked = Object.fromEntries(seen.authorization[0].searchParams);
    expect(asked).toMatchObject({ client_id: CLIENT_ID, response_type: 'code', code_challenge_method: 'S256', response_mode: 'fragment', redirect_uri: indicators, resource: RESOURCE, scope: 'openid statistics:read sandbox' });
    expect(asked.code_challenge).toMatch(/^[\w-]{43}$/);
    expect(asked.state).toMatch(/^[\w-]{20,}$/);
    expect(asked.nonce).toMatch(/^[\w-]{20,}$/);
    expect(asked.code_verifier).toBeUndefined();
    await logInAtProvider(page);

    await page.waitForURL(atGateway);
    await eventually(() => page.locator('#token-state').innerText()).toContain(`Connecté avec ${PROVIDER_NAME}. Jeton chargé : dgefp, analyst, national`);
    await page.locator('#by-area tbody tr').first().waitFor({ timeout: 30_000 });
    // The code and state left the address bar; nothing was kept in the browser's storage.
    expect(page.url()).toBe(indicators);
    expect(await storage(page)).toEqual({ local: 0, session: 0 });
    expect(seen.token).toBe(1);

    // The page read the API with the provider's access token: the analyst's claims, for the gateway.
    const token = seen.graphql[0].replace(/^Bearer /, '');
    expect(claimsOf(token)).toMatchObject({ iss: provider.issuer, aud: 'passerelle', sub: 'analyste.dgefp', org: 'dgefp', role: 'analyst', territory: '*', scope: 'statistics:read sandbox' });
    const months = await apiCells(token, 'returnToEmploymentStatistics', 'from: "2025-01", to: "2025-12"', gateway.url);
    expectSameFigures(await shownTable(page, 'over-time'), months);
    expectSameFigures(await shownTable(page, 'by-area'), await apiCells(token, 'returnToEmploymentStatistics', 'from: "2025", geography: REGION', gateway.url));
    // The same figures as a development analyst's token reads on the analysts' gateway.
    expect(months).toEqual(await apiCells(await analystToken(), 'returnToEmploymentStatistics', 'from: "2025-01", to: "2025-12"'));

    await screenshot(page, 'indicators-signed-in');
    // The explorer opens in a tab of its own with the same token in its headers editor.
    const [explorer] = await Promise.all([session.context.waitForEvent('page'), page.getByRole('button', { name: 'Ouvrir l\'explorateur GraphQL avec ce jeton' }).click()]);
    const editors = () => explorer.locator('.graphiql-editor-tool .CodeMirror').evaluateAll((all: any[]) => all.map((e) => e.CodeMirror.getValue()).join('\n'));
    await eventually(editors).toContain(`"Authorization": "Bearer ${token}"`);
    expect(explorer.url()).toBe(`${gateway.url}explorer`);
    await explorer.close();

    const violations = await axe(page);
    expect(violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')).toEqual([]);

    // Logout: the page forgets the token and its figures, then the provider's session ends.
    await page.getByRole('button', { name: 'Se déconnecter' }).click();
    await page.waitForURL(atProvider);
    await page.getByRole('button', { name: 'Yes, sign me out' }).click();
    await page.waitForURL(atGateway);
    expect(page.url()).toBe(indicators);
    await eventually(() => page.locator('#token-state').innerText()).toContain('Aucun jeton');
    expect(await page.locator('#over-time').isHidden()).toBe(true);
    expect(await page.locator('#by-area tbody tr').count()).toBe(0);
    // Signed out at the provider too: signing in again asks for the login.
    await page.getByRole('button', { name: `Se connecter avec ${PROVIDER_NAME}` }).click();
    await page.waitForURL(atProvider);
    await page.locator('input[name=login]').waitFor();

    expect(blockedByUs(session)).toEqual([]);
    expect(session.errors.filter((e) => !e.includes('ERR_BLOCKED_BY_CLIENT'))).toEqual([]);
  }), SLOW);

  it('refuses an answer whose state was tampered with: an error, no token', () => withBrowser(async (session, page) => {
    const answer = await answerOfProvider(page);
    const tampered = new URLSearchParams(answer.hash.slice(1));
    expect(tampered.get('code')).toBeTruthy();
    tampered.set('state', `${tampered.get('state')}x`);
    const seen = watchRequests(page);
    await page.goto(`${indicators}#${tampered}`);
    await eventually(() => page.locator('#status').innerText()).toContain('ne correspond pas à la demande de cet onglet (state)');
    expect(await page.locator('#status').getAttribute('class')).toContain('error');
    expect(await page.locator('#token-state').innerText()).toContain('Aucun jeton');
    expect([seen.token, seen.graphql]).toEqual([0, []]);
    expect(page.url()).toBe(indicators);
    expect(await storage(page)).toEqual({ local: 0, session: 0 });
    expect(blockedByUs(session)).toEqual([]);
  }), SLOW);

  it('refuses an answer that comes back without the PKCE verifier, and so does the provider', () => withBrowser(async (session, page) => {
    const answer = await answerOfProvider(page);
    // The tab's verifier is gone (another tab, a cleared storage): the page cannot complete the sign-in.
    await page.goto(`${gateway.url}sign-in.json`);
    await page.evaluate(() => (globalThis as unknown as { sessionStorage: Storage }).sessionStorage.clear());
    const seen = watchRequests(page);
    await page.goto(answer.href);
    await eventually(() => page.locator('#status').innerText()).toContain('vérificateur PKCE absent');
    expect(await page.locator('#token-state').innerText()).toContain('Aucun jeton');
    expect([seen.token, seen.graphql]).toEqual([0, []]);
    expect(blockedByUs(session)).toEqual([]);

    // The provider requires PKCE: the same code exchanged without a verifier gets no token.
    const code = new URLSearchParams(answer.hash.slice(1)).get('code')!;
    const res = await fetch(`${provider.issuer}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: indicators, client_id: CLIENT_ID, resource: RESOURCE }),
    });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error?: string; access_token?: string };
    expect(body.access_token).toBeUndefined();
    expect(['invalid_grant', 'invalid_request']).toContain(body.error);
  }), SLOW);
});
