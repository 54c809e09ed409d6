// docker-compose.yml checked against the code, since no Docker engine runs here: every service,
// port, variable, health check, dependency and secret of the file is one the code has, the load
// balancer points at both gateway replicas, the databases the subgraphs use are the ones the init
// script creates, production seeds nothing, and every variable an operator sets is in the README.
// The same topology runs as processes in test/e2e/topology.test.ts.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadGatewayConfig } from '../gateway/config.ts';
import { loadSubgraphConfig } from '../subgraphs/kit/config.ts';
import { DEFAULT_PORTS, SUBGRAPHS } from '../subgraphs/kit/schema-files.ts';

interface Service {
  image?: string;
  command?: string[];
  environment?: Record<string, string>;
  healthcheck?: { test: string[] };
  depends_on?: Record<string, { condition: string }>;
  ports?: string[];
  volumes?: string[];
  secrets?: string[];
}

const TEXT = readFileSync('docker-compose.yml', 'utf8');
const COMPOSE = parse(TEXT, { merge: true }) as { services: Record<string, Service>; secrets: Record<string, { file: string }>; volumes: Record<string, unknown> };
const SERVICES = COMPOSE.services;
const README = readFileSync('README.md', 'utf8');

/** What an operator provides: the secrets and settings docker compose refuses to start without. */
const OPERATOR_ENV: Record<string, string> = {
  CURSOR_SECRET: 'c'.repeat(48), POSTGRES_PASSWORD: 'pw', ISSUER: 'https://idp.example.gouv.fr', ISSUER_JWKS_URL: 'https://idp.example.gouv.fr/jwks',
  GATEWAY_SIGNING_KEY_PATH: '/secrets/gateway.private.jwk.json', GATEWAY_JWKS_PATH: '/secrets/gateway.jwks.json',
};

/** Compose's interpolation: ${VAR}, ${VAR:-default}, ${VAR-default}, ${VAR:?message}, ${VAR?message}. */
function interpolate(value: string, env: Record<string, string | undefined>): string {
  return value.replace(/\$\{([A-Z_][A-Z0-9_]*)(?:(:?[-?])([^}]*))?\}/g, (_, name: string, op: string | undefined, arg: string) => {
    const v = env[name];
    const unset = op?.startsWith(':') ? !v : v === undefined;
    if (op?.endsWith('?') && unset) throw new Error(`required variable ${name} is missing a value: ${arg}`);
    if (op?.endsWith('-') && unset) return arg;
    return v ?? '';
  });
}

const environmentOf = (service: Service, env = OPERATOR_ENV) => Object.fromEntries(Object.entries(service.environment ?? {}).map(([k, v]) => [k, interpolate(String(v), env)]));

/** Every variable the code of the gateway and the subgraphs reads. */
function variablesReadByCode(): Set<string> {
  const files = (dir: string): string[] => readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory()
    ? (['dist', 'node_modules'].includes(e.name) ? [] : files(path.join(dir, e.name)))
    : e.name.endsWith('.ts') ? [path.join(dir, e.name)] : []));
  const names = new Set<string>();
  for (const file of [...files('gateway'), ...files('subgraphs')]) {
    for (const m of readFileSync(file, 'utf8').matchAll(/\benv\.([A-Z][A-Z0-9_]+)|\benv\[['"]([A-Z][A-Z0-9_]+)['"]\]|\(env, ['"]([A-Z][A-Z0-9_]+)['"]/g)) names.add(m[1] ?? m[2] ?? m[3]);
  }
  return names;
}

/** The URL a health check fetches (`node -e "fetch('http://127.0.0.1:4001/ready')..."`, wget, curl). */
function healthUrl(service: Service): URL | null {
  const url = service.healthcheck?.test.join(' ').match(/https?:\/\/[^'"\s)]+/)?.[0];
  return url ? new URL(url) : null;
}

const gateways = Object.keys(SERVICES).filter((name) => SERVICES[name].command?.includes('gateway/main.ts'));
const subgraphService = (name: string) => SERVICES[name];

describe('docker-compose.yml', () => {
  it('runs PostgreSQL, Redis, the four subgraphs, two gateway replicas and a load balancer', () => {
    expect(Object.keys(SERVICES).sort()).toEqual([...SUBGRAPHS, 'gateway-1', 'gateway-2', 'load-balancer', 'postgres', 'redis'].sort());
    expect(gateways).toEqual(['gateway-1', 'gateway-2']);
    for (const name of SUBGRAPHS) {
      expect(subgraphService(name).command).toEqual(['node', `subgraphs/${name}/main.ts`]);
      expect(existsSync(`subgraphs/${name}/main.ts`)).toBe(true);
    }
  });

  it('gives every service a health check on something that answers, on the port the service listens on', () => {
    for (const [name, service] of Object.entries(SERVICES)) {
      expect(service.healthcheck?.test?.[0], `${name} has a health check`).toBe('CMD');
    }
    expect(SERVICES.postgres.healthcheck!.test).toContain('pg_isready');
    expect(SERVICES.redis.healthcheck!.test).toEqual(['CMD', 'redis-cli', 'ping']);
    for (const name of [...SUBGRAPHS, ...gateways]) {
      const url = healthUrl(SERVICES[name]);
      // kit/http.ts answers /ready (503 until the database or the supergraph is there) and /health.
      expect(url?.pathname, `${name} is checked on /ready`).toBe('/ready');
      expect(url?.hostname).toBe('127.0.0.1');
      expect(url?.port, `${name}'s health check asks the port it listens on`).toBe(environmentOf(SERVICES[name]).PORT);
    }
    const lb = readFileSync('gateway/load-balancer.nginx.conf', 'utf8');
    const lbUrl = healthUrl(SERVICES['load-balancer'])!;
    expect(lb).toContain(`listen ${lbUrl.port};`);
    expect(lb).toMatch(new RegExp(`location = ${lbUrl.pathname} \\{[^}]*return 200`));
  });

  it('sets only variables the code reads, and the code accepts them in production', () => {
    const read = variablesReadByCode();
    for (const name of [...SUBGRAPHS, ...gateways]) {
      const env = environmentOf(SERVICES[name]);
      for (const variable of Object.keys(env)) expect(read.has(variable) || /^SUBGRAPH_URL_[A-Z_]+$/.test(variable), `${name}: ${variable} is read by the code`).toBe(true);
      expect(env.NODE_ENV).toBe('production');
    }
    for (const name of SUBGRAPHS) {
      const env = environmentOf(subgraphService(name));
      const config = loadSubgraphConfig(name, DEFAULT_PORTS[name], env);
      expect(config.production).toBe(true);
      expect(config.port).toBe(DEFAULT_PORTS[name]);
      expect(config.seedOnStart, `${name} does not seed in production`).toBe(false);
      expect(config.databaseUrl).toMatch(/^postgres:\/\/[^@]+@postgres:5432\/\w+$/);
      expect(config.gatewayJwks).toEqual({ file: '/run/secrets/gateway_jwks' });
    }
  });

  it('seeds only when the operator asks for the demo', () => {
    const seeds = (env: Record<string, string>) => loadSubgraphConfig('agefiph', 4003, environmentOf(subgraphService('agefiph'), env)).seedOnStart;
    expect(seeds(OPERATOR_ENV)).toBe(false);
    expect(seeds({ ...OPERATOR_ENV, SEED_ON_START: 'true' })).toBe(true);
  });

  it('points each gateway at every subgraph service on its port, at Redis, and at its key from a secret', () => {
    for (const name of gateways) {
      const config = loadGatewayConfig(environmentOf(SERVICES[name]), []);
      expect(config.production).toBe(true);
      expect(Object.keys(config.subgraphUrls).sort()).toEqual([...SUBGRAPHS].sort());
      for (const [subgraph, url] of Object.entries(config.subgraphUrls)) {
        expect(new URL(url).hostname).toBe(subgraph);
        expect(new URL(url).port).toBe(environmentOf(subgraphService(subgraph)).PORT);
      }
      expect(config.issuerJwks).toEqual({ url: OPERATOR_ENV.ISSUER_JWKS_URL });
      expect(config.issuer).toBe(OPERATOR_ENV.ISSUER);
      expect(config.signingKeyFile).toBe('/run/secrets/gateway_signing_key');
      expect(config.fairSharing.redisUrl && new URL(config.fairSharing.redisUrl).hostname).toBe('redis');
      expect(config.fairSharing.replicas).toBe(gateways.length);
      expect(config.supergraphPath).toBe('/app/schema/supergraph.graphql');
      expect(SERVICES[name].secrets).toEqual(['gateway_signing_key']);
    }
    for (const name of SUBGRAPHS) expect(subgraphService(name).secrets).toEqual(['gateway_jwks']);
    for (const secret of ['gateway_signing_key', 'gateway_jwks']) expect(COMPOSE.secrets[secret].file).toMatch(/^\$\{[A-Z_]+:\?.+\}$/);
  });

  it('balances between both gateway replicas, on the port they listen on, and keeps /metrics off the public side', () => {
    const lb = SERVICES['load-balancer'];
    const [conf] = (lb.volumes ?? []).filter((v) => v.endsWith(':/etc/nginx/nginx.conf:ro')).map((v) => v.split(':')[0]);
    expect(conf).toBe('./gateway/load-balancer.nginx.conf');
    const text = readFileSync(conf, 'utf8');
    const upstream = [...text.matchAll(/^\s*server (\S+):(\d+)\b/gm)].map((m) => `${m[1]}:${m[2]}`);
    expect(upstream.sort()).toEqual(gateways.map((g) => `${g}:${environmentOf(SERVICES[g]).PORT}`).sort());
    expect(text).toMatch(/location = \/metrics \{ return 404; \}/);
    expect(lb.ports).toEqual(['${PASSERELLE_PORT:-8080}:8080']);
    expect(lb.depends_on).toEqual({ 'gateway-1': { condition: 'service_healthy' }, 'gateway-2': { condition: 'service_healthy' } });
  });

  it('creates each subgraph\'s database with the init script, and each subgraph migrates its own at start', () => {
    const init = (SERVICES.postgres.volumes ?? []).find((v) => v.includes('/docker-entrypoint-initdb.d/'))!.split(':')[0];
    expect(init).toBe('./subgraphs/kit/postgres-init.sql');
    const created = [...readFileSync(init, 'utf8').matchAll(/^CREATE DATABASE (\w+);$/gm)].map((m) => m[1]).sort();
    const used = SUBGRAPHS.map((name) => new URL(environmentOf(subgraphService(name)).DATABASE_URL).pathname.slice(1)).sort();
    expect(created).toEqual(used);
    expect(new Set(used).size).toBe(SUBGRAPHS.length);
    // The user and password are the ones the PostgreSQL image creates.
    const postgres = environmentOf(SERVICES.postgres);
    for (const name of SUBGRAPHS) {
      const url = new URL(environmentOf(subgraphService(name)).DATABASE_URL);
      expect([url.username, url.password]).toEqual([postgres.POSTGRES_USER, postgres.POSTGRES_PASSWORD]);
      // kit/database.ts runs these committed migrations at every start on PostgreSQL (proven by test/e2e/topology.test.ts).
      expect(readdirSync(`subgraphs/${name}/migrations`).length).toBeGreaterThan(0);
    }
  });

  it('starts each service after what it depends on is healthy', () => {
    for (const [name, service] of Object.entries(SERVICES)) {
      for (const [target, { condition }] of Object.entries(service.depends_on ?? {})) {
        expect(SERVICES[target], `${name} depends on ${target}, a service of the file`).toBeDefined();
        expect(condition).toBe('service_healthy');
        expect(SERVICES[target].healthcheck).toBeDefined();
      }
    }
    for (const name of SUBGRAPHS) expect(Object.keys(subgraphService(name).depends_on ?? {})).toEqual(['postgres']);
    for (const name of gateways) expect(Object.keys(SERVICES[name].depends_on ?? {}).sort()).toEqual(['redis', ...SUBGRAPHS].sort());
  });

  it('takes every secret from the environment, refuses to start without one, and the README documents every variable', () => {
    const variables = [...new Set([...TEXT.matchAll(/\$\{([A-Z_][A-Z0-9_]*)/g)].map((m) => m[1]))].sort();
    const required = [...new Set([...TEXT.matchAll(/\$\{([A-Z_][A-Z0-9_]*):\?/g)].map((m) => m[1]))].sort();
    expect(required).toEqual(Object.keys(OPERATOR_ENV).sort());
    const resolveAll = (env: Record<string, string>) => {
      for (const service of Object.values(SERVICES)) environmentOf(service, env);
      for (const secret of Object.values(COMPOSE.secrets)) interpolate(secret.file, env);
    };
    resolveAll(OPERATOR_ENV);
    for (const variable of required) {
      const { [variable]: _, ...without } = OPERATOR_ENV;
      expect(() => resolveAll(without), `without ${variable}`).toThrow(new RegExp(`required variable ${variable}`));
    }
    // No password or key in the file itself.
    expect(TEXT).not.toMatch(/PASSWORD: (?!\$\{)/);
    expect(TEXT).not.toMatch(/"d":|BEGIN (EC )?PRIVATE KEY/);
    const production = README.slice(README.indexOf('## Production'));
    expect(README.indexOf('## Production'), 'the README has a production section').toBeGreaterThan(0);
    for (const variable of variables) expect(production, `${variable} is documented in the README's production section`).toContain(`\`${variable}\``);
  });
});
