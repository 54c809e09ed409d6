// Starts the stack the analysts' suites read: the four subgraphs and the gateway over a synthetic
// world of 50,000 people (ANALYSTS_SCALE), where most cells of the publication grid are shown.
// Seeding that world takes a while, so it is done once and kept under .data/analysts-<scale>-<hash>,
// the hash covering every source the databases are made from: a change to a seed, an entity or the
// kit seeds again, anything else reuses the files. The suites only read.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { startStack } from '../../gateway/stack.ts';
import { seedAll } from '../../subgraphs/kit/seed-cli.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    analystsGatewayUrl: string;
    analystsDataDir: string;
    analystsScale: number;
    /** The stack's subgraphs by name, for a second gateway configured otherwise (sign-in.test.ts). */
    analystsSubgraphUrls: Record<string, string>;
  }
}

const root = path.resolve(import.meta.dirname, '../..');

function sourcesHash(scale: number): string {
  const hash = createHash('sha256').update(`scale ${scale}\n`);
  const files = readdirSync(path.join(root, 'subgraphs'), { recursive: true, encoding: 'utf8' })
    .filter((f) => /\.(ts|graphql|js)$/.test(f) && !/statistics[^/]*\.ts$/.test(f))
    .sort();
  for (const f of files) hash.update(f).update(readFileSync(path.join(root, 'subgraphs', f)));
  hash.update(readFileSync(path.join(root, 'package-lock.json')));
  return hash.digest('hex').slice(0, 12);
}

export async function seededWorld(scale: number): Promise<string> {
  const name = `analysts-${scale}-${sourcesHash(scale)}`;
  const dataDir = path.join(root, '.data', name);
  if (existsSync(dataDir)) return dataDir;
  // A fresh clone has no .data yet.
  mkdirSync(path.join(root, '.data'), { recursive: true });
  for (const old of readdirSync(path.join(root, '.data')).filter((d) => d.startsWith(`analysts-${scale}-`))) {
    rmSync(path.join(root, '.data', old), { recursive: true, force: true });
  }
  // Seeded aside, then renamed: an interrupted run never leaves a half-seeded world in the cache.
  const partial = `${dataDir}.partial`;
  rmSync(partial, { recursive: true, force: true });
  await seedAll({ world: { seed: 'passerelle', scale }, dataDir: partial, force: true });
  renameSync(partial, dataDir);
  return dataDir;
}

export default async function setup(project: TestProject) {
  const scale = Number(process.env.ANALYSTS_SCALE ?? 50_000);
  const dataDir = await seededWorld(scale);
  // The attacks send hundreds of queries in a burst: what they test is statistical secrecy, not the
  // per-app rate limits (test/e2e/fair-sharing*), which would answer most of them 429.
  const stack = await startStack({ dataDir, port: 0, seedScale: scale, env: { LOG_LEVEL: 'warn', RATE_LIMITS: 'off' } });
  project.provide('analystsGatewayUrl', stack.gatewayUrl);
  project.provide('analystsDataDir', dataDir);
  project.provide('analystsScale', scale);
  project.provide('analystsSubgraphUrls', Object.fromEntries(Object.values(stack.subgraphs).map((s) => [s.name, s.url])));
  return () => stack.stop();
}
