// Which counsellors the benchmark plays: the synthetic world is a pure function of (seed, index), so
// the caseloads are read from it without asking any database. A counsellor's page of 50 people needs
// a caseload of at least 50; the largest come first. Cached next to the seeded databases (reading
// 500,000 people takes seconds).
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { people } from '../../subgraphs/kit/population.ts';
import { CACHE_DIR, worldKey, type World } from './world.ts';

export interface Caseload {
  readonly counsellorId: string;
  readonly departement: string;
  /** Ids of the people whose referent counsellor this is, in the world's order. */
  readonly people: readonly string[];
}

export function largestCaseloads(world: World, count: number, atLeast: number): Caseload[] {
  const file = path.join(CACHE_DIR, `caseloads-${worldKey(world)}-${count}-${atLeast}.json`);
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as Caseload[];
  const byCounsellor = new Map<string, { departement: string; people: string[] }>();
  for (const p of people(world)) {
    let caseload = byCounsellor.get(p.counsellorId);
    if (!caseload) byCounsellor.set(p.counsellorId, (caseload = { departement: p.departement, people: [] }));
    caseload.people.push(p.id);
  }
  const chosen = [...byCounsellor.entries()]
    .filter(([, c]) => c.people.length >= atLeast)
    .sort(([a, x], [b, y]) => y.people.length - x.people.length || a.localeCompare(b))
    .slice(0, count)
    .map(([counsellorId, c]) => ({ counsellorId, departement: c.departement, people: c.people }));
  if (chosen.length < count) throw new Error(`the world of ${world.scale} people has ${chosen.length} caseloads of ${atLeast} people or more, ${count} are needed`);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify(chosen));
  return chosen;
}
