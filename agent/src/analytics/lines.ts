// Counting lines: people crossing a line segment, with a direction, counted once per real crossing.
//
// Sides. A line runs from `start` to `end`. Its "left" and "right" are as a viewer sees them on the
// screen when facing from start towards end, in image coordinates (y grows downward): for a line from
// (0, 100) to (100, 100), left is above it (smaller y). `inSide` names the side that is inside the shop
// (or the area being counted): stepping onto it is an "in" crossing, stepping back off it is "out".
//
// Jitter. A person's settled side is where they were first seen. A crossing counts when the foot point
// goes from the settled side to the other one through the segment itself (not around its ends) and then
// gets at least `minDistanceHeights` of the person's box height past the line (a step, whatever the
// camera's distance; `minDistance` px instead when set), or stays on the other side for `minFrames` frames in a
// row (set in seconds, `minSeconds`, turned into frames with the source's frame rate). Going back before either happens cancels it. The other side then becomes the settled side, so
// crossing back is one "out" (or "in"), and a box jittering on the line counts nothing.
import type { LineDef, LineDirection, TrackingEvent } from '@oskartrack/protocol';
import { FALLBACK_FPS, framesFor } from '../timing.ts';
import { segmentsIntersect } from './geometry.ts';

export interface LineOptions {
  /**
   * Distance past the line (perpendicular) that confirms a crossing, as a fraction of the person's box
   * height: 0.06 is about 10 cm for an adult, near or far from the camera (a box jitters in proportion
   * to its size). Default 0.06.
   */
  minDistanceHeights: number;
  /** Pixels past the line instead of `minDistanceHeights` (for callers without box heights); unset: off. */
  minDistance: number | undefined;
  /** Time in a row on the other side that also confirms a crossing; 0 turns this rule off. Default 10/7 s. */
  minSeconds: number;
  /** Frame rate of the source, to turn `minSeconds` into frames. */
  fps: number;
  /** Frames instead of `minSeconds` (0: off); unset: from the seconds. */
  minFrames: number | undefined;
}

export const DEFAULT_LINE_OPTIONS: LineOptions = Object.freeze({
  minDistanceHeights: 0.06,
  minDistance: undefined,
  minSeconds: 10 / 7,
  fps: FALLBACK_FPS,
  minFrames: undefined,
});

export interface LineCount {
  lineId: string;
  name: string;
  in: number;
  out: number;
}

interface CompiledLine {
  def: LineDef;
  ax: number;
  ay: number;
  bx: number;
  by: number;
  /** Unit normal pointing to the in side: `(p - a) . n` is the signed distance, positive inside. */
  nx: number;
  ny: number;
  in: number;
  out: number;
}

/** Per-track state of one line, packed as `FIELDS` numbers per line in one Float64Array. */
const SETTLED = 0; // -1 out side, +1 in side, 0 not yet known
const LAST_SIGN = 1; // side of the previous observation (a point exactly on the line keeps the previous)
const PENDING = 2; // frames in a row on the other side
const CROSSED = 3; // 1 when the move to the other side went through the segment
const CROSSED_AT = 4; // time of the observation just past the line
const FIELDS = 5;

interface TrackLines {
  state: Float64Array;
  prevX: number;
  prevY: number;
}

export class LineCounter {
  readonly #cameraId: string;
  readonly #minDistance: number | undefined;
  readonly #minDistanceHeights: number;
  readonly #minFrames: number;
  #lines: CompiledLine[];
  readonly #tracks = new Map<number, TrackLines>();

  constructor(cameraId: string, lines: readonly LineDef[], options: Partial<LineOptions> = {}) {
    const minDistance = options.minDistance ?? DEFAULT_LINE_OPTIONS.minDistance;
    const minSeconds = options.minSeconds ?? DEFAULT_LINE_OPTIONS.minSeconds;
    const minFrames =
      options.minFrames ??
      (minSeconds > 0 ? framesFor(minSeconds, options.fps ?? DEFAULT_LINE_OPTIONS.fps) : 0);
    if (minDistance !== undefined && (!Number.isFinite(minDistance) || minDistance < 0)) {
      throw new RangeError(`line minimum distance must be 0 or more pixels, got ${minDistance}`);
    }
    const heights = options.minDistanceHeights ?? DEFAULT_LINE_OPTIONS.minDistanceHeights;
    if (!(heights >= 0 && heights <= 2)) {
      throw new RangeError(`line minimum distance must be from 0 to 2 box heights, got ${heights}`);
    }
    this.#minDistanceHeights = heights;
    if (!Number.isInteger(minFrames) || minFrames < 0 || minFrames > 10_000) {
      throw new RangeError(`line minimum frames must be a whole number from 0 to 10000, got ${minFrames}`);
    }
    this.#cameraId = cameraId;
    this.#minDistance = minDistance;
    this.#minFrames = minFrames;
    this.#lines = lines.map(compile);
  }

  get size(): number {
    return this.#tracks.size;
  }

  get lines(): readonly LineDef[] {
    return this.#lines.map((l) => l.def);
  }

  /**
   * One observation of a track's foot point at time `at` (integer ms), with the height of its box (for
   * the distance that confirms a crossing; 0: any distance past the line does); events go onto `out`.
   */
  update(trackId: number, x: number, y: number, at: number, out: TrackingEvent[], boxHeight = 0): void {
    const lines = this.#lines;
    const nl = lines.length;
    let t = this.#tracks.get(trackId);
    const first = t === undefined;
    if (t === undefined) {
      t = { state: new Float64Array(nl * FIELDS), prevX: x, prevY: y };
      this.#tracks.set(trackId, t);
    }
    const s = t.state;
    const minDistance = this.#minDistance ?? this.#minDistanceHeights * boxHeight;
    const minFrames = this.#minFrames;
    for (let l = 0; l < nl; l++) {
      const line = lines[l]!;
      const o = l * FIELDS;
      const d = (x - line.ax) * line.nx + (y - line.ay) * line.ny;
      const lastSign = s[o + LAST_SIGN]!;
      const sign = d > 0 ? 1 : d < 0 ? -1 : lastSign;
      const settled = s[o + SETTLED]!;
      if (settled === 0) {
        s[o + SETTLED] = sign;
      } else if (sign === settled) {
        s[o + PENDING] = 0;
        s[o + CROSSED] = 0;
      } else {
        if (sign !== lastSign && !first) {
          const through = segmentsIntersect(t.prevX, t.prevY, x, y, line.ax, line.ay, line.bx, line.by);
          s[o + CROSSED] = through ? 1 : 0;
          s[o + CROSSED_AT] = at;
        }
        const pending = s[o + PENDING]! + 1;
        s[o + PENDING] = pending;
        if (Math.abs(d) >= minDistance || (minFrames > 0 && pending >= minFrames)) {
          if (s[o + CROSSED] === 1)
            this.#count(trackId, line, sign > 0 ? 'in' : 'out', s[o + CROSSED_AT]!, out);
          s[o + SETTLED] = sign;
          s[o + PENDING] = 0;
          s[o + CROSSED] = 0;
        }
      }
      s[o + LAST_SIGN] = sign;
    }
    t.prevX = x;
    t.prevY = y;
  }

  /** Forgets the track (a crossing not yet confirmed is dropped). */
  end(trackId: number): void {
    this.#tracks.delete(trackId);
  }

  endAll(): void {
    this.#tracks.clear();
  }

  counts(): LineCount[] {
    return this.#lines.map((l) => ({ lineId: l.def.id, name: l.def.name, in: l.in, out: l.out }));
  }

  /**
   * Replaces the lines. A line kept with the same id and the same geometry keeps its totals and what
   * it knows of each person; a moved or re-oriented one keeps its totals and learns sides afresh; new
   * lines start at zero.
   */
  setLines(lines: readonly LineDef[]): void {
    const old = this.#lines;
    const next = lines.map((def) => {
      const kept = old.find((l) => l.def.id === def.id);
      return kept ? { ...compile(def), in: kept.in, out: kept.out } : compile(def);
    });
    const from = next.map((l) => {
      const o = old.findIndex((p) => p.def.id === l.def.id);
      return o >= 0 && sameGeometry(old[o]!.def, l.def) ? o : -1;
    });
    for (const t of this.#tracks.values()) {
      const state = new Float64Array(next.length * FIELDS);
      from.forEach((o, l) => {
        if (o >= 0) state.set(t.state.subarray(o * FIELDS, (o + 1) * FIELDS), l * FIELDS);
      });
      t.state = state;
    }
    this.#lines = next;
  }

  #count(
    trackId: number,
    line: CompiledLine,
    direction: LineDirection,
    at: number,
    out: TrackingEvent[],
  ): void {
    if (direction === 'in') line.in++;
    else line.out++;
    out.push({ kind: 'line_crossed', cameraId: this.#cameraId, at, trackId, lineId: line.def.id, direction });
  }
}

function compile(def: LineDef): CompiledLine {
  const [ax, ay] = def.start;
  const [bx, by] = def.end;
  const len = Math.hypot(bx - ax, by - ay);
  const ux = (bx - ax) / len;
  const uy = (by - ay) / len;
  // Screen-left of the direction u in y-down coordinates is (uy, -ux); screen-right is (-uy, ux).
  const left = def.inSide === 'left';
  return { def, ax, ay, bx, by, nx: left ? uy : -uy, ny: left ? -ux : ux, in: 0, out: 0 };
}

function sameGeometry(a: LineDef, b: LineDef): boolean {
  return (
    a.start[0] === b.start[0] &&
    a.start[1] === b.start[1] &&
    a.end[0] === b.end[0] &&
    a.end[1] === b.end[1] &&
    a.inSide === b.inSide
  );
}
