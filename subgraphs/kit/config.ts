// The configuration of a subgraph process, read once from the environment, validated, frozen.
// A wrong value stops the process at start with a message that names the variable.
import path from 'node:path';
import { DEFAULT_WORLD, type WorldOptions } from './population.ts';

export interface SubgraphConfig {
  readonly name: string;
  readonly host: string;
  /** 0 asks the system for a free port (tests); the chosen port is printed when listening. */
  readonly port: number;
  /** PostgreSQL URL; when absent the subgraph uses its embedded SQLite file. */
  readonly databaseUrl: string | null;
  readonly dataDir: string;
  readonly world: WorldOptions;
  /** Where the gateway's public keys are: the subgraph accepts only requests signed with them. */
  readonly gatewayJwks: { readonly url: string } | { readonly file: string };
  readonly production: boolean;
  readonly bodyLimitBytes: number;
  /** Seed an empty database with the synthetic world on start (never by default in production). */
  readonly seedOnStart: boolean;
  /** Secret the cursors are sealed with (kit/cursor.ts); null: a key generated under <dataDir>/keys. */
  readonly cursorSecret: string | null;
  /** A fixed instant for the subgraph's clock (tests); null: the system clock. */
  readonly clockAt: Date | null;
}

export class ConfigError extends Error {}

type Env = Readonly<Record<string, string | undefined>>;

export function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(`${name} must be an integer between ${min} and ${max} (got "${raw}")`);
  }
  return value;
}

export function url(env: Env, name: string): string | null {
  const raw = env[name];
  if (!raw) return null;
  try {
    return new URL(raw).toString();
  } catch {
    throw new ConfigError(`${name} must be a URL (got a value that is not one)`);
  }
}

export function boolean(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (raw === 'true' || raw === '1') return true;
  if (raw === 'false' || raw === '0') return false;
  throw new ConfigError(`${name} must be true or false (got "${raw}")`);
}

/** At least 32 characters: the cursor key is derived from it (HKDF), so length is its only strength. */
export const MIN_CURSOR_SECRET_LENGTH = 32;

function cursorSecret(env: Env, production: boolean): string | null {
  const raw = env.CURSOR_SECRET;
  if (!raw) {
    if (production) throw new ConfigError('CURSOR_SECRET is required when NODE_ENV=production (at least 32 random characters, e.g. `openssl rand -base64 48`)');
    return null;
  }
  if (raw.length < MIN_CURSOR_SECRET_LENGTH) throw new ConfigError(`CURSOR_SECRET must be at least ${MIN_CURSOR_SECRET_LENGTH} characters (got ${raw.length})`);
  return raw;
}

function clockAt(env: Env, production: boolean): Date | null {
  const raw = env.CLOCK_AT;
  if (!raw) return null;
  if (production) throw new ConfigError('CLOCK_AT fixes the clock for tests: it is refused when NODE_ENV=production');
  const at = new Date(raw);
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(raw) || Number.isNaN(at.getTime())) {
    throw new ConfigError(`CLOCK_AT must be an ISO 8601 instant with its offset, e.g. 2026-03-02T02:00:00Z (got "${raw}")`);
  }
  return at;
}

export function loadSubgraphConfig(name: string, defaultPort: number, env: Env = process.env): SubgraphConfig {
  const dataDir = path.resolve(env.DATA_DIR ?? '.data');
  const jwksUrl = url(env, 'GATEWAY_JWKS_URL');
  const production = env.NODE_ENV === 'production';
  return Object.freeze({
    name,
    host: env.HOST ?? '127.0.0.1',
    port: integer(env, 'PORT', defaultPort, 0, 65535),
    databaseUrl: url(env, 'DATABASE_URL'),
    dataDir,
    world: Object.freeze({
      seed: env.SEED ?? DEFAULT_WORLD.seed,
      scale: integer(env, 'SEED_SCALE', DEFAULT_WORLD.scale, 10, 1_000_000),
    }),
    gatewayJwks: jwksUrl ? { url: jwksUrl } : { file: path.resolve(env.GATEWAY_JWKS_FILE ?? path.join(dataDir, 'keys', 'gateway.jwks.json')) },
    production,
    bodyLimitBytes: integer(env, 'BODY_LIMIT_BYTES', 1_000_000, 1024, 100_000_000),
    seedOnStart: boolean(env, 'SEED_ON_START', !production),
    cursorSecret: cursorSecret(env, production),
    clockAt: clockAt(env, production),
  });
}
