import { describe, expect, it } from 'vitest';
import { PictureGaps } from '../../src/source/picture-gaps.ts';

const DAY = 86_400_000;

describe('picture gaps', () => {
  it('reports whole milliseconds when a file source times its frames by index', () => {
    const gaps = new PictureGaps(() => 5_000);
    gaps.frame(1_000 + 1000 / 7);
    expect(Number.isInteger(gaps.report().lastFrameAt)).toBe(true);
    expect(gaps.report().lastFrameAt).toBe(1_143);
  });

  it('counts a loss from the last frame to the next one, and says since when the state holds', () => {
    let now = 1_000;
    const gaps = new PictureGaps(() => now);
    expect(gaps.report()).toEqual({ state: 'starting', since: 1_000, gaps: 0, gapMs: 0 });
    // Never connected: no picture was lost yet, the state says why.
    now = 2_000;
    gaps.change('reconnecting', 'credentials');
    expect(gaps.report()).toEqual({
      state: 'reconnecting',
      since: 2_000,
      problem: 'credentials',
      gaps: 0,
      gapMs: 0,
    });
    now = 3_000;
    gaps.frame(3_000);
    gaps.frame(3_100);
    expect(gaps.report()).toEqual({ state: 'running', since: 3_000, lastFrameAt: 3_100, gaps: 0, gapMs: 0 });
    now = 4_000;
    gaps.change('reconnecting');
    now = 5_000;
    gaps.change('reconnecting', 'unreachable');
    // An ongoing loss counts up to now, from the last frame.
    expect(gaps.report()).toMatchObject({
      state: 'reconnecting',
      since: 4_000,
      problem: 'unreachable',
      gaps: 1,
      gapMs: 1_900,
    });
    now = 9_000;
    gaps.change('running'); // the source says running; the loss ends with the next frame
    gaps.frame(9_100);
    expect(gaps.report()).toEqual({
      state: 'running',
      since: 9_000,
      lastFrameAt: 9_100,
      gaps: 1,
      gapMs: 6_000,
    });
  });

  it('keeps the last 24 hours only, and stays bounded with thousands of losses', () => {
    let now = 0;
    const gaps = new PictureGaps(() => now);
    for (let i = 0; i < 5_000; i++) {
      now = i * 10_000;
      gaps.frame(now);
      gaps.change('reconnecting');
      now += 1_000;
      gaps.frame(now);
    }
    // 5000 losses of 1 s over 50 000 s (< 24 h): all counted though only 256 records are kept.
    expect(gaps.report()).toMatchObject({ gaps: 5_000, gapMs: 5_000_000 });
    now += DAY + 1;
    expect(gaps.report()).toMatchObject({ gaps: 0, gapMs: 0 });
  });
});
