// Readiness of a subgraph: its database answers. A probe (`select 1`) runs every second; while it
// fails, /ready answers 503 so that a load balancer or orchestrator stops sending traffic, the
// requests that still come answer errors (masked), and the process stays up: when the database
// returns, the next probe makes it ready again, without restart.
import type { MikroORM } from '@mikro-orm/core';
import type { Logger } from './logger.ts';

export interface DatabaseHealthOptions {
  readonly everyMs?: number;
  /** A probe not answered within this long counts as a failure. */
  readonly timeoutMs?: number;
  readonly logger?: Logger;
  readonly onChange?: (up: boolean) => void;
}

export class DatabaseHealth {
  readonly #orm: MikroORM;
  readonly #options: DatabaseHealthOptions;
  #up = true;
  #timer: NodeJS.Timeout | undefined;
  #probing = false;

  constructor(orm: MikroORM, options: DatabaseHealthOptions = {}) {
    this.#orm = orm;
    this.#options = options;
  }

  /** The database answered its last probe (it did at start: the subgraph migrated it). */
  get ready(): boolean {
    return this.#up;
  }

  start(): this {
    this.#timer = setInterval(() => void this.probe(), this.#options.everyMs ?? 1000);
    this.#timer.unref();
    return this;
  }

  async probe(): Promise<boolean> {
    if (this.#probing) return this.#up;
    this.#probing = true;
    let timer: NodeJS.Timeout | undefined;
    try {
      const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error('database probe timed out')), this.#options.timeoutMs ?? 1000)));
      await Promise.race([this.#orm.em.getConnection().execute('select 1'), timeout]);
      this.#set(true);
    } catch (error) {
      this.#set(false, error);
    } finally {
      clearTimeout(timer);
      this.#probing = false;
    }
    return this.#up;
  }

  #set(up: boolean, error?: unknown): void {
    if (up === this.#up) return;
    this.#up = up;
    this.#options.onChange?.(up);
    if (up) this.#options.logger?.info('database answers again: ready');
    else this.#options.logger?.error({ cause: (error as { code?: string })?.code ?? String((error as Error)?.message ?? error) }, 'database does not answer: not ready');
  }

  stop(): void {
    clearInterval(this.#timer);
  }
}
