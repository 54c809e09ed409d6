// One measured window: `wrk` (closed loop, fixed connections) pinned to the load core, and around it
// the CPU time of every process that serves the requests, read from /proc before and after, and the
// CPU time used by anything else on the machine (other people's work makes a window noisy).
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT, runPinned } from './processes.ts';
import { cpuMs, machineBusyMs, ownCpuMs } from './system.ts';

export const LOAD_CORE = 1;
export const GATEWAY_CORE = 0;
/** Both cores: where the cluster part lets Passerelle's gateway run (load and subgraphs stay on LOAD_CORE). */
export const CLUSTER_CORES = `${GATEWAY_CORE},${LOAD_CORE}`;

/** One request as the load generator sends it. `@@KEY@@` in the body becomes a unique key. */
export interface LoadRequest {
  readonly authorization: string;
  readonly body: string;
}

export interface WrkResult {
  readonly requests: number;
  readonly durationUs: number;
  readonly bytes: number;
  readonly failures: number;
  readonly socketErrors: { readonly connect: number; readonly read: number; readonly write: number; readonly timeout: number };
  readonly latencyUs: { readonly p50: number; readonly p90: number; readonly p99: number; readonly p999: number; readonly max: number; readonly mean: number };
  readonly samples: readonly string[];
}

/** Processes whose CPU a window accounts for, by role (gateway, each subgraph...). */
export interface Accounted {
  readonly role: string;
  /** The pids serving the requests; re-read during the window (database backends come and go). */
  pids(): Promise<readonly number[]> | readonly number[];
}

/** Counters the subgraphs keep (calls received, SQL statements), read around single requests; null when unavailable. */
export type Counter = () => Promise<number | null>;

export interface Window {
  readonly wrk: WrkResult;
  readonly seconds: number;
  /**
   * CPU time of each role from the window's start (nothing in flight) until the requests still in
   * flight when it ended are done: it pays for the answered requests and the in-flight ones.
   */
  readonly cpuMs: Readonly<Record<string, number>>;
  /** Requests in flight when the window ended (one per connection: the loop is closed). */
  readonly inFlightAtEnd: number;
  /** The measured part on the machine's monotonic clock (that of V8's CPU profiles), microseconds. */
  readonly fromUs: number;
  readonly toUs: number;
  /** CPU time of everything else on the machine during the window, in cores (0 to 2 here). */
  readonly foreignCores: number;
}

let wrkRuns = 0;

export function requestsFile(dir: string, name: string, requests: readonly LoadRequest[]): string {
  const file = path.join(dir, `${name}.requests`);
  for (const r of requests) {
    if (/[\t\n]/.test(r.authorization) || /[\t\n]/.test(r.body)) throw new Error('a request holds a tab or a newline');
  }
  writeFileSync(file, requests.map((r) => `${r.authorization}\t${r.body}`).join('\n') + '\n');
  return file;
}

async function wrk(url: string, file: string, connections: number, seconds: number, tag: string): Promise<WrkResult> {
  const args = ['-t1', `-c${connections}`, `-d${seconds}s`, '--timeout', '10s', '-s', path.join(ROOT, 'bench/load.lua'), url, '--', file, tag];
  const run = await runPinned(LOAD_CORE, 'wrk', args, (seconds + 30) * 1000);
  const line = run.stdout.split('\n').find((l) => l.startsWith('BENCH_WRK '));
  if (!line) throw new Error(`wrk gave no result (exit ${run.code}): ${run.stderr.slice(-500)}${run.stdout.slice(-500)}`);
  return JSON.parse(line.slice('BENCH_WRK '.length)) as WrkResult;
}

/**
 * Waits until the processes have no work left (less than 5 ms of CPU in 300 ms), at most `maxMs`:
 * a closed-loop client that stops leaves requests in flight, whose work must not fall into the
 * next window.
 */
export async function settle(accounted: readonly Accounted[], maxMs = 15_000): Promise<void> {
  const total = async () => {
    let ms = 0;
    for (const a of accounted) for (const pid of await a.pids()) ms += cpuMs(pid) ?? 0;
    return ms;
  };
  const deadline = Date.now() + maxMs;
  let before = await total();
  while (Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 300));
    const now = await total();
    if (now - before < 5) return;
    before = now;
  }
}

/** Loads `url` for `warmupSeconds` (discarded), then measures a window of `seconds`. */
export async function measureWindow(options: {
  readonly url: string;
  readonly file: string;
  readonly connections: number;
  readonly warmupSeconds: number;
  readonly seconds: number;
  readonly accounted: readonly Accounted[];
  readonly runTag: string;
}): Promise<Window> {
  if (options.warmupSeconds > 0) await wrk(options.url, options.file, options.connections, options.warmupSeconds, `${options.runTag}-w${++wrkRuns}`);
  await settle(options.accounted);
  // CPU per pid, first seen and last seen: a pid that appears in the window counts from zero.
  const first = new Map<number, { role: string; ms: number }>();
  const last = new Map<number, number>();
  const sample = async (initial: boolean) => {
    for (const a of options.accounted) {
      for (const pid of await a.pids()) {
        const ms = cpuMs(pid);
        if (ms === null) continue;
        if (!first.has(pid)) first.set(pid, { role: a.role, ms: initial ? ms : 0 });
        last.set(pid, ms);
      }
    }
  };
  await sample(true);
  const machineBefore = machineBusyMs();
  const ownBefore = ownCpuMs();
  const poller = setInterval(() => void sample(false), 1000);
  const monotonicUs = () => Number(process.hrtime.bigint() / 1000n);
  const fromUs = monotonicUs();
  let result: WrkResult;
  let toUs: number;
  try {
    result = await wrk(options.url, options.file, options.connections, options.seconds, `${options.runTag}-m${++wrkRuns}`);
    toUs = monotonicUs();
    // The servers finish what wrk left in flight; that work belongs to the window's requests.
    await settle(options.accounted);
  } finally {
    clearInterval(poller);
  }
  await sample(false);
  const machine = machineBusyMs() - machineBefore;
  const own = ownCpuMs() - ownBefore;
  const spanSeconds = (monotonicUs() - fromUs) / 1e6;
  const cpu: Record<string, number> = {};
  for (const [pid, { role, ms }] of first) cpu[role] = (cpu[role] ?? 0) + (last.get(pid)! - ms);
  const seconds = result.durationUs / 1e6;
  const accountedMs = Object.values(cpu).reduce((a, b) => a + b, 0) + own;
  return {
    wrk: result,
    seconds,
    cpuMs: cpu,
    inFlightAtEnd: options.connections,
    fromUs,
    toUs,
    foreignCores: Math.max(0, (machine - accountedMs) / 1000 / spanSeconds),
  };
}
