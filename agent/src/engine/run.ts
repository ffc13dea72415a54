// Drives an engine over a frame source: the loop shared by `process`, `eval`, the live agent and
// the hub's upload jobs.
import type { TrackingEvent } from '@oskartrack/protocol';
import type { FrameSource } from '../source/index.ts';
import type { Frame } from '../types.ts';
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
  /** Frames per second each stage alone could sustain. */
  stageFps: Record<keyof StageTimes, number>;
  peakRssMb: number;
}

export async function runSource(
  source: FrameSource,
  engine: Engine,
  hooks: RunHooks = {},
): Promise<RunStats> {
  const started = performance.now();
  const total = source.info.frameCount;
  let events = 0;
  let peakRss = process.memoryUsage.rss();
  for (;;) {
    if (hooks.signal?.aborted) break;
    if (hooks.maxFrames !== undefined && engine.frames >= hooks.maxFrames) break;
    const t = performance.now();
    const frame = await source.read();
    engine.times.decode += performance.now() - t;
    if (!frame) break;
    const result = await engine.step(frame);
    events += result.events.length;
    await hooks.onStep?.(frame, result);
    if (engine.frames % 25 === 0) {
      peakRss = Math.max(peakRss, process.memoryUsage.rss());
      hooks.onProgress?.(engine.frames, total);
    }
  }
  const last = engine.finish();
  events += last.length;
  await hooks.onFinish?.(last);
  hooks.onProgress?.(engine.frames, total);
  const seconds = (performance.now() - started) / 1000;
  const per = (ms: number) => (ms > 0 ? (engine.frames * 1000) / ms : 0);
  return {
    detector: engine.detectorName,
    frames: engine.frames,
    detectedFrames: engine.detectedFrames,
    stillFrames: engine.stillFrames,
    events,
    seconds,
    fps: seconds > 0 ? engine.frames / seconds : 0,
    stageFps: {
      decode: per(engine.times.decode),
      detect: per(engine.times.detect),
      track: per(engine.times.track),
      analytics: per(engine.times.analytics),
    },
    peakRssMb: Math.max(peakRss, process.memoryUsage.rss()) / 2 ** 20,
  };
}
