// One detector's run over the start of a video or stream: the real pipeline (detector, tracker) on
// every frame, with what it followed gathered in RunSamples.
import type { CheckDetector, CheckRun } from '@oskartrack/protocol';
import { EMPTY_SCENE } from '../analytics/index.ts';
import { loadOpenCV } from '../cv.ts';
import { openPipeline, type PipelineDetector } from '../engine/pipeline.ts';
import { type RunStats, runSource } from '../engine/run.ts';
import type { SourceInfo } from '../source/index.ts';
import { PictureSampler } from './picture.ts';
import { RunSamples } from './samples.ts';

export interface MeasureInput {
  /** File path, stream URL or webcam index. */
  source: string;
  cameraId: string;
  /** The camera's true frame rate, when its header or stream says something else. */
  fps?: number | undefined;
  detector: PipelineDetector;
  configured: boolean;
  dataDir: string;
  /** Seconds of video to look at. */
  seconds: number;
  /** performance.now() by which the run stops, however far it got. */
  deadline: number;
  /** Also sample the picture's light and movement. */
  picture?: boolean;
  /** Keep FFmpeg's own messages off the terminal (CheckOptions.quietDecoder). */
  quietDecoder?: boolean | undefined;
}

export interface Measured {
  run: CheckRun;
  samples: RunSamples;
  info: SourceInfo;
  brightness: number;
  motionShare: number;
  /** The file ended before `seconds` of it were read. */
  ended: boolean;
  /** The frame rate the file's own timestamps give (FileSource.timestampFps); undefined for live sources. */
  timestampFps: number | undefined;
  /** A file's timestamps reached its header's duration (FileSource.readToEnd): whole, if short. */
  readToEnd: boolean;
  /** Why the source last lost or could not get its picture (a live camera's reconnection reason). */
  lastProblem: string | undefined;
}

/** A live source waits for its camera through reconnections: closed this long after the deadline. */
const LIVE_GRACE_MS = 5000;

/** Frames per second this box reached: end to end for a file; for a live source the camera sets the
 * pace, so what the processing stages alone could sustain. */
function reachedFps(stats: RunStats, live: boolean): number {
  if (!live) return stats.fps;
  const s = stats.stageFps;
  let perFrame = 0;
  for (const v of [s.detect, s.track, s.analytics]) if (v > 0) perFrame += 1 / v;
  return perFrame > 0 ? 1 / perFrame : 0;
}

export async function measure(input: MeasureInput): Promise<Measured> {
  const cv = await loadOpenCV();
  let lastProblem: string | undefined;
  const detector: PipelineDetector = { ...input.detector, everyNth: 1, motionGate: false };
  const p = await openPipeline({
    cameraId: input.cameraId,
    source: input.source,
    sourceOptions: { quietDecoder: input.quietDecoder === true, ...(input.fps ? { fps: input.fps } : {}) },
    detector,
    dataDir: input.dataDir,
    scene: EMPTY_SCENE,
    onSource: (source) => {
      source.onState((c) => {
        if (c.state === 'reconnecting' || c.state === 'failed') lastProblem = c.reason;
      });
    },
  });
  const live = p.source.info.kind !== 'file';
  const fps = p.source.info.fps || input.fps || 10;
  const samples = new RunSamples(Math.ceil(input.seconds * fps));
  const picture = input.picture ? new PictureSampler(cv) : undefined;
  const stop = new AbortController();
  const timers = deadlineTimers(input.deadline, stop, live ? () => void p.source.close() : undefined);
  let firstAt: number | undefined;
  let lastAt = 0;
  const spanMs = input.seconds * 1000;
  try {
    const stats = await runSource(p.source, p.engine, {
      signal: stop.signal,
      ...(live ? {} : { maxFrames: Math.max(1, Math.round(input.seconds * fps)) }),
      onStep: (frame, result) => {
        samples.add(result.tracks, frame.height);
        picture?.add(frame.at, frame.mat);
        firstAt ??= frame.at;
        lastAt = frame.at;
        if (live && frame.at - firstAt >= spanMs) stop.abort();
      },
    });
    // A live camera's capture times tell the span; a file's frame count at its frame rate.
    const seconds = live ? spanSeconds(firstAt, lastAt, fps) : stats.frames / fps;
    return {
      run: runOf(input.detector.kind, input.configured, samples, seconds, reachedFps(stats, live)),
      samples,
      info: p.source.info,
      brightness: picture?.brightness() ?? 0,
      motionShare: picture?.motionShare() ?? 0,
      ended: !live && !stop.signal.aborted && stats.frames < Math.round(input.seconds * fps),
      timestampFps: live ? undefined : p.source.timestampFps?.(),
      readToEnd: !live && p.source.readToEnd?.() === true,
      lastProblem,
    };
  } finally {
    for (const t of timers) clearTimeout(t);
    picture?.close();
    await p.close();
  }
}

function spanSeconds(firstAt: number | undefined, lastAt: number, fps: number): number {
  return firstAt === undefined ? 0 : (lastAt - firstAt) / 1000 + 1 / fps;
}

/** Stops the run at the deadline; a live source stuck waiting for its camera is closed a little later. */
function deadlineTimers(deadline: number, stop: AbortController, closeLive?: () => void): NodeJS.Timeout[] {
  const wait = Math.max(0, deadline - performance.now());
  const timers = [setTimeout(() => stop.abort(), wait)];
  if (closeLive) timers.push(setTimeout(closeLive, wait + LIVE_GRACE_MS));
  return timers;
}

function runOf(
  detector: CheckDetector,
  configured: boolean,
  samples: RunSamples,
  seconds: number,
  fps: number,
): CheckRun {
  const round = (v: number, digits: number) => Math.round(v * 10 ** digits) / 10 ** digits;
  const upright = samples.uprightShare();
  return {
    detector,
    configured,
    frames: samples.frames,
    seconds: round(seconds, 2),
    peopleShare: round(samples.peopleShare(), 3),
    peoplePerFrame: round(samples.peoplePerFrame(), 2),
    fps: round(fps, 1),
    personHeight: samples.personHeight(),
    uprightShare: upright === null ? null : round(upright, 3),
  };
}
