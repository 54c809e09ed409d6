// Fair sharing between partners: a request rate and a number of requests in flight, per partner
// app and per organisation, so that one app flooding the graph cannot starve the others. Counted
// once a request is authenticated and before its document is even parsed; a refusal is a 429 with
// `Retry-After` and costs no subgraph call.
//
// The app is a claim of the verified token — `azp` (OpenID Connect's authorised party), else
// `client_id` (OAuth token exchange, RFC 8693), else the token's subject (a service account is its
// own app) — never a header the caller sets. The app is checked before its organisation, so a
// refused flood does not spend its organisation's budget.
//
// Counters live in Redis (REDIS_URL), shared by every gateway replica: rates through
// rate-limiter-flexible (fixed windows), requests in flight as leases in a sorted set per key (one
// Lua script takes the app's and the organisation's leases together; a lease a crashed replica left
// expires after LEASE_MS). While Redis does not answer (or without REDIS_URL), each replica counts
// alone, locally, under its share of every limit (the limit divided by RATE_LIMIT_REPLICAS), and
// goes back to the shared counters as soon as Redis is back.
import { randomUUID } from 'node:crypto';
import type http from 'node:http';
import { GraphQLError } from 'graphql';
import { Redis } from 'ioredis';
import { decodeJwt } from 'jose';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { Caller } from '../subgraphs/kit/caller.ts';
import { ConfigError, integer } from '../subgraphs/kit/config.ts';
import type { Logger } from '../subgraphs/kit/logger.ts';
import type { RequestHandler } from '../subgraphs/kit/http.ts';
import type { GatewayMetrics } from './metrics.ts';

export interface Rate {
  readonly points: number;
  readonly seconds: number;
}

export interface FairSharingConfig {
  readonly enabled: boolean;
  /** Shared counters; null = each replica counts alone. */
  readonly redisUrl: string | null;
  readonly keyPrefix: string;
  readonly app: { readonly rate: Rate; readonly concurrent: number };
  readonly organisation: { readonly rate: Rate; readonly concurrent: number };
  /** How many replicas share the limits: each counts this fraction of them while Redis is away. */
  readonly replicas: number;
}

type Env = Readonly<Record<string, string | undefined>>;

/** `50/s`, `600/m`, `20/10s`: requests per window. */
export function parseRate(env: Env, name: string, fallback: string): Rate {
  const text = (env[name] ?? fallback).trim();
  const match = /^(\d+)\/(\d*)(s|m)$/.exec(text);
  const points = Number(match?.[1]);
  const seconds = Number(match?.[2] || 1) * (match?.[3] === 'm' ? 60 : 1);
  if (!match || points < 1 || seconds < 1 || seconds > 3600) throw new ConfigError(`${name} must be requests per window, e.g. 50/s, 600/m or 20/10s`);
  return Object.freeze({ points, seconds });
}

export function fairSharingConfig(env: Env): FairSharingConfig {
  const switched = (env.RATE_LIMITS ?? 'on').trim();
  if (switched !== 'on' && switched !== 'off') throw new ConfigError('RATE_LIMITS must be on or off');
  const redisUrl = env.REDIS_URL?.trim() || null;
  if (redisUrl && !/^rediss?:\/\//.test(redisUrl)) throw new ConfigError('REDIS_URL must be a redis:// or rediss:// URL');
  return Object.freeze({
    enabled: switched === 'on',
    redisUrl,
    keyPrefix: env.RATE_LIMIT_KEY_PREFIX?.trim() || 'passerelle:limits',
    app: Object.freeze({ rate: parseRate(env, 'RATE_LIMIT_APP', '100/s'), concurrent: integer(env, 'CONCURRENCY_LIMIT_APP', 32, 1, 100_000) }),
    organisation: Object.freeze({ rate: parseRate(env, 'RATE_LIMIT_ORGANISATION', '400/s'), concurrent: integer(env, 'CONCURRENCY_LIMIT_ORGANISATION', 128, 1, 100_000) }),
    replicas: integer(env, 'RATE_LIMIT_REPLICAS', 1, 1, 1000),
  });
}

function claimsOf(authorization: string | undefined): Record<string, unknown> {
  const token = /^Bearer (\S+)$/i.exec(authorization ?? '')?.[1];
  try {
    return token ? decodeJwt(token) : {};
  } catch {
    return {};
  }
}

function appClaim(claims: Record<string, unknown>): string | undefined {
  for (const claim of [claims.azp, claims.client_id]) if (typeof claim === 'string' && claim.trim()) return claim.trim();
  return undefined;
}

/** The partner app of an authenticated request: a claim of its (already verified) token. */
export function appOf(authorization: string | undefined, caller: Caller): string {
  return appClaim(claimsOf(authorization)) ?? caller.subject;
}

/** A lease whose replica died is forgotten after this long (longer than any request may take). */
const LEASE_MS = 120_000;

// KEYS: the app's and the organisation's lease sets. ARGV: lease id, app limit, organisation limit, lease ms.
// Answers 0 (both taken), 1 (the app is full) or 2 (the organisation is full).
const TAKE_LEASES = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
for i = 1, 2 do redis.call('ZREMRANGEBYSCORE', KEYS[i], '-inf', now) end
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[2]) then return 1 end
if redis.call('ZCARD', KEYS[2]) >= tonumber(ARGV[3]) then return 2 end
for i = 1, 2 do
  redis.call('ZADD', KEYS[i], now + tonumber(ARGV[4]), ARGV[1])
  redis.call('PEXPIRE', KEYS[i], ARGV[4])
end
return 0`;

export type Limit = 'app-rate' | 'organisation-rate' | 'app-concurrency' | 'organisation-concurrency';

/** A refusal: 429 `RATE_LIMITED` with `Retry-After` in seconds. */
export class RateLimited extends GraphQLError {
  readonly limit: Limit;

  constructor(limit: Limit, retryAfterSeconds: number) {
    const what = limit.startsWith('app') ? 'this application' : 'this organisation';
    const when = limit.endsWith('rate') ? '' : ' at once';
    super(`too many requests from ${what}${when}; retry after ${retryAfterSeconds} s`, {
      extensions: { code: 'RATE_LIMITED', http: { status: 429, headers: new Map([['retry-after', String(retryAfterSeconds)]]) } },
    });
    this.limit = limit;
  }
}

/** Requests in flight counted by this replica alone (while Redis is away). */
class LocalLeases {
  readonly #counts = new Map<string, number>();

  take(keys: readonly [string, string], limits: readonly [number, number]): 0 | 1 | 2 {
    for (const i of [0, 1] as const) if ((this.#counts.get(keys[i]) ?? 0) >= limits[i]) return (i + 1) as 1 | 2;
    for (const key of keys) this.#counts.set(key, (this.#counts.get(key) ?? 0) + 1);
    return 0;
  }

  give(keys: readonly string[]): void {
    for (const key of keys) {
      const left = (this.#counts.get(key) ?? 1) - 1;
      if (left > 0) this.#counts.set(key, left);
      else this.#counts.delete(key);
    }
  }
}

export interface FairSharingOptions {
  readonly metrics?: GatewayMetrics;
  readonly logger?: Logger;
}

type Release = () => void;

export class FairSharing {
  readonly #config: FairSharingConfig;
  readonly #options: FairSharingOptions;
  readonly #redis: Redis | null;
  readonly #appRate: RateLimiterAbstract;
  readonly #organisationRate: RateLimiterAbstract;
  readonly #local = new LocalLeases();
  /** Leases taken for a request, given back when its response closes (handler). */
  readonly #releases = new WeakMap<http.IncomingMessage, Release>();
  /** Apps past their rate, until their window ends (by `organisation:app`, as verified tokens name them). */
  readonly #blockedUntil = new Map<string, number>();
  #shared = false;
  /** Whether the store's state was logged once (a replica that never reaches Redis says so). */
  #announced = false;

  constructor(config: FairSharingConfig, options: FairSharingOptions = {}) {
    this.#config = config;
    this.#options = options;
    const share = (n: number) => Math.max(1, Math.ceil(n / config.replicas));
    const local = (rate: Rate) => new RateLimiterMemory({ points: share(rate.points), duration: rate.seconds });
    this.#redis = config.enabled && config.redisUrl ? this.#connect(config.redisUrl) : null;
    const limiter = (name: string, rate: Rate): RateLimiterAbstract => this.#redis
      ? new RateLimiterRedis({ storeClient: this.#redis, keyPrefix: `${config.keyPrefix}:${name}`, points: rate.points, duration: rate.seconds, rejectIfRedisNotReady: true, insuranceLimiter: local(rate),
        // An app past its rate is refused from memory until its window ends: a flood costs Redis nothing.
        inMemoryBlockOnConsumed: rate.points })
      : local(rate);
    this.#appRate = limiter('app-rate', config.app.rate);
    this.#organisationRate = limiter('organisation-rate', config.organisation.rate);
    this.#redis?.defineCommand('takeLeases', { numberOfKeys: 2, lua: TAKE_LEASES });
    options.metrics?.limitStoreUp(false);
  }

  #connect(url: string): Redis {
    const redis = new Redis(url, {
      // Fail fast while Redis is away (the local counters take over) instead of queueing commands.
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      connectTimeout: 1000,
      commandTimeout: 500,
      retryStrategy: (attempt) => Math.min(attempt * 100, 1000),
    });
    redis.on('ready', () => this.#storeUp(true));
    redis.on('close', () => this.#storeUp(false));
    // Connection errors are reported by the state change above; ioredis would otherwise print them.
    redis.on('error', () => {});
    return redis;
  }

  #storeUp(up: boolean): void {
    if (up === this.#shared && this.#announced) return;
    this.#shared = up;
    this.#announced = true;
    this.#options.metrics?.limitStoreUp(up);
    if (up) this.#options.logger?.info('rate limits shared through Redis');
    else this.#options.logger?.warn({ replicas: this.#config.replicas }, 'Redis does not answer: rate limits counted by this replica alone, under its share');
  }

  /** True while the counters are shared through Redis. */
  get shared(): boolean {
    return this.#shared;
  }

  /**
   * Counts an authenticated request against its app's and organisation's limits, or throws a 429.
   * Its leases are given back when the response to `req` closes (see `handler`).
   */
  async admit(req: http.IncomingMessage, caller: Caller): Promise<void> {
    if (!this.#config.enabled) return;
    const app = appOf(req.headers.authorization, caller);
    const organisation = caller.organisation;
    try {
      await this.#consume(this.#appRate, `${organisation}:${app}`, 'app-rate', (ms) => this.#blockedUntil.set(`${organisation}:${app}`, Date.now() + ms));
      await this.#consume(this.#organisationRate, organisation, 'organisation-rate');
      this.#releases.set(req, await this.#takeLeases(organisation, app));
    } catch (error) {
      if (error instanceof RateLimited) {
        this.#options.metrics?.rateLimited(organisation, error.limit);
        this.#options.metrics?.error('RATE_LIMITED');
      }
      throw error;
    }
  }

  async #consume(limiter: RateLimiterAbstract, key: string, limit: Limit, onRefused?: (ms: number) => void): Promise<void> {
    try {
      await limiter.consume(key);
    } catch (refusal) {
      if (refusal instanceof RateLimiterRes) {
        onRefused?.(refusal.msBeforeNext);
        throw new RateLimited(limit, Math.max(1, Math.ceil(refusal.msBeforeNext / 1000)));
      }
      throw refusal;
    }
  }

  async #takeLeases(organisation: string, app: string): Promise<Release> {
    const { keyPrefix, app: appLimits, organisation: organisationLimits, replicas } = this.#config;
    const keys = [`${keyPrefix}:app-concurrency:${organisation}:${app}`, `${keyPrefix}:organisation-concurrency:${organisation}`] as const;
    const refused = (answer: number) => {
      if (answer === 1) throw new RateLimited('app-concurrency', 1);
      if (answer === 2) throw new RateLimited('organisation-concurrency', 1);
    };
    if (this.#redis && this.#shared) {
      const id = randomUUID();
      let answer: number | undefined;
      try {
        answer = Number(await (this.#redis as Redis & { takeLeases(...args: (string | number)[]): Promise<number> }).takeLeases(...keys, id, appLimits.concurrent, organisationLimits.concurrent, LEASE_MS));
      } catch {
        // Redis went away between the check and the call: count locally below.
      }
      if (answer !== undefined) {
        refused(answer);
        return () => void this.#redis!.multi().zrem(keys[0], id).zrem(keys[1], id).exec().catch(() => {});
      }
    }
    const share = (n: number) => Math.max(1, Math.ceil(n / replicas));
    refused(this.#local.take(keys, [share(appLimits.concurrent), share(organisationLimits.concurrent)]));
    return () => this.#local.give(keys);
  }

  /**
   * The request handler that refuses at once the requests of an app this replica already refused
   * for its rate until its window ends — before its token is verified or its body read, so that a
   * flood costs little; the claims are not trusted here: a forged token naming a refused app is only
   * refused too. It gives every admitted request's leases back when its response closes.
   */
  handler(): RequestHandler {
    return (req, res) => {
      const blocked = this.#blocked(req);
      if (blocked) {
        const { message, extensions } = new RateLimited('app-rate', Math.max(1, Math.ceil(blocked.ms / 1000)));
        res.writeHead(429, { 'content-type': 'application/json; charset=utf-8', 'retry-after': String((extensions.http as { headers: Map<string, string> }).headers.get('retry-after')) });
        res.end(JSON.stringify({ errors: [{ message, extensions: { code: 'RATE_LIMITED' } }] }));
        req.resume();
        this.#options.metrics?.rateLimited(blocked.organisation, 'app-rate');
        this.#options.metrics?.error('RATE_LIMITED');
        return true;
      }
      res.once('close', () => {
        const release = this.#releases.get(req);
        this.#releases.delete(req);
        release?.();
      });
      return false;
    };
  }

  #blocked(req: http.IncomingMessage): { organisation: string; ms: number } | null {
    if (this.#blockedUntil.size === 0) return null;
    const claims = claimsOf(req.headers.authorization);
    const organisation = String(claims.org);
    const key = `${organisation}:${appClaim(claims) ?? claims.sub}`;
    const until = this.#blockedUntil.get(key);
    if (until === undefined) return null;
    const ms = until - Date.now();
    if (ms > 0) return { organisation, ms };
    this.#blockedUntil.delete(key);
    return null;
  }

  async close(): Promise<void> {
    if (this.#redis) await this.#redis.quit().catch(() => this.#redis!.disconnect());
  }
}
