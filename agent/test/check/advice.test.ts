// The check's rules on measured runs: detector choice, automatic every-Nth, warnings, verdict.
import type { CheckRun } from '@oskartrack/protocol';
import { describe, expect, it } from 'vitest';
import { everyNthFor, keepsUp, recommend, SMALL_PERSON_PX } from '../../src/check/advice.ts';
import { formatCheck } from '../../src/check/format.ts';
import { quantile, RunSamples } from '../../src/check/samples.ts';
import { verdictOf, warningsFor } from '../../src/check/warnings.ts';
import type { Tracks } from '../../src/types.ts';

const height = (median: number, p10 = median * 0.8, p90 = median * 1.2) => ({ median, p10, p90, boxes: 200 });

function run(over: Partial<CheckRun>): CheckRun {
  return {
    detector: 'hog',
    configured: true,
    frames: 100,
    seconds: 14,
    peopleShare: 0.9,
    peoplePerFrame: 3,
    fps: 20,
    personHeight: height(90),
    uprightShare: 0.95,
    ...over,
  };
}

const view = { width: 768, height: 576, cameraFps: 7, seconds: 14, brightness: 120, motionShare: 0.8 };

function verdict(runs: CheckRun[], m = view) {
  const rec = recommend(
    m,
    runs,
    runs.map((r) => r.peoplePerFrame),
  );
  const warnings = warningsFor(m, runs, rec, []);
  return { rec, warnings, codes: warnings.map((w) => w.code), verdict: verdictOf(runs, warnings) };
}

describe('camera check advice', () => {
  it('calls a side view with people of 90 px good, with no warning', () => {
    const r = verdict([run({})]);
    expect(r.codes).toEqual([]);
    expect(r.verdict).toBe('good');
    expect(r.rec).toEqual({
      detector: 'hog',
      everyNth: 'auto',
      keepsUp: true,
      reason:
        'HOG is the only detector tried on this box; it keeps up with every frame: 20.0 frames/s on this box, the camera gives 7.0',
    });
  });

  it('warns about small people below 60 px, and calls people under 40 px poor', () => {
    const small = verdict([run({ personHeight: height(50) })]);
    expect(small.codes).toEqual(['small-people']);
    expect(small.warnings[0]!.message).toContain(`smaller than ${SMALL_PERSON_PX} px`);
    expect(small.verdict).toBe('fair');
    expect(verdict([run({ personHeight: height(35) })]).verdict).toBe('poor');
  });

  it('tells a top-down view from box shapes, and from movement without any person', () => {
    const down = verdict([run({ uprightShare: 0.1 })]);
    expect(down.codes).toContain('top-down');
    expect(down.warnings.find((w) => w.code === 'top-down')!.message).toMatch(/looks straight down/);
    expect(down.verdict).toBe('poor');
    const empty = { peopleShare: 0, peoplePerFrame: 0, personHeight: null, uprightShare: null };
    expect(verdict([run(empty)]).codes).toEqual(['top-down', 'no-people']);
    expect(verdict([run(empty)], { ...view, motionShare: 0 }).codes).toEqual(['no-people']);
  });

  it('says a dark picture is dark', () => {
    expect(verdict([run({})], { ...view, brightness: 30 }).codes).toEqual(['dark']);
  });

  it('leaves every-Nth automatic, and warns only when even every 4th frame is too slow', () => {
    // 7 / 3 frames/s: every 3rd frame keeps up, which the box chooses by itself.
    const skips = verdict([run({ fps: 3 })]);
    expect(skips.rec).toMatchObject({ everyNth: 'auto', keepsUp: true });
    expect(skips.rec.reason).toContain(
      'it keeps up by detecting on fewer frames, which the box chooses by itself',
    );
    expect(skips.codes).toEqual([]);
    expect(skips.verdict).toBe('good');
    // 7 / 1.6 frames/s needs every 5th frame: beyond what the box skips.
    const slow = verdict([run({ fps: 1.6 })]);
    expect(slow.rec).toMatchObject({ everyNth: 'auto', keepsUp: false });
    expect(slow.rec.reason).toContain('even detecting on every 4th frame it would not keep up');
    expect(slow.warnings.map((w) => w.message)).toEqual([
      'this box reaches only 1.6 frames/s with HOG and the camera gives 7.0: even detecting on every 4th frame it cannot keep up: set the camera to 6 frames/s or less, or try YOLOX if it is faster on this box',
    ]);
    expect(slow.verdict).toBe('fair');
    // The other detector, faster here, is named; a slower one is not.
    const yolox = (fps: number) => run({ detector: 'yolox', configured: false, peoplePerFrame: 1, fps });
    const withFaster = verdict([run({ fps: 1.6 }), yolox(5)]);
    expect(withFaster.rec.detector).toBe('hog');
    expect(withFaster.warnings[0]!.message).toMatch(
      /set the camera to 6 frames\/s or less, or use YOLOX, which reached 5\.0 frames\/s here$/,
    );
    expect(verdict([run({ fps: 1.6 }), yolox(1)]).warnings[0]!.message).toMatch(/or less$/);
    expect(verdict([run({ fps: 0.2 })]).warnings[0]!.message).toContain(
      'use a faster box for this camera, or try YOLOX',
    );
    expect(keepsUp(25, 6.25)).toBe(true);
    expect(keepsUp(25, 6)).toBe(false);
    expect(keepsUp(7, 0)).toBe(false);
    expect(everyNthFor(25, 9)).toBe(3);
    expect(everyNthFor(7, 0)).toBe(1);
  });

  it('recommends the detector that follows clearly more people, else the faster one', () => {
    const hog = run({ peoplePerFrame: 2, fps: 30 });
    const yolox = run({ detector: 'yolox', configured: false, peoplePerFrame: 3, fps: 10 });
    expect(recommend(view, [hog, yolox], [2, 3]).detector).toBe('yolox');
    expect(recommend(view, [hog, yolox], [3, 3.1]).detector).toBe('hog');
  });

  it('recommends from the numbers it prints: the same stretch of video, as rounded', () => {
    // YOLOX (set on this box) saw the whole minute, HOG only the first 20 s; over those 20 s YOLOX
    // followed 1.2 people per frame, though 2.0 over the minute.
    const yolox = run({ detector: 'yolox', peoplePerFrame: 2, fps: 5, frames: 420, seconds: 60 });
    const hog = run({ configured: false, peoplePerFrame: 1.5, fps: 12, frames: 140, seconds: 20 });
    const more = recommend(view, [yolox, hog], [1.2, 1.5], 20);
    expect(more.detector).toBe('hog');
    expect(more.reason).toMatch(
      /^HOG followed clearly more people in this view than YOLOX: 1\.5 against 1\.2 per frame over the same first 20\.0 s of video; /,
    );
    const close = recommend(view, [yolox, hog], [2.0, 1.8], 20);
    expect(close.detector).toBe('hog');
    expect(close.reason).toMatch(
      /^both detectors followed about as many people \(YOLOX 2\.0, HOG 1\.8 per frame over the same first 20\.0 s of video, less than 15 % apart\), and HOG is the faster here \(12\.0 against 5\.0 frames\/s\); /,
    );
    const nobody = recommend(view, [yolox, hog], [0, 0.001], 20);
    expect(nobody.detector).toBe('hog');
    expect(nobody.reason).toMatch(
      /^neither detector found anyone in the same first 20\.0 s of video, so only speed decides: HOG is the faster here \(12\.0 against 5\.0 frames\/s\); /,
    );
    // 1.99 and 1.74 print as 2.0 and 1.7, more than 15 % apart: the one that followed more.
    const rounded = recommend(view, [yolox, hog], [1.99, 1.74], 20);
    expect(rounded.detector).toBe('yolox');
    expect(rounded.reason).toContain('2.0 against 1.7 per frame');
  });

  it('recommends no size setting, and writes the settings in plain words', () => {
    const runs = [run({ personHeight: height(41, 35), fps: 1.6 })];
    const rec = recommend(view, runs, [3]);
    expect(Object.keys(rec).sort()).toEqual(['detector', 'everyNth', 'keepsUp', 'reason']);
    const warnings = warningsFor(view, runs, rec, []);
    const text = formatCheck({
      v: 1,
      at: 0,
      source: '/srv/videos/door.avi',
      ...view,
      runs,
      personHeight: runs[0]!.personHeight,
      recommended: rec,
      warnings,
      verdict: verdictOf(runs, warnings),
      summary: 'This view will count, better after the changes below.',
    });
    expect(text).toContain(
      'Recommended: HOG, every-Nth automatic (HOG is the only detector tried on this box; even detecting on every 4th frame it would not keep up: 1.6 frames/s on this box, the camera gives 7.0)',
    );
    expect(text).toContain('  HOG   (checked): 1.6 frames/s on this box;');
    expect(text).not.toMatch(/enlarged|input size/);
  });
});

describe('run samples', () => {
  it('measures heights without boxes cut by the frame edge, and counts upright shapes', () => {
    const s = new RunSamples(2);
    const tracks = (boxes: number[]): Tracks => ({
      frameIndex: 0,
      at: 0,
      count: boxes.length / 4,
      ids: new Uint32Array(boxes.length / 4),
      boxes: Float32Array.from(boxes),
      scores: new Float32Array(boxes.length / 4),
    });
    // Upright 30x80, upright 40x100, square 50x50, and one cut by the bottom edge (not measured).
    s.add(tracks([10, 10, 40, 90, 100, 100, 140, 200, 300, 300, 350, 350, 500, 450, 530, 576]), 576);
    s.add(tracks([]), 576);
    s.add(tracks([10, 10, 40, 90]), 576);
    expect(s.frames).toBe(3);
    expect(s.peopleShare()).toBeCloseTo(2 / 3);
    expect(s.peoplePerFrame()).toBeCloseTo(5 / 3);
    expect(s.peoplePerFrame(1)).toBe(4);
    expect(s.uprightShare()).toBeCloseTo(4 / 5);
    // Heights 50, 80, 80, 100: interpolated quantiles.
    expect(s.personHeight()).toEqual({ median: 80, p10: 59, p90: 94, boxes: 4 });
    expect(quantile(Float32Array.of(1, 2, 3, 4), 0.5)).toBe(2.5);
  });
});
