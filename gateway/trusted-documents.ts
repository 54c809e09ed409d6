// Trusted documents: the operations partner apps registered (schema/registered-operations.ts: an
// Apollo persisted-query manifest and the costs recorded at registration, per app). An app sends an
// operation by its manifest id (Apollo Client's PersistedQueryLink with @apollo/persisted-query-lists),
// by its sha256 as an APQ hash, or as the registered text. Every registered operation is marked on the
// context (`registeredOperation`: app, name, cost) before it is validated, so that the limits, which
// registration already applied, are not applied again per request. In production nothing else runs,
// except for callers holding the `sandbox` scope. Registrations are re-read when their files change.
import { createHash } from 'node:crypto';
import { statSync } from 'node:fs';
import path from 'node:path';
import type { ApolloServerPlugin } from '@apollo/server';
import { InMemoryLRUCache, type KeyValueCache, type KeyValueCacheSetOptions } from '@apollo/utils.keyvaluecache';
import { GraphQLError } from 'graphql';
import type { Logger } from '../subgraphs/kit/logger.ts';
import { COSTS_FILE, MANIFEST_FILE, readAppRegistration, registeredApps, type AppRegistration, type RegisteredOperation } from '../schema/registered-operations.ts';
import type { GatewayContext } from './context.ts';
import { SANDBOX_SCOPE } from './introspection.ts';

export interface TrustedDocumentsOptions {
  readonly dir: string;
  readonly production: boolean;
  readonly logger: Logger;
  /** How often registration files are looked at (they are re-read only when they changed). */
  readonly pollIntervalMs?: number;
}

const APQ_PREFIX = 'apq:';

/** The APQ hash of a document: sha256 of its exact text. */
export function documentHash(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

export class TrustedDocuments {
  readonly #options: TrustedDocumentsOptions;
  /** Registered operations by manifest id and by sha256 of their body (the APQ hash). */
  #byKey = new Map<string, RegisteredOperation>();
  /** Registered operations by their exact text. */
  #byBody = new Map<string, RegisteredOperation>();
  /** The last registration of each app that could be read; a broken file keeps the previous one. */
  readonly #apps = new Map<string, AppRegistration & { ok: true }>();
  #fingerprint: string | null = null;
  #timer: NodeJS.Timeout | undefined;

  constructor(options: TrustedDocumentsOptions) {
    this.#options = options;
    this.reload();
  }

  /** The registered operation sent by id or APQ hash. */
  byKey(key: string): RegisteredOperation | undefined {
    return this.#byKey.get(key);
  }

  /** The registered operation whose text this is (what a client sent, or what its id resolved to). */
  bySource(source: string): RegisteredOperation | undefined {
    return this.#byBody.get(source);
  }

  get size(): number {
    return this.#byBody.size;
  }

  /** Re-reads the registrations when their files changed since the last look. */
  reload(): void {
    const fingerprint = this.#currentFingerprint();
    if (fingerprint === this.#fingerprint) return;
    const first = this.#fingerprint === null;
    this.#fingerprint = fingerprint;
    const { logger, dir } = this.#options;
    const present = new Set(registeredApps(dir));
    for (const app of this.#apps.keys()) if (!present.has(app)) this.#apps.delete(app);
    for (const app of present) {
      const registration = readAppRegistration(dir, app);
      if (!registration.ok) {
        // Fail closed for this app only: its previous registration (if any) keeps serving.
        logger.error({ app, problem: registration.error, kept: this.#apps.has(app) }, 'registered operations of this app refused');
        continue;
      }
      if (registration.unrecorded.length) logger.warn({ app, operations: registration.unrecorded }, `operations without a recorded cost are not registered: run npm run operations:register -- ${app}`);
      this.#apps.set(app, registration);
    }
    const byKey = new Map<string, RegisteredOperation>();
    const byBody = new Map<string, RegisteredOperation>();
    for (const { operations } of this.#apps.values()) {
      for (const op of operations) {
        const taken = byKey.get(op.id);
        if (taken && taken.body !== op.body) {
          logger.error({ app: op.app, operation: op.name, takenBy: taken.app }, 'operation id already registered for another document; ignored');
          continue;
        }
        byKey.set(op.id, taken ?? op);
        byKey.set(documentHash(op.body), taken ?? op);
        if (!byBody.has(op.body)) byBody.set(op.body, op);
      }
    }
    this.#byKey = byKey;
    this.#byBody = byBody;
    logger.info({ apps: [...this.#apps.values()].map((a) => `${a.app}:${a.operations.length}`) }, first ? 'registered operations loaded' : 'registered operations reloaded');
  }

  /** Size and modification time of every registration file: cheap to take every half second. */
  #currentFingerprint(): string {
    const { dir } = this.#options;
    const parts: string[] = [];
    for (const app of registeredApps(dir)) {
      for (const file of [MANIFEST_FILE, COSTS_FILE]) {
        try {
          const stat = statSync(path.join(dir, app, file));
          parts.push(`${app}/${file}:${stat.size}:${stat.mtimeMs}`);
        } catch {
          parts.push(`${app}/${file}:-`);
        }
      }
    }
    return parts.join('|');
  }

  watch(): void {
    this.#timer ??= setInterval(() => {
      try {
        this.reload();
      } catch (error) {
        this.#options.logger.error({ err: String(error) }, 'registered operations could not be re-read; the previous ones keep serving');
      }
    }, this.#options.pollIntervalMs ?? 500);
    this.#timer.unref();
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /**
   * The APQ store: registered operations by id and hash. In development it also keeps what clients
   * register by APQ; in production it never learns a document that was not registered.
   */
  apqCache(): KeyValueCache<string> {
    const learnt = this.#options.production ? null : new InMemoryLRUCache<string>({ maxSize: 8 * 1024 * 1024 });
    const registered = (key: string) => this.byKey(key.startsWith(APQ_PREFIX) ? key.slice(APQ_PREFIX.length) : key)?.body;
    return {
      get: async (key: string) => registered(key) ?? (await learnt?.get(key)),
      set: async (key: string, value: string, options?: KeyValueCacheSetOptions) => {
        if (!registered(key)) await learnt?.set(key, value, options);
      },
      delete: async (key: string) => {
        await learnt?.delete(key);
      },
    };
  }

  /** Marks registered operations on the context and, in production, refuses every other one. */
  plugin(): ApolloServerPlugin<GatewayContext> {
    const production = this.#options.production;
    return {
      serverWillStart: async () => {
        this.watch();
        return { serverWillStop: async () => this.stop() };
      },
      requestDidStart: async () => ({
        // Before parsing and validation, so that the limits can tell a registered operation.
        didResolveSource: async ({ source, contextValue }) => {
          const op = this.bySource(source);
          contextValue.registeredOperation = op ? Object.freeze({ app: op.app, name: op.name, cost: op.cost }) : null;
        },
        didResolveOperation: async ({ contextValue }) => {
          if (!production || contextValue.registeredOperation || contextValue.caller.scopes.has(SANDBOX_SCOPE)) return;
          throw new GraphQLError('only registered operations are executed here: a partner app registers its persisted-query manifest under schema/operations/<app>/', {
            extensions: { code: 'OPERATION_NOT_TRUSTED', http: { status: 403 } },
          });
        },
      }),
    };
  }
}
