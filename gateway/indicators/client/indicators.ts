// What the indicators page asks the graph and how it turns the answers into rows: the same rows feed
// the chart, the table under it and the CSV export, so the three always show the same figures.

export interface Indicator {
  readonly field: string;
  readonly partner: string;
  readonly label: string;
  /** What one unit is, for the axis and the table ("retours à l'emploi"). */
  readonly unit: string;
  /** The indicator sums an amount in euros (aid requests and decisions). */
  readonly amount?: boolean;
}

/** The partners' published indicators (README, "Statistics for analysts"), in the order partners report them. */
export const INDICATORS: readonly Indicator[] = [
  { field: 'returnToEmploymentStatistics', partner: 'France Travail', label: 'Retours à l\'emploi des demandeurs d\'emploi handicapés', unit: 'retours à l\'emploi' },
  { field: 'longTermJobSeekerStatistics', partner: 'France Travail', label: 'Demandeurs d\'emploi handicapés de longue durée (présents en fin de période)', unit: 'demandeurs d\'emploi' },
  { field: 'trainingEntryStatistics', partner: 'France Travail', label: 'Entrées en formation', unit: 'entrées en formation' },
  { field: 'employmentAfterTrainingStatistics', partner: 'France Travail', label: 'Sortants de formation suivis six mois (accès à l\'emploi)', unit: 'sortants de formation' },
  { field: 'registrationStatistics', partner: 'France Travail', label: 'Inscriptions de demandeurs d\'emploi handicapés', unit: 'inscriptions' },
  { field: 'capEmploiAccompanimentStatistics', partner: 'Cap emploi', label: 'Accompagnements ouverts (vers et dans l\'emploi)', unit: 'accompagnements' },
  { field: 'capEmploiJobRetentionStatistics', partner: 'Cap emploi', label: 'Maintiens dans l\'emploi (dossiers clos)', unit: 'dossiers' },
  { field: 'capEmploiEmployerServiceStatistics', partner: 'Cap emploi', label: 'Services aux employeurs', unit: 'services' },
  { field: 'agefiphAidRequestStatistics', partner: 'Agefiph', label: 'Demandes d\'aide déposées', unit: 'demandes', amount: true },
  { field: 'agefiphAidDecisionStatistics', partner: 'Agefiph', label: 'Décisions d\'aide', unit: 'décisions', amount: true },
  { field: 'fiphfpAidRequestStatistics', partner: 'FIPHFP', label: 'Demandes d\'aide déposées', unit: 'demandes', amount: true },
  { field: 'fiphfpAidDecisionStatistics', partner: 'FIPHFP', label: 'Décisions d\'aide', unit: 'décisions', amount: true },
];

export type Reason = 'SMALL_CELL' | 'DOMINANCE' | 'COMPLEMENTARY';

/** How a hidden figure reads, in the table, the chart and the CSV: never a number, never 0. */
export const HIDDEN_LABEL: Record<Reason, string> = {
  SMALL_CELL: 'secret (petit effectif)',
  DOMINANCE: 'secret (dominance)',
  COMPLEMENTARY: 'secret (secondaire)',
};

/** A figure: shown (a number, 0 included) or hidden with its reason. */
export type Figure = { readonly shown: number } | { readonly hidden: Reason } | { readonly absent: true };

export interface Row {
  readonly period: string;
  readonly area: string;
  readonly areaName: string;
  readonly value: Figure;
  readonly yearBefore: Figure;
  /** Change in percent against the same period a year before; null when not computable. */
  readonly change: number | null;
  readonly amount: Figure;
}

export interface Table {
  readonly publishedUntil: string;
  readonly rows: readonly Row[];
}

interface ApiValue {
  count: number | null;
  countSuppressedBecause: Reason | null;
  amount?: string | null;
  amountSuppressedBecause?: Reason | null;
}

interface ApiCell {
  period: string;
  area: string;
  areaName: string;
  value: ApiValue;
  yearBefore: ApiValue | null;
  countChange: number | null;
}

export class ApiError extends Error {
  readonly code: string | undefined;
  constructor(message: string, code: string | undefined) {
    super(message);
    this.code = code;
  }
}

function figure(value: number | null | undefined, reason: Reason | null | undefined): Figure {
  if (reason) return { hidden: reason };
  if (value === null || value === undefined) return { absent: true };
  return { shown: value };
}

/** Asks the gateway with the analyst's token; GraphQL errors become an ApiError with their code. */
export async function graphql<T>(token: string, query: string, variables: Record<string, unknown>): Promise<T> {
  const response = await fetch('/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
  });
  let body: { data?: T | null; errors?: { message: string; extensions?: { code?: string } }[] };
  try {
    body = await response.json();
  } catch {
    throw new ApiError(`la passerelle a répondu ${response.status}`, undefined);
  }
  if (body.errors?.length) throw new ApiError(body.errors[0].message, body.errors[0].extensions?.code);
  if (!body.data) throw new ApiError('réponse vide', undefined);
  return body.data;
}

export async function publishedUntil(token: string, indicator: Indicator): Promise<string> {
  const data = await graphql<{ t: { publishedUntil: string } }>(token, `query IndicatorCoverage { t: ${indicator.field}(from: "ALL") { publishedUntil } }`, {});
  return data.t.publishedUntil;
}

export async function readTable(token: string, indicator: Indicator, args: { from: string; to: string; geography: 'FRANCE' | 'REGION' | 'DEPARTEMENT' }): Promise<Table> {
  const amount = indicator.amount ? ' amount amountSuppressedBecause' : '';
  const query = `query Indicator($from: String!, $to: String, $geography: GeographyLevel) {
  t: ${indicator.field}(from: $from, to: $to, geography: $geography) {
    publishedUntil
    cells { period area areaName value { count countSuppressedBecause${amount} } yearBefore { count countSuppressedBecause } countChange }
  }
}`;
  const data = await graphql<{ t: { publishedUntil: string; cells: ApiCell[] } }>(token, query, args);
  return {
    publishedUntil: data.t.publishedUntil,
    rows: data.t.cells.map((c) => ({
      period: c.period,
      area: c.area,
      areaName: c.areaName,
      value: figure(c.value.count, c.value.countSuppressedBecause),
      yearBefore: c.yearBefore ? figure(c.yearBefore.count, c.yearBefore.countSuppressedBecause) : { absent: true },
      change: c.countChange,
      amount: indicator.amount ? figure(c.value.amount === null || c.value.amount === undefined ? null : Number(c.value.amount), c.value.amountSuppressedBecause) : { absent: true },
    })),
  };
}

/** The periods a view asks for, within what the indicator publishes (closed periods only). */
export function periodRange(frequency: 'MONTH' | 'QUARTER' | 'YEAR', year: number, until: string): { from: string; to: string } | null {
  const [untilYear, untilMonth] = until.split('-').map(Number);
  if (frequency === 'YEAR') {
    const last = untilMonth === 12 ? untilYear : untilYear - 1;
    return last >= 2016 ? { from: '2016', to: String(last) } : null;
  }
  if (year > untilYear) return null;
  if (frequency === 'MONTH') {
    const lastMonth = year < untilYear ? 12 : untilMonth;
    return { from: `${year}-01`, to: `${year}-${String(lastMonth).padStart(2, '0')}` };
  }
  const lastQuarter = year < untilYear ? 4 : Math.floor(untilMonth / 3);
  return lastQuarter >= 1 ? { from: `${year}-Q1`, to: `${year}-Q${lastQuarter}` } : null;
}

/** Years with at least one published month. */
export function publishedYears(until: string): number[] {
  const last = Number(until.slice(0, 4));
  return Array.from({ length: last - 2016 + 1 }, (_, i) => last - i);
}

const integer = new Intl.NumberFormat('fr-FR', { maximumFractionDigits: 0 });
const euros = new Intl.NumberFormat('fr-FR', { style: 'currency', currency: 'EUR', maximumFractionDigits: 0 });
const percent = new Intl.NumberFormat('fr-FR', { minimumFractionDigits: 1, maximumFractionDigits: 1, signDisplay: 'exceptZero' });

export function displayFigure(f: Figure, money = false): string {
  if ('shown' in f) return money ? euros.format(f.shown) : integer.format(f.shown);
  if ('hidden' in f) return HIDDEN_LABEL[f.hidden];
  return '—';
}

export function displayChange(change: number | null): string {
  return change === null ? '—' : `${percent.format(change)} %`;
}

export function periodLabel(period: string): string {
  const month = /^(\d{4})-(\d{2})$/.exec(period);
  if (month) return new Date(Date.UTC(Number(month[1]), Number(month[2]) - 1, 1)).toLocaleDateString('fr-FR', { month: 'short', year: 'numeric', timeZone: 'UTC' });
  const quarter = /^(\d{4})-Q(\d)$/.exec(period);
  if (quarter) return `T${quarter[2]} ${quarter[1]}`;
  return period;
}

function csvFigure(f: Figure): [string, string] {
  if ('shown' in f) return [String(f.shown), 'publié'];
  if ('hidden' in f) return ['', `secret: ${f.hidden}`];
  return ['', 'non publié'];
}

function csvCell(text: string): string {
  return /[";\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** The rows shown, as CSV (semicolons, UTF-8 with BOM, as French spreadsheets expect); hidden figures empty with their reason. */
export function toCsv(indicator: Indicator, rows: readonly Row[]): string {
  const header = ['indicateur', 'periode', 'code_territoire', 'territoire', 'valeur', 'statut_valeur', 'un_an_avant', 'statut_un_an_avant', 'evolution_pct'];
  if (indicator.amount) header.push('montant_eur', 'statut_montant');
  const lines = [header.join(';')];
  for (const r of rows) {
    const cells = [indicator.field, r.period, r.area, r.areaName, ...csvFigure(r.value), ...csvFigure(r.yearBefore), r.change === null ? '' : String(r.change)];
    if (indicator.amount) cells.push(...csvFigure(r.amount));
    lines.push(cells.map(csvCell).join(';'));
  }
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}
