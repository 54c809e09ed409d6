// Every process the benchmark starts: pinned to a core with `taskset`, in its own process group, on
// 127.0.0.1, ready when it prints a line or answers a URL, and stopped whatever way the run ends
// (normal end, failure, Ctrl-C, the run's deadline). The count of live processes is bounded.
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../', import.meta.url));

/** More live processes than this means a leak in the harness: refuse to start another. */
const MAX_LIVE = 16;

export interface Pinned {
  readonly name: string;
  readonly pid: number;
  readonly child: ChildProcess;
  /** The URL the process announced (ready line) or was given. */
  readonly url: string;
  /** Values captured from named groups of the `capture` patterns (e.g. the probe port). */
  readonly captured: Readonly<Record<string, string>>;
  /** The last lines the process wrote, for error messages. */
  tail(): string;
  stop(): Promise<void>;
}

export interface PinnedOptions {
  readonly name: string;
  /** CPU core (or list, `0-1`) for `taskset -c`. */
  readonly core: number | string;
  readonly command: string;
  readonly args: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
  readonly cwd?: string;
  /** Ready when a line matches (group `url` gives the URL), or when GET `url` answers 2xx. */
  readonly ready: { readonly line: RegExp } | { readonly url: string };
  /** Other lines to capture before ready, by named groups. */
  readonly capture?: readonly RegExp[];
  readonly timeoutMs: number;
}

const live = new Set<ChildProcess>();

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // Already gone.
  }
}

// Last resort: whatever way this process exits, no child survives it.
process.once('exit', () => {
  for (const child of live) killGroup(child, 'SIGKILL');
});

function stopper(child: ChildProcess): () => Promise<void> {
  return () => new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const killer = setTimeout(() => killGroup(child, 'SIGKILL'), 10_000);
    child.once('exit', () => {
      clearTimeout(killer);
      resolve();
    });
    killGroup(child, 'SIGTERM');
  });
}

/** Stops every process still running (signal handlers, failures). */
export async function stopEverything(): Promise<void> {
  await Promise.all([...live].map((child) => stopper(child)()));
}

export function liveCount(): number {
  return live.size;
}

async function answers(url: string): Promise<boolean> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(1000) });
    await response.arrayBuffer();
    return response.ok;
  } catch {
    return false;
  }
}

/** Starts `command` pinned to `core` and resolves once it is ready. */
export function startPinned(options: PinnedOptions): Promise<Pinned> {
  if (live.size >= MAX_LIVE) return Promise.reject(new Error(`refusing to start ${options.name}: ${live.size} processes already running`));
  const child = spawn('taskset', ['-c', String(options.core), options.command, ...options.args], {
    cwd: options.cwd ?? ROOT,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  live.add(child);
  child.once('exit', () => live.delete(child));
  const stop = stopper(child);
  let lines = '';
  const captured: Record<string, string> = {};
  return new Promise<Pinned>((resolve, reject) => {
    let settled = false;
    let poller: NodeJS.Timeout | undefined;
    const pinned = (url: string): Pinned => ({ name: options.name, pid: child.pid!, child, url, captured, tail: () => lines.slice(-4000), stop });
    const fail = (message: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      clearInterval(poller);
      void stop().then(() => reject(new Error(`${options.name}: ${message}\n--- last output ---\n${lines.slice(-3000)}`)));
    };
    const succeed = (url: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      clearInterval(poller);
      resolve(pinned(url));
    };
    const timer = setTimeout(() => fail(`not ready after ${options.timeoutMs} ms`), options.timeoutMs);
    const onLine = (raw: string) => {
      // Some programs colour their logs even in a pipe.
      const line = raw.replace(/\x1b\[[0-9;]*m/g, '');
      lines = (lines + line + '\n').slice(-16_000);
      for (const pattern of options.capture ?? []) Object.assign(captured, pattern.exec(line)?.groups ?? {});
      if ('line' in options.ready) {
        const match = options.ready.line.exec(line);
        if (match) {
          Object.assign(captured, match.groups ?? {});
          succeed(match.groups?.url ?? '');
        }
      }
    };
    for (const stream of [child.stdout!, child.stderr!]) createInterface({ input: stream, crlfDelay: Infinity }).on('line', onLine);
    child.once('error', (error) => fail(error.message));
    child.once('exit', (code, signal) => fail(`exited (${code ?? signal}) before it was ready`));
    if ('url' in options.ready) {
      const url = options.ready.url;
      poller = setInterval(() => void answers(url).then((ok) => ok && succeed(url)), 200);
    }
  });
}

export interface Finished {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a command pinned to `core` to its end, killed after `timeoutMs`. */
export function runPinned(core: number, command: string, args: readonly string[], timeoutMs: number): Promise<Finished> {
  if (live.size >= MAX_LIVE) return Promise.reject(new Error(`refusing to run ${command}: ${live.size} processes already running`));
  const child = spawn('taskset', ['-c', String(core), command, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  live.add(child);
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (c: string) => (stdout = (stdout + c).slice(-1_000_000)));
  child.stderr!.setEncoding('utf8').on('data', (c: string) => (stderr = (stderr + c).slice(-100_000)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => killGroup(child, 'SIGKILL'), timeoutMs);
    child.once('error', (error) => {
      clearTimeout(timer);
      live.delete(child);
      reject(error);
    });
    // 'close' comes after the exit has been reaped and the pipes drained.
    child.once('close', (code) => {
      clearTimeout(timer);
      live.delete(child);
      resolve({ code, stdout, stderr });
    });
  });
}

/** A free TCP port on 127.0.0.1, for the programs that cannot listen on port 0 and report it. */
export async function freePort(): Promise<number> {
  const net = await import('node:net');
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as import('node:net').AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
