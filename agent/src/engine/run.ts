// Drives an engine over a frame source: the loop shared by `process`, `eval`, the live agent and
// the hub's upload jobs.
import type { TrackingEvent } from '@oskartrack/protocol';
import type { FrameSource } from '../source/index.ts';
import type { Detections, Frame } from '../types.ts';
import type { Engine, StageTimes, StepResult } from './engine.ts';

export interface RunHooks {
  /** Called after each frame with what the engine made of it; may be async (backpressure). */
  onStep?: (frame: Frame, result: StepResult) => void | Promise<void>;
  /** Events emitted when the run ends (open visits closed at the end of a recording). */
  onFinish?: (events: TrackingEvent[]) => void | Promise<void>;
  onProgress?: (framesDone: number, framesTotal: number | undefined) => void;
  signal?: AbortSignal;
  maxFrames?: number;
}

export interface RunStats {
  detector: string;
  frames: number;
  detectedFrames: number;
  stillFrames: number;
  events: number;
  seconds: number;
  /** End to end, decoding included. */
  fps: number;
  /** Every-Nth at the end of the run (it moves during the run when automatic). */
  everyNth: number;
  /** Frames per second each stage alone could sustain. */
  stageFps: Record<keyof StageTimes, number>;
  peakRssMb: number;
}

interface InFlight {
  frame: Frame;
  dets: Promise<Detections | null>;
}

/** Mutable counters of one run. */
interface RunState {
  read: number;
  ended: boolean;
  events: number;
  peakRss: number;
  /** Milliseconds spent since the last frame was tracked, for the engine's pace (Engine.measured). */
  readMs: number;
  detectMs: number;
}

/** Reads frames and starts their detection until `depth` are in flight, the source ends or the run stops. */
async function fillPipeline(
  source: FrameSource,
  engine: Engine,
  hooks: RunHooks,
  inFlight: InFlight[],
  depth: number,
  st: RunState,
): Promise<void> {
  while (!st.ended && inFlight.length < depth) {
    if (hooks.signal?.aborted === true || (hooks.maxFrames !== undefined && st.read >= hooks.maxFrames)) {
      st.ended = true;
      break;
    }
    let t = performance.now();
    const frame = await source.read();
    const now = performance.now();
    engine.times.decode += now - t;
    st.readMs += now - t;
    if (!frame) {
      st.ended = true;
      break;
    }
    st.read++;
    t = now;
    const dets = engine.detect(frame);
    // A failure surfaces when this frame's turn comes; this only keeps it from counting as unhandled.
    dets.catch(() => {});
    inFlight.push({ frame, dets });
    const spent = performance.now() - t;
    engine.times.detect += spent;
    st.detectMs += spent;
  }
}

/** Waits for the oldest frame's detections and tracks it. */
async function trackNext(
  next: InFlight,
  engine: Engine,
  hooks: RunHooks,
  total: number | undefined,
  st: RunState,
): Promise<void> {
  const t = performance.now();
  const dets = await next.dets;
  const now = performance.now();
  engine.times.detect += now - t;
  const result = engine.track(next.frame, dets);
  st.events += result.events.length;
  // Measured before the caller's work: a live picture encoded while someone watches must not make the
  // automatic every-Nth detect less often.
  engine.measured(st.detectMs + now - t, st.readMs, performance.now() - now, dets !== null);
  await hooks.onStep?.(next.frame, result);
  st.readMs = 0;
  st.detectMs = 0;
  if (engine.frames % 25 === 0) {
    st.peakRss = Math.max(st.peakRss, process.memoryUsage.rss());
    hooks.onProgress?.(engine.frames, total);
  }
}

function runStats(engine: Engine, started: number, st: RunState): RunStats {
  const seconds = (performance.now() - started) / 1000;
  const per = (ms: number) => (ms > 0 ? (engine.frames * 1000) / ms : 0);
  return {
    detector: engine.detectorName,
    frames: engine.frames,
    detectedFrames: engine.detectedFrames,
    stillFrames: engine.stillFrames,
    events: st.events,
    seconds,
    fps: seconds > 0 ? engine.frames / seconds : 0,
    everyNth: engine.everyNth,
    stageFps: {
      decode: per(engine.times.decode),
      detect: per(engine.times.detect),
      track: per(engine.times.track),
      analytics: per(engine.times.analytics),
    },
    peakRssMb: Math.max(st.peakRss, process.memoryUsage.rss()) / 2 ** 20,
  };
}

export async function runSource(
  source: FrameSource,
  engine: Engine,
  hooks: RunHooks = {},
): Promise<RunStats> {
  const started = performance.now();
  const total = source.info.frameCount;
  const st: RunState = {
    read: 0,
    ended: false,
    events: 0,
    peakRss: process.memoryUsage.rss(),
    readMs: 0,
    detectMs: 0,
  };
  // Detection of the next frames runs while this one is tracked: up to `depth` frames in flight,
  // tracked strictly in order. The source keeps their Mats alive until their turn is done.
  const depth = Math.max(1, engine.depth);
  source.keepLast(depth);
  const inFlight: InFlight[] = [];
  try {
    for (;;) {
      await fillPipeline(source, engine, hooks, inFlight, depth, st);
      const next = inFlight.shift();
      if (!next || hooks.signal?.aborted) break;
      await trackNext(next, engine, hooks, total, st);
    }
  } finally {
    // Native work still reading frames must end before the caller closes the source.
    await Promise.allSettled(inFlight.map((f) => f.dets));
  }
  const last = engine.finish();
  st.events += last.length;
  await hooks.onFinish?.(last);
  hooks.onProgress?.(engine.frames, total);
  return runStats(engine, started, st);
}
