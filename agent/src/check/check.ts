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
import { bestSeen, name, recommend } from './advice.ts';
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
}

/**
 * Wall time a check of `seconds` of video may take: twice the video, at least a minute more than it
 * (loading the detectors, a slow box); a slow box looks at less of the video in that time.
 */
export function checkBudgetMs(seconds: number): number {
  return Math.max(2 * seconds, seconds + 60) * 1000;
}

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
  return { source: o.source, cameraId: o.cameraId ?? 'check', fps: o.fps, dataDir: o.dataDir };
}

/** People per frame of each run over the same stretch: a file's sample is the start of the same video. */
function comparable(first: Measured, other: Measured | undefined): number[] {
  if (!other) return [first.run.peoplePerFrame];
  const sameStart = first.info.kind === 'file';
  const a = sameStart ? first.samples.peoplePerFrame(other.samples.frames) : first.run.peoplePerFrame;
  return [a, other.run.peoplePerFrame];
}

export async function runCheck(o: CheckOptions): Promise<CameraCheck> {
  const seconds = o.seconds ?? CHECK_DEFAULT_SECONDS;
  if (!(seconds >= 1 && seconds <= CHECK_MAX_SECONDS))
    throw new Error(`a check looks at 1 to ${CHECK_MAX_SECONDS} seconds of video, not ${seconds}`);
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
  if (first.run.frames === 0)
    throw new Error(`no picture came from ${first.info.uri}: check the camera's address and that it is on`);
  const { other, notes } = await tryOther(o, first, deadline);
  const runs: CheckRun[] = other ? [first.run, other.run] : [first.run];
  const info = first.info;
  const measures = {
    width: info.width,
    height: info.height,
    cameraFps: Math.round((info.fps || 0) * 100) / 100,
    seconds: first.run.seconds,
    brightness: Math.round(first.brightness * 10) / 10,
    motionShare: Math.round(first.motionShare * 1000) / 1000,
  };
  if (first.ended)
    notes.unshift({
      code: 'short-video',
      message: `the video is only ${first.run.seconds.toFixed(1)} s long: the check looked at all of it`,
    });
  const recommended = recommend(measures, runs, comparable(first, other));
  const warnings = warningsFor(measures, runs, recommended, notes);
  const verdict = verdictOf(runs, warnings);
  const personHeight = bestSeen(runs).personHeight;
  const check: CameraCheck = {
    v: PROTOCOL_VERSION,
    at: Date.now(),
    ...(o.cameraId ? { cameraId: o.cameraId } : {}),
    source: info.uri.slice(0, 2000) || 'camera',
    ...measures,
    runs,
    personHeight,
    recommended,
    warnings,
    verdict,
    summary: '',
  };
  check.summary = summaryOf(check);
  return check;
}
