// The picture watch on real footage (PETS 2009, people walking across a square): the clip itself is
// never flagged; the same frames covered, shifted, turned or darkened with OpenCV after the scene was
// learnt are reported once the problem lasted, and the report clears once the picture is back.
import type { PictureProblem } from '@oskartrack/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CV, loadOpenCV, type Mat } from '../../src/cv.ts';
import { PictureWatch, type PictureWatchOptions } from '../../src/detect/picture-watch.ts';
import { PETS_CLIP } from '../support/clip.ts';

/** The clip's true frame rate: frame times are index / 7 s. */
const FPS = 7;
const FRAME_MS = 1000 / FPS;
const OPTIONS: PictureWatchOptions = { reportAfterMs: 5000, clearAfterMs: 5000 };

interface Segment {
  frames: number;
  /** Makes the picture of this segment from the clip's frame; the result is released after use. */
  change?: (frame: Mat) => Mat;
}

interface Played {
  /** Capture time of each segment's first frame. */
  starts: number[];
  /** Every change of the reported problem, with the frame time it happened at. */
  changes: { at: number; problem: PictureProblem | undefined; since: number | undefined }[];
  /** Checks that saw a problem (reported or not). */
  flagged: number;
  /** Checks that could not tell (the scene too busy to say whether the camera moved). */
  unsure: number;
}

let cv: CV;
beforeAll(async () => {
  cv = await loadOpenCV();
});

/** Plays the clip from its start through `watch`, segment after segment (looping the clip if needed). */
function play(watch: PictureWatch, segments: Segment[]): Played {
  let capture = new cv.VideoCapture(PETS_CLIP);
  const played: Played = { starts: [], changes: [], flagged: 0, unsure: 0 };
  let index = 0;
  let lastReading: unknown;
  try {
    for (const segment of segments) {
      played.starts.push(index * FRAME_MS);
      for (let i = 0; i < segment.frames; i++, index++) {
        let frame = capture.read();
        if (frame.empty) {
          capture.release();
          capture = new cv.VideoCapture(PETS_CLIP);
          frame = capture.read();
        }
        const picture = segment.change ? segment.change(frame) : frame;
        const at = index * FRAME_MS;
        if (watch.look(picture, at)) {
          played.changes.push({ at, problem: watch.problem, since: watch.since });
        }
        if (watch.last !== lastReading) {
          lastReading = watch.last;
          if (watch.last?.problem) played.flagged++;
          if (watch.last?.unsure) played.unsure++;
        }
        if (picture !== frame) picture.release();
        frame.release();
      }
    }
  } finally {
    capture.release();
  }
  return played;
}

/** 90 % of the frame's area under a filled rectangle of one colour (a bag or a hand on the lens). */
const cover = (colour: number) => (frame: Mat) => {
  const out = frame.copy();
  const side = Math.sqrt(0.9);
  const w = Math.round(frame.cols * side);
  const h = Math.round(frame.rows * side);
  const rect = new cv.Rect(Math.round((frame.cols - w) / 2), Math.round((frame.rows - h) / 2), w, h);
  out.drawRectangle(rect, new cv.Vec3(colour, colour, colour), -1);
  return out;
};

const shift = (fraction: number) => (frame: Mat) => {
  const m = new cv.Mat(
    [
      [1, 0, fraction * frame.cols],
      [0, 1, 0],
    ],
    cv.CV_64F,
  );
  return frame.warpAffine(m, new cv.Size(frame.cols, frame.rows), cv.INTER_LINEAR, cv.BORDER_REPLICATE);
};

const turn = (degrees: number) => (frame: Mat) => {
  const m = cv.getRotationMatrix2D(new cv.Point2(frame.cols / 2, frame.rows / 2), degrees, 1);
  return frame.warpAffine(m, new cv.Size(frame.cols, frame.rows), cv.INTER_LINEAR, cv.BORDER_REPLICATE);
};

/**
 * A crowd: most of the picture under pieces of the scene moved elsewhere, different in every frame
 * (a fixed-seed generator, so every run is the same).
 */
function crowd(): (frame: Mat) => Mat {
  let seed = 12345;
  const random = () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
  return (frame) => {
    const out = frame.copy();
    const w = Math.round(frame.cols / 4);
    const h = Math.round(frame.rows / 4);
    const at = () =>
      new cv.Rect(Math.floor(random() * (frame.cols - w)), Math.floor(random() * (frame.rows - h)), w, h);
    for (let i = 0; i < 12; i++) frame.getRegion(at()).copyTo(out.getRegion(at()));
    return out;
  };
}

const dim = (factor: number) => (frame: Mat) => frame.convertTo(cv.CV_8UC3, factor, 0);

/** 30 s of the clip as it is (the scene is learnt), 20 s changed, 30 s as it is again. */
function problemAndBack(change: (frame: Mat) => Mat): Segment[] {
  return [{ frames: 30 * FPS }, { frames: 20 * FPS, change }, { frames: 30 * FPS }];
}

/** The problem was reported once, after it lasted, with its start, and cleared once the picture was back. */
function expectReportedAndCleared(played: Played, problem: PictureProblem): void {
  const [, start = 0, back = 0] = played.starts;
  expect(played.changes.map((c) => c.problem)).toEqual([problem, undefined]);
  const [reported, cleared] = played.changes;
  // Reported after the problem lasted reportAfterMs (checks are a second apart), not before.
  expect(reported!.at - start).toBeGreaterThanOrEqual(5000);
  expect(reported!.at - start).toBeLessThanOrEqual(5000 + 1000 + 2 * FRAME_MS);
  expect(reported!.since).toBeGreaterThanOrEqual(start);
  expect(reported!.since).toBeLessThan(start + 1000 + FRAME_MS);
  // Cleared after clearAfterMs of good picture.
  expect(cleared!.at - back).toBeGreaterThanOrEqual(5000);
  expect(cleared!.at - back).toBeLessThanOrEqual(5000 + 1000 + 2 * FRAME_MS);
  expect(cleared!.since).toBeUndefined();
}

describe('picture watch on the PETS 2009 clip', () => {
  const watches: PictureWatch[] = [];
  const watch = (options: PictureWatchOptions = OPTIONS) => {
    const w = new PictureWatch(cv, options);
    watches.push(w);
    return w;
  };
  afterAll(() => {
    for (const w of watches) w.close();
  });

  it('never flags the clip itself: people walking are not a moved or covered camera', () => {
    // The whole clip twice (the loop is a jump in the scene, still not a moved camera).
    const played = play(watch({ ...OPTIONS, reportAfterMs: 2000 }), [{ frames: 2 * 795 }]);
    expect(played.changes).toEqual([]);
    expect(played.flagged).toBe(0);
  });

  it('reports a black cover over 90 % of the picture as covered, and clears it', () => {
    const w = watch();
    const played = play(w, problemAndBack(cover(0)));
    expectReportedAndCleared(played, 'covered');
  });

  it('reports a grey cover over 90 % of the picture as covered, and clears it', () => {
    expectReportedAndCleared(play(watch(), problemAndBack(cover(128))), 'covered');
  });

  it('reports the picture shifted by 15 % of its width as moved, and clears it', () => {
    const w = watch();
    const played = play(w, problemAndBack(shift(0.15)));
    expectReportedAndCleared(played, 'moved');
  });

  it('reports the picture turned by 10 degrees as moved', () => {
    expectReportedAndCleared(play(watch(), problemAndBack(turn(10))), 'moved');
  });

  it('does not report a crowd that hides much of the scene as a moved camera', () => {
    const played = play(watch(), problemAndBack(crowd()));
    expect(played.changes).toEqual([]);
    // The scene did not match while the crowd was there, and the watch knew it could not tell...
    expect(played.unsure).toBeGreaterThan(10);
    // ...where only looking at the match with the learnt scene would have said moved.
    const unguarded = play(watch({ ...OPTIONS, steadyAbove: -1 }), problemAndBack(crowd()));
    expect(unguarded.changes.map((c) => c.problem)).toEqual(['moved', undefined]);
  });

  it('takes a view that stays moved long enough as the new scene', () => {
    const w = watch({ ...OPTIONS, acceptMovedAfterMs: 10_000 });
    const played = play(w, [{ frames: 30 * FPS }, { frames: 30 * FPS, change: shift(0.15) }]);
    expect(played.changes.map((c) => c.problem)).toEqual(['moved', undefined]);
    const [moved, accepted] = played.changes;
    // Accepted after acceptMovedAfterMs from its start, cleared after clearAfterMs of the new view.
    expect(accepted!.at - moved!.since!).toBeGreaterThanOrEqual(10_000 + 5000);
  });

  it('reports the light at 5 % as dark, and clears it', () => {
    expectReportedAndCleared(play(watch(), problemAndBack(dim(0.05))), 'dark');
  });

  it('does not report a problem shorter than reportAfterMs', () => {
    const played = play(watch(), [
      { frames: 30 * FPS },
      { frames: 3 * FPS, change: cover(0) },
      { frames: 10 * FPS },
    ]);
    expect(played.changes).toEqual([]);
    expect(played.flagged).toBeGreaterThan(0);
  });

  it('reports a camera that starts with its lens covered, before any scene was learnt', () => {
    // One even grey: nothing of the scene is left.
    const lid = (frame: Mat) => frame.convertTo(cv.CV_8UC3, 0, 90);
    const played = play(watch(), [{ frames: 10 * FPS, change: lid }]);
    expect(played.changes.map((c) => c.problem)).toEqual(['covered']);
    expect(played.changes[0]!.since).toBe(0);
  });
});
