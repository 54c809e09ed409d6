// One clock per subgraph, injected: what "now" and "today" are. A date a partner records (an
// orientation decided on, an aid requested on) is a calendar date where the person is, so "today"
// is taken in the département's time zone, not in UTC: at 06:00 in Réunion it is already the next
// day there while UTC is still on the previous one. Tests fix the clock with CLOCK_AT (config.ts),
// which production refuses.

export interface Clock {
  now(): Date;
}

export const systemClock: Clock = Object.freeze({ now: () => new Date() });

/** A clock stopped at `at` (tests, CLOCK_AT). */
export function fixedClock(at: Date): Clock {
  const time = at.getTime();
  return Object.freeze({ now: () => new Date(time) });
}

/** The subgraph's clock: CLOCK_AT when the configuration has one, else the system's. */
export function clockOf(config: { readonly clockAt: Date | null }): Clock {
  return config.clockAt ? fixedClock(config.clockAt) : systemClock;
}

/** Time zones of the overseas départements; metropolitan France (and Corsica) is Europe/Paris. */
const TIME_ZONES: Readonly<Record<string, string>> = {
  '971': 'America/Guadeloupe', '972': 'America/Martinique', '973': 'America/Cayenne', '974': 'Indian/Reunion', '976': 'Indian/Mayotte',
};

export function timeZoneOf(departement: string): string {
  return TIME_ZONES[departement] ?? 'Europe/Paris';
}

const formats = new Map<string, Intl.DateTimeFormat>();

/** The calendar date (YYYY-MM-DD) in a département at the clock's now: "in the future" is judged locally. */
export function todayIn(departement: string, clock: Clock): string {
  const zone = timeZoneOf(departement);
  let format = formats.get(zone);
  if (!format) formats.set(zone, (format = new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit' })));
  return format.format(clock.now());
}
