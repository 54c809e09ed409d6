// What one run of the benchmark measured, as written to bench/results/<date>.json, and the same as
// Markdown (bench/results/<date>.md): tables per workload and gateway, ratios from the same run, the
// issue's targets against the figures, the profiles, the gateway as one process or two, the machine
// and how busy it was.
import type { GatewayId, GatewayUnderTest } from './gateways.ts';
import type { ProfileSummary } from './profile.ts';
import type { Machine } from './system.ts';

export interface RoundResult {
  readonly order: number;
  readonly rps: number;
  readonly latencyMs: { readonly p50: number; readonly p90: number; readonly p99: number };
  readonly requests: number;
  readonly errors: number;
  readonly seconds: number;
  /** CPU used by other people's processes during the window, in cores. */
  readonly foreignCores: number;
}

export interface Row {
  readonly operation: string;
  readonly operationTitle: string;
  readonly gateway: GatewayId;
  readonly connections: number;
  readonly rounds: readonly RoundResult[];
  /** Means of the rounds. */
  readonly rps: number;
  readonly latencyMs: { readonly p50: number; readonly p90: number; readonly p99: number };
  readonly requests: number;
  readonly errors: number;
  readonly errorSample: string | null;
  /** CPU time per request served, by process (gateway, each subgraph, postgresql backends). */
  readonly cpuMsPerRequest: Readonly<Record<string, number>>;
  readonly cpuMsPerRequestTotal: number;
  readonly subgraphCallsPerOperation: number | null;
  readonly sqlStatementsPerOperation: number | null;
  /** `reference`, `equal`, or what differs from the reference gateway's answers. */
  readonly responseCheck: string;
}

export interface WorkloadResult {
  readonly id: 'products' | 'sqlite' | 'postgresql';
  readonly title: string;
  readonly description: readonly string[];
  readonly gateways: readonly GatewayUnderTest[];
  readonly rows: readonly Row[];
  readonly peakRssMiB: Readonly<Record<string, number | null>>;
  /** Bytes of the reference answer of each operation. */
  readonly answerBytes: Readonly<Record<string, number>>;
  /** How each operation's registration for the run went (Passerelle's trusted documents and cost). */
  readonly registrations: Readonly<Record<string, string>>;
  readonly error?: string;
}

export interface NationalPoint {
  readonly counsellors: number;
  readonly row: Row;
}

export interface NationalResult {
  readonly scale: number;
  readonly description: readonly string[];
  readonly points: readonly NationalPoint[];
  readonly error?: string;
}

export interface ProfileResult {
  readonly description: readonly string[];
  readonly processes: Readonly<Record<string, ProfileSummary>>;
  readonly error?: string;
}

/** Passerelle's gateway with GATEWAY_WORKERS=1 and =2 on both cores, over workloads 1 and 2's page. */
export interface ClusterResult {
  readonly description: readonly string[];
  readonly workloads: readonly WorkloadResult[];
  /** 2 workers / 1 worker in the same run, per workload: req/s, p50, p99, gateway CPU per request. */
  readonly ratios: Readonly<Record<string, number | null>>;
}

export interface Target {
  readonly target: string;
  readonly measured: string;
  readonly met: boolean | null;
}

export interface Results {
  readonly date: string;
  readonly mode: 'full' | 'quick';
  readonly commit: string;
  readonly startedAt: string;
  readonly durationSeconds: number;
  readonly machine: Machine;
  readonly loadAverage: { readonly start: readonly number[]; readonly end: readonly number[] };
  /** CPU of other processes during the measured windows, in cores (of 2): mean and worst window. */
  readonly foreignCores: { readonly mean: number; readonly max: number };
  readonly noisy: boolean;
  readonly workloads: readonly WorkloadResult[];
  readonly national: NationalResult | null;
  readonly profile: ProfileResult | null;
  readonly cluster: ClusterResult | null;
  readonly ratios: Readonly<Record<string, number | null>>;
  readonly targets: readonly Target[];
  readonly notes: readonly string[];
}

const f1 = (n: number | null | undefined) => (n === null || n === undefined || Number.isNaN(n) ? 'n/a' : n.toFixed(1));
const f0 = (n: number | null | undefined) => (n === null || n === undefined || Number.isNaN(n) ? 'n/a' : Math.round(n).toLocaleString('en'));
const ratio = (n: number | null | undefined) => (n === null || n === undefined || !Number.isFinite(n) ? 'n/a' : `${n.toFixed(2)}×`);

function table(head: readonly string[], rows: readonly (readonly string[])[]): string[] {
  return [`| ${head.join(' | ')} |`, `|${head.map((_, i) => (i === 0 ? '---' : '---:')).join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)];
}

/** A row whose requests failed (refusals included) measures another work: no ratio is drawn from it. */
export function comparable(r: Row): boolean {
  return r.requests > 0 && r.errors <= r.requests * 0.01;
}

function processColumns(rows: readonly Row[]): string[] {
  const roles = new Set<string>();
  for (const r of rows) for (const role of Object.keys(r.cpuMsPerRequest)) roles.add(role);
  return [...roles];
}

function rowCells(r: Row, titles: ReadonlyMap<string, string>, roles: readonly string[], peakRss: number | null | undefined, ratioToReference: number | null): string[] {
  return [
    titles.get(r.gateway) ?? r.gateway,
    f1(r.rps), ratio(ratioToReference), f1(r.latencyMs.p50), f1(r.latencyMs.p90), f1(r.latencyMs.p99),
    `${f0(r.errors)}${r.requests ? ` / ${f0(r.requests)}` : ''}`,
    f0(peakRss),
    ...roles.map((role) => f1(r.cpuMsPerRequest[role])),
    f1(r.cpuMsPerRequestTotal),
    f1(r.subgraphCallsPerOperation), f1(r.sqlStatementsPerOperation),
    r.responseCheck,
  ];
}

/** A workload's tables, one per operation; `reference` names the gateway the ratio column divides by. */
function renderWorkload(out: string[], w: WorkloadResult, level: '##' | '###', reference: string): void {
  out.push(`${level} ${w.title}`, '');
  for (const line of w.description) out.push(line);
  out.push('');
  if (w.error) out.push(`**Not measured**: ${w.error}`, '');
  const titles = new Map(w.gateways.map((g) => [g.id as string, g.title]));
  out.push('Gateways: ' + w.gateways.map((g) => `${g.title} (${g.version})`).join('; ') + '.', '');
  const operations = [...new Set(w.rows.map((r) => r.operation))];
  const roles = processColumns(w.rows);
  for (const op of operations) {
    const rows = w.rows.filter((r) => r.operation === op);
    const referenceRow = rows.find((r) => r.responseCheck === 'reference');
    out.push(`${level}# ${rows[0].operationTitle}`, '');
    out.push(`${rows[0].connections} connections; answer ${f0(w.answerBytes[op])} bytes; ${rows[0].rounds.length} round(s); ${w.registrations[op] ?? 'not registered'}. Latencies in ms; CPU in ms per request.`, '');
    out.push(...table(
      ['gateway', 'req/s', `× ${reference}`, 'p50', 'p90', 'p99', 'errors', 'peak RSS MiB', ...roles.map((r) => `CPU ${r}`), 'CPU all', 'subgraph calls/op', 'SQL/op', 'answers'],
      rows.map((r) => rowCells(r, titles, roles, w.peakRssMiB[r.gateway], referenceRow && comparable(r) && comparable(referenceRow) ? r.rps / referenceRow.rps : null)),
    ), '');
    for (const r of rows.filter((x) => x.errorSample)) out.push(`- ${titles.get(r.gateway)}: first failure: \`${r.errorSample!.replace(/`/g, "'").slice(0, 300)}\``);
    if (rows.some((x) => x.errorSample)) out.push('');
  }
  const subgraphRss = Object.entries(w.peakRssMiB).filter(([k]) => !titles.has(k));
  if (subgraphRss.length) out.push(`Peak RSS of the subgraph processes: ${subgraphRss.map(([k, v]) => `${k} ${f0(v)} MiB`).join(', ')}.`, '');
}

export function renderMarkdown(results: Results): string {
  const out: string[] = [];
  const m = results.machine;
  out.push(`# Benchmark of ${results.date} (${results.mode})`, '');
  out.push(`Commit \`${results.commit}\`, ${Math.round(results.durationSeconds / 60)} min ${Math.round(results.durationSeconds % 60)} s. Produced by \`npm run bench${results.mode === 'quick' ? ' -- --quick' : ''}\` (bench/README in the project README, section Benchmark).`, '');
  out.push(`**Machine**: ${m.cpuModel}, ${m.cores} cores, ${m.memoryGiB} GiB, ${m.os}, Linux ${m.kernel}, Node ${m.node}, ${m.wrk}${m.postgres ? `, PostgreSQL ${m.postgres}` : ''}.`);
  out.push(`Gateway pinned to core 0 (\`taskset -c 0\`; the cluster part's on both cores); load generator (wrk, closed loop), subgraphs and the benchmark itself on core 1; the shared PostgreSQL server is not pinned.`);
  out.push('Requests/s and latencies as wrk measured them in the windows (means of the rounds). CPU per request: CPU time (/proc) of each process from the start of a window ' +
    'until the requests it left in flight are done, divided by the requests answered plus those in flight. Subgraph calls and SQL statements per operation: counted around single requests.', '');
  out.push(`**Load average** at start ${results.loadAverage.start.join(' / ')}, at end ${results.loadAverage.end.join(' / ')} (1 / 5 / 15 min; the end includes the benchmark's own load).`);
  out.push(`Other processes used ${results.foreignCores.mean.toFixed(2)} cores on average during the measured windows (worst window ${results.foreignCores.max.toFixed(2)}, of 2). ` +
    (results.noisy ? '**The machine was noisy**: other work competed for the cores during the windows; compare ratios within this run rather than absolute figures.' : 'The machine was quiet enough for the absolute figures to mean something.'), '');
  for (const note of results.notes) out.push(`- ${note}`);
  if (results.notes.length) out.push('');

  if (results.targets.length) {
    out.push('## Targets of issue 10 against this run', '');
    out.push(...table(['target', 'measured', 'met'], results.targets.map((t) => [t.target, t.measured, t.met === null ? 'n/a' : t.met ? 'yes' : '**no**'])), '');
  }

  for (const w of results.workloads) renderWorkload(out, w, '##', 'baseline');

  if (results.national) {
    const n = results.national;
    out.push(`## National scale: ${n.scale.toLocaleString('en')} people`, '');
    for (const line of n.description) out.push(line);
    out.push('');
    if (n.error) out.push(`**Not measured**: ${n.error}`, '');
    if (n.points.length) {
      const roles = processColumns(n.points.map((p) => p.row));
      out.push(...table(['counsellors at once', 'req/s', 'p50', 'p90', 'p99', 'errors', ...roles.map((r) => `CPU ${r}`), 'CPU all', 'subgraph calls/op', 'SQL/op'],
        n.points.map(({ counsellors, row: r }) => [String(counsellors), f1(r.rps), f1(r.latencyMs.p50), f1(r.latencyMs.p90), f1(r.latencyMs.p99), `${f0(r.errors)} / ${f0(r.requests)}`,
          ...roles.map((role) => f1(r.cpuMsPerRequest[role])), f1(r.cpuMsPerRequestTotal), f1(r.subgraphCallsPerOperation), f1(r.sqlStatementsPerOperation)])), '');
      for (const { counsellors, row } of n.points.filter((p) => p.row.errorSample)) out.push(`- ${counsellors} counsellors: first failure: \`${row.errorSample!.replace(/`/g, "'").slice(0, 300)}\``);
      out.push('');
    }
  }

  if (results.profile) {
    const p = results.profile;
    out.push('## Where the time goes (CPU profiles, workload 2 on SQLite)', '');
    for (const line of p.description) out.push(line);
    out.push('');
    if (p.error) out.push(`**Not profiled**: ${p.error}`, '');
    for (const [name, s] of Object.entries(p.processes)) {
      out.push(`### ${name}: ${f0(s.busyMs)} ms sampled in the windows (${f0(s.idleMs)} ms idle)`, '');
      out.push(...table(['by package or folder', 'self ms', '%'], s.packages.map((i) => [`\`${i.name}\``, f0(i.ms), f1(i.percent)])), '');
      out.push(...table(['function (self time)', 'self ms', '%'], s.functions.map((i) => [`\`${i.name}\``, f0(i.ms), f1(i.percent)])), '');
    }
  }

  if (results.cluster) {
    const c = results.cluster;
    out.push('## One process per core: the gateway with 1 and 2 workers', '');
    for (const line of c.description) out.push(line);
    out.push('');
    for (const w of c.workloads) renderWorkload(out, w, '###', '1 worker');
    if (Object.keys(c.ratios).length) out.push(...table(['2 workers / 1 worker', 'value'], Object.entries(c.ratios).map(([k, v]) => [k, ratio(v)])), '');
  }

  if (Object.keys(results.ratios).length) {
    out.push('## Ratios (same run)', '');
    out.push(...table(['ratio', 'value'], Object.entries(results.ratios).map(([k, v]) => [k, ratio(v)])), '');
  }
  return `${out.join('\n').trimEnd()}\n`;
}
