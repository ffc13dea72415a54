import { describe, expect, it } from 'vitest';
import { AssignmentSolver, linearSumAssignment } from '../../src/track/assignment.ts';

/** Deterministic pseudo-random numbers (mulberry32). */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Every injective map of the smaller side into the larger, as lists of [row, col] pairs. */
function* fullAssignments(rows: number, cols: number): Generator<[number, number][]> {
  const used = new Array<boolean>(cols).fill(false);
  const pairs: [number, number][] = [];
  if (rows <= cols) {
    function* rec(r: number): Generator<[number, number][]> {
      if (r === rows) {
        yield pairs.slice();
        return;
      }
      for (let c = 0; c < cols; c++) {
        if (used[c]) continue;
        used[c] = true;
        pairs.push([r, c]);
        yield* rec(r + 1);
        pairs.pop();
        used[c] = false;
      }
    }
    yield* rec(0);
  } else {
    for (const t of fullAssignments(cols, rows)) yield t.map(([c, r]) => [r, c] as [number, number]);
  }
}

/** Every partial matching (any number of pairs, including none). */
function* partialAssignments(rows: number, cols: number): Generator<[number, number][]> {
  const used = new Array<boolean>(cols).fill(false);
  const pairs: [number, number][] = [];
  function* rec(r: number): Generator<[number, number][]> {
    if (r === rows) {
      yield pairs.slice();
      return;
    }
    yield* rec(r + 1);
    for (let c = 0; c < cols; c++) {
      if (used[c]) continue;
      used[c] = true;
      pairs.push([r, c]);
      yield* rec(r + 1);
      pairs.pop();
      used[c] = false;
    }
  }
  yield* rec(0);
}

function randomMatrix(r: () => number, rows: number, cols: number, integers: boolean): number[][] {
  return Array.from({ length: rows }, () =>
    Array.from({ length: cols }, () => (integers ? Math.floor(r() * 10) : r() * 100 - 20)),
  );
}

function toF64(m: number[][]): Float64Array {
  return Float64Array.from(m.flat());
}

function checkInjective(rowToCol: Int32Array, colToRow: Int32Array, rows: number, cols: number): void {
  for (let i = 0; i < rows; i++) {
    const j = rowToCol[i]!;
    if (j >= 0) expect(colToRow[j]).toBe(i);
  }
  for (let j = 0; j < cols; j++) {
    const i = colToRow[j]!;
    if (i >= 0) expect(rowToCol[i]).toBe(j);
  }
}

describe('linear sum assignment', () => {
  it('solves a textbook example', () => {
    const res = linearSumAssignment([
      [4, 1, 3],
      [2, 0, 5],
      [3, 2, 2],
    ]);
    expect(res.cost).toBe(5);
    expect(res.rows).toEqual([0, 1, 2]);
    expect(res.cols).toEqual([1, 0, 2]);
  });

  it('handles empty and single-entry matrices', () => {
    expect(linearSumAssignment([]).rows).toEqual([]);
    expect(linearSumAssignment([[7]])).toEqual({ rows: [0], cols: [0], cost: 7 });
  });

  it('matches brute force on 600 random matrices up to 6x7, square and rectangular', () => {
    const r = rng(42);
    const solver = new AssignmentSolver();
    for (let trial = 0; trial < 600; trial++) {
      const rows = 1 + Math.floor(r() * 6);
      const cols = 1 + Math.floor(r() * 7);
      // Small integers make ties frequent, which exercises the tie-breaking paths.
      const m = randomMatrix(r, rows, cols, trial % 2 === 0);
      const maximize = trial % 3 === 0;
      let best = maximize ? -Infinity : Infinity;
      for (const a of fullAssignments(rows, cols)) {
        const c = a.reduce((s, [i, j]) => s + m[i]![j]!, 0);
        best = maximize ? Math.max(best, c) : Math.min(best, c);
      }
      const r2c = new Int32Array(rows);
      const c2r = new Int32Array(cols);
      const pairs = solver.solve(toF64(m), rows, cols, r2c, c2r, maximize);
      expect(pairs).toBe(Math.min(rows, cols));
      checkInjective(r2c, c2r, rows, cols);
      let got = 0;
      for (let i = 0; i < rows; i++) if (r2c[i]! >= 0) got += m[i]![r2c[i]!]!;
      expect(got).toBeCloseTo(best, 9);
    }
  });

  it('solveWithLimit equals the best partial matching with unmatched rows and columns costing limit / 2', () => {
    const r = rng(7);
    const solver = new AssignmentSolver();
    for (let trial = 0; trial < 300; trial++) {
      const rows = 1 + Math.floor(r() * 5);
      const cols = 1 + Math.floor(r() * 5);
      const m = Array.from({ length: rows }, () => Array.from({ length: cols }, () => r()));
      const limit = 0.2 + r() * 0.6;
      let best = Infinity;
      for (const a of partialAssignments(rows, cols)) {
        if (a.some(([i, j]) => m[i]![j]! >= limit)) continue;
        best = Math.min(
          best,
          a.reduce((s, [i, j]) => s + m[i]![j]! - limit, 0),
        );
      }
      const r2c = new Int32Array(rows);
      const c2r = new Int32Array(cols);
      solver.solveWithLimit(toF64(m), rows, cols, limit, r2c, c2r);
      checkInjective(r2c, c2r, rows, cols);
      let got = 0;
      for (let i = 0; i < rows; i++) {
        const j = r2c[i]!;
        if (j < 0) continue;
        expect(m[i]![j]!).toBeLessThan(limit);
        got += m[i]![j]! - limit;
      }
      expect(got).toBeCloseTo(best, 9);
    }
  });

  it('solveSparse finds the largest matching over allowed pairs, then the cheapest (py-motmetrics rule)', () => {
    const r = rng(99);
    const solver = new AssignmentSolver();
    for (let trial = 0; trial < 300; trial++) {
      const rows = 1 + Math.floor(r() * 5);
      const cols = 1 + Math.floor(r() * 5);
      const m = Array.from({ length: rows }, () =>
        Array.from({ length: cols }, () => (r() < 0.45 ? Number.NaN : r() * 0.5)),
      );
      let bestSize = 0;
      let bestCost = 0;
      for (const a of partialAssignments(rows, cols)) {
        if (a.some(([i, j]) => Number.isNaN(m[i]![j]!))) continue;
        const c = a.reduce((s, [i, j]) => s + m[i]![j]!, 0);
        if (a.length > bestSize || (a.length === bestSize && c < bestCost)) {
          bestSize = a.length;
          bestCost = c;
        }
      }
      const r2c = new Int32Array(rows);
      const c2r = new Int32Array(cols);
      const n = solver.solveSparse(toF64(m), rows, cols, r2c, c2r);
      checkInjective(r2c, c2r, rows, cols);
      expect(n).toBe(bestSize);
      let got = 0;
      for (let i = 0; i < rows; i++) if (r2c[i]! >= 0) got += m[i]![r2c[i]!]!;
      expect(got).toBeCloseTo(bestCost, 9);
    }
  });

  it('reuses its workspace across sizes without carrying state over', () => {
    const r = rng(3);
    const solver = new AssignmentSolver();
    for (const [rows, cols] of [
      [30, 40],
      [2, 2],
      [40, 3],
      [1, 5],
      [12, 12],
    ] as const) {
      const m = randomMatrix(r, rows, cols, false);
      const r2c = new Int32Array(rows);
      const c2r = new Int32Array(cols);
      solver.solve(toF64(m), rows, cols, r2c, c2r);
      const fresh = linearSumAssignment(m);
      let got = 0;
      for (let i = 0; i < rows; i++) if (r2c[i]! >= 0) got += m[i]![r2c[i]!]!;
      expect(got).toBeCloseTo(fresh.cost, 9);
    }
  });

  it('rejects non-finite costs in solve', () => {
    expect(() =>
      linearSumAssignment([
        [1, Number.POSITIVE_INFINITY],
        [2, 3],
      ]),
    ).toThrow(/non-finite/);
  });

  it('solves a 200 x 200 problem quickly', () => {
    const r = rng(5);
    const m = randomMatrix(r, 200, 200, false);
    const t0 = performance.now();
    const res = linearSumAssignment(m);
    expect(res.rows.length).toBe(200);
    expect(performance.now() - t0).toBeLessThan(2000);
  });
});
