// What the measurements mean for counting: warnings in plain words, the detector and settings to use,
// and the verdict. Every threshold is stated in terms of the detectors' own limits, not of one clip.
import type {
  CameraCheck,
  CheckDetector,
  CheckRecommendation,
  CheckRun,
  PersonHeight,
} from '@oskartrack/protocol';

/**
 * People shorter than this (median) are counted badly. HOG at its default 1.5x enlargement finds
 * people from about 64 px (a person fills about 96 px of its 128 px window); YOLOX nano needs about
 * 25 px at its network input, about 46 px of a 768 px wide picture at input size 416; the tracker's
 * look-alike check on torso colours needs some pixels more. 60 px leaves that margin.
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
/** A person fills about 96 px of HOG's 128 px window: the enlargement that brings the small ones there. */
const HOG_PERSON_PX = 96;
/** YOLOX nano's smallest reliably found person at its network input. */
const YOLOX_MIN_INPUT_PX = 25;
const YOLOX_SIZES = [320, 416, 512, 640] as const;
/** A detector that follows this much more people per frame is the better one for this view. */
const CLEARLY_MORE = 1.15;

type Measures = Pick<
  CameraCheck,
  'width' | 'height' | 'cameraFps' | 'seconds' | 'brightness' | 'motionShare'
>;

/** The run that followed the most people: its person heights are the most complete. */
export function bestSeen(runs: readonly CheckRun[]): CheckRun {
  return runs.reduce((a, b) => (b.peoplePerFrame > a.peoplePerFrame ? b : a));
}

/** YOLOX input size that brings the smaller people (10th percentile) to the network's minimum. */
export function yoloxInputSize(height: PersonHeight | null, width: number, frameHeight: number): number {
  if (!height) return 416;
  const side = Math.max(width, frameHeight);
  return YOLOX_SIZES.find((s) => (height.p10 * s) / side >= YOLOX_MIN_INPUT_PX) ?? 640;
}

/** HOG enlargement that brings the smaller people (10th percentile) to its window, 1 to 2. */
export function hogUpscale(height: PersonHeight | null): number {
  if (!height) return 1.5;
  return Math.min(2, Math.max(1, Math.ceil((HOG_PERSON_PX / Math.max(1, height.p10)) * 10) / 10));
}

/** Which detector: the one that follows clearly more people, else the faster. */
function chooseDetector(runs: readonly CheckRun[], comparable: number[]): { run: CheckRun; why: string } {
  const [a, b] = runs;
  if (!a) throw new Error('a camera check needs at least one run');
  if (!b) return { run: a, why: `${name(a.detector)} is the only detector tried on this box` };
  const [pa, pb] = comparable as [number, number];
  if (pb > pa * CLEARLY_MORE && pb > 0)
    return { run: b, why: `${name(b.detector)} followed more people in this view than ${name(a.detector)}` };
  if (pa > pb * CLEARLY_MORE && pa > 0)
    return { run: a, why: `${name(a.detector)} followed more people in this view than ${name(b.detector)}` };
  const fast = b.fps > a.fps ? b : a;
  return {
    run: fast,
    why: `both detectors followed about as many people; ${name(fast.detector)} is faster here`,
  };
}

export function name(d: CheckDetector): string {
  return d === 'yolox' ? 'YOLOX' : 'HOG';
}

/** Every-Nth detection that lets a detector reaching `fps` keep up with the camera. */
export function everyNthFor(cameraFps: number, fps: number): number {
  if (!(fps > 0) || !(cameraFps > 0)) return 1;
  return Math.min(30, Math.max(1, Math.ceil(cameraFps / fps)));
}

/** `comparable`: people per frame of each run over the same stretch of video. */
export function recommend(m: Measures, runs: readonly CheckRun[], comparable: number[]): CheckRecommendation {
  const { run, why } = chooseDetector(runs, comparable);
  const height = bestSeen(runs).personHeight;
  const everyNth = everyNthFor(m.cameraFps, run.fps);
  const size =
    run.detector === 'yolox'
      ? { yoloxInputSize: yoloxInputSize(height, m.width, m.height) }
      : { hogUpscale: hogUpscale(height) };
  const pace =
    everyNth === 1
      ? 'it keeps up with every frame'
      : `detecting on every ${ordinal(everyNth)} frame keeps up with the camera`;
  return { detector: run.detector, everyNth, ...size, reason: `${why}; ${pace}` };
}

/** 1st, 2nd, 3rd, 4th... */
export function ordinal(n: number): string {
  const s =
    n % 100 >= 11 && n % 100 <= 13
      ? 'th'
      : (({ 1: 'st', 2: 'nd', 3: 'rd' } as Record<number, string>)[n % 10] ?? 'th');
  return `${n}${s}`;
}
