// What the measurements mean for counting: warnings in plain words, the detector and settings to use,
// and the verdict. Every threshold is stated in terms of the detectors' own limits, not of one clip.
// The detectors size their search themselves from the people they see (HOG's enlargement, YOLOX's
// input size: agent/src/detect/size-calibration.ts), so the check recommends no size setting.
import type { CameraCheck, CheckDetector, CheckRecommendation, CheckRun } from '@oskartrack/protocol';

/**
 * People shorter than this (median) are counted badly. HOG finds people from about 77 px in the
 * picture as it is (a person fills about 96 px of its 128 px window, and windows still fire at about
 * 0.8 of that); for smaller people it enlarges the picture only as far as the smallest person seen
 * needs (agent/src/detect/hog.ts), and enlarged people are blurrier and cost more time: under 60 px
 * that is more than 1.3x. YOLOX nano needs about 25 px at its network input, about 46 px of a 768 px
 * wide picture at input size 416; the tracker's look-alike check on torso colours needs some pixels
 * more. 60 px leaves that margin.
 */
export const SMALL_PERSON_PX = 60;
/** Below this (median) people are too small for either detector at any setting the box can afford. */
export const TINY_PERSON_PX = 40;
/** Mean grey level under which the picture is dark: little contrast for the gradients both detectors use. */
export const DARK_BRIGHTNESS = 50;
/**
 * Seen from the side a standing person's box is 2 to 3 times as tall as wide; seen from straight above
 * a head and shoulders are about as wide as long. When fewer than this share of person boxes stand
 * upright (1.5x taller than wide), the camera looks down on people.
 */
export const TOP_DOWN_UPRIGHT_SHARE = 0.3;
/** Person boxes needed before their shapes say anything about the view. */
export const MIN_SHAPE_BOXES = 30;
/** Something moving in this share of moments while no person shape is found also hints at a top-down view. */
export const BUSY_MOTION_SHARE = 0.3;
/**
 * The most frames an automatic every-Nth skips: it detects on every 1st to 4th frame to keep up
 * (PaceController's default `maxNth`, agent/src/engine/pace.ts).
 */
export const AUTO_MAX_NTH = 4;
/** A detector that follows this much more people per frame is the better one for this view. */
const CLEARLY_MORE = 1.15;

type Measures = Pick<CameraCheck, 'cameraFps'>;

/** The run that followed the most people: its person heights are the most complete. */
export function bestSeen(runs: readonly CheckRun[]): CheckRun {
  return runs.reduce((a, b) => (b.peoplePerFrame > a.peoplePerFrame ? b : a));
}

/** People per frame as the check prints them: 2 decimals under 1, else 1. */
export function perFrame(v: number): string {
  return v < 1 ? v.toFixed(2) : v.toFixed(1);
}

/**
 * Which detector: the one that follows clearly more people, else the faster. Decided on the numbers
 * as printed in the reason (same stretch of video, same rounding), so the advice never contradicts
 * them: `sameSeconds` is the stretch of a file both runs saw; a live camera's runs saw their own.
 */
function chooseDetector(
  runs: readonly CheckRun[],
  comparable: number[],
  sameSeconds: number | undefined,
): { run: CheckRun; why: string } {
  const [a, b] = runs;
  if (!a) throw new Error('a camera check needs at least one run');
  if (!b) return { run: a, why: `${name(a.detector)} is the only detector tried on this box` };
  const [pa, pb] = (comparable as [number, number]).map((v) => Number(perFrame(v))) as [number, number];
  const over = sameSeconds !== undefined ? ` over the same first ${sameSeconds.toFixed(1)} s of video` : '';
  const more = (x: CheckRun, px: number, y: CheckRun, py: number) => ({
    run: x,
    why: `${name(x.detector)} followed clearly more people in this view than ${name(y.detector)}: ${perFrame(px)} against ${perFrame(py)} per frame${over}`,
  });
  if (pb > pa * CLEARLY_MORE && pb > 0) return more(b, pb, a, pa);
  if (pa > pb * CLEARLY_MORE && pa > 0) return more(a, pa, b, pb);
  const [fast, slow] = b.fps > a.fps ? [b, a] : [a, b];
  const faster = `${name(fast.detector)} is the faster here (${fast.fps.toFixed(1)} against ${slow.fps.toFixed(1)} frames/s)`;
  if (pa === 0 && pb === 0) {
    const where =
      sameSeconds !== undefined ? `the same first ${sameSeconds.toFixed(1)} s of video` : 'this video';
    return { run: fast, why: `neither detector found anyone in ${where}, so only speed decides: ${faster}` };
  }
  const share = Math.round((CLEARLY_MORE - 1) * 100);
  return {
    run: fast,
    why: `both detectors followed about as many people (${name(a.detector)} ${perFrame(pa)}, ${name(b.detector)} ${perFrame(pb)} per frame${over}, less than ${share} % apart), and ${faster}`,
  };
}

export function name(d: CheckDetector): string {
  return d === 'yolox' ? 'YOLOX' : 'HOG';
}

/** Every-Nth detection that lets a detector reaching `fps` (on every frame) keep up with the camera. */
export function everyNthFor(cameraFps: number, fps: number): number {
  if (!(fps > 0) || !(cameraFps > 0)) return 1;
  return Math.min(30, Math.max(1, Math.ceil(cameraFps / fps)));
}

/** Whether a detector reaching `fps` keeps up with the camera with an automatic every-Nth. */
export function keepsUp(cameraFps: number, fps: number): boolean {
  return fps > 0 && everyNthFor(cameraFps, fps) <= AUTO_MAX_NTH;
}

/**
 * `comparable`: people per frame of each run over the same stretch of video (`sameSeconds` of a file,
 * named in the reason). Every-Nth is always
 * automatic (the hub's default): the box picks every 1st to 4th frame itself while it counts;
 * `keepsUp` says whether even every 4th frame is fast enough (else a warning says what to do).
 */
export function recommend(
  m: Measures,
  runs: readonly CheckRun[],
  comparable: number[],
  sameSeconds?: number,
): CheckRecommendation {
  const { run, why } = chooseDetector(runs, comparable, sameSeconds);
  const fits = keepsUp(m.cameraFps, run.fps);
  const speed = `${run.fps.toFixed(1)} frames/s on this box, the camera gives ${m.cameraFps.toFixed(1)}`;
  const pace = !fits
    ? `even detecting on every ${ordinal(AUTO_MAX_NTH)} frame it would not keep up: ${speed}`
    : everyNthFor(m.cameraFps, run.fps) === 1
      ? `it keeps up with every frame: ${speed}`
      : `it keeps up by detecting on fewer frames, which the box chooses by itself: ${speed}`;
  return { detector: run.detector, everyNth: 'auto', keepsUp: fits, reason: `${why}; ${pace}` };
}

/** 1st, 2nd, 3rd, 4th... */
export function ordinal(n: number): string {
  const s =
    n % 100 >= 11 && n % 100 <= 13
      ? 'th'
      : (({ 1: 'st', 2: 'nd', 3: 'rd' } as Record<number, string>)[n % 10] ?? 'th');
  return `${n}${s}`;
}
