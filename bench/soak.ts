// `npm run soak [-- --minutes 5 --connections 8 --scale 2000 --restart cap-emploi]` (not in `npm test`):
// sustained load on 127.0.0.1 for several minutes against a stack of its own — the four subgraphs
// (SQLite, seeded) and the gateway in production mode, serving only registered operations — with a
// mix of the benchmark's operations (bench/passerelle/: a counsellor's page of 50 and of 5, a person's
// file, an employer's file, an analyst's aggregate, an orientation recorded with a key of its own),
// registered for the run (bench/registration.ts) and sent with real tokens of the development issuer.
// Halfway, one subgraph is killed (SIGKILL) and started again. It reports the requests served, the
// errors by code, latency percentiles, how long the fault took to be noticed and to recover, and the
// resident memory of every process at the start, at its peak and at the end of the load; results go
// to bench/results/soak-<date>.md. Traffic is bounded: a closed loop of `--connections` requests in
// flight, stopped at the deadline (and at --max-requests), every process stopped at the end.
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { decodeJwt } from 'jose';
import { mintDevToken } from '../gateway/dev-token.ts';
import { stopServicesOnSignals } from '../gateway/processes.ts';
import { startStack, type Stack } from '../gateway/stack.ts';
import { apiSchemaOf } from '../schema/composition.ts';
import { SUBGRAPHS } from '../subgraphs/kit/schema-files.ts';
import type { Organisation, Role } from '../subgraphs/kit/caller.ts';
import { post } from './answers.ts';
import type { LoadRequest } from './load.ts';
import { largestCaseloads } from './passerelle/caseloads.ts';
import { DOCUMENTS, documentOf, passerelleOperations, type Operation } from './passerelle/workload.ts';
import { ROOT } from './processes.ts';
import { registerForRun } from './registration.ts';
import { loadAverage } from './system.ts';

const { values: args } = parseArgs({
  options: {
    minutes: { type: 'string', default: '5' },
    connections: { type: 'string', default: '8' },
    scale: { type: 'string', default: '2000' },
    restart: { type: 'string', default: 'cap-emploi' },
    'max-requests': { type: 'string', default: '500000' },
  },
});
const MINUTES = Number(args.minutes);
const CONNECTIONS = Number(args.connections);
const SCALE = Number(args.scale);
const RESTART = args.restart!;
const MAX_REQUESTS = Number(args['max-requests']);
if (!(MINUTES > 0 && MINUTES <= 60)) throw new Error('--minutes must be between 0 and 60');
if (!(Number.isInteger(CONNECTIONS) && CONNECTIONS >= 1 && CONNECTIONS <= 64)) throw new Error('--connections must be an integer between 1 and 64');
if (!(SUBGRAPHS as readonly string[]).includes(RESTART)) throw new Error(`--restart must be one of ${SUBGRAPHS.join(', ')}`);

const write = (line: string) => process.stdout.write(`${line}\n`);
const since = (t0: number) => Math.round(performance.now() - t0);

/** One answered (or failed) request. */
interface Sample {
  readonly operation: string;
  /** When it was answered, ms since the load started. */
  readonly at: number;
  readonly ms: number;
  /** Error codes of the answer (HTTP status or transport failure when there is no GraphQL body). */
  readonly codes: readonly string[];
}

function codesOf(status: number, text: string): string[] {
  let body: { errors?: { extensions?: { code?: unknown } }[] } | null = null;
  try {
    body = JSON.parse(text);
  } catch {
    return [`HTTP_${status}_NOT_JSON`];
  }
  const codes = (body?.errors ?? []).map((e) => String(e.extensions?.code ?? 'NO_CODE'));
  return status === 200 || codes.length ? codes : [`HTTP_${status}`];
}

/** Resident memory (VmRSS) of a live process in MiB, or null. */
function rssMiB(pid: number | undefined): number | null {
  if (!pid) return null;
  try {
    const kib = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kib ? Number(kib) / 1024 : null;
  } catch {
    return null;
  }
}

function percentile(sorted: readonly number[], p: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function main() {
  stopServicesOnSignals();
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'passerelle-soak-'));
  const registry = path.join(dataDir, 'operations');
  const started = performance.now();
  const loadAtStart = loadAverage();
  let stack: Stack | undefined;
  try {
    // Registered for the run only, like the benchmark's (never under schema/operations/).
    const apiSchema = apiSchemaOf(readFileSync(path.join(ROOT, 'schema', 'supergraph.graphql'), 'utf8'));
    for (const name of DOCUMENTS) {
      const registration = await registerForRun(registry, `soak-${name.toLowerCase()}`, documentOf(name), apiSchema);
      if (registration.problems.length) throw new Error(`${name} is refused at registration: ${registration.problems.join('; ')}`);
    }
    write(`soak: ${MINUTES} min, ${CONNECTIONS} connections, ${SCALE} people, ${RESTART} killed and restarted halfway; load average ${loadAtStart.map((l) => l.toFixed(1)).join(' ')}`);
    stack = await startStack({
      dataDir, port: 0, seedScale: SCALE, env: { LOG_LEVEL: 'warn' },
      // Production: registered operations only. Fair sharing off, as in the benchmark: this is one load, not partners competing.
      gatewayEnv: { NODE_ENV: 'production', TRUSTED_OPERATIONS_DIR: registry, RATE_LIMITS: 'off' },
    });
    const url = stack.gatewayUrl;
    write(`stack ready in ${since(started)} ms at ${url}`);

    // The workload picks full files by asking the graph; production answers unregistered documents
    // only to `sandbox` callers, so discovery adds that scope to the same caller.
    const discover = async (authorization: string, body: string) => {
      const claims = decodeJwt(authorization.replace(/^Bearer /, ''));
      const token = await mintDevToken(dataDir, {
        organisation: claims.org as Organisation, role: claims.role as Role, territory: claims.territory as string[], subject: claims.sub,
        scopes: [...String(claims.scope).split(' '), 'sandbox'],
      });
      return JSON.parse((await post(url, { authorization: `Bearer ${token}`, body })).text);
    };
    const caseloads = largestCaseloads({ seed: 'passerelle', scale: SCALE }, 11, 5);
    const workload: Operation[] = await passerelleOperations(dataDir, { pages: caseloads.slice(0, 10), recorder: caseloads[10] }, discover);

    // Only operations that answer whole before the load are sent; any other is left out and said so.
    const operations: Operation[] = [];
    const leftOut: string[] = [];
    for (const op of workload) {
      const answer = await post(url, { ...op.requests[0], body: op.requests[0].body.replaceAll('@@KEY@@', `soak-check-${process.pid}`) });
      const codes = codesOf(answer.status, answer.text);
      if (codes.length) {
        leftOut.push(`${op.id} (${codes.join(', ')}: ${answer.text.slice(0, 200)})`);
        write(`left out: ${leftOut.at(-1)}`);
      } else operations.push(op);
    }
    if (!operations.length) throw new Error('no operation of the workload answers whole');

    const processes = () => ({ gateway: stack!.gateway.child.pid, ...Object.fromEntries(SUBGRAPHS.map((name) => [name, stack!.subgraphs[name].child.pid])) }) as Record<string, number | undefined>;
    const rss: Record<string, { start: number | null; peak: number; end: number | null }> = {};
    const sampleRss = (phase: 'start' | 'during' | 'end') => {
      for (const [name, pid] of Object.entries(processes())) {
        const mib = rssMiB(pid);
        const entry = (rss[name] ??= { start: null, peak: 0, end: null });
        if (mib === null) continue;
        if (phase === 'start') entry.start = mib;
        if (phase === 'end') entry.end = mib;
        entry.peak = Math.max(entry.peak, mib);
      }
    };

    // The load: a closed loop of CONNECTIONS workers, operations in turn, until the deadline.
    const samples: Sample[] = [];
    const durationMs = MINUTES * 60_000;
    const t0 = performance.now();
    const deadline = t0 + durationMs;
    sampleRss('start');
    const rssTimer = setInterval(() => sampleRss('during'), 1000);
    let next = 0;
    let key = 0;
    const worker = async () => {
      while (performance.now() < deadline && next < MAX_REQUESTS) {
        const n = next++;
        const op = operations[n % operations.length];
        const request: LoadRequest = op.requests[Math.floor(n / operations.length) % op.requests.length];
        const body = request.body.replaceAll('@@KEY@@', `soak-${process.pid}-${key++}`);
        const sent = performance.now();
        let codes: string[];
        try {
          const answer = await post(url, { ...request, body });
          codes = codesOf(answer.status, answer.text);
        } catch (error) {
          codes = [`TRANSPORT_${(error as Error).name}`];
        }
        const now = performance.now();
        samples.push({ operation: op.id, at: now - t0, ms: now - sent, codes });
      }
    };

    // Halfway: the subgraph is killed, then started again on the same port and database.
    const fault = (async () => {
      await new Promise((resolve) => setTimeout(resolve, durationMs / 2));
      const victim = stack!.subgraphs[RESTART];
      const killedAt = performance.now() - t0;
      const exited = new Promise((resolve) => victim.child.once('exit', resolve));
      victim.child.kill('SIGKILL');
      await exited;
      const restarting = performance.now();
      await stack!.restartSubgraph(RESTART);
      const readyAt = performance.now() - t0;
      write(`${RESTART} killed at ${(killedAt / 1000).toFixed(1)} s, serving again after a restart of ${since(restarting)} ms`);
      return { killedAt, readyAt };
    })();

    const progress = setInterval(() => write(`  ${((performance.now() - t0) / 1000).toFixed(0)} s: ${samples.length} answered, ${samples.filter((s) => s.codes.length).length} with errors`), 30_000);
    await Promise.all(Array.from({ length: CONNECTIONS }, worker));
    clearInterval(progress);
    const { killedAt, readyAt } = await fault;
    clearInterval(rssTimer);
    const loadMs = performance.now() - t0;
    // Memory at the end: after the load, once the processes have had ten seconds of rest.
    await new Promise((resolve) => setTimeout(resolve, 10_000));
    sampleRss('end');

    const faulty = (s: Sample) => s.codes.some((c) => c.startsWith('SUBGRAPH_'));
    const firstNoticed = samples.find((s) => s.at >= killedAt && faulty(s));
    const lastFaulty = [...samples].reverse().find((s) => faulty(s) && s.at >= killedAt);
    const report = {
      date: new Date().toISOString(),
      minutes: MINUTES, connections: CONNECTIONS, scale: SCALE, restarted: RESTART,
      loadAverage: { start: loadAtStart, end: loadAverage() },
      cpus: os.cpus().length,
      requests: samples.length,
      perSecond: samples.length / (loadMs / 1000),
      withErrors: samples.filter((s) => s.codes.length).length,
      errorsByCode: samples.flatMap((s) => s.codes).reduce<Record<string, number>>((acc, c) => ({ ...acc, [c]: (acc[c] ?? 0) + 1 }), {}),
      latency: (() => {
        const all = samples.map((s) => s.ms).sort((a, b) => a - b);
        return { p50: percentile(all, 50), p99: percentile(all, 99), max: all.at(-1) ?? NaN };
      })(),
      leftOut,
      operations: operations.map((op) => {
        const mine = samples.filter((s) => s.operation === op.id);
        const ms = mine.map((s) => s.ms).sort((a, b) => a - b);
        return { id: op.id, title: op.title, requests: mine.length, errors: mine.filter((s) => s.codes.length).length, p50: percentile(ms, 50), p99: percentile(ms, 99) };
      }),
      fault: {
        killedAtS: killedAt / 1000,
        restartMs: readyAt - killedAt,
        noticedMs: firstNoticed ? firstNoticed.at - killedAt : null,
        faultyAnswers: samples.filter(faulty).length,
        // From the subgraph serving again to the last answer still missing its fields (0: the first answer after was whole).
        recoveredAfterRestartMs: lastFaulty ? Math.max(0, lastFaulty.at - readyAt) : 0,
        unavailableMs: lastFaulty ? lastFaulty.at - killedAt : null,
      },
      rss,
    };
    const markdown = renderReport(report);
    const dir = path.join(ROOT, 'bench', 'results');
    mkdirSync(dir, { recursive: true });
    const file = path.join(dir, `soak-${report.date.slice(0, 10)}.md`);
    writeFileSync(file, markdown);
    write(markdown);
    write(`written to ${path.relative(ROOT, file)}`);
  } finally {
    await stack?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

type Report = {
  date: string; minutes: number; connections: number; scale: number; restarted: string; cpus: number;
  loadAverage: { start: readonly number[]; end: readonly number[] };
  requests: number; perSecond: number; withErrors: number; errorsByCode: Record<string, number>;
  latency: { p50: number; p99: number; max: number };
  leftOut: string[];
  operations: { id: string; title: string; requests: number; errors: number; p50: number; p99: number }[];
  fault: { killedAtS: number; restartMs: number; noticedMs: number | null; faultyAnswers: number; recoveredAfterRestartMs: number; unavailableMs: number | null };
  rss: Record<string, { start: number | null; peak: number; end: number | null }>;
};

function renderReport(r: Report): string {
  const ms = (n: number | null) => (n === null || Number.isNaN(n) ? 'n/a' : `${Math.round(n).toLocaleString('en')} ms`);
  const mib = (n: number | null) => (n === null ? 'n/a' : `${n.toFixed(0)} MiB`);
  const load = (l: readonly number[]) => l.map((x) => x.toFixed(1)).join(' ');
  return [
    `# Soak, ${r.date.slice(0, 16).replace('T', ' ')} UTC`,
    '',
    `\`npm run soak -- --minutes ${r.minutes} --connections ${r.connections} --scale ${r.scale} --restart ${r.restarted}\`: the gateway in production mode (registered operations only, fair sharing off) over the four subgraphs on SQLite (${r.scale.toLocaleString('en')} people), ${r.connections} requests in flight in a closed loop from one process, on 127.0.0.1. ${r.restarted} killed (SIGKILL) at ${r.fault.killedAtS.toFixed(0)} s and started again.`,
    `Machine: ${r.cpus} cores shared with other work; load average ${load(r.loadAverage.start)} at the start, ${load(r.loadAverage.end)} at the end.`,
    '',
    '| requests | per second | answers with errors | p50 | p99 | max |',
    '|---|---|---|---|---|---|',
    `| ${r.requests.toLocaleString('en')} | ${r.perSecond.toFixed(1)} | ${r.withErrors.toLocaleString('en')} | ${ms(r.latency.p50)} | ${ms(r.latency.p99)} | ${ms(r.latency.max)} |`,
    '',
    `Error entries by code (one per missing field; an answer may carry several): ${Object.entries(r.errorsByCode).map(([c, n]) => `${c} ${n}`).join(', ') || 'none'}.`,
    '',
    '| operation | requests | with errors | p50 | p99 |',
    '|---|---|---|---|---|',
    ...r.operations.map((o) => `| ${o.title} | ${o.requests.toLocaleString('en')} | ${o.errors} | ${ms(o.p50)} | ${ms(o.p99)} |`),
    '',
    ...(r.leftOut.length ? [`Left out, not answering whole before the load: ${r.leftOut.map((l) => `\`${l.replace(/`/g, "'")}\``).join('; ')}.`, ''] : []),
    `**The fault.** ${r.restarted} killed; the first answer reporting it came ${ms(r.fault.noticedMs)} later; its restart (a new process, migrations, ready) took ${ms(r.fault.restartMs)}; ` +
      `${r.fault.faultyAnswers} answers lacked its fields (SUBGRAPH_* codes, the rest of each answer kept); the last one came ${ms(r.fault.unavailableMs)} after the kill, ` +
      `${ms(r.fault.recoveredAfterRestartMs)} after the subgraph was serving again (recovery: the circuit's probe, at most CIRCUIT_BREAKER_HALF_OPEN_MS).`,
    '',
    '**Resident memory** (VmRSS) at the start of the load, its peak, and ten seconds after the load (the restarted subgraph: a new process from the restart on).',
    '',
    '| process | start | peak | end | end / start |',
    '|---|---|---|---|---|',
    ...Object.entries(r.rss).map(([name, m]) => `| ${name} | ${mib(m.start)} | ${mib(m.peak)} | ${mib(m.end)} | ${m.start && m.end ? (m.end / m.start).toFixed(2) : 'n/a'} |`),
    '',
  ].join('\n');
}

await main();
