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

export function loadSubgraphConfig(name: string, defaultPort: number, env: Env = process.env): SubgraphConfig {
  const dataDir = path.resolve(env.DATA_DIR ?? '.data');
  const jwksUrl = url(env, 'GATEWAY_JWKS_URL');
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
    production: env.NODE_ENV === 'production',
    bodyLimitBytes: integer(env, 'BODY_LIMIT_BYTES', 1_000_000, 1024, 100_000_000),
  });
}
