// One gateway process per core (node:cluster): GATEWAY_WORKERS processes serve the same port, the
// kernel's connections shared out by the primary. The primary serves nothing itself: it starts the
// workers, says READY once every one listens, starts again one that dies (never more than once a
// second, so a worker that cannot start does not spin), forwards SIGTERM/SIGINT so that each drains its
// requests in flight (shutdown.ts), and answers /metrics for the whole gateway: any worker asked for
// /metrics gets the sum of every worker's registry from the primary (prom-client's AggregatorRegistry).
// Fair sharing stays exact across workers through Redis; while Redis is away each worker counts its
// own share (RATE_LIMIT_REPLICAS × workers).
import cluster, { type Worker } from 'node:cluster';
import { availableParallelism } from 'node:os';
import { AggregatorRegistry, type Registry } from 'prom-client';
import type { Logger } from '../subgraphs/kit/logger.ts';
import { ConfigError } from '../subgraphs/kit/config.ts';

type Env = Readonly<Record<string, string | undefined>>;

const METRICS_REQUEST = 'passerelle:metrics-request';
const METRICS_ANSWER = 'passerelle:metrics-answer';
const READY = 'passerelle:ready';
const RESTART_SPACING_MS = 1000;

/** GATEWAY_WORKERS: a number of processes, or `auto` for one per core; 1 (no cluster) by default. */
export function workerCount(env: Env = process.env): number {
  const value = env.GATEWAY_WORKERS ?? '1';
  if (value === 'auto') return availableParallelism();
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 64) throw new ConfigError('GATEWAY_WORKERS must be auto or a whole number from 1 to 64');
  return n;
}

export const isWorker = () => cluster.isWorker;

/**
 * Runs the primary of `count` workers (this same entry module, forked); resolves with the URL once
 * each has said it listens. `onStopped` runs after every worker has exited on a signal.
 */
export async function runPrimary(count: number, logger: Logger, onStopped: (code: number) => void): Promise<string> {
  const aggregator = new AggregatorRegistry();
  let stopping = false;
  let lastStart = 0;
  const ready = new Set<number>();
  let announce: (url: string) => void;
  const allReady = new Promise<string>((resolve) => (announce = resolve));

  const start = (): Worker => {
    lastStart = Date.now();
    const worker = cluster.fork();
    worker.on('message', async (message: { type?: string; id?: number; url?: string }) => {
      if (message?.type === READY) {
        ready.add(worker.id);
        if (ready.size === count) announce(message.url!);
      } else if (message?.type === METRICS_REQUEST) {
        const answer = await aggregator.clusterMetrics().then((body) => ({ body }), (error: Error) => ({ error: error.message }));
        if (worker.isConnected()) worker.send({ type: METRICS_ANSWER, id: message.id, contentType: aggregator.contentType, ...answer });
      }
    });
    return worker;
  };

  let started = false;
  void allReady.then(() => (started = true));
  cluster.on('exit', (worker, code, signal) => {
    ready.delete(worker.id);
    if (!started && !stopping) {
      // A worker that cannot start (configuration, key, port) would not start better a second later.
      logger.error({ worker: worker.process.pid, code, signal }, 'a gateway worker could not start');
      stopping = true;
      for (const other of Object.values(cluster.workers ?? {})) other?.process.kill('SIGTERM');
      onStopped(1);
      return;
    }
    if (stopping) {
      if (Object.keys(cluster.workers ?? {}).length === 0) onStopped(0);
      return;
    }
    logger.error({ worker: worker.process.pid, code, signal }, 'a gateway worker died: starting another');
    setTimeout(start, Math.max(0, lastStart + RESTART_SPACING_MS - Date.now()));
  });

  const stop = () => {
    if (stopping) return;
    stopping = true;
    logger.info({ workers: count }, 'stopping: every worker drains its requests in flight');
    for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill('SIGTERM');
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);

  for (let i = 0; i < count; i++) start();
  return allReady;
}

/** In a worker: tells the primary it listens at `url`. */
export function workerReady(url: string): void {
  process.send?.({ type: READY, url });
}

/**
 * The metrics a worker's /metrics answers: the whole gateway's, summed by the primary over every
 * worker's `registry`; outside a cluster, `registry`'s own.
 */
export function gatewayExposition(registry: Registry): () => Promise<{ contentType: string; body: string }> {
  if (!cluster.isWorker) return async () => ({ contentType: registry.contentType, body: await registry.metrics() });
  // Answers the primary's collection requests with this worker's registry.
  AggregatorRegistry.setRegistries([registry]);
  new AggregatorRegistry();
  let next = 0;
  const pending = new Map<number, (answer: { contentType: string; body?: string; error?: string }) => void>();
  process.on('message', (message: { type?: string; id?: number; contentType?: string; body?: string; error?: string }) => {
    if (message?.type !== METRICS_ANSWER) return;
    pending.get(message.id!)?.(message as { contentType: string; body?: string; error?: string });
    pending.delete(message.id!);
  });
  return () => new Promise((resolve, reject) => {
    const id = next++;
    pending.set(id, (answer) => (answer.error === undefined ? resolve({ contentType: answer.contentType, body: answer.body! }) : reject(new Error(answer.error))));
    process.send!({ type: METRICS_REQUEST, id });
  });
}
