// The check's rules on measured runs: detector choice, settings from person sizes, warnings, verdict.
import type { CheckRun } from '@oskartrack/protocol';
import { describe, expect, it } from 'vitest';
import {
  everyNthFor,
  hogUpscale,
  recommend,
  SMALL_PERSON_PX,
  yoloxInputSize,
} from '../../src/check/advice.ts';
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
    expect(r.rec).toMatchObject({ detector: 'hog', everyNth: 1 });
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

  it('says a dark picture is dark, and a slow box needs every-Nth detection', () => {
    expect(verdict([run({})], { ...view, brightness: 30 }).codes).toEqual(['dark']);
    const slow = verdict([run({ fps: 3 })]);
    expect(slow.rec.everyNth).toBe(3);
    expect(slow.warnings.map((w) => w.message)).toEqual([
      'this box reaches only 3.0 frames/s with HOG (the camera gives 7.0): use every-Nth detection (every 3rd frame)',
    ]);
  });

  it('recommends the detector that follows clearly more people, else the faster one', () => {
    const hog = run({ peoplePerFrame: 2, fps: 30 });
    const yolox = run({ detector: 'yolox', configured: false, peoplePerFrame: 3, fps: 10 });
    expect(recommend(view, [hog, yolox], [2, 3]).detector).toBe('yolox');
    expect(recommend(view, [hog, yolox], [3, 3.1]).detector).toBe('hog');
  });

  it('sizes YOLOX input and HOG enlargement from the smaller people', () => {
    // 25 px at the network: 320 / 768 * 67 = 27.9 fits 320; 416 / 768 * 40 = 21.7 does not fit 416.
    expect(yoloxInputSize(height(81, 67), 768, 576)).toBe(320);
    expect(yoloxInputSize(height(50, 40), 768, 576)).toBe(512);
    expect(yoloxInputSize(height(30, 20), 768, 576)).toBe(640);
    expect(hogUpscale(height(81, 67))).toBe(1.5);
    expect(hogUpscale(height(200, 150))).toBe(1);
    expect(hogUpscale(height(40, 30))).toBe(2);
    expect(everyNthFor(25, 9)).toBe(3);
    expect(everyNthFor(7, 0)).toBe(1);
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
