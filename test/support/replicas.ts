// Gateway replicas of a test's own over the shared end-to-end subgraphs (as a deployment runs two
// or more behind a load balancer), and tokens of named partner apps (the `azp` claim).
import path from 'node:path';
import { decodeJwt, SignJWT } from 'jose';
import { inject } from 'vitest';
import { mintDevToken } from '../../gateway/dev-token.ts';
import { loadSigningKey } from '../../gateway/keys.ts';
import { spawnService, type ServiceProcess } from '../../gateway/processes.ts';
import type { Organisation, Role } from '../../subgraphs/kit/caller.ts';

/** The variables that point a gateway at the subgraphs of `urls` (by name) and the keys under `dataDir`. */
export function gatewayEnvFor(dataDir: string, urls: Readonly<Record<string, string>>): Record<string, string> {
  const keys = path.join(dataDir, 'keys');
  return {
    PORT: '0', DATA_DIR: dataDir, LOG_LEVEL: 'warn',
    ISSUER_JWKS_FILE: path.join(keys, 'dev-issuer.jwks.json'), GATEWAY_SIGNING_KEY_FILE: path.join(keys, 'gateway.private.jwk.json'),
    ...Object.fromEntries(Object.entries(urls).map(([name, url]) => [`SUBGRAPH_URL_${name.toUpperCase().replace(/-/g, '_')}`, url])),
  };
}

/** The variables that point a gateway at the shared end-to-end subgraphs and keys. */
export function sharedStackEnv(): Record<string, string> {
  return gatewayEnvFor(inject('dataDir'), inject('subgraphUrls'));
}

export function startReplica(name: string, env: Record<string, string>, logs?: string[]): Promise<ServiceProcess> {
  return spawnService({ name, entry: 'gateway/main.ts', env: { ...sharedStackEnv(), ...env }, onLog: logs ? (line) => logs.push(line) : undefined });
}

/** A development token of `app` (claim `azp`), otherwise as the development issuer mints them. */
export async function appToken(app: string, organisation: Organisation = 'france-travail', role: Role = 'counsellor'): Promise<string> {
  const dataDir = inject('dataDir');
  const claims = decodeJwt(await mintDevToken(dataDir, { organisation, role, subject: `${app}:user` }));
  const key = await loadSigningKey(path.join(dataDir, 'keys', 'dev-issuer.private.jwk.json'));
  return new SignJWT({ ...claims, azp: app }).setProtectedHeader({ alg: 'ES256', kid: key.kid }).sign(key.key);
}

export interface Answer {
  readonly status: number;
  readonly retryAfter: string | null;
  readonly body: { data?: any; errors?: { message: string; extensions?: { code?: string } }[] };
  readonly ms: number;
}

export async function ask(url: string, token: string, query: string): Promise<Answer> {
  const started = performance.now();
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify({ query }) });
  const body = await res.json() as Answer['body'];
  return { status: res.status, retryAfter: res.headers.get('retry-after'), body, ms: performance.now() - started };
}

/** The value of a Prometheus sample (name with its labels as printed), or undefined. */
export async function metric(url: string, sample: string): Promise<number | undefined> {
  const text = await (await fetch(new URL('/metrics', url))).text();
  const line = text.split('\n').find((l) => l.startsWith(`${sample} `));
  return line === undefined ? undefined : Number(line.slice(sample.length + 1));
}
