import { existsSync } from 'node:fs';
// The installer's camera check: the configured detector over about a minute of the camera's video,
// the other detector on a sample when time allows, and what that means for counting.
import {
  type CameraCheck,
  CHECK_DEFAULT_SECONDS,
  CHECK_MAX_SECONDS,
  type CheckRun,
  type CheckWarning,
  PROTOCOL_VERSION,
} from '@oskartrack/protocol';
import type { PipelineDetector } from '../engine/pipeline.ts';
import { sourceKind } from '../source/index.ts';
import { probeStream } from '../source/stream-probe.ts';
import { truncationWarning } from '../source/truncation.ts';
import { bestSeen, name, recommend } from './advice.ts';
import { frameRateOf, type RateWords } from './frame-rate.ts';
import { type Measured, measure } from './measure.ts';
import { summaryOf, verdictOf, warningsFor } from './warnings.ts';

export interface CheckOptions {
  /** File path, stream URL or webcam index. */
  source: string;
  cameraId?: string | undefined;
  /** The camera's true frame rate, when its header or stream says something else. */
  fps?: number | undefined;
  /** Seconds of video to look at. Default 60. */
  seconds?: number | undefined;
  /** The detector the box is set to use. */
  detector: PipelineDetector;
  /** YOLOX model to try when HOG is configured. Default: the downloaded yolox-nano. */
  yoloxModel?: string | undefined;
  /** Where detector models are looked up. */
  dataDir: string;
  /** Try the other detector on a sample when time allows. Default true. */
  tryOther?: boolean | undefined;
  /** Wall time the whole check may take, in ms. Default checkBudgetMs(seconds). */
  budgetMs?: number | undefined;
  /**
   * Keep FFmpeg's own messages off the terminal (decoder-log.ts). Only for a process of its own (the
   * `check` command): the level is the whole process's, so on a running box it would silence the
   * live cameras' decoders too.
   */
  quietDecoder?: boolean | undefined;
  /** How the frame-rate line tells the reader to set the rate (default: the `check` command's --fps). */
  rateWords?: RateWords | undefined;
}

/**
 * Wall time a check of `seconds` of video may take: twice the video, at least a minute more than it
 * (loading the detectors, a slow box); a slow box looks at less of the video in that time.
 */
export function checkBudgetMs(seconds: number): number {
  return Math.max(2 * seconds, seconds + 60) * 1000;
}

/** How long the camera may take to answer the stream request (stream-probe.ts). */
const STREAM_PROBE_MS = 5000;

/** The other detector needs at least this much time left to be worth loading. */
const MIN_OTHER_MS = 4000;
/** Share of the check's time kept for the other detector. */
const OTHER_TIME_SHARE = 0.25;
/** Share of the checked video the other detector looks at. */
const OTHER_SHARE = 1 / 3;

function otherDetector(o: CheckOptions): PipelineDetector {
  if (o.detector.kind === 'yolox') return { kind: 'hog' };
  return { kind: 'yolox', ...(o.yoloxModel ? { model: o.yoloxModel } : {}) };
}

/** The other detector's run, or a note why there is none. */
async function tryOther(
  o: CheckOptions,
  first: Measured,
  deadline: number,
): Promise<{ other?: Measured; notes: CheckWarning[] }> {
  const detector = otherDetector(o);
  if (o.tryOther === false || deadline - performance.now() < MIN_OTHER_MS) return { notes: [] };
  const seconds = Math.max(
    1,
    Math.min(first.run.seconds, (o.seconds ?? CHECK_DEFAULT_SECONDS) * OTHER_SHARE),
  );
  try {
    const other = await measure({ ...base(o), detector, configured: false, seconds, deadline });
    return other.run.frames > 0 ? { other, notes: [] } : { notes: [] };
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    return {
      notes: [
        {
          code: 'detector-unavailable',
          message: `${name(detector.kind)} was not tried: ${why}`.slice(0, 500),
        },
      ],
    };
  }
}

function base(o: CheckOptions) {
  return {
    source: o.source,
    cameraId: o.cameraId ?? 'check',
    fps: o.fps,
    dataDir: o.dataDir,
    quietDecoder: o.quietDecoder,
  };
}

/**
 * People per frame of each run over the same stretch: a file's sample is the start of the same video,
 * `sameSeconds` long (at the frame rate the check took); a live camera's runs saw their own stretches.
 */
function comparable(
  first: Measured,
  other: Measured | undefined,
  fps: number,
): { perFrame: number[]; sameSeconds?: number } {
  if (!other) return { perFrame: [first.run.peoplePerFrame] };
  if (first.info.kind !== 'file') return { perFrame: [first.run.peoplePerFrame, other.run.peoplePerFrame] };
  const frames = Math.min(first.samples.frames, other.samples.frames);
  return {
    perFrame: [first.samples.peoplePerFrame(frames), other.samples.peoplePerFrame(frames)],
    ...(fps > 0 ? { sameSeconds: frames / fps } : {}),
  };
}

/**
 * A network camera that cannot be reached, or that refuses the stream, fails the check at once with
 * the reason: the live source would retry until the check's time is up and then say only "no picture".
 */
async function reachable(source: string): Promise<void> {
  const device = `/dev/video${source.trim()}`;
  // Without the device OpenCV tries for a minute and then says only "can't open camera by index".
  if (sourceKind(source) === 'webcam' && process.platform === 'linux' && !existsSync(device))
    throw new Error(
      `the check cannot read this camera: there is no ${device} on this box: check that the camera is plugged in (ls /dev/video*) and give its number`,
    );
  if (sourceKind(source) !== 'stream') return;
  const answer = await probeStream(source, STREAM_PROBE_MS);
  if (answer.problem === 'unreachable' || answer.problem === 'credentials' || answer.problem === 'not-found')
    throw new Error(`the check cannot read this camera: ${answer.detail}`);
}

/** How the file's end limits the check: cut short (truncated or damaged), or simply short. */
function endNote(first: Measured, seconds: number): CheckWarning | undefined {
  if (!first.ended) return undefined;
  const cut = truncationWarning(first.run.frames, first.info.frameCount, 'the check covers', first.readToEnd);
  return {
    code: 'short-video',
    message: cut ?? `the video is only ${seconds.toFixed(1)} s long: the check looked at all of it`,
  };
}

/** A file's runs timed at the rate the check took (measure timed them at the source's rate). */
function retimed(runs: CheckRun[], info: Measured['info'], fps: number): CheckRun[] {
  if (info.kind !== 'file' || fps === info.fps || !(fps > 0)) return runs;
  return runs.map((r) => ({ ...r, seconds: Math.round((r.frames / fps) * 100) / 100 }));
}

/** The check, and what the log needs beside it. */
export interface CheckOutcome {
  check: CameraCheck;
  /** FFmpeg's own messages were silenced while reading (decoder-log.ts): worth a debug line. */
  decoderSilenced: boolean;
}

export async function runCheck(o: CheckOptions): Promise<CameraCheck> {
  return (await checkCamera(o)).check;
}

export async function checkCamera(o: CheckOptions): Promise<CheckOutcome> {
  const seconds = o.seconds ?? CHECK_DEFAULT_SECONDS;
  if (!(seconds >= 1 && seconds <= CHECK_MAX_SECONDS))
    throw new Error(`a check looks at 1 to ${CHECK_MAX_SECONDS} seconds of video, not ${seconds}`);
  await reachable(o.source);
  const started = performance.now();
  const budget = o.budgetMs ?? checkBudgetMs(seconds);
  const deadline = started + budget;
  // The configured detector leaves a share of the time to the other one, however slow the box.
  const first = await measure({
    ...base(o),
    detector: o.detector,
    configured: true,
    seconds,
    deadline: o.tryOther === false ? deadline : started + budget * (1 - OTHER_TIME_SHARE),
    picture: true,
  });
  if (first.run.frames === 0) {
    const why = first.lastProblem ? ` (${first.lastProblem})` : '';
    throw new Error(
      `no picture came from ${first.info.uri}${why}: check the camera's address and that it is on`,
    );
  }
  const { other, notes } = await tryOther(o, first, deadline);
  const info = first.info;
  const frameRate = frameRateOf(info, o.fps, first.timestampFps, o.rateWords);
  const runs = retimed(other ? [first.run, other.run] : [first.run], info, frameRate.fps);
  const measures = {
    width: info.width,
    height: info.height,
    cameraFps: Math.round((frameRate.fps || 0) * 100) / 100,
    seconds: runs[0]!.seconds,
    brightness: Math.round(first.brightness * 10) / 10,
    motionShare: Math.round(first.motionShare * 1000) / 1000,
  };
  const end = endNote(first, measures.seconds);
  if (end) notes.unshift(end);
  const same = comparable(first, other, frameRate.fps);
  const recommended = recommend(measures, runs, same.perFrame, same.sameSeconds);
  const warnings = warningsFor(measures, runs, recommended, notes);
  const verdict = verdictOf(runs, warnings);
  const personHeight = bestSeen(runs).personHeight;
  const check: CameraCheck = {
    v: PROTOCOL_VERSION,
    at: Date.now(),
    ...(o.cameraId ? { cameraId: o.cameraId } : {}),
    source: info.uri.slice(0, 2000) || 'camera',
    ...measures,
    cameraFpsFrom: frameRate.note.slice(0, 500),
    runs,
    personHeight,
    recommended,
    warnings,
    verdict,
    summary: '',
  };
  check.summary = summaryOf(check);
  const decoderSilenced = first.info.decoderSilenced === true || other?.info.decoderSilenced === true;
  return { check, decoderSilenced };
}
