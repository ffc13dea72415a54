// The check's warnings, each saying what is wrong and what to do, and the verdict they add up to.
import type { CameraCheck, CheckRecommendation, CheckRun, CheckWarning } from '@oskartrack/protocol';
import {
  AUTO_MAX_NTH,
  BUSY_MOTION_SHARE,
  bestSeen,
  DARK_BRIGHTNESS,
  MIN_SHAPE_BOXES,
  name,
  ordinal,
  SMALL_PERSON_PX,
  TINY_PERSON_PX,
  TOP_DOWN_UPRIGHT_SHARE,
} from './advice.ts';

type Measures = Pick<CameraCheck, 'cameraFps' | 'seconds' | 'brightness' | 'motionShare'>;

const pct = (share: number) => `${Math.round(share * 100)} %`;

function peopleWarnings(m: Measures, runs: readonly CheckRun[]): CheckWarning[] {
  const best = bestSeen(runs);
  const out: CheckWarning[] = [];
  if (best.peopleShare === 0) {
    if (m.motionShare >= BUSY_MOTION_SHARE)
      out.push({
        code: 'top-down',
        message: `something moved in ${pct(m.motionShare)} of the moments but no person shape was found: if the camera looks straight down, this detector is made for side views: mount it to look across the entrance at an angle; if people are far away, move the camera closer`,
      });
    out.push({
      code: 'no-people',
      message: `no people were seen in ${Math.round(m.seconds)} seconds: check again at a busier time`,
    });
    return out;
  }
  const h = best.personHeight;
  if (h && h.median < SMALL_PERSON_PX)
    out.push({
      code: 'small-people',
      message: `people are smaller than ${SMALL_PERSON_PX} px (typically ${Math.round(h.median)} px tall): move the camera closer or use a higher resolution`,
    });
  const boxes = runs.reduce((n, r) => n + Math.round(r.peoplePerFrame * r.frames), 0);
  const upright = best.uprightShare;
  if (upright !== null && boxes >= MIN_SHAPE_BOXES && upright < TOP_DOWN_UPRIGHT_SHARE)
    out.push({
      code: 'top-down',
      message: `the camera looks straight down: this detector is made for side views (only ${pct(upright)} of the people found stand upright in the picture): tilt the camera to see people from the side`,
    });
  return out;
}

/**
 * Only when even every 4th frame (the most an automatic every-Nth skips) is too slow: a camera frame
 * rate that keeps up (4 times the frames/s reached), or the other detector when it was faster here.
 */
function speedWarning(m: Measures, runs: readonly CheckRun[], rec: CheckRecommendation): CheckWarning[] {
  const run = runs.find((r) => r.detector === rec.detector);
  if (!run || rec.keepsUp) return [];
  const other = runs.find((r) => r.detector !== rec.detector);
  const otherName = name(rec.detector === 'yolox' ? 'hog' : 'yolox');
  const lighter =
    other === undefined
      ? `try ${otherName} if it is faster on this box`
      : other.fps > run.fps
        ? `use ${otherName}, which reached ${other.fps.toFixed(1)} frames/s here`
        : undefined;
  const most = Math.floor(run.fps * AUTO_MAX_NTH);
  const lower = most >= 1 ? `set the camera to ${most} frames/s or less` : 'use a faster box for this camera';
  return [
    {
      code: 'slow',
      message: `this box reaches only ${run.fps.toFixed(1)} frames/s with ${name(run.detector)} and the camera gives ${m.cameraFps.toFixed(1)}: even detecting on every ${ordinal(AUTO_MAX_NTH)} frame it cannot keep up: ${lighter ? `${lower}, or ${lighter}` : lower}`,
    },
  ];
}

export function warningsFor(
  m: Measures,
  runs: readonly CheckRun[],
  rec: CheckRecommendation,
  notes: CheckWarning[],
): CheckWarning[] {
  const out = [...peopleWarnings(m, runs)];
  if (m.brightness < DARK_BRIGHTNESS)
    out.push({
      code: 'dark',
      message: `the picture is dark (brightness ${Math.round(m.brightness)} of 255): add light, or use a camera that sees well in low light`,
    });
  out.push(...speedWarning(m, runs, rec));
  // A video too short to judge says so first: every other finding rests on it. Otherwise it is only
  // a note, last: the summary sends the reader to the first warning, which must be the one to act on.
  const short = notes.filter((n) => n.code === 'short-video');
  const others = notes.filter((n) => n.code !== 'short-video');
  const lead = tooLittleVideo(runs, notes);
  return [...(lead ? short : []), ...out, ...others, ...(lead ? [] : short)].slice(0, 16);
}

/**
 * Less video than this (seconds of the configured detector's run) cannot carry a verdict: a few
 * frames of a truncated file would otherwise read "will count well".
 */
export const MIN_JUDGED_SECONDS = 10;

/** The video ended before the check had enough of it to judge the view. */
function tooLittleVideo(runs: readonly CheckRun[], warnings: readonly CheckWarning[]): boolean {
  return warnings.some((w) => w.code === 'short-video') && (runs[0]?.seconds ?? 0) < MIN_JUDGED_SECONDS;
}

/** good: counts well; fair: counts, better after the warnings' changes; poor: fix it first. */
export function verdictOf(
  runs: readonly CheckRun[],
  warnings: readonly CheckWarning[],
): CameraCheck['verdict'] {
  const codes = new Set(warnings.map((w) => w.code));
  const h = bestSeen(runs).personHeight;
  if (tooLittleVideo(runs, warnings)) return 'poor';
  if (codes.has('no-people') || codes.has('top-down') || (h !== null && h.median < TINY_PERSON_PX))
    return 'poor';
  if (codes.has('small-people') || codes.has('dark') || codes.has('slow')) return 'fair';
  return 'good';
}

export function summaryOf(
  check: Pick<CameraCheck, 'verdict' | 'personHeight' | 'runs' | 'warnings'>,
): string {
  if (tooLittleVideo(check.runs, check.warnings))
    return `This view cannot be judged yet: the check had only ${(check.runs[0]?.seconds ?? 0).toFixed(1)} s of video. Read the first warning below, then check again on at least ${MIN_JUDGED_SECONDS} s of video (a minute is best).`;
  const h = check.personHeight;
  const found = bestSeen(check.runs).peopleShare;
  const seen = h
    ? `people are about ${Math.round(h.median)} px tall and were found in ${pct(found)} of the frames`
    : 'no person could be measured';
  switch (check.verdict) {
    case 'good':
      return `This view will count well: ${seen}.`;
    case 'fair':
      return `This view will count, better after the changes below: ${seen}.`;
    default:
      return `This view will not count well yet: ${seen}. Fix the first warning below, then check again.`;
  }
}
