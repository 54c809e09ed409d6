// The attacker's linear algebra, run before publishing: which hidden cells could anyone recompute
// exactly from all the published cells together? The published cells give one equation per
// additive relation (total = sum of parts) whose unknowns are the hidden members; a hidden cell is
// recomputable exactly when the unit vector of its unknown lies in the span of those equations
// (INSEE's manual calls it "secret par différence"; τ-Argus audits tables the same way).
//
// Gauss–Jordan elimination modulo two primes (exact, fast, no floating point): a false "safe" would
// need both primes to divide the same minor of a 0/±1 matrix, and a false "recomputable" only hides
// one cell more. Unknowns are split into connected components first, so each system stays small.

const PRIMES = [67_108_859, 67_108_837] as const;

type Row = Map<number, number>;

function mulmod(a: number, b: number, p: number): number {
  // Both under 2^26: the product stays under 2^52, exact in a double.
  return (a * b) % p;
}

function inverse(a: number, p: number): number {
  let [r0, r1, s0, s1] = [p, a, 0, 1];
  while (r1 !== 0) {
    const q = Math.floor(r0 / r1);
    [r0, r1] = [r1, r0 - q * r1];
    [s0, s1] = [s1, s0 - q * s1];
  }
  return ((s0 % p) + p) % p;
}

/** Adds `factor` × `source` to `target` (mod p). */
function addScaled(target: Row, source: Row, factor: number, p: number): void {
  for (const [col, v] of source) {
    const next = (((target.get(col) ?? 0) + mulmod(factor, v, p)) % p + p) % p;
    if (next === 0) target.delete(col);
    else target.set(col, next);
  }
}

/**
 * Columns `e_col` of which lie in the span of `rows` over GF(p): the unknowns every solution of the
 * homogeneous system leaves at 0. Elimination one unknown at a time, the least-used first (minimum
 * degree, as sparse solvers order it, to keep rows short), then one solution with the free unknowns
 * drawn at random (seeded: the same tables always hide the same cells) and the eliminated ones by
 * back-substitution. An unknown that is not pinned is 0 there only with probability 1/p, which errs
 * on the safe side (one cell more hidden).
 */
function pinnedColumns(input: readonly Row[], p: number): Set<number> {
  const rows: (Row | null)[] = input.map((original) => {
    const row: Row = new Map();
    for (const [c, v] of original) if (((v % p) + p) % p !== 0) row.set(c, ((v % p) + p) % p);
    return row;
  });
  // Rows still holding each column, and the columns by that number (minimum degree first).
  const rowsOf = new Map<number, Set<number>>();
  const byDegree: Set<number>[] = [];
  const move = (c: number, from: number, to: number) => {
    byDegree[from]?.delete(c);
    (byDegree[to] ??= new Set()).add(c);
  };
  const link = (c: number, r: number) => {
    const set = rowsOf.get(c) ?? rowsOf.set(c, new Set()).get(c)!;
    set.add(r);
    move(c, set.size - 1, set.size);
  };
  const unlink = (c: number, r: number) => {
    const set = rowsOf.get(c)!;
    if (set.delete(r)) move(c, set.size + 1, set.size);
  };
  rows.forEach((row, r) => {
    for (const c of row!.keys()) link(c, r);
  });
  const columns = [...rowsOf.keys()].sort((a, b) => a - b);
  const eliminated: [number, Row][] = [];
  const done = new Set<number>();
  for (;;) {
    let col: number | undefined;
    for (let d = 1; d < byDegree.length && col === undefined; d++) {
      if (byDegree[d]?.size) col = byDegree[d].values().next().value;
    }
    if (col === undefined) break;
    const holders = [...rowsOf.get(col)!];
    const pivotIndex = holders.reduce((a, b) => (rows[b]!.size < rows[a]!.size ? b : a));
    const pivot = rows[pivotIndex]!;
    const inv = inverse(pivot.get(col)!, p);
    for (const [c, v] of pivot) pivot.set(c, mulmod(v, inv, p));
    for (const r of holders) {
      if (r === pivotIndex) continue;
      const row = rows[r]!;
      const before = new Set(row.keys());
      addScaled(row, pivot, p - row.get(col)!, p);
      for (const c of before) if (!row.has(c)) unlink(c, r);
      for (const c of row.keys()) if (!before.has(c)) link(c, r);
    }
    for (const c of pivot.keys()) unlink(c, pivotIndex);
    rows[pivotIndex] = null;
    byDegree[0]?.delete(col);
    rowsOf.delete(col);
    done.add(col);
    eliminated.push([col, pivot]);
  }
  let state = 0x2545f491 ^ p;
  const draw = () => {
    state = (Math.imul(state, 1_103_515_245) + 12_345) >>> 0;
    return 1 + (state % (p - 1));
  };
  const solution = new Map<number, number>();
  for (const col of columns) if (!done.has(col)) solution.set(col, draw());
  for (const [col, pivot] of eliminated.reverse()) {
    let value = 0;
    for (const [c, v] of pivot) if (c !== col) value = (value + mulmod(v, solution.get(c)!, p)) % p;
    solution.set(col, (p - value) % p);
  }
  return new Set([...solution].filter(([, v]) => v === 0).map(([col]) => col));
}

export interface AdditiveRelation<C> {
  readonly parent: C;
  readonly children: readonly C[];
}

/**
 * The hidden cells that the published cells determine exactly. `isHidden` tells which members of the
 * relations are unknown to a reader; the shown members' values do not matter for exactness.
 */
export function determinedCells<C>(relations: readonly AdditiveRelation<C>[], isHidden: (cell: C) => boolean): C[] {
  const index = new Map<C, number>();
  const cells: C[] = [];
  const equations: Row[] = [];
  for (const r of relations) {
    const row: Row = new Map();
    const term = (cell: C, coefficient: number) => {
      if (!isHidden(cell)) return;
      let i = index.get(cell);
      if (i === undefined) {
        i = cells.length;
        index.set(cell, i);
        cells.push(cell);
      }
      row.set(i, (row.get(i) ?? 0) + coefficient);
    };
    term(r.parent, 1);
    for (const c of r.children) term(c, -1);
    for (const [k, v] of [...row]) if (v === 0) row.delete(k);
    if (row.size) equations.push(row);
  }
  // Connected components of unknowns (union–find), solved one by one.
  const parent = cells.map((_, i) => i);
  const find = (i: number): number => (parent[i] === i ? i : (parent[i] = find(parent[i])));
  for (const row of equations) {
    const [first, ...rest] = [...row.keys()];
    for (const k of rest) parent[find(k)] = find(first);
  }
  const components = new Map<number, Row[]>();
  for (const row of equations) {
    const root = find(row.keys().next().value!);
    const list = components.get(root);
    if (list) list.push(row);
    else components.set(root, [row]);
  }
  const determined = new Set<number>();
  for (const rows of components.values()) {
    for (const p of PRIMES) for (const col of pinnedColumns(rows, p)) determined.add(col);
  }
  return [...determined].sort((a, b) => a - b).map((i) => cells[i]);
}
