// "Today" is the calendar date where the person lives, from the subgraph's one clock (CLOCK_AT fixes
// it here): a Réunion counsellor early in the morning was told that today's date was in the future,
// and rqthValid was judged on a hard-coded 31 December 2025.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clockOf, fixedClock, systemClock, timeZoneOf, todayIn } from '../subgraphs/kit/clock.ts';
import { people } from '../subgraphs/kit/population.ts';
import { startTestSubgraph, type CallerClaims, type TestSubgraph } from './support/subgraph.ts';

const population = [...people({ seed: 'passerelle', scale: 400 })];
const inDepartement = (departement: string) => population.find((p) => p.departement === departement)!;
/** A metropolitan person whose RQTH ends in the spring of 2026 (winter time: Paris is UTC+1). */
const rqthEnding = population.find((p) => p.rqthValidUntil && p.rqthValidUntil > '2026-01-05' && p.rqthValidUntil < '2026-03-25' && timeZoneOf(p.departement) === 'Europe/Paris')!;
const lastValidDay = rqthEnding.rqthValidUntil!;

function counsellorOf(departement: string): Partial<CallerClaims> {
  return { subject: `ft-${departement}-001`, organisation: 'france-travail', role: 'counsellor', territory: [departement], scopes: ['person:read', 'health:read', 'orientation:write'] };
}

const RECORD = 'mutation($input: RecordOrientationInput!) { recordOrientation(input: $input) { decidedOn } }';
const RQTH = 'query($id: ID!) { person(id: $id) { disabilityStatus { rqthValidUntil rqthValid } } }';

describe('the kit clock', () => {
  it('gives the date in the département: overseas zones, Corsica and metropolitan France on Paris time', () => {
    const at = fixedClock(new Date('2026-03-01T22:30:00Z'));
    expect(todayIn('974', at)).toBe('2026-03-02'); // Indian/Reunion, UTC+4
    expect(todayIn('976', at)).toBe('2026-03-02'); // Indian/Mayotte, UTC+3
    expect(todayIn('75', at)).toBe('2026-03-01');
    expect(todayIn('2A', at)).toBe('2026-03-01');
    expect(todayIn('971', at)).toBe('2026-03-01'); // America/Guadeloupe, UTC-4
    expect(todayIn('972', at)).toBe('2026-03-01');
    expect(todayIn('973', at)).toBe('2026-03-01');
    expect(todayIn('75', fixedClock(new Date('2026-03-01T23:30:00Z')))).toBe('2026-03-02');
    expect(todayIn('971', fixedClock(new Date('2026-03-02T03:59:00Z')))).toBe('2026-03-01');
    expect(clockOf({ clockAt: null })).toBe(systemClock);
    expect(clockOf({ clockAt: new Date('2026-03-01T22:30:00Z') }).now().toISOString()).toBe('2026-03-01T22:30:00.000Z');
  });
});

describe('a subgraph at 02:30 in La Réunion, still the day before in UTC (CLOCK_AT)', () => {
  let sub: TestSubgraph;
  beforeAll(async () => {
    sub = await startTestSubgraph('pole-emploi', { CLOCK_AT: '2026-03-01T22:30:00Z' });
  });
  afterAll(async () => {
    await sub?.stop();
  });

  it('a Réunion counsellor records an orientation dated today there (it used to be "in the future")', async () => {
    const person = inDepartement('974');
    const { body } = await sub.call(RECORD, { input: { idempotencyKey: 'clock-974-0001', personId: person.id, orientedTo: 'CAP_EMPLOI', track: 'EMPLOYMENT', decidedOn: '2026-03-02' } }, counsellorOf('974'));
    expect(body.errors).toBeUndefined();
    expect(body.data.recordOrientation.decidedOn).toBe('2026-03-02');
  });

  it('the same date is still in the future in Guadeloupe, where it is 18:30 the day before', async () => {
    const person = inDepartement('971');
    const { body } = await sub.call(RECORD, { input: { idempotencyKey: 'clock-971-0001', personId: person.id, orientedTo: 'CAP_EMPLOI', track: 'EMPLOYMENT', decidedOn: '2026-03-02' } }, counsellorOf('971'));
    expect(body.errors[0].extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'decidedOn' });
    expect(body.errors[0].message).toBe('decidedOn cannot be in the future');
  });
});

describe('rqthValid follows the clock, on the local day (it used to be judged on 2025-12-31)', () => {
  const started: TestSubgraph[] = [];
  afterAll(async () => {
    await Promise.all(started.map((s) => s.stop()));
  });

  async function rqthAt(instant: string) {
    const sub = await startTestSubgraph('pole-emploi', { CLOCK_AT: instant });
    started.push(sub);
    const { body } = await sub.call(RQTH, { id: rqthEnding.id }, counsellorOf(rqthEnding.departement));
    expect(body.errors).toBeUndefined();
    return body.data.person.disabilityStatus;
  }

  it('valid until 23:59 Paris time on its last day, expired at 00:30 the next day while UTC is still on the last day', async () => {
    // At 22:30 UTC it is 23:30 in Paris on the last valid day; at 23:30 UTC, 00:30 the day after.
    expect(await rqthAt(`${lastValidDay}T22:30:00Z`)).toEqual({ rqthValidUntil: lastValidDay, rqthValid: true });
    expect(await rqthAt(`${lastValidDay}T23:30:00Z`)).toEqual({ rqthValidUntil: lastValidDay, rqthValid: false });
  });
});
