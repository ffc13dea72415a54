// Which frame rate the check takes for the camera, and where it came from, in words. A container
// header can be wrong (PETS09's vtest.avi says 10 frames/s, it was recorded at 7). A file's own
// timestamps (CAP_PROP_POS_MSEC) are a second opinion where the container keeps real ones (MP4, MKV);
// an AVI times its frames by the header's rate, so there they agree with the header whatever the
// truth, and only the operator (--fps, or the camera's settings on the hub) can say otherwise.
import type { SourceInfo } from '../source/index.ts';

/** Timestamps whose rate differs from the header's by more than this share are believed instead. */
export const RATE_DISAGREES = 0.05;

/** How the person reading the check sets the rate: `check --fps` on the box, or the camera's settings. */
export interface RateWords {
  /** Where a given rate came from. */
  given: string;
  /** How to give the true rate: `use()` in general, `use(7)` for that rate. */
  use: (fps?: number) => string;
}

/** For `oskartrack-agent check` in a terminal. */
export const COMMAND_WORDS: RateWords = {
  given: "--fps, or the camera's settings on the hub",
  use: (fps) => (fps === undefined ? 'give the true rate with --fps' : `count it with --fps ${fps}`),
};

/** For a check the dashboard asked for: the rate is the camera's setting there. */
export const DASHBOARD_WORDS: RateWords = {
  given: "the camera's settings",
  use: (fps) =>
    fps === undefined
      ? "set the camera's true frame rate in its settings"
      : `set the camera's frame rate to ${fps} in its settings`,
};

export interface FrameRate {
  /** Frames per second the check takes. */
  fps: number;
  /** Where it came from, in plain words, with what to do when that may be wrong. */
  note: string;
}

const rate = (fps: number) => `${Math.round(fps * 100) / 100} frames/s`;

function disagrees(a: number, b: number): boolean {
  return Math.abs(a - b) > RATE_DISAGREES * Math.max(a, b);
}

/** `given`: the rate the operator gave (--fps or the camera's settings); `timestampFps`: measure's. */
export function frameRateOf(
  info: Pick<SourceInfo, 'kind' | 'fps' | 'fpsFrom' | 'headerFps'>,
  given: number | undefined,
  timestampFps: number | undefined,
  words: RateWords = COMMAND_WORDS,
): FrameRate {
  const header = info.headerFps;
  if (given !== undefined) {
    const said = header !== undefined && disagrees(header, given) ? `; the header says ${rate(header)}` : '';
    return {
      fps: given,
      note: `${rate(given)}, as given (${words.given})${said}`,
    };
  }
  if (info.kind !== 'file') {
    return info.fpsFrom === 'header'
      ? { fps: info.fps, note: `${rate(info.fps)}, as the camera reports it` }
      : { fps: info.fps, note: `the camera reports no frame rate: ${words.use()}` };
  }
  if (header === undefined)
    return {
      fps: info.fps,
      note: `the file says no frame rate: ${rate(info.fps)} assumed; ${words.use()}`,
    };
  if (timestampFps !== undefined && disagrees(timestampFps, header)) {
    const fps = Math.round(timestampFps * 100) / 100;
    return {
      fps,
      note: `${rate(fps)} from the file's timestamps; its header says ${rate(header)}, which is wrong: ${words.use(fps)}`,
    };
  }
  const why =
    timestampFps === undefined
      ? 'the file has no timestamps to check it against'
      : "the file's timestamps follow the header, so the file cannot tell whether it is true";
  return {
    fps: header,
    note: `${rate(header)} from the file's header (${why}): if the camera recorded at another rate, ${words.use()}`,
  };
}
