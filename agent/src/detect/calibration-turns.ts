// Keeps a detector's size calibration (./size-calibration.ts) independent of when its overlapping
// detect() calls finish. With two lanes, whether frame k's people were already counted when frame k+1's
// sizes are chosen used to depend on how fast the CPU was at that moment: the same video gave other
// detections, and MOTA moved by points, between a quiet and a busy machine (issue 12). Here every
// call's sizes are chosen from the people of the calls at least `lag` calls before it, applied in call
// order, whatever the order and the moment their detections come back.
import type { Detections } from '../types.ts';
import { ensureCapacity } from './detector.ts';
import type { SizeCalibration } from './size-calibration.ts';

/** One detect() call's place in the order, and whether its frame is searched at every size. */
export interface CalibrationTurn {
  readonly seq: number;
  readonly at: number;
  readonly wide: boolean;
}

/** A finished call's people, kept until their turn to teach the calibration. */
interface Pending {
  seq: number;
  at: number;
  wide: boolean;
  frameHeight: number;
  dets: Detections;
}

/**
 * The least lag, even with one lane: a detector gives the same detections on a 1-core machine (1 lane)
 * as on a larger one (2 lanes by default).
 */
export const MIN_CALIBRATION_LAG = 2;

export class CalibrationTurns {
  /** Calls whose people the calibration waits for before a new call's sizes are chosen. */
  readonly lag: number;
  private next = 0;
  /** Calls before this one have taught the calibration (or were skipped: they failed). */
  private appliedUntil = 0;
  private readonly pending: Pending[];

  /**
   * `lanes`: the detector's overlapping calls. The call `lanes` before this one used the same lane, so
   * it has finished whenever this one may start: a lag of at least `lanes` never waits for anything.
   */
  constructor(
    readonly calibration: SizeCalibration,
    lanes: number,
  ) {
    this.lag = Math.max(MIN_CALIBRATION_LAG, lanes);
    this.pending = Array.from({ length: this.lag }, () => ({
      seq: -1,
      at: 0,
      wide: true,
      frameHeight: 0,
      dets: { count: 0, boxes: new Float32Array(64), scores: new Float32Array(16) },
    }));
  }

  /**
   * Call when a detection starts, in frame order, once its lane is taken (so that a call refused for
   * want of a lane takes no turn): teaches the calibration the people of the calls `lag` and more
   * before, then says whether this frame is searched at every size.
   */
  begin(at: number): CalibrationTurn {
    const seq = this.next++;
    for (; this.appliedUntil <= seq - this.lag; this.appliedUntil++) {
      const p = this.pending[this.appliedUntil % this.lag]!;
      // A call that failed never ended: it teaches nothing.
      if (p.seq === this.appliedUntil) this.calibration.observe(p.dets, p.at, p.frameHeight, p.wide);
    }
    return { seq, at, wide: this.calibration.wide(at) };
  }

  /** Call with the turn's detections when they are found, in any order; they are copied. */
  end(turn: CalibrationTurn, dets: Detections, frameHeight: number): void {
    if (turn.seq < this.appliedUntil) return; // its turn has passed (it ended after `lag` others began)
    const p = this.pending[turn.seq % this.lag]!;
    ensureCapacity(p.dets, dets.count);
    p.dets.boxes.set(dets.boxes.subarray(0, dets.count * 4));
    p.dets.scores.set(dets.scores.subarray(0, dets.count));
    p.dets.count = dets.count;
    p.seq = turn.seq;
    p.at = turn.at;
    p.wide = turn.wide;
    p.frameHeight = frameHeight;
  }
}
