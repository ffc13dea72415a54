// Optimal assignment (linear sum assignment) for the tracker and the evaluation metrics.
//
// The solver is the shortest augmenting path form of the Jonker-Volgenant algorithm (Crouse, "On
// implementing 2D rectangular assignment algorithms", IEEE TAES 2016), the one SciPy's
// `linear_sum_assignment` uses, with the same tie-breaking. It runs in O(n^2 m) for n <= m, handles
// rectangular matrices by transposing, and keeps every buffer in a workspace that grows on demand, so a
// solver reused frame after frame allocates nothing once it has seen its largest problem.
//
// Cost matrices are row-major `Float64Array`s of `rows * cols` entries (a longer array is fine: only the
// first `rows * cols` are read). Results are written to caller-owned `Int32Array`s: `rowToCol[r]` is the
// column given to row `r` or -1, `colToRow[c]` likewise.

function growF64(a: Float64Array<ArrayBuffer>, n: number): Float64Array<ArrayBuffer> {
  return a.length >= n ? a : new Float64Array(Math.max(n, a.length * 2));
}
function growI32(a: Int32Array<ArrayBuffer>, n: number): Int32Array<ArrayBuffer> {
  return a.length >= n ? a : new Int32Array(Math.max(n, a.length * 2));
}
function growU8(a: Uint8Array<ArrayBuffer>, n: number): Uint8Array<ArrayBuffer> {
  return a.length >= n ? a : new Uint8Array(Math.max(n, a.length * 2));
}

export class AssignmentSolver {
  private work = new Float64Array(64);
  private capped = new Float64Array(64);
  private u = new Float64Array(8);
  private v = new Float64Array(8);
  private spc = new Float64Array(8);
  private path = new Int32Array(8);
  private col4row = new Int32Array(8);
  private row4col = new Int32Array(8);
  private remaining = new Int32Array(8);
  private sr = new Uint8Array(8);
  private sc = new Uint8Array(8);

  /**
   * Minimum-cost assignment of `min(rows, cols)` pairs (every row is assigned when rows <= cols, every
   * column otherwise). All costs must be finite. Returns the number of pairs (always `min(rows, cols)`).
   */
  solve(
    cost: Float64Array,
    rows: number,
    cols: number,
    rowToCol: Int32Array,
    colToRow: Int32Array,
    maximize = false,
  ): number {
    rowToCol.fill(-1, 0, rows);
    colToRow.fill(-1, 0, cols);
    if (rows === 0 || cols === 0) return 0;
    const transpose = rows > cols;
    const nr = transpose ? cols : rows;
    const nc = transpose ? rows : cols;
    const n = rows * cols;
    this.work = growF64(this.work, n);
    const c = this.work;
    const sign = maximize ? -1 : 1;
    if (transpose) {
      for (let i = 0; i < rows; i++) {
        for (let j = 0; j < cols; j++) c[j * rows + i] = sign * cost[i * cols + j]!;
      }
    } else {
      for (let k = 0; k < n; k++) c[k] = sign * cost[k]!;
    }
    for (let k = 0; k < n; k++) {
      if (!Number.isFinite(c[k]!)) throw new RangeError('assignment cost matrix contains a non-finite entry');
    }
    this.core(c, nr, nc);
    const col4row = this.col4row;
    for (let i = 0; i < nr; i++) {
      const j = col4row[i]!;
      if (transpose) {
        rowToCol[j] = i;
        colToRow[i] = j;
      } else {
        rowToCol[i] = j;
        colToRow[j] = i;
      }
    }
    return nr;
  }

  /**
   * Partial assignment that only pairs entries with `cost < limit` and minimises the sum of
   * `(cost - limit)` over the chosen pairs: the same result as `lap.lapjv(cost, extend_cost=True,
   * cost_limit=limit)` used by ByteTrack. Non-finite entries are never paired. Returns the pair count.
   */
  solveWithLimit(
    cost: Float64Array,
    rows: number,
    cols: number,
    limit: number,
    rowToCol: Int32Array,
    colToRow: Int32Array,
  ): number {
    if (rows === 0 || cols === 0) {
      rowToCol.fill(-1, 0, rows);
      colToRow.fill(-1, 0, cols);
      return 0;
    }
    const n = rows * cols;
    // Capping at the limit: a pair at the cap costs as much as leaving its row and column unassigned.
    this.capped = growF64(this.capped, n);
    const capped = this.capped;
    for (let k = 0; k < n; k++) {
      const x = cost[k]!;
      capped[k] = Number.isNaN(x) || x >= limit ? limit : x;
    }
    this.solve(capped, rows, cols, rowToCol, colToRow);
    let pairs = 0;
    for (let i = 0; i < rows; i++) {
      const j = rowToCol[i]!;
      if (j < 0) continue;
      if (cost[i * cols + j]! < limit) pairs++;
      else {
        rowToCol[i] = -1;
        colToRow[j] = -1;
      }
    }
    return pairs;
  }

  /**
   * Maximum-cardinality assignment among the allowed (finite) entries, of minimum total cost among
   * those; `NaN` and `±Infinity` mark forbidden pairs. This is py-motmetrics' rule: forbidden entries
   * get a cost so large that using one is never better than any feasible alternative, and pairs landing
   * on them are dropped. Returns the pair count.
   */
  solveSparse(
    cost: Float64Array,
    rows: number,
    cols: number,
    rowToCol: Int32Array,
    colToRow: Int32Array,
  ): number {
    if (rows === 0 || cols === 0) {
      rowToCol.fill(-1, 0, rows);
      colToRow.fill(-1, 0, cols);
      return 0;
    }
    const n = rows * cols;
    let maxAbs = -1;
    for (let k = 0; k < n; k++) {
      const x = cost[k]!;
      if (Number.isFinite(x)) maxAbs = Math.max(maxAbs, Math.abs(x));
    }
    if (maxAbs < 0) {
      rowToCol.fill(-1, 0, rows);
      colToRow.fill(-1, 0, cols);
      return 0;
    }
    const big = 2 * Math.min(rows, cols) * (maxAbs + 1) + 1;
    this.capped = growF64(this.capped, n);
    const capped = this.capped;
    for (let k = 0; k < n; k++) {
      const x = cost[k]!;
      capped[k] = Number.isFinite(x) ? x : big;
    }
    this.solve(capped, rows, cols, rowToCol, colToRow);
    let pairs = 0;
    for (let i = 0; i < rows; i++) {
      const j = rowToCol[i]!;
      if (j < 0) continue;
      if (Number.isFinite(cost[i * cols + j]!)) pairs++;
      else {
        rowToCol[i] = -1;
        colToRow[j] = -1;
      }
    }
    return pairs;
  }

  /** Crouse's shortest augmenting path, nr <= nc, c row-major nr x nc. Leaves the result in col4row. */
  private core(c: Float64Array, nr: number, nc: number): void {
    this.u = growF64(this.u, nr);
    this.v = growF64(this.v, nc);
    this.spc = growF64(this.spc, nc);
    this.path = growI32(this.path, nc);
    this.col4row = growI32(this.col4row, nr);
    this.row4col = growI32(this.row4col, nc);
    this.remaining = growI32(this.remaining, nc);
    this.sr = growU8(this.sr, nr);
    this.sc = growU8(this.sc, nc);
    const { u, v, spc, path, col4row, row4col, remaining, sr, sc } = this;
    u.fill(0, 0, nr);
    v.fill(0, 0, nc);
    path.fill(-1, 0, nc);
    col4row.fill(-1, 0, nr);
    row4col.fill(-1, 0, nc);

    for (let curRow = 0; curRow < nr; curRow++) {
      // Dijkstra-like search for the shortest augmenting path from curRow to a free column.
      let minVal = 0;
      let numRemaining = nc;
      for (let it = 0; it < nc; it++) remaining[it] = nc - it - 1;
      sr.fill(0, 0, nr);
      sc.fill(0, 0, nc);
      spc.fill(Number.POSITIVE_INFINITY, 0, nc);
      let sink = -1;
      let i = curRow;
      while (sink === -1) {
        let index = -1;
        let lowest = Number.POSITIVE_INFINITY;
        sr[i] = 1;
        const base = i * nc;
        const ui = u[i]!;
        for (let it = 0; it < numRemaining; it++) {
          const j = remaining[it]!;
          const r = minVal + c[base + j]! - ui - v[j]!;
          if (r < spc[j]!) {
            path[j] = i;
            spc[j] = r;
          }
          const s = spc[j]!;
          if (s < lowest || (s === lowest && row4col[j] === -1)) {
            lowest = s;
            index = it;
          }
        }
        minVal = lowest;
        if (minVal === Number.POSITIVE_INFINITY || index < 0) {
          throw new Error('assignment is infeasible');
        }
        const j = remaining[index]!;
        if (row4col[j] === -1) sink = j;
        else i = row4col[j]!;
        sc[j] = 1;
        remaining[index] = remaining[--numRemaining]!;
      }
      // Update the dual variables.
      u[curRow] = u[curRow]! + minVal;
      for (let r = 0; r < nr; r++) {
        if (sr[r] && r !== curRow) u[r] = u[r]! + minVal - spc[col4row[r]!]!;
      }
      for (let j = 0; j < nc; j++) {
        if (sc[j]) v[j] = v[j]! - (minVal - spc[j]!);
      }
      // Augment along the path.
      let j = sink;
      for (;;) {
        const r = path[j]!;
        row4col[j] = r;
        const tmp = col4row[r]!;
        col4row[r] = j;
        j = tmp;
        if (r === curRow) break;
      }
    }
  }
}

/** Result of the convenience wrapper: matched pairs sorted by row. */
export interface AssignmentPairs {
  rows: number[];
  cols: number[];
  cost: number;
}

/**
 * Convenience wrapper over `AssignmentSolver.solve` for nested arrays (tests, offline code): the
 * minimum- (or maximum-) cost assignment of `min(rows, cols)` pairs, like SciPy's function of that name.
 */
export function linearSumAssignment(
  matrix: readonly (readonly number[])[],
  maximize = false,
): AssignmentPairs {
  const rows = matrix.length;
  const cols = rows === 0 ? 0 : matrix[0]!.length;
  const cost = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) {
    const row = matrix[i]!;
    if (row.length !== cols) throw new RangeError('assignment matrix rows differ in length');
    for (let j = 0; j < cols; j++) cost[i * cols + j] = row[j]!;
  }
  const rowToCol = new Int32Array(rows);
  const colToRow = new Int32Array(cols);
  new AssignmentSolver().solve(cost, rows, cols, rowToCol, colToRow, maximize);
  const out: AssignmentPairs = { rows: [], cols: [], cost: 0 };
  for (let i = 0; i < rows; i++) {
    const j = rowToCol[i]!;
    if (j < 0) continue;
    out.rows.push(i);
    out.cols.push(j);
    out.cost += cost[i * cols + j]!;
  }
  return out;
}
