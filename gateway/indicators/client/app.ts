// /indicators: the partners' indicators for analysts, read from the graph's aggregate API with the
// analyst's token: signed in at the gateway's issuer (OpenID Connect with PKCE, sign-in.ts, when the
// gateway is configured for it), pasted, or handed in the URL fragment by `npm start` (#token=…, read
// once and removed from the address bar, never sent in a query string). The token lives in memory. Two views: France over time and the
// régions or départements of one year; each chart has its table underneath and a CSV export of the
// same rows. A hidden cell (statistical secrecy) is drawn as hidden — a dashed grey band marked
// "secret" — never as a bar of height 0.
import * as Plot from '@observablehq/plot';
import { callbackParams, completeSignIn, signIn, signInConfig, signOut, SignInError, type SignInConfig } from './sign-in.ts';
import { ApiError, displayChange, displayFigure, INDICATORS, periodLabel, periodRange, publishedUntil, publishedYears, readTable, toCsv, type Figure, type Indicator, type Row } from './indicators.ts';
import './indicators.css';

const BLUE = '#000091';
const ORANGE = '#b34000';
const GREY = '#666666';

function $(id: string): HTMLElement {
  return document.getElementById(id)!;
}

function el<K extends keyof HTMLElementTagNameMap>(tag: K, attributes: Record<string, string> = {}, ...children: (Node | string)[]): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  node.append(...children);
  return node;
}

let token = '';
/** Where the analyst signed in, when the token came from there (null: pasted or handed). */
let signedInWith: string | null = null;
const state = { indicator: INDICATORS[0], until: '', year: 0 };

function status(message: string, error = false): void {
  const node = $('status');
  node.textContent = message;
  node.classList.toggle('error', error);
}

/** What the token says about its holder, for the analyst's eyes only (the gateway checks it). */
function describeToken(value: string): string {
  try {
    const payload = JSON.parse(atob(value.split('.')[1].replace(/-/g, '+').replace(/_/g, '/')));
    const expires = new Date(payload.exp * 1000).toLocaleTimeString('fr-FR', { hour: '2-digit', minute: '2-digit' });
    const codes: string[] = [payload.territory ?? []].flat();
    const territory = codes.length && !codes.includes('*') ? `départements ${codes.join(', ')}` : 'national';
    return `Jeton chargé : ${payload.org ?? '?'}, ${payload.role ?? '?'}, ${territory}, valable jusqu'à ${expires}.`;
  } catch {
    return 'Jeton chargé.';
  }
}

function useToken(value: string, provider: string | null = null): void {
  token = value.trim();
  signedInWith = token ? provider : null;
  const described = token ? describeToken(token) : 'Aucun jeton : connectez-vous, ou collez celui que vous a remis votre organisation.';
  $('token-state').textContent = signedInWith ? `Connecté avec ${signedInWith}. ${described}` : described;
  $('sign-in-button').hidden = Boolean(token);
  $('sign-out-button').hidden = !token;
  $('explorer-button').hidden = !token;
  if (token) void loadIndicator();
}

function explain(error: unknown): string {
  if (error instanceof ApiError) {
    if (error.code === 'UNAUTHENTICATED') return 'Jeton refusé ou expiré : collez un nouveau jeton.';
    if (error.code === 'FORBIDDEN') return 'Ce jeton ne donne pas accès aux statistiques (rôle analyste requis).';
    return `La passerelle a refusé la demande : ${error.message}`;
  }
  return `La passerelle ne répond pas (${String(error)}).`;
}

function value(f: Figure): number | null {
  return 'shown' in f ? f.shown : null;
}

interface ChartSpec {
  readonly rows: readonly Row[];
  /** The axis along which the rows are laid out: periods (vertical bars) or areas (horizontal bars). */
  readonly along: 'period' | 'area';
  readonly unit: string;
  readonly summary: string;
}

/** The chart: bars for shown figures, a tick for the year before, a dashed band marked "secret" for hidden ones. */
function chart(spec: ChartSpec): Element {
  const key = (r: Row) => (spec.along === 'period' ? periodLabel(r.period) : r.areaName);
  const shown = spec.rows.filter((r) => 'shown' in r.value);
  const hidden = spec.rows.filter((r) => 'hidden' in r.value);
  const before = spec.rows.filter((r) => 'shown' in r.yearBefore);
  const max = Math.max(1, ...spec.rows.flatMap((r) => [value(r.value) ?? 0, value(r.yearBefore) ?? 0]));
  const domain = spec.rows.map(key);
  const number = (n: number) => n.toLocaleString('fr-FR');
  const label = (r: Row) => `${key(r)} : ${displayFigure(r.value)}`;
  const horizontal = spec.along === 'area';
  const band = { domain, label: null, ...(horizontal ? {} : { tickRotate: domain.length > 8 ? -45 : 0 }) };
  const linear = { grid: true, label: spec.unit, domain: [0, max * 1.05], tickFormat: number };
  const marks = horizontal
    ? [
        Plot.barX(hidden, { y: key, x1: 0, x2: max, fill: '#eeeeee', stroke: GREY, strokeDasharray: '4,3', title: label }),
        Plot.text(hidden, { y: key, x: max / 2, text: () => 'secret', fill: '#3a3a3a' }),
        Plot.barX(shown, { y: key, x: (r: Row) => value(r.value), fill: BLUE, title: label }),
        Plot.tickX(before, { y: key, x: (r: Row) => value(r.yearBefore), stroke: ORANGE, strokeWidth: 3 }),
        Plot.ruleX([0]),
      ]
    : [
        Plot.barY(hidden, { x: key, y1: 0, y2: max, fill: '#eeeeee', stroke: GREY, strokeDasharray: '4,3', title: label }),
        Plot.text(hidden, { x: key, y: max / 2, text: () => 'secret', rotate: -90, fill: '#3a3a3a' }),
        Plot.barY(shown, { x: key, y: (r: Row) => value(r.value), fill: BLUE, title: label }),
        Plot.tickY(before, { x: key, y: (r: Row) => value(r.yearBefore), stroke: ORANGE, strokeWidth: 3 }),
        Plot.ruleY([0]),
      ];
  const width = Math.min(1000, Math.max(320, $('content').clientWidth - 8));
  const svg = Plot.plot({
    width,
    height: horizontal ? 40 + domain.length * 18 : 340,
    marginLeft: horizontal ? 190 : 70,
    marginBottom: horizontal ? 40 : 60,
    style: { fontSize: '13px', color: '#161616', background: '#ffffff' },
    ariaLabel: spec.summary,
    ...(horizontal ? { x: linear, y: band } : { x: band, y: linear }),
    marks,
  });
  // One text alternative for the whole chart (the table under it has every figure): the marks' own
  // labels are dropped, as ARIA forbids them on the chart's inner groups.
  for (const inner of svg.querySelectorAll('[aria-label], [aria-description]')) {
    inner.removeAttribute('aria-label');
    inner.removeAttribute('aria-description');
  }
  svg.setAttribute('role', 'img');
  return svg;
}

function figureCell(f: Figure, money = false): HTMLTableCellElement {
  const text = displayFigure(f, money);
  if ('hidden' in f) return el('td', { class: 'hidden-figure', 'data-hidden': f.hidden }, text);
  if ('shown' in f) return el('td', { class: 'number', 'data-value': String(f.shown) }, text);
  return el('td', { class: 'absent' }, text);
}

function table(indicator: Indicator, rows: readonly Row[], caption: string, along: 'period' | 'area'): HTMLTableElement {
  const head = el('tr', {},
    el('th', { scope: 'col' }, along === 'period' ? 'Période' : 'Territoire'),
    el('th', { scope: 'col', class: 'number' }, 'Valeur'),
    el('th', { scope: 'col', class: 'number' }, 'Même période un an avant'),
    el('th', { scope: 'col', class: 'number' }, 'Évolution'),
    ...(indicator.amount ? [el('th', { scope: 'col', class: 'number' }, 'Montant')] : []));
  const body = rows.map((r) => el('tr', { 'data-period': r.period, 'data-area': r.area },
    el('th', { scope: 'row' }, along === 'period' ? periodLabel(r.period) : `${r.areaName} (${r.area})`),
    figureCell(r.value),
    figureCell(r.yearBefore),
    el('td', { class: 'number' }, displayChange(r.change)),
    ...(indicator.amount ? [figureCell(r.amount, true)] : [])));
  return el('table', {}, el('caption', {}, caption), el('thead', {}, head), el('tbody', {}, ...body));
}

function download(filename: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: 'text/csv;charset=utf-8' }));
  const link = el('a', { href: url, download: filename });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

function countHidden(rows: readonly Row[]): string {
  const hidden = rows.filter((r) => 'hidden' in r.value).length;
  return hidden === 0 ? 'aucune valeur secrète' : hidden === 1 ? 'une valeur secrète' : `${hidden} valeurs secrètes`;
}

/** Draws one view: heading, chart, legend, table and CSV button, inside its section. */
function renderView(sectionId: string, title: string, indicator: Indicator, rows: readonly Row[], along: 'period' | 'area', fileName: string): void {
  const section = $(sectionId);
  const heading = el('h2', { id: `${sectionId}-title` }, title);
  const tableCaption = `${indicator.partner} — ${indicator.label}, ${title} (${rows.length} lignes, ${countHidden(rows)})`;
  const summary = `${indicator.label}, ${title} : graphique en barres, ${rows.length} ${along === 'period' ? 'périodes' : 'territoires'}, ${countHidden(rows)}. Les valeurs sont dans le tableau qui suit.`;
  const figure = el('figure', { 'aria-labelledby': `${sectionId}-caption` },
    el('div', { class: 'chart' }, chart({ rows, along, unit: indicator.unit, summary })),
    el('figcaption', { id: `${sectionId}-caption` }, summary));
  const legend = el('ul', { class: 'legend', 'aria-label': 'Légende du graphique' },
    el('li', {}, el('span', { class: 'swatch bar', 'aria-hidden': 'true' }), 'valeur de la période'),
    el('li', {}, el('span', { class: 'swatch tick', 'aria-hidden': 'true' }), 'même période un an avant'),
    el('li', {}, el('span', { class: 'swatch secret', 'aria-hidden': 'true' }), 'secret statistique (valeur non diffusée, jamais zéro)'));
  const button = el('button', { type: 'button', class: 'csv' }, `Télécharger ce tableau en CSV (${rows.length} lignes)`);
  button.addEventListener('click', () => download(fileName, toCsv(indicator, rows)));
  section.replaceChildren(heading, figure, legend, el('div', { class: 'table-wrap', tabindex: '0', role: 'region', 'aria-label': `Tableau : ${title}` }, table(indicator, rows, tableCaption, along)), button);
  section.hidden = false;
  // For the page's measurements (test/analysts/browser-pages.test.ts): when the first figures showed.
  if (!performance.getEntriesByName('figures-shown').length) performance.mark('figures-shown');
}

/** Each load is numbered: an answer that arrives after a newer choice was made is dropped. */
let generation = 0;

async function loadViews(): Promise<void> {
  if (!token || !state.until) return;
  const mine = ++generation;
  const indicator = state.indicator;
  const frequency = ($('frequency') as HTMLSelectElement).value as 'MONTH' | 'QUARTER' | 'YEAR';
  const geography = ($('geography') as HTMLSelectElement).value as 'REGION' | 'DEPARTEMENT';
  const year = Number(($('year') as HTMLSelectElement).value);
  const overTime = periodRange(frequency, year, state.until);
  const areaYear = periodRange('YEAR', year, state.until);
  status('Chargement…');
  try {
    const lastYear = areaYear ? Math.min(year, Number(areaYear.to)) : null;
    const [time, areas] = await Promise.all([
      overTime ? readTable(token, indicator, { ...overTime, geography: 'FRANCE' }) : null,
      lastYear ? readTable(token, indicator, { from: String(lastYear), to: String(lastYear), geography }) : null,
    ]);
    if (mine !== generation) return;
    const frequencyWord = { MONTH: `par mois, ${year}`, QUARTER: `par trimestre, ${year}`, YEAR: 'par année' }[frequency];
    if (time) renderView('over-time', `France, ${frequencyWord}`, indicator, time.rows, 'period', `${indicator.field}-france-${overTime!.from}-${overTime!.to}.csv`);
    else $('over-time').hidden = true;
    const areaWord = geography === 'REGION' ? 'régions' : 'départements';
    if (areas) renderView('by-area', `Par ${geography === 'REGION' ? 'région' : 'département'}, ${lastYear}`, indicator, areas.rows, 'area', `${indicator.field}-${areaWord}-${lastYear}.csv`);
    else $('by-area').hidden = true;
    status(`${indicator.label} : publié jusqu'au ${new Date(state.until).toLocaleDateString('fr-FR', { timeZone: 'UTC' })}.`);
  } catch (error) {
    if (mine === generation) status(explain(error), true);
  }
}

async function loadIndicator(): Promise<void> {
  const field = ($('indicator') as HTMLSelectElement).value;
  state.indicator = INDICATORS.find((i) => i.field === field) ?? INDICATORS[0];
  status('Chargement…');
  const mine = ++generation;
  try {
    const until = await publishedUntil(token, state.indicator);
    if (mine !== generation) return;
    state.until = until;
  } catch (error) {
    if (mine === generation) status(explain(error), true);
    return;
  }
  const yearSelect = $('year') as HTMLSelectElement;
  const previous = Number(yearSelect.value) || 0;
  const years = publishedYears(state.until);
  yearSelect.replaceChildren(...years.map((y) => el('option', { value: String(y) }, String(y))));
  yearSelect.value = String(years.includes(previous) ? previous : years[0]);
  await loadViews();
}

function setUp(): void {
  const indicator = $('indicator') as HTMLSelectElement;
  const partners = [...new Set(INDICATORS.map((i) => i.partner))];
  indicator.replaceChildren(...partners.map((p) => el('optgroup', { label: p }, ...INDICATORS.filter((i) => i.partner === p).map((i) => el('option', { value: i.field }, i.label)))));
  indicator.addEventListener('change', () => void loadIndicator());
  for (const id of ['year', 'frequency', 'geography']) $(id).addEventListener('change', () => void loadViews());
  $('token-form').addEventListener('submit', (event) => {
    event.preventDefault();
    useToken(($('token') as HTMLInputElement).value);
  });
  // A token handed in the fragment (never sent to the server) is read once and taken out of the address bar.
  const fromFragment = () => {
    const handed = new URLSearchParams(location.hash.slice(1)).get('token');
    if (location.hash) history.replaceState(null, '', location.pathname);
    if (handed) (($('token') as HTMLInputElement).value = handed);
    return handed;
  };
  window.addEventListener('hashchange', () => {
    const handed = fromFragment();
    if (handed) useToken(handed);
  });
  // The issuer's answer, when the page is that (read before the fragment is cleared).
  const callback = callbackParams(new URL(location.href));
  useToken(fromFragment() ?? '');
  void setUpSignIn(callback);
}

/** Forgets the token and every figure read with it. */
function forget(): void {
  generation += 1;
  useToken('');
  ($('token') as HTMLInputElement).value = '';
  for (const id of ['over-time', 'by-area']) {
    $(id).replaceChildren();
    $(id).hidden = true;
  }
}

/** The sign-in buttons when the gateway names an issuer; completes a sign-in the issuer sent back. */
async function setUpSignIn(callback: URLSearchParams | null): Promise<void> {
  const config = await signInConfig();
  if (callback && !config) status('Connexion impossible : la passerelle ne propose pas de connexion.', true);
  if (!config) return;
  showSignIn(config);
  if (!callback) return;
  status(`Connexion avec ${config.providerName}…`);
  try {
    const accessToken = await completeSignIn(config, callback);
    status('');
    useToken(accessToken, config.providerName);
  } catch (error) {
    forget();
    status(error instanceof SignInError ? error.message : `Connexion impossible (${String(error)}).`, true);
  }
}

function showSignIn(config: SignInConfig): void {
  const button = $('sign-in-button') as HTMLButtonElement;
  button.textContent = `Se connecter avec ${config.providerName}`;
  button.addEventListener('click', async () => {
    button.disabled = true;
    status(`Redirection vers ${config.providerName}…`);
    try {
      await signIn(config);
    } catch (error) {
      button.disabled = false;
      status(error instanceof SignInError ? error.message : `Connexion impossible (${String(error)}).`, true);
    }
  });
  $('sign-out-button').addEventListener('click', async () => {
    const provider = signedInWith;
    forget();
    status('Vous êtes déconnecté : le jeton est effacé de cette page.');
    // The issuer's session ends too, when the token came from there.
    if (provider) await signOut(config);
  });
  // The explorer has no sign-in of its own: it gets this token in its URL fragment (never sent to a
  // server; it reads it once and clears the address bar), in a tab of its own.
  $('explorer-button').addEventListener('click', () => {
    if (token) window.open(`/explorer#token=${encodeURIComponent(token)}`, '_blank', 'noopener');
  });
  $('sign-in').hidden = false;
}

setUp();
