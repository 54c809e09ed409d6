// A small seeded PRNG so that every subgraph derives the same synthetic world from the same seed.
// mulberry32: 32-bit state, fast, good enough for test data (not for anything secret).

export interface Random {
  /** A float in [0, 1). */
  next(): number;
  /** An integer in [min, max] inclusive. */
  int(min: number, max: number): number;
  chance(probability: number): boolean;
  pick<T>(items: readonly T[]): T;
  /** An ISO date (YYYY-MM-DD) between two ISO dates inclusive. */
  date(from: string, to: string): string;
}

/** FNV-1a: turns a string seed and an index into a 32-bit PRNG state. */
export function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

export function random(seed: string): Random {
  let state = hash32(seed) || 1;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const DAY = 86_400_000;
  return {
    next,
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    chance: (p) => next() < p,
    pick: (items) => items[Math.floor(next() * items.length)],
    date: (from, to) => {
      const a = Date.parse(from);
      const b = Date.parse(to);
      return new Date(a + Math.floor(next() * ((b - a) / DAY + 1)) * DAY).toISOString().slice(0, 10);
    },
  };
}

export function addDays(isoDate: string, days: number): string {
  return new Date(Date.parse(isoDate) + days * 86_400_000).toISOString().slice(0, 10);
}
