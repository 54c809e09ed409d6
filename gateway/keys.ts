// Key material for development and tests: the gateway's signing key (subgraph calls) and the
// local development issuer (tokens that partner apps would get from their identity provider).
// In production both come from configuration: a JWKS URL for issuers, a key file for the gateway.
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { exportJWK, generateKeyPair, importJWK, type CryptoKey, type JWK } from 'jose';

export interface KeyFiles {
  readonly privateKey: string;
  readonly publicJwks: string;
}

export function keyFiles(dir: string, name: string): KeyFiles {
  return { privateKey: path.join(dir, `${name}.private.jwk.json`), publicJwks: path.join(dir, `${name}.jwks.json`) };
}

/** Creates an ES256 key pair in `dir` unless it exists; returns the file paths. */
export async function ensureKeyPair(dir: string, name: string): Promise<KeyFiles> {
  const files = keyFiles(dir, name);
  if (existsSync(files.privateKey) && existsSync(files.publicJwks)) return files;
  mkdirSync(dir, { recursive: true });
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  const kid = `${name}-${Date.now().toString(36)}`;
  const priv = { ...(await exportJWK(privateKey)), kid, alg: 'ES256', use: 'sig' };
  const pub = { ...(await exportJWK(publicKey)), kid, alg: 'ES256', use: 'sig' };
  writeFileSync(files.privateKey, JSON.stringify(priv), { mode: 0o600 });
  writeFileSync(files.publicJwks, JSON.stringify({ keys: [pub] }));
  return files;
}

export interface SigningKey {
  readonly kid: string;
  readonly key: CryptoKey;
}

export async function loadSigningKey(file: string): Promise<SigningKey> {
  const jwk = JSON.parse(readFileSync(file, 'utf8')) as JWK;
  return { kid: jwk.kid ?? 'default', key: (await importJWK(jwk, 'ES256')) as CryptoKey };
}

/** Development key names, under <dataDir>/keys. */
export const DEV_KEYS = { gateway: 'gateway', issuer: 'dev-issuer' } as const;

export async function ensureDevKeys(dataDir: string) {
  const dir = path.join(dataDir, 'keys');
  return { gateway: await ensureKeyPair(dir, DEV_KEYS.gateway), issuer: await ensureKeyPair(dir, DEV_KEYS.issuer) };
}
