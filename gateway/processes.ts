// Starts a Passerelle process (a subgraph or the gateway) as a child and waits until it says it is
// ready: each main.ts prints `PASSERELLE_READY <name> <url>` once it listens. Used by `npm start`
// and by the end-to-end tests, so both run exactly the processes a deployment runs.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export interface ServiceProcess {
  readonly name: string;
  readonly url: string;
  readonly child: ChildProcess;
  stop(): Promise<void>;
}

export interface SpawnOptions {
  readonly name: string;
  /** Path of the entry module, relative to `cwd`. */
  readonly entry: string;
  /** Where the process runs (default: the repository root); `npm run dev` runs committed code from elsewhere. */
  readonly cwd?: string;
  /** Node options before the entry, e.g. --watch. */
  readonly nodeArgs?: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  readonly timeoutMs?: number;
  /** Where the child's logs go (default: discarded; the READY line is always read). */
  readonly onLog?: (line: string) => void;
}

const root = fileURLToPath(new URL('../', import.meta.url));

/** Every child started here and not yet exited. */
const children = new Set<ChildProcess>();

// A child must not outlive the process that started it, whatever way that process ends.
process.once('exit', () => {
  for (const child of children) child.kill('SIGTERM');
});

/** Stops every child this process started (for signal handlers installed before they exist). */
export async function stopAllServices(): Promise<void> {
  await Promise.all([...children].map((child) => new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
    setTimeout(() => child.kill('SIGKILL'), 5000).unref();
  })));
}

/**
 * Stops every child, then this process, on SIGINT or SIGTERM. Installed before the first child starts,
 * so that a stop during start-up or right after the ready line stops every child.
 */
export function stopServicesOnSignals(): void {
  const stop = async () => {
    await stopAllServices();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

export function spawnService(options: SpawnOptions): Promise<ServiceProcess> {
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), options.entry], {
    cwd: options.cwd ?? root,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  child.once('exit', () => children.delete(child));
  const stop = () => new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const killer = setTimeout(() => child.kill('SIGKILL'), 5000);
    child.once('exit', () => {
      clearTimeout(killer);
      resolve();
    });
    child.kill('SIGTERM');
  });
  return new Promise((resolve, reject) => {
    let settled = false;
    let tail = '';
    const timer = setTimeout(() => fail(new Error(`${options.name} did not become ready in ${options.timeoutMs ?? 120_000} ms`)), options.timeoutMs ?? 120_000);
    const fail = (error: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      void stop();
      reject(new Error(`${error.message}\n--- last output of ${options.name} ---\n${tail.slice(-4000)}`));
    };
    const onLine = (line: string) => {
      tail = (tail + line + '\n').slice(-8000);
      options.onLog?.(line);
      const match = /^PASSERELLE_READY (\S+) (\S+)$/.exec(line);
      if (match && !settled) {
        settled = true;
        clearTimeout(timer);
        resolve({ name: options.name, url: match[2], child, stop });
      }
    };
    for (const stream of [child.stdout!, child.stderr!]) {
      let buffer = '';
      stream.setEncoding('utf8');
      stream.on('data', (chunk: string) => {
        buffer += chunk;
        let nl: number;
        while ((nl = buffer.indexOf('\n')) >= 0) {
          onLine(buffer.slice(0, nl));
          buffer = buffer.slice(nl + 1);
        }
      });
    }
    child.once('exit', (code, signal) => fail(new Error(`${options.name} exited (${code ?? signal}) before it was ready`)));
  });
}
