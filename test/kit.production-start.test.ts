// What a subgraph does when it starts in production: no synthetic people unless asked for, and the
// configuration a deployment must give (CURSOR_SECRET) or must not give (CLOCK_AT) stops it early.
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError, loadSubgraphConfig } from '../subgraphs/kit/config.ts';
import { startTestSubgraph, type TestSubgraph } from './support/subgraph.ts';

const SECRET = 'a-test-cursor-secret-of-at-least-32-characters';
const PRODUCTION = { NODE_ENV: 'production', CURSOR_SECRET: SECRET, SEED_SCALE: '40' };

let running: TestSubgraph | undefined;
afterEach(async () => {
  await running?.stop();
  running = undefined;
});

async function peopleCount(sub: TestSubgraph): Promise<number> {
  const { body } = await sub.call('{ people(first: 1) { totalCount } }');
  expect(body.errors).toBeUndefined();
  return body.data.people.totalCount;
}

describe('seeding on start', () => {
  it('a subgraph started with NODE_ENV=production on an empty database serves no synthetic people', async () => {
    running = await startTestSubgraph('pole-emploi', PRODUCTION);
    expect(await peopleCount(running)).toBe(0);
  });

  it('SEED_ON_START=true seeds the synthetic world in production too (demo deployments)', async () => {
    running = await startTestSubgraph('pole-emploi', { ...PRODUCTION, SEED_ON_START: 'true' });
    expect(await peopleCount(running)).toBe(40);
  });

  it('seeds by default outside production, and not when SEED_ON_START=false', () => {
    expect(loadSubgraphConfig('pole-emploi', 0, {}).seedOnStart).toBe(true);
    expect(loadSubgraphConfig('pole-emploi', 0, { SEED_ON_START: 'false' }).seedOnStart).toBe(false);
    expect(loadSubgraphConfig('pole-emploi', 0, PRODUCTION).seedOnStart).toBe(false);
    expect(() => loadSubgraphConfig('pole-emploi', 0, { SEED_ON_START: 'yes please' })).toThrow(/SEED_ON_START must be true or false/);
  });
});

describe('production configuration', () => {
  it('a production subgraph without CURSOR_SECRET refuses to start, naming the variable', () => {
    expect(() => loadSubgraphConfig('pole-emploi', 0, { NODE_ENV: 'production' })).toThrow(ConfigError);
    expect(() => loadSubgraphConfig('pole-emploi', 0, { NODE_ENV: 'production' })).toThrow(/CURSOR_SECRET is required when NODE_ENV=production/);
    expect(() => loadSubgraphConfig('pole-emploi', 0, { NODE_ENV: 'production', CURSOR_SECRET: 'short' })).toThrow(/at least 32 characters/);
  });

  it('a fixed clock (CLOCK_AT) is refused in production and must be an instant with its offset', () => {
    expect(() => loadSubgraphConfig('pole-emploi', 0, { ...PRODUCTION, CLOCK_AT: '2026-03-02T02:00:00Z' })).toThrow(/CLOCK_AT .* refused when NODE_ENV=production/);
    expect(() => loadSubgraphConfig('pole-emploi', 0, { CLOCK_AT: '2026-03-02' })).toThrow(/CLOCK_AT must be an ISO 8601 instant/);
    expect(loadSubgraphConfig('pole-emploi', 0, { CLOCK_AT: '2026-03-02T06:00:00+04:00' }).clockAt?.toISOString()).toBe('2026-03-02T02:00:00.000Z');
  });
});
