// One camera's engine: detector -> tracker -> scene analytics, frame by frame.
// Knows nothing about where frames come from or where events go (docs/architecture.md).
import type { TrackingEvent } from '@oskartrack/protocol';
import { type AnalyticsOptions, type Scene, SceneAnalytics } from '../analytics/index.ts';
import { openCV } from '../cv.ts';
import type { Detector, DetectorKind } from '../detect/detector.ts';
import type { MotionGate } from '../detect/motion.ts';
import { Appearance } from '../track/appearance.ts';
import { BoxMotion } from '../track/box-motion.ts';
import { Tracker, type TrackerOptions, trackerFrames } from '../track/index.ts';
import type { Detections, Frame, Tracks } from '../types.ts';
import { PaceController, type PaceOptions } from './pace.ts';

/**
 * Tracker settings per detector, because their scores mean different things. Found with
 * agent/bench/tune-tracker.ts on PETS09-S2L1 (docs/benchmarks.md): demanding a confident detection
 * before a new person is followed, and a looser first association, cut id switches most. Re-linking
 * at a walking pace (relinkSpeed 1) is checked against the person's look by the Engine. YOLOX people
 * are shown at the detector's box (detectionBox): on the closer made scenes the filter's estimate
 * trailed people who turned or stopped by more than the scoring's overlap allows (docs/benchmarks.md).
 */
export const TRACKER_PRESETS: Record<DetectorKind, Partial<TrackerOptions>> = {
  yolox: { highThresh: 0.5, newTrackThresh: 0.7, matchThresh: 0.95, relinkSpeed: 1, detectionBox: true },
  hog: { highThresh: 0.5, newTrackThresh: 0.6, matchThresh: 0.9, relinkSpeed: 1 },
};

export interface EngineOptions {
  cameraId: string;
  detector: Detector;
  scene: Scene;
  /**
   * Run the detector on every Nth frame only; the tracker predicts in between. Default 1. 'auto':
   * chosen as the run goes (1 to 4 by default), so the frames are processed at least as fast as
   * `pace.fps` (default `fps`) frames/s on this CPU (./pace.ts).
   */
  everyNth?: number | 'auto';
  /** Settings of the automatic every-Nth; only with `everyNth: 'auto'`. */
  pace?: Partial<PaceOptions>;
  /** Skip detection on frames where nothing moved. */
  motionGate?: MotionGate | undefined;
  /**
   * The source's frame rate: the tracker's waits (`trackerFrames`: confirmation, coasting, the 4 s
   * lost-track buffer) and the analytics' rules are set in seconds and turned into frames with it.
   */
  fps?: number;
  tracker?: Partial<TrackerOptions>;
  /**
   * Re-link a lost person only when a new track also looks like them (torso colours); false turns
   * re-linking off. Default: on, at a similarity of 0.8.
   */
  appearance?: { minSimilarity: number } | false;
  analytics?: Partial<AnalyticsOptions>;
  /**
   * On frames between detections (every-Nth above 1), move each person's box as far as the picture
   * shows them moving (../track/box-motion.ts) instead of only extrapolating the filter's velocity.
   * Default true; with every frame detected it does nothing.
   */
  boxMotion?: boolean;
  /**
   * A frame this long after the previous one (a camera that dropped and came back) ends every track
   * first: people move during a gap, and joining their tracks across it would count false crossings.
   * Default 2000 ms, or three frame intervals at a low frame rate.
   */
  gapResetMs?: number;
}

/** Milliseconds spent per stage, summed over all frames. */
export interface StageTimes {
  decode: number;
  detect: number;
  track: number;
  analytics: number;
}

export interface StepResult {
  tracks: Tracks;
  events: TrackingEvent[];
  detected: boolean;
}

const NOTHING: Promise<null> = Promise.resolve(null);

export class Engine {
  readonly tracker: Tracker;
  readonly analytics: SceneAnalytics;
  /** Colour signatures of the people tracked, for re-linking; undefined when that is off. */
  readonly appearance: Appearance | undefined;
  /** Follows boxes between detections; undefined when that is off. */
  readonly motion: BoxMotion | undefined;
  readonly times: StageTimes = { decode: 0, detect: 0, track: 0, analytics: 0 };
  frames = 0;
  detectedFrames = 0;
  /** Frames the motion gate let through without running the detector. */
  stillFrames = 0;
  /** Chooses every-Nth as the run goes; undefined when it is fixed. */
  readonly pace: PaceController | undefined;
  private nth: number;
  /** Frames still to pass before the next detection. */
  private skip = 0;
  private readonly fps: number;
  private readonly ended: number[] = [];
  private lastAt = Number.NaN;
  private readonly gapResetMs: number;

  constructor(private readonly opts: EngineOptions) {
    const fps = opts.fps ?? 10;
    this.fps = fps;
    this.pace = opts.everyNth === 'auto' ? new PaceController({ fps, ...opts.pace }) : undefined;
    const fixed = typeof opts.everyNth === 'number' ? opts.everyNth : 1;
    this.nth = this.pace?.everyNth ?? Math.max(1, Math.floor(fixed));
    this.gapResetMs = opts.gapResetMs ?? Math.max(2000, 3000 / fps);
    const appearance = opts.appearance === false ? undefined : new Appearance(openCV(), opts.appearance);
    this.appearance = appearance;
    this.motion = opts.boxMotion === false ? undefined : new BoxMotion(openCV(), { fps });
    const frames = trackerFrames(fps, this.nth);
    this.tracker = new Tracker({
      ...frames,
      ...TRACKER_PRESETS[opts.detector.name],
      ...(appearance
        ? { relinkCheck: (id, x1, y1, x2, y2) => appearance.sameLook(id, x1, y1, x2, y2) }
        : { relinkSpeed: 0 }),
      ...opts.tracker,
    });
    this.analytics = new SceneAnalytics(opts.cameraId, opts.scene, {
      fps,
      startGraceSeconds: this.startGraceSeconds(),
      ...opts.analytics,
    });
  }

  /**
   * A person present at the start shows up once confirmed: allow that long, plus one frame (with an
   * automatic every-Nth, the longest of its possible values).
   */
  private startGraceSeconds(): number {
    let frames = 1;
    const [from, to] = this.pace ? [this.pace.minNth, this.pace.maxNth] : [this.nth, this.nth];
    for (let n = from; n <= to; n++) frames = Math.max(frames, (this.minHitsAt(n) - 1) * n + 1);
    return frames / this.fps;
  }

  private minHitsAt(everyNth: number): number {
    return this.opts.tracker?.minHits ?? trackerFrames(this.fps, everyNth).minHits;
  }

  /** The detector runs on every `everyNth` frame (it changes during the run when automatic). */
  get everyNth(): number {
    return this.nth;
  }

  /**
   * What the run loop spent on a frame just tracked: `detectMs` starting and awaiting its detection,
   * `readMs` reading it, `otherMs` the rest (tracking, analytics, the caller's work). With an
   * automatic every-Nth this moves it, and the tracker's confirmation (counted in detected frames)
   * follows.
   */
  measured(detectMs: number, readMs: number, otherMs: number, detected: boolean): void {
    const pace = this.pace;
    if (!pace?.frame(detectMs, readMs, otherMs, detected)) return;
    if (pace.everyNth !== this.nth) {
      this.nth = pace.everyNth;
      this.skip = Math.min(this.skip, this.nth - 1);
      this.tracker.setMinHits(this.minHitsAt(this.nth));
    }
    this.opts.detector.setWorkLimit?.(pace.workLimit);
  }

  get detectorName(): string {
    return this.opts.detector.name;
  }

  /** Frames the run loop may have in the detector at once: one per detector lane. */
  get depth(): number {
    return this.opts.detector.lanes;
  }

  /**
   * First half of a step: starts the detector on the frame, or resolves to null when this frame is
   * not detected (every Nth, motion gate). Call in frame order; up to `depth` may be pending.
   */
  detect(frame: Frame): Promise<Detections | null> {
    if (this.skip > 0) {
      this.skip--;
      return NOTHING;
    }
    this.skip = this.nth - 1;
    if (this.opts.motionGate && !this.opts.motionGate.moved(frame.mat)) {
      this.stillFrames++;
      return NOTHING;
    }
    this.detectedFrames++;
    return this.opts.detector.detect(frame.mat, frame.at);
  }

  /**
   * Second half: tracking and analytics of a frame with its detections (null: predict only). Call
   * in frame order, before the detector's lanes come round to this frame's detections again.
   * `tracks` is valid until the next call.
   */
  track(frame: Frame, dets: Detections | null): StepResult {
    this.frames++;
    const afterGap = frame.at - this.lastAt > this.gapResetMs ? this.endAllTracks() : [];
    this.lastAt = frame.at;
    let t = performance.now();
    this.appearance?.setFrame(frame.mat);
    const tracks = this.tracker.update(dets, frame.index, frame.at, frame, this.follower(frame));
    this.ended.length = 0;
    this.tracker.ended(this.ended);
    if (this.appearance) {
      // Signatures are taken from detected boxes only (predicted ones may sit beside the person).
      if (dets !== null) this.appearance.observe(tracks);
      for (const id of this.ended) this.appearance.forget(id);
    }
    const now = performance.now();
    this.times.track += now - t;
    t = now;
    const events = this.analytics.update(tracks, this.ended);
    this.times.analytics += performance.now() - t;
    if (afterGap.length) events.unshift(...afterGap);
    return { tracks, events, detected: dets !== null };
  }

  /**
   * The box follower for this frame, while the detector skips frames (every-Nth above 1). It sees
   * every frame then, so that it always has the previous one; after every-Nth comes back to 1 it
   * lets its frames go.
   */
  private follower(frame: Frame): BoxMotion | undefined {
    const m = this.motion;
    if (!m) return undefined;
    if (this.nth === 1) {
      m.reset();
      return undefined;
    }
    m.setFrame(frame.mat);
    return m;
  }

  /** Ends every track and visit at its last sighting (before a gap); new ones start after it. */
  private endAllTracks(): TrackingEvent[] {
    const events = this.analytics.finish();
    this.tracker.reset();
    this.motion?.reset();
    this.ended.length = 0;
    for (const id of this.tracker.ended(this.ended)) this.appearance?.forget(id);
    this.ended.length = 0;
    return events;
  }

  /** Closes every open track and visit (end of a recording). */
  finish(): TrackingEvent[] {
    this.motion?.close();
    return this.analytics.finish();
  }

  /** Applies new areas and lines without a restart; returns the `zone_left` of removed areas. */
  setScene(scene: Scene): TrackingEvent[] {
    return this.analytics.setScene(scene);
  }
}
